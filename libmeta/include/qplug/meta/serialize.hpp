// Writing metadata out: canonical metadata.txt, JSON, and the plugins.xml entry of a release.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>

#include <qplug/meta/document.hpp>
#include <qplug/meta/model.hpp>

namespace qplug::meta {

/// Canonical metadata.txt: [general] first with its keys in the spec's order (translations after
/// their key, unknown keys last, in file order), then the other sections as they were; one
/// "key=value" per key, continuation lines indented by four spaces, comments kept with the
/// entry they precede. configparser reads back exactly the same keys and values (in the
/// document's key mode). In qgis mode known keys get their canonical spelling; site mode keeps
/// spellings, since there they change what the site reads.
std::string format_metadata(const Document& document);

/// The document and its typed view as JSON (the positions of every entry included).
std::string document_json(const Document& document);

/// What plugins.xml says about a release beyond metadata.txt.
struct ReleaseInfo {
    std::string package_name; ///< the top folder of the ZIP; file_name is <package>.<version>.zip
    std::string download_url;
    std::string plugin_id;
    std::string create_date, update_date; ///< ISO 8601
    std::string uploaded_by;
    bool trusted = false;
};

/// The <pyqgis_plugin> element plugins.qgis.org would publish for this release (children in
/// the site's order), plus <plugin_dependencies>, which QGIS reads and the site omits.
std::string plugins_xml_entry(const Metadata& metadata, const ReleaseInfo& release);

} // namespace qplug::meta
