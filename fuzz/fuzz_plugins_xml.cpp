// plugins.xml: any bytes either fail with a position inside the input or give entries with
// positions inside it (at their '<' unless pugixml converted the encoding), and the position
// of an XML error after them; keys hold no '.'. Read in pieces (one entry at a time, as a sync
// reads) or as the whole document, the same bytes give the same entries, field by field, and
// the same error.
// (A key may hold '/' when file_name does, as in QGIS: the installer refuses such keys.)
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include <qplug/solver/plugins_xml.hpp>

#include "formats/plugins_xml_reading.hpp"
#include "fuzz_input.hpp"

using namespace qplug::solver;

namespace {

/// Every field of every entry, and the outcome, as one text.
std::string reading(std::string_view text, plugins_xml::Reading how) {
    std::string out;
    auto doc = plugins_xml::parse_each(
        text,
        [&](const plugins_xml::Entry& e) {
            for (const std::string_view field : {e.name,
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
                out.append(field).push_back('\x1f');
            }
            for (const bool flag :
                 {e.experimental, e.deprecated, e.trusted, e.disabled, e.server}) {
                out.push_back(flag ? '1' : '0');
            }
            out += std::to_string(e.offset) + ':' + std::to_string(e.line) + ':' +
                   std::to_string(e.column) + '\n';
            return true;
        },
        how);
    if (!doc) {
        return out + "failed " + doc.error().to_string() + std::to_string(doc.error().offset);
    }
    if (doc->error) {
        out += "error " + doc->error->to_string() + std::to_string(doc->error->offset);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto doc = plugins_xml::parse(text);
    if (!doc) {
        qplug::fuzz::require(doc.error().offset <= size);
        qplug::fuzz::require(doc.error().line >= 1 && doc.error().line_column >= 1);
    } else {
        if (doc->error) { // the entries before an XML error
            qplug::fuzz::require(doc->error->offset <= size && !doc->entries.empty());
            qplug::fuzz::require(doc->error->line >= 1 && doc->error->line_column >= 1);
        }
        for (const auto& e : doc->entries) {
            qplug::fuzz::require(e.line >= 1 && e.column >= 1);
            qplug::fuzz::require(e.offset < size);
            const std::string key = e.key();
            qplug::fuzz::require(key.find('.') == std::string::npos);
        }
    }
    qplug::fuzz::require(reading(text, plugins_xml::Reading::in_pieces) ==
                         reading(text, plugins_xml::Reading::whole));
    return 0;
}
