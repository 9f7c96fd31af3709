// The compiled spec: rules and fields from spec/metadata.json (tables generated at build time).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

#include "bytes.hpp"
#include "spec_tables.hpp"

namespace qplug::meta {

namespace {

std::vector<std::string_view> split_commas(const char* s) {
    std::vector<std::string_view> out;
    if (s == nullptr || *s == '\0') {
        return out;
    }
    std::string_view v(s);
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = v.find(',', start);
        out.push_back(v.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (comma == std::string_view::npos) {
            return out;
        }
        start = comma + 1;
    }
}

std::string_view view(const char* s) {
    return s == nullptr ? std::string_view() : std::string_view(s);
}

char ascii_lower_char(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

/// Spec names -> values (fields of a name, the rule of an id), open addressing: the
/// validator looks every key of every file up, and a rule for every finding, and
/// std::unordered_map's hashing and buckets cost more than the rest of a key's checks.
/// Written by hand: no Debian library offers a small static map.
template <class Value>
class NameTable {
public:
    void build(const std::vector<std::pair<std::string_view, Value>>& names) {
        std::size_t size = 16;
        while (size < names.size() * 4) {
            size *= 2; // at most a quarter full: short probes
        }
        slots_.assign(size, Slot{});
        for (const auto& [name, value] : names) {
            std::size_t i = hash(name) & (size - 1);
            while (slots_[i].used) {
                i = (i + 1) & (size - 1);
            }
            slots_[i] = Slot{name, value, true};
        }
    }

    const Value* find(std::string_view name) const {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(name) & mask; slots_[i].used; i = (i + 1) & mask) {
            if (detail::same_bytes(slots_[i].name, name)) {
                return &slots_[i].value;
            }
        }
        return nullptr;
    }

private:
    struct Slot {
        std::string_view name;
        Value value{};
        bool used = false;
    };

    /// Length and four bytes: cheap, and enough to tell the spec's names and rule ids (which
    /// share their first bytes) apart.
    static std::size_t hash(std::string_view s) {
        if (s.empty()) {
            return 0;
        }
        const auto at = [&](std::size_t i) { return static_cast<std::size_t>(s[i] & 0x7F); };
        const std::size_t n = s.size();
        const std::size_t h = n * 0x9E3779B1U ^ at(n / 3) << 7 ^ at(n / 2) << 14 ^ at(n - 1) << 21 ^
                              at(n - 1 - n / 4) << 28;
        return h ^ h >> 11 ^ h >> 23;
    }

    std::vector<Slot> slots_;
};

struct Tables {
    std::vector<RuleInfo> rules;
    std::vector<FieldInfo> fields;
    NameTable<const RuleInfo*> rule_by_id;
    // Field lookups by name (the validator asks for each entry of each file). The first
    // field whose key or alias matches wins, as in spec order.
    std::vector<std::string> folded_names; ///< storage for folded_by_name's keys
    /// For each exact name: its field, and the field its folded name finds (the same one
    /// unless an earlier field differs from it only in case).
    using Fields = std::pair<const FieldInfo*, const FieldInfo*>;
    NameTable<Fields> both_by_name;
    NameTable<Fields> folded_by_name; ///< folded names -> (nullptr, field without case)
    /// Keys that have template texts (most keys have none: no scan of the templates).
    std::vector<std::string_view> template_keys;
    std::vector<std::pair<std::string_view, std::string_view>> templates;    ///< key, text
    std::vector<std::pair<std::string_view, std::string_view>> placeholders; ///< key, URL
};

const Tables& tables() {
    static const Tables t = [] {
        Tables out;
        for (std::size_t i = 0; i < spec_tables::rule_count; ++i) {
            const auto& r = spec_tables::rules[i];
            out.rules.push_back({r.id,
                                 r.category,
                                 {r.severity[0], r.severity[1], r.severity[2]},
                                 r.message,
                                 r.hint,
                                 view(r.field)});
        }
        for (std::size_t i = 0; i < spec_tables::field_count; ++i) {
            const auto& f = spec_tables::fields[i];
            out.fields.push_back({f.key,
                                  split_commas(f.aliases),
                                  f.type,
                                  {f.required[0], f.required[1], f.required[2]},
                                  f.localizable,
                                  f.max_length,
                                  split_commas(f.true_qgis),
                                  split_commas(f.true_site),
                                  split_commas(f.true_server),
                                  split_commas(f.values),
                                  view(f.deprecated),
                                  view(f.lifecycle_note),
                                  view(f.plugins_xml)});
        }
        std::vector<std::pair<std::string_view, const RuleInfo*>> ids;
        for (const auto& r : out.rules) {
            ids.emplace_back(r.id, &r);
        }
        out.rule_by_id.build(ids);
        std::size_t names = 0;
        for (const auto& f : out.fields) {
            names += 1 + f.aliases.size();
        }
        // First the maps with "first match wins" (emplace keeps the first), then the tables.
        std::unordered_map<std::string_view, const FieldInfo*> field_by_name;
        std::unordered_map<std::string_view, const FieldInfo*> field_by_folded_name;
        out.folded_names.reserve(names); // the tables keep views of these strings
        for (const auto& f : out.fields) {
            std::vector<std::string_view> all = {f.key};
            all.insert(all.end(), f.aliases.begin(), f.aliases.end());
            for (const auto name : all) {
                field_by_name.emplace(name, &f);
                std::string folded(name);
                std::transform(folded.begin(), folded.end(), folded.begin(), ascii_lower_char);
                out.folded_names.push_back(std::move(folded));
                field_by_folded_name.emplace(out.folded_names.back(), &f);
            }
        }
        std::vector<std::pair<std::string_view, Tables::Fields>> both;
        for (const auto& [name, field] : field_by_name) {
            std::string folded(name);
            std::transform(folded.begin(), folded.end(), folded.begin(), ascii_lower_char);
            both.emplace_back(name, Tables::Fields{field, field_by_folded_name.at(folded)});
        }
        out.both_by_name.build(both);
        std::vector<std::pair<std::string_view, Tables::Fields>> folded;
        for (const auto& [name, field] : field_by_folded_name) {
            folded.emplace_back(name, Tables::Fields{nullptr, field});
        }
        out.folded_by_name.build(folded);
        for (std::size_t i = 0; i < spec_tables::placeholder_count; ++i) {
            out.placeholders.emplace_back(spec_tables::placeholders[i].key,
                                          spec_tables::placeholders[i].value);
        }
        for (std::size_t i = 0; i < spec_tables::template_count; ++i) {
            const std::string_view key = spec_tables::templates[i].key;
            out.templates.emplace_back(key, spec_tables::templates[i].value);
            if (std::find(out.template_keys.begin(), out.template_keys.end(), key) ==
                out.template_keys.end()) {
                out.template_keys.push_back(key);
            }
        }
        return out;
    }();
    return t;
}

std::string join_chunks(const char* const* chunks, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += chunks[i];
    }
    return out;
}

} // namespace

