// Solvable names and their encoding (names.hpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/names.hpp"

namespace qplug::solver::solv {

std::string_view backend_prefix(Backend b) {
    switch (b) {
    case Backend::pip:
        return "pip";
    case Backend::conda:
        return "conda";
    case Backend::legacy:
        break;
    }
    return "legacy";
}

std::string encode_name(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '%' || c == '#' || c <= ' ' || c == 0x7F || c == '(' || c == ')') {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::string decode_name(std::string_view text) {
    auto hex = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
            hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::string solvable_name(Backend backend, const std::string& key) {
    return std::string(backend_prefix(backend)) + ":" + encode_name(key);
}

} // namespace qplug::solver::solv
