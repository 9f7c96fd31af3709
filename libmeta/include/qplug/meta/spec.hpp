// The specification of metadata.txt (spec/metadata.json), as compiled into the library.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::meta {

struct RuleInfo {
    std::string_view id;
    std::string_view category; ///< parse, lenient, field, links, package
    Severity severity[3];      ///< per Profile
    std::string_view message;  ///< template with {placeholders}
    std::string_view hint;
    std::string_view field; ///< the key the rule is about, when it is about one

    Severity severity_in(Profile p) const { return severity[static_cast<int>(p)]; }
};

struct FieldInfo {
    std::string_view key;
    std::vector<std::string_view> aliases;
    std::string_view type;
    bool required[3]; ///< per Profile
    bool localizable;
    std::size_t max_length;                                          ///< 0: none
    std::vector<std::string_view> true_qgis, true_site, true_server; ///< bool spellings
    std::vector<std::string_view> values;                            ///< enum values
    std::string_view deprecated;                                     ///< when, or empty
    std::string_view lifecycle_note;
    std::string_view plugins_xml;
};

std::span<const RuleInfo> rules();
const RuleInfo* find_rule(std::string_view id);
std::span<const FieldInfo> fields();
/// The field for a key as written ("qgisMinimumVersion", an alias such as "author_name"), or
/// nullptr. With ignore_case, "qgisminimumversion" finds it too.
const FieldInfo* find_field(std::string_view key, bool ignore_case);
/// {find_field(key, false), find_field(key, true)} in one lookup for names the spec knows.
std::pair<const FieldInfo*, const FieldInfo*> find_field_both_ways(std::string_view key);
/// Plugin Builder placeholders ("tracker" -> "http://bugs").
std::string_view placeholder(std::string_view key);
/// Whether `text` is one of the Plugin Builder template texts of `key`.
bool is_template_text(std::string_view key, std::string_view text);
/// Whether `key` has Plugin Builder template texts at all.
bool has_template_texts(std::string_view key);

/// The whole spec as JSON (spec/metadata.json) and as the Markdown of docs/metadata.md.
std::string spec_json();
std::string spec_markdown();

/// The values of a message's placeholders, by name: {{"key", "name"}, {"value", v}}. A
/// braced list at the call, so the strings it views live until the call returns.
using MessageArgs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

/// Fills a rule's message template: "{key}" becomes the value given for "key".
std::string format_message(std::string_view templ, MessageArgs args);

/// A diagnostic for `rule` in `profile`, message filled from `args`.
Diagnostic make_diagnostic(std::string_view rule, Profile profile, MessageArgs args = {});
/// The same for a rule already looked up.
Diagnostic make_diagnostic(const RuleInfo& rule, Profile profile, MessageArgs args = {});

/// Re-grades diagnostics for another profile (their rules decide); drops those now off.
void apply_profile(Diagnostics& diagnostics, Profile profile);

} // namespace qplug::meta
