// SPDX-License-Identifier: GPL-2.0-or-later
#include "index/shared_metadata.hpp"

#include <cstring>

namespace qplug::solver {

namespace {

/// The end of the JSON string starting at `at` (a '"'), or npos.
std::size_t string_end(std::string_view text, std::size_t at) {
    // Quote to quote (memchr: metadata texts are long), skipping quotes escaped by an odd run
    // of backslashes.
    for (std::size_t from = at + 1; from < text.size();) {
        const void* found = std::memchr(text.data() + from, '"', text.size() - from);
        if (found == nullptr) {
            return std::string_view::npos;
        }
        const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
        std::size_t backslashes = 0;
        while (quote - backslashes > at + 1 && text[quote - backslashes - 1] == '\\') {
            ++backslashes;
        }
        if (backslashes % 2 == 0) {
            return quote + 1;
        }
        from = quote + 1;
    }
    return std::string_view::npos;
}

/// The end of the JSON value starting at `at`, or npos: a string, an object or array (its
/// brackets matched, strings skipped), or a literal or number (up to the next ',', '}' or
/// ']').
std::size_t value_end(std::string_view text, std::size_t at) {
    if (at >= text.size()) {
        return std::string_view::npos;
    }
    if (text[at] == '"') {
        return string_end(text, at);
    }
    if (text[at] == '{' || text[at] == '[') {
        std::size_t depth = 0;
        for (std::size_t i = at; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '"') {
                i = string_end(text, i);
                if (i == std::string_view::npos) {
                    return i;
                }
                --i;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    return i + 1;
                }
            }
        }
        return std::string_view::npos;
    }
    std::size_t i = at;
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']') {
        ++i;
    }
    return i == at ? std::string_view::npos : i;
}

const JsonMember* find_member(const std::vector<JsonMember>& members, std::string_view key,
                              std::size_t& cursor) {
    // Keys mostly come in the same order in both objects: look from the last match on.
    for (std::size_t k = 0; k < members.size(); ++k) {
        const std::size_t i = (cursor + k) % members.size();
        if (members[i].key == key) {
            cursor = i + 1;
            return &members[i];
        }
    }
    return nullptr;
}

void append_member(std::string& out, std::string_view key, std::string_view value) {
    out += out.size() > 1 ? "," : "";
    out += key;
    out += ':';
    out += value;
}

} // namespace

std::optional<std::vector<JsonMember>> object_members(std::string_view text) {
    if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
        return std::nullopt;
    }
    std::vector<JsonMember> members;
    if (text.size() == 2) {
        return members;
    }
    std::size_t at = 1;
    while (true) {
        if (text[at] != '"') {
            return std::nullopt;
        }
        const std::size_t key_end = string_end(text, at);
        if (key_end == std::string_view::npos || key_end >= text.size() || text[key_end] != ':') {
            return std::nullopt;
        }
        const std::size_t end = value_end(text, key_end + 1);
        if (end == std::string_view::npos || end >= text.size()) {
            return std::nullopt;
        }
        members.push_back(
            {text.substr(at, key_end - at), text.substr(key_end + 1, end - key_end - 1)});
        if (text[end] == '}') {
            return end + 1 == text.size() ? std::optional(std::move(members)) : std::nullopt;
        }
        if (text[end] != ',') {
            return std::nullopt;
        }
        at = end + 1;
    }
}

bool has_duplicate_keys(const std::vector<JsonMember>& members) {
    for (std::size_t i = 0; i < members.size(); ++i) {
        for (std::size_t j = i + 1; j < members.size(); ++j) {
            if (members[i].key == members[j].key) {
                return true;
            }
        }
    }
    return false;
}

std::optional<std::string> metadata_patch(const std::vector<JsonMember>& base_members,
                                          std::string_view full) {
    const auto members = object_members(full);
    if (!members) {
        return std::nullopt;
    }
    std::string patch = "{";
    std::size_t cursor = 0;
    std::size_t found = 0;
    // Whether applying the patch surely gives `full` back: its members that the base has come
    // in the base's order (each after the previous), those it lacks come after them all, and
    // none is null (a null in a patch removes). Else the result is compared.
    bool in_order = true;
    std::size_t last_in_base = 0;
    bool past_base = false;
    for (const JsonMember& m : *members) {
        const JsonMember* in_base = find_member(base_members, m.key, cursor);
        if (in_base != nullptr) {
            ++found;
            const auto position = static_cast<std::size_t>(in_base - base_members.data()) + 1;
            in_order = in_order && !past_base && position > last_in_base;
            last_in_base = position;
        } else {
            past_base = true;
        }
        in_order = in_order && m.value != "null";
        if (in_base == nullptr || in_base->value != m.value) {
            if (m.value.front() == '{') {
                // A merge patch merges objects member by member instead of replacing them:
                // such a release keeps its metadata whole.
                return std::nullopt;
            }
            append_member(patch, m.key, m.value);
        }
    }
    if (found < base_members.size()) {
        for (const JsonMember& b : base_members) {
            std::size_t scan = 0;
            if (find_member(*members, b.key, scan) == nullptr) {
                append_member(patch, b.key, "null");
            }
        }
    }
    patch += '}';
    // Stored only when it is the release's metadata exactly, and smaller.
    if (patch.size() >= full.size() ||
        (!in_order && apply_metadata_patch(base_members, patch) != full)) {
        return std::nullopt;
    }
    return patch;
}

std::string apply_metadata_patch(const std::vector<JsonMember>& base_members,
                                 std::string_view patch) {
    const auto changes = object_members(patch);
    if (!changes) {
        return std::string(patch);
    }
    std::string out = "{";
    out.reserve(patch.size() + 64 * base_members.size());
    std::size_t cursor = 0;
    for (const JsonMember& b : base_members) {
        const JsonMember* change = find_member(*changes, b.key, cursor);
        if (change == nullptr) {
            append_member(out, b.key, b.value);
        } else if (change->value != "null") {
            append_member(out, b.key, change->value);
        }
    }
    for (const JsonMember& c : *changes) {
        std::size_t scan = 0;
        if (c.value != "null" && find_member(base_members, c.key, scan) == nullptr) {
            append_member(out, c.key, c.value);
        }
    }
    out += '}';
    return out;
}

} // namespace qplug::solver
