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
template <class Out>
void append_int_text(Out& out, std::string_view digits) {
    const std::string_view sig = significant_digits(digits);
    if (sig.empty()) {
        out.push_back('0');
    } else {
        out.append(sig);
    }
}

/// Smallest first byte of an encoded number; bytes below it are free for markers.
inline constexpr unsigned char kNumberBase = 0x02;
/// Numbers below this are one byte: kNumberBase + value.
inline constexpr unsigned kSmallNumbers = 0xF0 - kNumberBase;
/// First byte of a larger number, followed by its digit count and its digits.
inline constexpr unsigned char kLargeNumber = 0xF0;

/// Appends an order-preserving encoding of int(digits) to `key` (std::string or
/// ByteBuilder). Values 0..237 take one byte (0x02..0xEF); larger values are 0xF0, the digit
/// count (one byte up to 254 digits, else 0xFF and four bytes), then the digits. So every
/// first byte is >= 0x02 and <= 0xF0: markers use 0x00, 0x01 and 0xFF around numbers.
template <class Out>
void append_number_key(Out& key, std::string_view digits) {
    const std::string_view sig = significant_digits(digits);
    const std::size_t n = sig.size();
    if (n <= 3) {
        unsigned value = 0;
        for (char c : sig) {
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value < kSmallNumbers) {
            key.push_back(static_cast<char>(kNumberBase + value));
            return;
        }
    }
    key.push_back(static_cast<char>(kLargeNumber));
    if (n < 0xFF) {
        key.push_back(static_cast<char>(n));
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
