// SPDX-License-Identifier: GPL-2.0-or-later
#include "grammar/qgis.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/qgis.hpp>

#include "grammar/pep440.hpp"
#include "number_key.hpp"

namespace qplug::version::qgis {

namespace pegtl = tao::pegtl;
namespace g = grammar::qgis;

namespace {

constexpr std::array<std::string_view, 10> kPrefixes = {"VERSION",  "VER.", "VER", "V.", "V",
                                                        "REVISION", "REV.", "REV", "R.", "R"};
constexpr std::array<std::string_view, 5> kMagic = {"ALPHA", "BETA", "PREVIEW", "RC", "TRUNK"};

void replace_all(std::string& s, std::string_view what) {
    std::string out;
    out.reserve(s.size());
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = s.find(what, start);
        if (pos == std::string::npos) {
            out.append(s, start);
            break;
        }
        out.append(s, start, pos - start);
        start = pos + what.size();
    }
    s = std::move(out);
}

/// chopString's elements as views into the normalized string.
using Elements = std::vector<std::string_view>;

template <class Rule>
struct chop_action : pegtl::nothing<Rule> {};

struct push_element {
    template <class Input>
    static void apply(const Input& in, Elements& out) {
        out.emplace_back(in.begin(), in.size());
    }
};
template <>
struct chop_action<g::digit_run> : push_element {};
template <>
struct chop_action<g::other_run> : push_element {};
template <>
struct chop_action<g::leading_delimiter> : push_element {};

void chop_views(std::string_view normalized, Elements& out) {
    out.clear();
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(normalized.data(), normalized.size(), "");
    pegtl::parse<g::chopped, chop_action>(in, out);
}

bool is_magic(std::string_view e) {
    for (auto m : kMagic) {
        if (e == m) {
            return true;
        }
    }
    return false;
}

/// float(element) for an element whose code points are all Unicode decimal digits;
/// nullopt when Python's float() would raise.
std::optional<double> to_float(std::string_view element) {
    if (element.size() <= 15 && unicode::is_ascii(element)) {
        // Up to 15 ASCII digits: the integer is exact in a double.
        std::uint64_t v = 0;
        for (char c : element) {
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return static_cast<double>(v);
    }
    std::string ascii;
    ascii.reserve(element.size());
    for (std::size_t i = 0; i < element.size();) {
        const int d = unicode::decimal_value(unicode::decode(element, i));
        if (d < 0) {
            return std::nullopt;
        }
        ascii.push_back(static_cast<char>('0' + d));
    }
    return std::strtod(ascii.c_str(), nullptr); // correctly rounded; overflow gives inf
}

bool is_numeric_text(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    if (unicode::is_ascii(s)) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    }
    for (std::size_t i = 0; i < s.size();) {
        if (!unicode::is_numeric(unicode::decode(s, i))) {
            return false;
        }
    }
    return true;
}

/// compareElements. Returns 0, 1 or 2 like QGIS.
int compare_elements(std::string_view s1, std::string_view s2) {
    if (s1 == s2) {
        return 0;
    }
    if (!s1.empty() && !s2.empty() && is_numeric_text(s1) && is_numeric_text(s2) && s1[0] != '0' &&
        s2[0] != '0') {
        const auto f1 = to_float(s1);
        const auto f2 = to_float(s2);
        if (f1 && f2) {
            if (*f1 == *f2) {
                return 0;
            }
            return *f1 > *f2 ? 1 : 2;
        }
        // QGIS raises ValueError here (e.g. "²" is numeric but not a decimal); qplug
        // compares such elements as text, like every other non-numeric element.
    }
    // 'Z' + element for all but the five magic words, then plain string order.
    const bool m1 = is_magic(s1);
    const bool m2 = is_magic(s2);
    if (m1 != m2) {
        return m1 ? 2 : 1; // a magic word starts with A, B, P, R or T: below any "Z..."
    }
    return s1 > s2 ? 1 : 2;
}

Verdict to_verdict(int code) {
    return static_cast<Verdict>(code);
}

// --- sort keys ------------------------------------------------------------------------

/// Appends `text` so that it sorts bytewise like the text and ends unambiguously:
/// 0x00 becomes 0x00 0x01, and the end is 0x00 0x00.
void append_escaped(std::string& key, std::string_view text) {
    for (char c : text) {
        key.push_back(c);
        if (c == '\0') {
            key.push_back('\x01');
        }
    }
    key.push_back('\0');
    key.push_back('\0');
}

/// Appends float(element)'s value so that the key orders like the floats and float-equal
/// elements ("12345678901234567" and "12345678901234568") encode the same: the double's
/// exact integer value in decimal, as a number key; infinity above every number.
void append_float_key(std::string& key, std::string_view element, double value) {
    if (value == std::numeric_limits<double>::infinity()) {
        key.push_back(static_cast<char>(0xFF));
        return;
    }
    if (value < 9007199254740992.0 && unicode::is_ascii(element)) {
        detail::append_number_key(key, element); // exact: the digits are the value
        return;
    }
    char digits[400];
    const int n = std::snprintf(digits, sizeof digits, "%.0f", value);
    detail::append_number_key(key, std::string_view(digits, static_cast<std::size_t>(n)));
}

// Element ranks in QGIS's element order (see docs/versions.md, "qgis-classic").
enum Rank : char {
    rank_magic = 1,     // ALPHA < BETA < PREVIEW < RC < TRUNK
    rank_below_end = 2, // text starting below ' ' (control characters)
    rank_end = 3,       // "nothing": the end of the shorter version
    rank_low_text = 4,  // text starting with '!'..'0', e.g. "+", "03"
    rank_number = 5,    // numbers without a leading zero, by float value
    rank_high_text = 6, // text starting above '9': letters, non-ASCII ...
};

void append_element_key(std::string& key, std::string_view e) {
    for (std::size_t i = 0; i < kMagic.size(); ++i) {
        if (e == kMagic[i]) {
            key.push_back(rank_magic);
            key.push_back(static_cast<char>(i + 1));
            return;
        }
    }
    const auto first = static_cast<unsigned char>(e[0]);
    if (first >= '1' && first <= '9' && unicode::is_ascii(e) && is_numeric_text(e)) {
        key.push_back(rank_number);
        append_float_key(key, e, *to_float(e));
        return;
    }
    if (first != '0' && is_numeric_text(e)) {
        if (auto f = to_float(e)) { // non-ASCII decimal digits
            key.push_back(rank_number);
            append_float_key(key, e, *f);
            return;
        }
    }
    key.push_back(first < ' ' ? rank_below_end : first <= '0' ? rank_low_text : rank_high_text);
    append_escaped(key, e);
}

} // namespace

