// Reader for plugins.xml, the index a QGIS plugin repository publishes: every
// <pyqgis_plugin> element as QGIS's plugin installer reads it (qgis-facts.md section 4).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::plugins_xml {

/// One <pyqgis_plugin> element: one version of one plugin. Texts are stripped, as QGIS
/// strips them; absent elements are "". The texts are views into their Document (mostly
/// into the parsed bytes themselves: a sync of 15,000 entries builds no 400,000 strings),
/// valid while it lives.
struct Entry {
    // attributes
    std::string_view name;
    std::string_view version;
    std::string_view plugin_id;
    // children QGIS reads
    std::string_view file_name;
    std::string_view download_url;
    std::string_view description;
    std::string_view about;
    std::string_view author_name;
    std::string_view author_email;
    std::string_view homepage;
    std::string_view category;
    std::string_view tags;
    std::string_view changelog;
    std::string_view tracker;
    std::string_view repository;
    std::string_view downloads;
    std::string_view average_vote;
    std::string_view rating_votes;
    std::string_view create_date;
    std::string_view update_date;
    std::string_view icon;
    std::string_view plugin_dependencies;
    std::string_view qgis_minimum_version;
    std::string_view qgis_maximum_version;
    // flags: true when the stripped, upper-cased text is TRUE or YES (QGIS's reading)
    bool experimental = false;
    bool deprecated = false;
    bool trusted = false;
    bool disabled = false;
    // read by other tools (qgis-plugin-manager, the site), not by QGIS
    bool server = false;
    std::string_view uploaded_by;
    std::string_view external_dependencies;
    // where the element starts
    std::size_t line = 0;
    std::size_t column = 0;
    std::size_t offset = 0;

    /// The plugin's key, i.e. its install folder: file_name up to its first '.', or, when
    /// file_name is empty, the same of the last path part of download_url without the query
    /// string ("" when the URL ends with '/', as QFileInfo says).
    std::string key() const;
};

struct Document {
    std::vector<Entry> entries; ///< every <pyqgis_plugin> anywhere, in document order
    /// What the entries' texts point into: the parsed bytes (escaped, as QGIS escapes them,
    /// and parsed in place) and the few texts built by concatenation or conversion.
    struct Storage {
        std::unique_ptr<char[]> bytes;
        /// A second copy, when the document was parsed again as a whole after some entries
        /// were read from the first (read in pieces, parsed in place).
        std::unique_ptr<char[]> reparsed;
        std::deque<std::string> built;
    };
    std::unique_ptr<Storage> storage;
    /// The first XML error of a document that is not well-formed: `entries` then hold the
    /// elements read before it, as QGIS's QDomDocument keeps them (an element still open at
    /// the error counts, with the children it had).
    std::optional<Error> error;
};

/// Parses the bytes of a plugins.xml. Like QGIS, replaces every "& " with "&amp; " first
/// (repositories publish such text). A document with an XML error gives the entries before
/// it and the error (Document::error); it fails with the error's line and column only when
/// no entry comes before it. A well-formed document without any <pyqgis_plugin> yields no
/// entries. Nesting depth is not limited: the tree is walked without recursion.
Expected<Document> parse(std::string_view bytes);

/// Parses as parse() does, but hands each entry to `on_entry` as the walk reads it instead of
/// keeping it (Document::entries stays empty), so that a sync can write entries while the
/// rest of the document is read. An entry's views point into the storage of the Document
/// this returns, which exists before the first call: they stay valid while that Document
/// lives. `on_entry` returns false to stop the walk. Fails as parse() does.
Expected<Document> parse_each(std::string_view bytes,
                              const std::function<bool(const Entry&)>& on_entry);

} // namespace qplug::solver::plugins_xml
