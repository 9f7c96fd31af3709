// plugins.xml: any bytes either fail with a position inside the input or give entries with
// positions inside it (at their '<' unless pugixml converted the encoding), and the position
// of an XML error after them; keys hold no '.'. Read in pieces (one entry at a time, as a sync
// reads) or as the whole document, the same bytes give the same entries, field by field, and
// the same error.
// (A key may hold '/' when file_name does, as in QGIS: the installer refuses such keys.)
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include <qplug/solver/plugins_xml.hpp>

#include "fuzz_input.hpp"
#include "plugins_xml_readings.hpp"

using namespace qplug::solver;

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
    qplug::fuzz::require(qplug::test::describe_reading(text, plugins_xml::Reading::in_pieces) ==
                         qplug::test::describe_reading(text, plugins_xml::Reading::whole));
    return 0;
}
