// The rows scripts/gen-spec.py generates from spec/metadata.json (spec_tables.cpp, built).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::meta::spec_tables {

struct RuleRow {
    const char* id;
    const char* category;
    Severity severity[3];
    const char* message;
    const char* hint;
    const char* field; // or nullptr
};

struct FieldRow {
    const char* key;
    const char* aliases; // comma-separated
    const char* type;
    bool required[3];
    bool localizable;
    std::size_t max_length;
    const char* true_qgis; // comma-separated spellings
    const char* true_site;
    const char* true_server;
    const char* values;
    const char* deprecated;     // or nullptr
    const char* lifecycle_note; // or nullptr
    const char* plugins_xml;    // or nullptr
};

struct PlaceholderRow {
    const char* key;
    const char* value;
};

extern const RuleRow rules[];
extern const std::size_t rule_count;
extern const FieldRow fields[];
extern const std::size_t field_count;
extern const PlaceholderRow placeholders[];
extern const std::size_t placeholder_count;
extern const PlaceholderRow templates[];
extern const std::size_t template_count;
extern const char* const spec_json_chunks[];
extern const std::size_t spec_json_chunk_count;
extern const char* const spec_markdown_chunks[];
extern const std::size_t spec_markdown_chunk_count;

} // namespace qplug::meta::spec_tables