std::span<const RuleInfo> rules() {
    return tables().rules;
}

const RuleInfo* find_rule(std::string_view id) {
    const RuleInfo* const* found = tables().rule_by_id.find(id);
    return found != nullptr ? *found : nullptr;
}

std::span<const FieldInfo> fields() {
    return tables().fields;
}

const FieldInfo* find_field(std::string_view key, bool ignore_case) {
    const auto [exact, without_case] = find_field_both_ways(key);
    return ignore_case ? without_case : exact;
}

std::pair<const FieldInfo*, const FieldInfo*> find_field_both_ways(std::string_view key) {
    const Tables& t = tables();
    if (const Tables::Fields* found = t.both_by_name.find(key)) {
        return *found;
    }
    std::array<char, 64> buffer; // NOLINT: written before it is read
    if (key.size() > buffer.size()) {
        return {nullptr, nullptr}; // longer than any field name
    }
    std::transform(key.begin(), key.end(), buffer.begin(), ascii_lower_char);
    const Tables::Fields* found = t.folded_by_name.find({buffer.data(), key.size()});
    return found != nullptr ? *found : Tables::Fields{nullptr, nullptr};
}

std::string_view placeholder(std::string_view key) {
    for (const auto& [k, url] : tables().placeholders) {
        if (key == k) {
            return url;
        }
    }
    return {};
}

bool has_template_texts(std::string_view key) {
    const auto& keys = tables().template_keys;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool is_template_text(std::string_view key, std::string_view text) {
    if (!has_template_texts(key)) {
        return false;
    }
    const auto& all = tables().templates;
    return std::any_of(all.begin(), all.end(),
                       [&](const auto& t) { return t.first == key && t.second == text; });
}

std::string spec_json() {
    return join_chunks(spec_tables::spec_json_chunks, spec_tables::spec_json_chunk_count);
}

std::string spec_markdown() {
    return join_chunks(spec_tables::spec_markdown_chunks, spec_tables::spec_markdown_chunk_count);
}

std::string format_message(std::string_view templ, MessageArgs args) {
    std::string out;
    out.reserve(templ.size() + 32);
    std::size_t i = 0;
    while (i < templ.size()) {
        const std::size_t open = std::min(templ.find('{', i), templ.size());
        out.append(templ.substr(i, open - i)); // the text up to the next placeholder
        i = open;
        if (i == templ.size()) {
            break;
        }
        const std::size_t close = templ.find('}', i);
        if (close != std::string_view::npos) {
            const std::string_view name = templ.substr(i + 1, close - i - 1);
            auto it = std::find_if(args.begin(), args.end(),
                                   [&](const auto& a) { return a.first == name; });
            if (it != args.end()) {
                out += it->second;
                i = close + 1;
                continue;
            }
        }
        out.push_back(templ[i++]); // a '{' that names no argument stays as written
    }
    return out;
}

Diagnostic make_diagnostic(const RuleInfo& rule, Profile profile, MessageArgs args) {
    Diagnostic d;
    d.rule = rule.id;
    d.severity = rule.severity_in(profile);
    d.message = format_message(rule.message, args);
    d.hint = rule.hint;
    return d;
}

Diagnostic make_diagnostic(std::string_view rule, Profile profile, MessageArgs args) {
    if (const RuleInfo* r = find_rule(rule)) {
        return make_diagnostic(*r, profile, args);
    }
    // A rule id the spec does not know is a bug in qplug: said as one, the id in the message
    // (a Diagnostic's rule must be the spec's own text).
    Diagnostic d;
    d.rule = "INTERNAL-UNKNOWN-RULE";
    d.severity = Severity::error;
    d.message = "internal: unknown rule " + std::string(rule);
    return d;
}

void apply_profile(Diagnostics& diagnostics, Profile profile) {
    for (auto& d : diagnostics) {
        if (const RuleInfo* r = find_rule(d.rule)) {
            d.severity = r->severity_in(profile);
        }
    }
    std::erase_if(diagnostics, [](const Diagnostic& d) { return d.severity == Severity::off; });
}

} // namespace qplug::meta
