// Comparing short strings in place.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace qplug::meta::detail {

/// a == b, a word at a time and inline: the names the parser and the validator compare
/// (keys, sections, spec names) are short, and a call of memcmp each (what operator== and
/// std::equal become) cost more than the comparison itself.
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) {
        return false;
    }
    // Words at both ends, overlapping in the middle: no loop over the last bytes, whose
    // count varies from name to name (a branch the processor cannot guess).
    const auto load = [](const char* p, auto word) {
        std::memcpy(&word, p, sizeof word);
        return word;
    };
    const char* x = a.data();
    const char* y = b.data();
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (load(x + i, std::uint64_t{}) != load(y + i, std::uint64_t{})) {
                return false;
            }
        }
        return load(x + n - 8, std::uint64_t{}) == load(y + n - 8, std::uint64_t{});
    }
    if (n >= 4) {
        return load(x, std::uint32_t{}) == load(y, std::uint32_t{}) &&
               load(x + n - 4, std::uint32_t{}) == load(y + n - 4, std::uint32_t{});
    }
    if (n >= 2) {
        return load(x, std::uint16_t{}) == load(y, std::uint16_t{}) &&
               load(x + n - 2, std::uint16_t{}) == load(y + n - 2, std::uint16_t{});
    }
    return n == 0 || *x == *y;
}

} // namespace qplug::meta::detail
