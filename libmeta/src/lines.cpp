// SPDX-License-Identifier: GPL-2.0-or-later
#include "lines.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <qplug/unicode.hpp>

namespace qplug::meta::detail {

namespace {

/// Length of the line break starting at `i`, or 0.
std::size_t break_at(std::string_view t, std::size_t i, KeyMode mode) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == '\n') {
        return 1;
    }
    if (mode == KeyMode::site) {
        return 0;
    }
    switch (c) {
    case '\r':
        return i + 1 < t.size() && t[i + 1] == '\n' ? 2 : 1;
    case '\v':
    case '\f':
    case 0x1c:
    case 0x1d:
    case 0x1e:
        return 1;
    case 0xC2: // U+0085
        return i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x85 ? 2 : 0;
    case 0xE2: // U+2028, U+2029
        return i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x80 &&
                       (static_cast<unsigned char>(t[i + 2]) == 0xA8 ||
                        static_cast<unsigned char>(t[i + 2]) == 0xA9)
                   ? 3
                   : 0;
    default:
        return 0;
    }
}

/// Bytes that can start a line break in either mode; everything else is skipped quickly.
constexpr auto kMaybeBreak = [] {
    std::array<bool, 256> t{};
    for (const unsigned char c :
         std::array<unsigned char, 9>{0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0xC2, 0xE2}) {
        t[c] = true;
    }
    return t;
}();

/// Splits text[i..] a byte (site: a memchr) at a time; `start` is where the current line
/// began.
void split_rest(std::string_view text, KeyMode mode, std::size_t i, std::size_t start,
                Document::Lines& lines) {
    while (i < text.size()) {
        if (mode == KeyMode::site) {
            const void* nl = std::memchr(text.data() + i, '\n', text.size() - i);
            if (nl == nullptr) {
                break;
            }
            i = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data());
        } else {
            while (i < text.size() && !kMaybeBreak[static_cast<unsigned char>(text[i])]) {
                ++i;
            }
            if (i == text.size()) {
                break;
            }
        }
        if (const std::size_t n = break_at(text, i, mode); n > 0) {
            lines.emplace_back(start, i);
            i += n;
            start = i;
        } else {
            ++i;
        }
    }
    if (start < text.size()) {
        lines.emplace_back(start, text.size());
    }
}

#if defined(__SSE2__)
/// Bit k set when byte k of `v` may start a line break: '\n' (site), or any control
/// character and the lead bytes of U+0085, U+2028 and U+2029 (qgis); break_at() decides.
template <KeyMode mode>
std::uint64_t break_candidates(__m128i v) {
    __m128i hit = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
    if constexpr (mode == KeyMode::qgis) {
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
        const __m128i c2 = _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xC2)));
        const __m128i e2 = _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xE2)));
        hit = _mm_or_si128(_mm_or_si128(hit, control), _mm_or_si128(c2, e2));
    }
    return static_cast<std::uint32_t>(_mm_movemask_epi8(hit));
}

/// The whole blocks of 64 bytes of `text`: lines split (sixty-four bytes at a time, a bit
/// per byte that may start a break: lines are short, and a memchr per line cost more than
/// the rest of splitting), the bytes copied to `out` when it is given, and the bytes OR-ed
/// into `high` (ASCII while no byte has its high bit). Returns where the blocks end.
template <KeyMode mode>
std::size_t split_blocks(std::string_view text, char* out, std::size_t& start, __m128i& high,
                         Document::Lines& lines) {
    std::size_t i = 0;
    for (; i + 64 <= text.size(); i += 64) {
        const auto* p = reinterpret_cast<const __m128i*>(text.data() + i);
        const __m128i v0 = _mm_loadu_si128(p);
        const __m128i v1 = _mm_loadu_si128(p + 1);
        const __m128i v2 = _mm_loadu_si128(p + 2);
        const __m128i v3 = _mm_loadu_si128(p + 3);
        if (out != nullptr) {
            auto* q = reinterpret_cast<__m128i*>(out + i);
            _mm_storeu_si128(q, v0);
            _mm_storeu_si128(q + 1, v1);
            _mm_storeu_si128(q + 2, v2);
            _mm_storeu_si128(q + 3, v3);
        }
        high = _mm_or_si128(high, _mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3)));
        std::uint64_t m = break_candidates<mode>(v0) | break_candidates<mode>(v1) << 16 |
                          break_candidates<mode>(v2) << 32 | break_candidates<mode>(v3) << 48;
        for (; m != 0; m &= m - 1) {
            const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(m));
            if constexpr (mode == KeyMode::site) {
                lines.emplace_back(start, at); // every candidate is a '\n'
                start = at + 1;
            } else if (at >= start) { // else within a break taken (the '\n' of "\r\n")
                if (const std::size_t n = break_at(text, at, mode); n > 0) {
                    lines.emplace_back(start, at);
                    start = at + n;
                }
            }
        }
    }
    return i;
}
#endif

/// split_lines(), copying the text to `out` on the way when it is given; whether the text
/// is ASCII.
bool scan_lines(std::string_view text, char* out, KeyMode mode, Document::Lines& lines) {
    lines.clear();
    lines.reserve(text.size() / 32 + 1);
    std::size_t start = 0; // of the current line
    std::size_t end = 0;   // of the bytes split
    bool ascii = true;
#if defined(__SSE2__)
    __m128i high = _mm_setzero_si128();
    end = mode == KeyMode::site ? split_blocks<KeyMode::site>(text, out, start, high, lines)
                                : split_blocks<KeyMode::qgis>(text, out, start, high, lines);
    ascii = _mm_movemask_epi8(high) == 0;
#endif
    const std::string_view rest = text.substr(end);
    if (out != nullptr && !rest.empty()) {
        std::memcpy(out + end, rest.data(), rest.size());
    }
    ascii = ascii && unicode::is_ascii(rest);
    split_rest(text, mode, std::max(end, start), start, lines);
    return ascii;
}

} // namespace

void split_lines(std::string_view text, KeyMode mode, Document::Lines& lines) {
    scan_lines(text, nullptr, mode, lines);
}

bool copy_and_split_lines(std::string_view text, char* out, KeyMode mode, Document::Lines& lines) {
    return scan_lines(text, out, mode, lines);
}

std::size_t columns(std::string_view line, std::size_t bytes) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes && i < line.size();) {
        if (static_cast<unsigned char>(line[i]) < 0x80) {
            ++i; // ASCII: one byte, one column
        } else {
            unicode::decode(line, i);
        }
        ++n;
    }
    return n;
}

std::size_t columns_in_valid_utf8(std::string_view line, std::size_t bytes) {
    const std::size_t n = std::min(bytes, line.size());
    std::size_t continuations = 0; // bytes 10xxxxxx
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, line.data() + i, 8);
        // Bit 7 set and bit 6 clear marks a continuation byte; the marks, moved to bit 0 of
        // each byte, summed into the top byte by one multiplication (std::popcount is a
        // library call without -mpopcnt).
        const std::uint64_t marks = (w & ~(w << 1) & 0x8080808080808080ULL) >> 7;
        continuations += static_cast<std::size_t>((marks * 0x0101010101010101ULL) >> 56);
    }
    for (; i < n; ++i) {
        continuations += (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80 ? 1U : 0U;
    }
    return n - continuations;
}

} // namespace qplug::meta::detail
