// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <qplug/meta/document.hpp>
#include <qplug/unicode.hpp>

#include "lines.hpp"

namespace qplug::meta {

std::string_view key_mode_name(KeyMode mode) {
    return mode == KeyMode::qgis ? "qgis" : "site";
}

const Entry* Section::find(std::string_view entry_name) const {
    for (const auto& e : entries) {
        if (e.name == entry_name) {
            return &e;
        }
    }
    return nullptr;
}

const Section* Document::section(std::string_view section_name) const {
    for (const auto& s : sections) {
        if (s.name == section_name) {
            return &s;
        }
    }
    return nullptr;
}

std::vector<Document::Item> Document::general_items() const {
    std::vector<Item> items;
    const Section* g = general();
    if (g == nullptr) {
        return items;
    }
    for (const auto& e : g->entries) {
        items.push_back({&e, false, &e.value});
    }
    if (const Section* d = defaults()) {
        for (std::size_t k = 0; k < d->entries.size(); ++k) {
            const Entry& e = d->entries[k];
            if (g->find(e.name) == nullptr) {
                items.push_back(
                    {&e, true, k < inherited_values.size() ? &inherited_values[k] : &e.value});
            }
        }
    }
    return items;
}

const Entry* Document::find(std::string_view key) const {
    const Section* g = general();
    if (g == nullptr) {
        return nullptr;
    }
    const std::string name = keys == KeyMode::qgis ? unicode::to_lower(key) : std::string(key);
    if (const Entry* e = g->find(name)) {
        return e;
    }
    if (const Section* d = defaults()) {
        return d->find(name);
    }
    return nullptr;
}

std::optional<std::string> Document::get(std::string_view key) const {
    const Entry* e = find(key);
    if (e == nullptr) {
        return std::nullopt;
    }
    if (const Section* d = defaults(); d != nullptr && !d->entries.empty() &&
                                       e >= &d->entries.front() && e <= &d->entries.back()) {
        const auto k = static_cast<std::size_t>(e - &d->entries.front());
        return k < inherited_values.size() ? inherited_values[k] : e->value;
    }
    return e->value;
}

std::string_view Document::line_at(std::size_t offset) const {
    // The last line that starts at or before offset.
    auto it = std::upper_bound(lines.begin(), lines.end(), offset,
                               [](std::size_t o, const auto& l) { return o < l.first; });
    if (it == lines.begin()) {
        return {};
    }
    --it;
    if (offset > it->second) {
        return {};
    }
    return std::string_view(text).substr(it->first, it->second - it->first);
}

} // namespace qplug::meta