std::string normalize(std::string_view version) {
    if (version.empty()) {
        return {};
    }
    std::string s;
    if (unicode::is_ascii(version)) {
        s.assign(version);
        for (char& c : s) {
            if (c >= 'a' && c <= 'z') {
                c = static_cast<char>(c - 'a' + 'A');
            }
        }
    } else {
        s = unicode::to_upper(version);
    }
    for (auto prefix : kPrefixes) {
        if (std::string_view(s).substr(0, prefix.size()) == prefix) {
            replace_all(s, prefix);
        }
    }
    const std::string_view stripped = unicode::strip(s);
    if (stripped.size() != s.size()) {
        return std::string(stripped);
    }
    return s;
}

std::vector<std::string> chop(std::string_view normalized) {
    Elements views;
    chop_views(normalized, views);
    return {views.begin(), views.end()};
}

Verdict compare_classic(std::string_view a_raw, std::string_view b_raw) {
    if (a_raw.empty() || b_raw.empty()) {
        return Verdict::equal;
    }
    const std::string a = normalize(a_raw);
    const std::string b = normalize(b_raw);
    if (a == b) {
        return Verdict::equal;
    }
    // QGIS raises IndexError on a version that normalizes to "" (e.g. "v"); qplug treats
    // it as older than every other version.
    if (a.empty() || b.empty()) {
        return a.empty() ? Verdict::second_newer : Verdict::first_newer;
    }
    thread_local Elements v1, v2; // reused: no allocation per comparison once warm
    chop_views(a, v1);
    chop_views(b, v2);
    const std::size_t l = std::min(v1.size(), v2.size());
    for (std::size_t i = 0; i < l; ++i) {
        if (const int c = compare_elements(v1[i], v2[i]); c != 0) {
            return to_verdict(c);
        }
    }
    if (v1.size() > l) {
        return to_verdict(compare_elements(v1[l], " "));
    }
    if (v2.size() > l) {
        return to_verdict(compare_elements(" ", v2[l]));
    }
    return a > b ? Verdict::first_newer : Verdict::second_newer;
}

