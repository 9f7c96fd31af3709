// A JSON object of string values, written directly (RFC 8259 escaping): the sources build one
// per release, thousands per sync, where a DOM would cost more than the rest of the release.
// Written by hand because nlohmann's serializer needs a DOM first.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <qplug/unicode.hpp>

namespace qplug::solver {

/// Whether any of the 8 bytes of `word` needs a look in append_json_string: a control
/// character, '"', '\\' or a byte of a multi-byte sequence (exact: no byte is missed).
/// Bytes >= 0x80 count only when `high_bytes` is set (until the string is known to be UTF-8).
inline bool word_needs_escape_check(std::uint64_t word, bool high_bytes) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t control = (word - ones * 0x20) & ~word & highs;
    return ((high_bytes ? word & highs : 0) | control | has_zero(word ^ (ones * '"')) |
            has_zero(word ^ (ones * '\\'))) != 0;
}

/// Appends `s` as a JSON string (RFC 8259 escaping; bytes that are not UTF-8 become U+FFFD).
inline void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    // Whether `s` is valid UTF-8, checked at its first byte >= 0x80 (most strings have none).
    int valid = -1;
    // Runs of bytes that need no escaping are appended whole (most of a description is one);
    // they are found 8 bytes at a time.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i + 8 <= s.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, s.data() + i, 8);
            if (!word_needs_escape_check(word, valid != 1)) {
                i += 7;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            continue;
        }
        if (c >= 0x80) {
            if (valid < 0) {
                valid = unicode::find_invalid_utf8(s) == unicode::npos ? 1 : 0;
            }
            if (valid == 1) {
                continue;
            }
        }
        out.append(s.substr(run, i - run));
        run = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0x0F]);
            } else {
                // Bytes that are not UTF-8 (a Latin-1 file read leniently): U+FFFD each.
                std::size_t next = i;
                if (unicode::decode(s, next) == 0xFFFD && next == i + 1) {
                    out += "\xEF\xBF\xBD";
                } else {
                    out.append(s.substr(i, next - i));
                    i = next - 1;
                    run = next;
                }
            }
        }
    }
    out.append(s.substr(run));
    out.push_back('"');
}

class FlatJson {
public:
    FlatJson() { out_.push_back('{'); }
    /// With room for about `expected_size` bytes (one allocation instead of a doubling series).
    explicit FlatJson(std::size_t expected_size) : FlatJson(std::string(), expected_size) {}
    /// Written into `buffer` (cleared first): a caller that builds many reuses its memory.
    FlatJson(std::string&& buffer, std::size_t expected_size) : out_(std::move(buffer)) {
        out_.clear();
        out_.reserve(expected_size);
        out_.push_back('{');
    }

    /// Adds "key": "value" (skipped when `skip_empty` and the value is empty).
    FlatJson& add(std::string_view key, std::string_view value, bool skip_empty = false) {
        if (skip_empty && value.empty()) {
            return *this;
        }
        if (out_.size() > 1) {
            out_.push_back(',');
        }
        append_string(key);
        out_.push_back(':');
        append_string(value);
        return *this;
    }

    FlatJson& add_bool(std::string_view key, bool value) {
        if (out_.size() > 1) {
            out_.push_back(',');
        }
        append_string(key);
        out_ += value ? ":true" : ":false";
        return *this;
    }

    std::string str() && {
        out_.push_back('}');
        return std::move(out_);
    }

private:
    void append_string(std::string_view s) { append_json_string(out_, s); }

    std::string out_;
};

} // namespace qplug::solver
