// Order-preserving encoding of arbitrarily long non-negative decimal numbers (Python ints):
// a length byte, then the digits without leading zeros. Shared by the sort keys.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qplug::version::detail {

/// The digits without leading zeros ("" for zero).
inline std::string_view significant_digits(std::string_view digits) noexcept {
    std::size_t i = 0;
    while (i < digits.size() && digits[i] == '0') {
        ++i;
    }
    return digits.substr(i);
}

/// str(int(digits)): leading zeros dropped, "0" for zero.
inline void append_int_text(std::string& out, std::string_view digits) {
    const std::string_view sig = significant_digits(digits);
    if (sig.empty()) {
        out.push_back('0');
    } else {
        out.append(sig);
    }
}

/// Smallest first byte of an encoded number; bytes below it are free for markers.
inline constexpr unsigned char kNumberBase = 0x02;

/// Appends the encoding of int(digits). Numbers compare by digit count first (bytes
/// 0x02..0xFE for up to 252 digits, 0xFF plus a 4-byte count beyond), then digit by digit.
inline void append_number_key(std::string& key, std::string_view digits) {
    const std::string_view sig = significant_digits(digits);
    const std::size_t n = sig.size();
    if (n <= 0xFE - kNumberBase) {
        key.push_back(static_cast<char>(kNumberBase + n));
    } else {
        key.push_back(static_cast<char>(0xFF));
        const auto n32 = static_cast<std::uint32_t>(n);
        for (int shift = 24; shift >= 0; shift -= 8) {
            key.push_back(static_cast<char>((n32 >> shift) & 0xFF));
        }
    }
    key.append(sig);
}

} // namespace qplug::version::detail
