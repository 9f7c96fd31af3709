// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <memory>
#include <new>

#include <qplug/meta/document.hpp>
#include <qplug/unicode.hpp>

#include "bytes.hpp"
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
        if (detail::same_bytes(s.name, section_name)) {
            return &s;
        }
    }
    return nullptr;
}

std::vector<Document::Item> Document::general_items() const {
    std::vector<Item> items;
    general_items(items);
    return items;
}

void Document::general_items(std::vector<Item>& items) const {
    items.clear();
    const Section* g = general();
    if (g == nullptr) {
        return;
    }
    const Section* d = defaults();
    items.reserve(g->entries.size() + (d != nullptr ? d->entries.size() : 0));
    for (const auto& e : g->entries) {
        items.push_back({&e, false, &e.value});
    }
    if (d != nullptr) {
        for (std::size_t k = 0; k < d->entries.size(); ++k) {
            const Entry& e = d->entries[k];
            if (g->find(e.name) == nullptr) {
                items.push_back(
                    {&e, true, k < inherited_values.size() ? &inherited_values[k] : &e.value});
            }
        }
    }
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
    std::optional<std::string_view> value = e->value;
    if (const Section* d = defaults(); d != nullptr && !d->entries.empty() &&
                                       e >= &d->entries.front() && e <= &d->entries.back()) {
        const auto k = static_cast<std::size_t>(e - &d->entries.front());
        value = k < inherited_values.size() ? inherited_values[k] : e->value;
    }
    if (!value) {
        return std::nullopt;
    }
    return std::string(*value);
}

std::string_view Document::keep(std::string_view bytes) {
    if (bytes.empty()) {
        return {};
    }
    reserve_storage(bytes.size());
    auto* out = static_cast<char*>(storage_->allocate(bytes.size(), 1));
    std::copy(bytes.begin(), bytes.end(), out);
    return {out, bytes.size()};
}

std::span<char> Document::make_bytes(std::size_t count) {
    if (count == 0) {
        return {};
    }
    reserve_storage(count);
    return {static_cast<char*>(storage_->allocate(count, 1)), count};
}

std::span<Position> Document::make_positions(std::size_t count) {
    if (count == 0) {
        return {};
    }
    reserve_storage(count * sizeof(Position));
    auto* out =
        static_cast<Position*>(storage_->allocate(count * sizeof(Position), alignof(Position)));
    std::uninitialized_value_construct_n(out, count);
    return {out, count};
}

std::span<const std::string_view> Document::keep_views(std::span<const std::string_view> first,
                                                       std::span<const std::string_view> second) {
    const std::size_t count = first.size() + second.size();
    if (count == 0) {
        return {};
    }
    reserve_storage(count * sizeof(std::string_view));
    auto* out = static_cast<std::string_view*>(
        storage_->allocate(count * sizeof(std::string_view), alignof(std::string_view)));
    std::uninitialized_copy(second.begin(), second.end(),
                            std::uninitialized_copy(first.begin(), first.end(), out));
    return {out, count};
}

void Document::StorageDeleter::operator()(std::pmr::monotonic_buffer_resource* r) const noexcept {
    r->~monotonic_buffer_resource(); // releases the blocks it added
    ::operator delete(static_cast<void*>(r));
}

void Document::reserve_storage(std::size_t bytes) {
    if (!storage_) {
        // One block: the resource, then its first buffer. It grows geometrically past it.
        using Resource = std::pmr::monotonic_buffer_resource;
        const std::size_t buffer = std::max<std::size_t>(1024, bytes);
        void* block = ::operator new(sizeof(Resource) + buffer);
        storage_.reset(new (block) Resource(static_cast<char*>(block) + sizeof(Resource), buffer,
                                            std::pmr::new_delete_resource()));
        if (sections.empty() && sections.capacity() == 0) {
            sections = StorageVector<Section>(allocator<Section>());
        }
        if (lines.empty() && lines.capacity() == 0) {
            lines = Lines(allocator<Lines::value_type>());
        }
    }
}

Document::~Document() {
    // Members go in reverse order, the storage (declared last) first: the vectors that live
    // in it are emptied here, while it is still there.
    sections = StorageVector<Section>();
    lines = Lines();
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