Verdict compare(std::string_view a_raw, std::string_view b_raw) {
    if (a_raw.empty() || b_raw.empty()) {
        return Verdict::equal;
    }
    const std::string a = normalize(a_raw);
    const std::string b = normalize(b_raw);
    auto va = pep440::Version::parse(a);
    if (va) {
        auto vb = pep440::Version::parse(b);
        if (vb) {
            const auto c = *va <=> *vb;
            return c < 0 ? Verdict::second_newer : c > 0 ? Verdict::first_newer : Verdict::equal;
        }
    }
    return a < b ? Verdict::second_newer : a > b ? Verdict::first_newer : Verdict::equal;
}

std::string sort_key_classic(std::string_view version) {
    std::string key;
    const std::string n = normalize(version);
    if (n.empty()) {
        key.push_back('\0'); // "" and what normalizes to "" sort first
        return key;
    }
    key.push_back('\x01');
    thread_local Elements elements;
    chop_views(n, elements);
    for (const auto e : elements) {
        append_element_key(key, e);
    }
    key.push_back(rank_end);
    key.append(n); // QGIS's last resort, the normalized strings; last field: no terminator
    return key;
}

std::string sort_key(std::string_view version) {
    // Tiers: 0 empty; 1 text below '0' that is not PEP 440; 2 PEP 440 versions, with the
    // non-PEP 440 versions that start with a release number placed right after that release;
    // 3 other text (letters first, e.g. "DEV").
    std::string key;
    const std::string n = normalize(version);
    if (n.empty()) {
        key.push_back('\0');
        return key;
    }
    if (auto v = pep440::Version::parse(n)) {
        key.push_back('\x02');
        key.append(v->key());
        key.push_back('\0'); // a PEP 440 version sorts before its non-PEP 440 extensions
        return key;
    }
    // Longest leading release number "N(.N)*" (optionally "N!N(.N)*").
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(n.data(), n.size(), "");
    std::size_t release_end = 0;
    if (pegtl::parse<pegtl::seq<pegtl::opt<grammar::pep440::epoch>, grammar::pep440::release>>(
            in)) {
        release_end = static_cast<std::size_t>(in.current() - n.data());
    }
    if (release_end == 0) {
        key.push_back(static_cast<unsigned char>(n[0]) < '0' ? '\x01' : '\x03');
        key.append(n);
        return key;
    }
    const std::string_view release_text = std::string_view(n).substr(0, release_end);
    auto release = pep440::Version::parse(release_text);
    key.push_back('\x02');
    // What decides the string comparison against versions that extend this release is the
    // first character after it (after a '.', the one after that).
    std::size_t decider = release_end;
    if (n[decider] == '.' && decider + 1 < n.size()) {
        ++decider;
    }
    if (static_cast<unsigned char>(n[decider]) > '9') {
        // "1.O.0", "1.0.DEVELOPMENT": above every version that extends the release with more
        // numbers, below the next release: the release numbers as written (trailing zeros
        // kept, so "1.0.X" lands between 1.0.9 and 1.1), then 0xFF.
        std::string_view numbers = release_text;
        if (const std::size_t bang = numbers.find('!'); bang != std::string_view::npos) {
            detail::append_number_key(key, numbers.substr(0, bang));
            numbers.remove_prefix(bang + 1);
        } else {
            detail::append_number_key(key, "0");
        }
        while (!numbers.empty()) {
            const std::size_t dot = numbers.find('.');
            detail::append_number_key(key, numbers.substr(0, dot));
            numbers.remove_prefix(dot == std::string_view::npos ? numbers.size() : dot + 1);
        }
        key.push_back(static_cast<char>(0xFF));
        key.append(n);
        return key;
    }
    // Otherwise ("1.0-SNAPSHOT", "1.0 RC1"): right after the release itself.
    key.append(release->key());
    key.push_back('\x01');
    key.append(n);
    return key;
}

} // namespace qplug::version::qgis
