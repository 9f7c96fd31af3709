// The compiled spec: rules and fields from spec/metadata.json (tables generated at build time).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <mutex>

#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

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

struct Tables {
    std::vector<RuleInfo> rules;
    std::vector<FieldInfo> fields;
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
        return out;
    }();
    return t;
}

bool equal_ignore_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
               };
               return lower(x) == lower(y);
           });
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
    for (const auto& r : tables().rules) {
        if (r.id == id) {
            return &r;
        }
    }
    return nullptr;
}

std::span<const FieldInfo> fields() {
    return tables().fields;
}

const FieldInfo* find_field(std::string_view key, bool ignore_case) {
    for (const auto& f : tables().fields) {
        if (f.key == key || (ignore_case && equal_ignore_case(f.key, key))) {
            return &f;
        }
        for (auto a : f.aliases) {
            if (a == key || (ignore_case && equal_ignore_case(a, key))) {
                return &f;
            }
        }
    }
    return nullptr;
}

std::string_view placeholder(std::string_view key) {
    for (std::size_t i = 0; i < spec_tables::placeholder_count; ++i) {
        if (key == spec_tables::placeholders[i].key) {
            return spec_tables::placeholders[i].value;
        }
    }
    return {};
}

std::vector<std::string_view> template_texts(std::string_view key) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < spec_tables::template_count; ++i) {
        if (key == spec_tables::templates[i].key) {
            out.emplace_back(spec_tables::templates[i].value);
        }
    }
    return out;
}

std::string spec_json() {
    return join_chunks(spec_tables::spec_json_chunks, spec_tables::spec_json_chunk_count);
}

std::string spec_markdown() {
    return join_chunks(spec_tables::spec_markdown_chunks, spec_tables::spec_markdown_chunk_count);
}

std::string format_message(std::string_view templ,
                           const std::vector<std::pair<std::string_view, std::string>>& args) {
    std::string out;
    out.reserve(templ.size() + 32);
    for (std::size_t i = 0; i < templ.size();) {
        if (templ[i] == '{') {
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
        }
        out.push_back(templ[i++]);
    }
    return out;
}

Diagnostic make_diagnostic(std::string_view rule, Profile profile,
                           const std::vector<std::pair<std::string_view, std::string>>& args) {
    Diagnostic d;
    d.rule = std::string(rule);
    if (const RuleInfo* r = find_rule(rule)) {
        d.severity = r->severity_in(profile);
        d.message = format_message(r->message, args);
        d.hint = std::string(r->hint);
    } else {
        d.severity = Severity::error;
        d.message = "internal: unknown rule " + std::string(rule);
    }
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
