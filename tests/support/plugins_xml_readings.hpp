// A reading of plugins.xml as one text (every field of every entry, positions, the error), so
// that two readings of the same bytes compare with ==: the test and the fuzz target that hold
// reading in pieces to reading the whole document.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "formats/plugins_xml_reading.hpp"

namespace qplug::test {

inline std::string describe_entry(const solver::plugins_xml::Entry& e) {
    std::string out = "@" + std::to_string(e.offset) + ":" + std::to_string(e.line) + ":" +
                      std::to_string(e.column) + " ";
    for (const std::string_view text : {e.name,
                                        e.version,
                                        e.plugin_id,
                                        e.file_name,
                                        e.download_url,
                                        e.description,
                                        e.about,
                                        e.author_name,
                                        e.author_email,
                                        e.homepage,
                                        e.category,
                                        e.tags,
                                        e.changelog,
                                        e.tracker,
                                        e.repository,
                                        e.downloads,
                                        e.average_vote,
                                        e.rating_votes,
                                        e.create_date,
                                        e.update_date,
                                        e.icon,
                                        e.plugin_dependencies,
                                        e.qgis_minimum_version,
                                        e.qgis_maximum_version,
                                        e.uploaded_by,
                                        e.external_dependencies}) {
        out.append("[").append(text).append("]");
    }
    for (const bool flag : {e.experimental, e.deprecated, e.trusted, e.disabled, e.server}) {
        out += flag ? '1' : '0';
    }
    return out;
}

/// The entries `how` hands (all of them, or the first `stop_after`), then the outcome.
inline std::string describe_reading(std::string_view bytes, solver::plugins_xml::Reading how,
                                    std::size_t stop_after = 0) {
    std::string out;
    std::size_t handed = 0;
    auto doc = solver::plugins_xml::parse_each(
        bytes,
        [&](const solver::plugins_xml::Entry& e) {
            out += describe_entry(e) + '\n';
            return stop_after == 0 || ++handed < stop_after;
        },
        how);
    if (!doc) {
        return out + "failed: " + doc.error().to_string() + " @" +
               std::to_string(doc.error().offset);
    }
    if (doc->error) {
        out += "error: " + doc->error->to_string() + " @" + std::to_string(doc->error->offset);
    }
    return out;
}

} // namespace qplug::test
