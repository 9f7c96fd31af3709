// metadata.txt: parse any bytes in both key modes (strict and lenient), validate under every
// profile; what configparser reads must format into text that reads back the same.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/meta/parser.hpp>
#include <qplug/meta/serialize.hpp>
#include <qplug/meta/validator.hpp>

#include "fuzz_input.hpp"

using namespace qplug::meta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (KeyMode keys : {KeyMode::qgis, KeyMode::site}) {
        for (bool lenient : {false, true}) {
            ParseOptions po;
            po.keys = keys;
            po.lenient = lenient;
            const Document doc = parse(text, po);
            for (const auto& d : doc.diagnostics) {
                qplug::fuzz::require(d.offset <= doc.text.size());
            }
            for (Profile p : {Profile::qgis, Profile::site, Profile::strict}) {
                ValidateOptions vo;
                vo.profile = p;
                vo.file_exists = [](std::string_view) { return true; };
                (void)validate(doc, vo);
            }
            (void)document_json(doc);
            if (doc.ok && !lenient) {
                const std::string formatted = format_metadata(doc);
                const Document again = parse(formatted, po);
                qplug::fuzz::require(again.ok);
                // The same keys and values (formatting orders keys by the spec).
                const auto a = doc.general_items();
                const auto b = again.general_items();
                qplug::fuzz::require(a.size() == b.size());
                for (const auto& item : a) {
                    const Entry* other = again.find(item.entry->key);
                    qplug::fuzz::require(other != nullptr &&
                                         other->raw_value == item.entry->raw_value &&
                                         other->value == item.entry->value);
                }
                qplug::fuzz::require(format_metadata(again) == formatted);
            }
        }
    }
    return 0;
}
