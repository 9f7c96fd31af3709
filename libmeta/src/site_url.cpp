// plugins.qgis.org checks tracker, repository and homepage with requests.head() and then
// urllib.parse.urlparse(); what those refuse before any network, the site refuses with no
// network at all. This is that refusal, ported step by step from requests 2.28.1
// (models.PreparedRequest.prepare_url, sessions.get_adapter, utils.requote_uri), urllib3 1.26.12
// (util/url.parse_url, util/connection.create_connection), idna 3.3 (core.check_label) and
// Python 3.11's urllib.parse.urlsplit and ipaddress, as Debian 12 ships them. Strings are
// handled as code points, as Python's str is. Unicode properties come from libunistring
// (Unicode 14.0, Python 3.11's), the IDNA 2008 classes from the idna package (idna_tables).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "site_url.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <unictype.h>
#include <uninorm.h>
#include <vector>

#include <fmt/format.h>

#include <qplug/unicode.hpp>

#include "idna_tables.hpp"

namespace qplug::meta::detail {

namespace {

using u32 = std::u32string;
using u32v = std::u32string_view;

u32 to_u32(std::string_view utf8) {
    u32 out;
    for (std::size_t i = 0; i < utf8.size();) {
        out.push_back(unicode::decode(utf8, i));
    }
    return out;
}

std::string to_utf8(u32v text) {
    std::string out;
    for (const char32_t c : text) {
        unicode::append_utf8(out, c);
    }
    return out;
}

bool ascii_alpha(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool ascii_digit(char32_t c) {
    return c >= '0' && c <= '9';
}
bool ascii_hex(char32_t c) {
    return ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char32_t ascii_lower(char32_t c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}
u32 lower_ascii(u32v s) {
    u32 out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}
bool is_ascii(u32v s) {
    return std::all_of(s.begin(), s.end(), [](char32_t c) { return c < 0x80; });
}
/// Python's str.lower() (final sigma included).
u32 python_lower(u32v s) {
    return to_u32(unicode::to_lower(to_utf8(s)));
}
std::string hex2(unsigned value) {
    return fmt::format("{:02X}", value);
}

// ---- idna 3.3: check_label, then the A-label's length -------------------------------------

template <class Range>
bool in_ranges(std::span<const Range> ranges, char32_t c) {
    const auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                                     [](char32_t v, const Range& r) { return v < r.first; });
    return it != ranges.begin() && c <= std::prev(it)->last;
}

char joining_type_of(char32_t c) {
    const auto& t = idna_tables::joining_type;
    const auto it = std::upper_bound(t.begin(), t.end(), c,
                                     [](char32_t v, const auto& r) { return v < r.first; });
    return it != t.begin() && c <= std::prev(it)->last ? std::prev(it)->type : '\0';
}

bool is_nfc(u32v label) {
    std::size_t length = 0;
    std::unique_ptr<uint32_t, decltype(&std::free)> nfc(
        u32_normalize(UNINORM_NFC, reinterpret_cast<const uint32_t*>(label.data()), label.size(),
                      nullptr, &length),
        &std::free);
    return nfc && length == label.size() &&
           std::equal(label.begin(), label.end(), nfc.get(),
                      [](char32_t a, uint32_t b) { return a == b; });
}

bool valid_contextj(u32v label, std::size_t pos) {
    constexpr int kVirama = 9;
    if (pos > 0 && uc_combining_class(label[pos - 1]) == kVirama) {
        return true;
    }
    if (label[pos] != 0x200C) {
        return false; // ZWJ needs a virama before it
    }
    bool ok = false;
    for (std::size_t i = pos; i-- > 0;) {
        const char t = joining_type_of(label[i]);
        if (t == 'T') {
            continue;
        }
        ok = t == 'L' || t == 'D';
        break;
    }
    if (!ok) {
        return false;
    }
    for (std::size_t i = pos + 1; i < label.size(); ++i) {
        const char t = joining_type_of(label[i]);
        if (t == 'T') {
            continue;
        }
        return t == 'R' || t == 'D';
    }
    return false;
}

bool valid_contexto(u32v label, std::size_t pos) {
    const char32_t c = label[pos];
    if (c == 0x00B7) {
        return pos > 0 && pos + 1 < label.size() && label[pos - 1] == 'l' && label[pos + 1] == 'l';
    }
    if (c == 0x0375) {
        return pos + 1 < label.size() && in_ranges(idna_tables::greek, label[pos + 1]);
    }
    if (c == 0x05F3 || c == 0x05F4) {
        return pos > 0 && in_ranges(idna_tables::hebrew, label[pos - 1]);
    }
    if (c == 0x30FB) {
        return std::any_of(label.begin(), label.end(), [](char32_t x) {
            return x != 0x30FB &&
                   (in_ranges(idna_tables::hiragana, x) || in_ranges(idna_tables::katakana, x) ||
                    in_ranges(idna_tables::han, x));
        });
    }
    if (c >= 0x660 && c <= 0x669) {
        return std::none_of(label.begin(), label.end(),
                            [](char32_t x) { return x >= 0x6F0 && x <= 0x6F9; });
    }
    if (c >= 0x6F0 && c <= 0x6F9) {
        return std::none_of(label.begin(), label.end(),
                            [](char32_t x) { return x >= 0x660 && x <= 0x669; });
    }
    return false;
}

/// RFC 5893 as idna's check_bidi applies it to one label.
std::string bidi_problem(u32v label) {
    auto direction = [](char32_t c) { return uc_bidi_class(c); };
    auto any_of = [](int d, std::initializer_list<int> set) {
        return std::find(set.begin(), set.end(), d) != set.end();
    };
    bool bidi_label = false;
    for (const char32_t c : label) {
        if (any_of(direction(c), {UC_BIDI_R, UC_BIDI_AL, UC_BIDI_AN})) {
            bidi_label = true;
        }
    }
    if (!bidi_label) {
        return {};
    }
    const int first = direction(label[0]);
    bool rtl = false;
    if (first == UC_BIDI_R || first == UC_BIDI_AL) {
        rtl = true;
    } else if (first != UC_BIDI_L) {
        return "its first character is not left-to-right or right-to-left";
    }
    bool valid_ending = false;
    int number_type = -1;
    for (const char32_t c : label) {
        const int d = direction(c);
        if (rtl) {
            if (!any_of(d, {UC_BIDI_R, UC_BIDI_AL, UC_BIDI_AN, UC_BIDI_EN, UC_BIDI_ES, UC_BIDI_CS,
                            UC_BIDI_ET, UC_BIDI_ON, UC_BIDI_BN, UC_BIDI_NSM})) {
                return "a character's direction is not allowed in a right-to-left label";
            }
            if (any_of(d, {UC_BIDI_R, UC_BIDI_AL, UC_BIDI_EN, UC_BIDI_AN})) {
                valid_ending = true;
            } else if (d != UC_BIDI_NSM) {
                valid_ending = false;
            }
            if (d == UC_BIDI_AN || d == UC_BIDI_EN) {
                if (number_type < 0) {
                    number_type = d;
                } else if (number_type != d) {
                    return "it mixes numeral types in a right-to-left label";
                }
            }
        } else {
            if (!any_of(d, {UC_BIDI_L, UC_BIDI_EN, UC_BIDI_ES, UC_BIDI_CS, UC_BIDI_ET, UC_BIDI_ON,
                            UC_BIDI_BN, UC_BIDI_NSM})) {
                return "a character's direction is not allowed in a left-to-right label";
            }
            if (d == UC_BIDI_L || d == UC_BIDI_EN) {
                valid_ending = true;
            } else if (d != UC_BIDI_NSM) {
                valid_ending = false;
            }
        }
    }
    return valid_ending ? std::string() : "it ends with a character of the wrong direction";
}

/// The length of RFC 3492 Punycode of `label` (what Python's 'punycode' codec writes).
std::size_t punycode_length(u32v label) {
    constexpr std::uint64_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
    std::size_t out = 0;
    std::uint64_t n = 128, delta = 0, bias = 72;
    const std::size_t basic = static_cast<std::size_t>(
        std::count_if(label.begin(), label.end(), [](char32_t c) { return c < 0x80; }));
    out += basic;
    std::size_t h = basic;
    if (basic > 0) {
        ++out; // the delimiter
    }
    auto adapt = [&](std::uint64_t d, std::uint64_t points, bool first) {
        d = first ? d / damp : d / 2;
        d += d / points;
        std::uint64_t k = 0;
        while (d > ((base - tmin) * tmax) / 2) {
            d /= base - tmin;
            k += base;
        }
        return k + (base - tmin + 1) * d / (d + skew);
    };
    while (h < label.size()) {
        std::uint64_t m = UINT64_MAX;
        for (const char32_t c : label) {
            if (c >= n && c < m) {
                m = c;
            }
        }
        delta += (m - n) * (h + 1);
        n = m;
        for (const char32_t c : label) {
            if (c < n) {
                ++delta;
            }
            if (c == n) {
                std::uint64_t q = delta;
                for (std::uint64_t k = base;; k += base) {
                    const std::uint64_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
                    if (q < t) {
                        break;
                    }
                    ++out;
                    q = (q - t) / (base - t);
                }
                ++out;
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                ++h;
            }
        }
        ++delta;
        ++n;
    }
    return out;
}

// ---- Python's ipaddress -----------------------------------------------------------------

bool python_ipv4(u32v s) {
    std::size_t parts = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = s.find('.', start);
        const u32v octet = s.substr(start, dot == u32v::npos ? u32v::npos : dot - start);
        if (octet.empty() || octet.size() > 3 ||
            !std::all_of(octet.begin(), octet.end(), ascii_digit) ||
            (octet.size() > 1 && octet[0] == '0')) {
            return false;
        }
        unsigned v = 0;
        for (const char32_t c : octet) {
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        if (v > 255) {
            return false;
        }
        ++parts;
        if (dot == u32v::npos) {
            break;
        }
        start = dot + 1;
    }
    return parts == 4;
}

bool python_ipv6(u32v address) {
    const std::size_t percent = address.find('%');
    if (percent != u32v::npos) {
        const u32v scope = address.substr(percent + 1);
        if (scope.empty() || scope.find('%') != u32v::npos) {
            return false;
        }
        address = address.substr(0, percent);
    }
    if (address.empty()) {
        return false;
    }
    std::vector<u32> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t colon = address.find(':', start);
        parts.emplace_back(address.substr(start, colon == u32v::npos ? u32v::npos : colon - start));
        if (colon == u32v::npos) {
            break;
        }
        start = colon + 1;
    }
    if (parts.size() < 3) {
        return false;
    }
    if (parts.back().find('.') != u32::npos) {
        if (!python_ipv4(parts.back())) {
            return false;
        }
        parts.back() = U"0";
        parts.emplace_back(U"0");
    }
    constexpr std::size_t hextets = 8;
    if (parts.size() > hextets + 1) {
        return false;
    }
    std::size_t skip = 0;
    bool skipping = false;
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        if (parts[i].empty()) {
            if (skipping) {
                return false;
            }
            skipping = true;
            skip = i;
        }
    }
    std::size_t hi = 0, lo = 0;
    if (skipping) {
        hi = skip;
        lo = parts.size() - skip - 1;
        if (parts.front().empty() && --hi != 0) {
            return false;
        }
        if (parts.back().empty() && --lo != 0) {
            return false;
        }
        if (hextets < hi + lo + 1) {
            return false;
        }
    } else {
        if (parts.size() != hextets || parts.front().empty() || parts.back().empty()) {
            return false;
        }
        hi = parts.size();
    }
    auto hextet = [](u32v h) {
        return !h.empty() && h.size() <= 4 && std::all_of(h.begin(), h.end(), ascii_hex);
    };
    for (std::size_t i = 0; i < hi; ++i) {
        if (!hextet(parts[i])) {
            return false;
        }
    }
    for (std::size_t i = parts.size() - lo; i < parts.size(); ++i) {
        if (!hextet(parts[i])) {
            return false;
        }
    }
    return true;
}

// ---- Python 3.11's urlsplit: what it raises ---------------------------------------------

/// _check_bracketed_host
bool bracketed_host_ok(u32v host) {
    if (!host.empty() && host[0] == 'v') {
        // \Av[a-fA-F0-9]+\..+\Z
        std::size_t i = 1;
        while (i < host.size() && ascii_hex(host[i])) {
            ++i;
        }
        return i > 1 && i < host.size() && host[i] == '.' && i + 1 < host.size() &&
               std::none_of(host.begin() + static_cast<std::ptrdiff_t>(i) + 1, host.end(),
                            [](char32_t c) { return c == '\n'; });
    }
    return !python_ipv4(host) && python_ipv6(host);
}

std::string urlsplit_error(u32v raw) {
    std::size_t i = 0;
    while (i < raw.size() && raw[i] <= 0x20) {
        ++i;
    }
    u32 url;
    for (const char32_t c : raw.substr(i)) {
        if (c != '\t' && c != '\r' && c != '\n') {
            url.push_back(c);
        }
    }
    u32v rest = url;
    const std::size_t colon = url.find(':');
    if (colon != u32::npos && colon > 0 && ascii_alpha(url[0]) &&
        std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon), [](char32_t c) {
            return ascii_alpha(c) || ascii_digit(c) || c == '+' || c == '-' || c == '.';
        })) {
        rest.remove_prefix(colon + 1);
    }
    if (rest.substr(0, 2) != U"//") {
        return {};
    }
    const u32v netloc = rest.substr(2, rest.find_first_of(U"/?#", 2) - 2);
    const bool open = netloc.find('[') != u32v::npos;
    const bool close = netloc.find(']') != u32v::npos;
    if (open != close) {
        return "Python's urlsplit raises 'Invalid IPv6 URL'";
    }
    if (open) {
        const u32v host_port =
            netloc.substr(netloc.rfind('@') == u32v::npos ? 0 : netloc.rfind('@') + 1);
        const std::size_t bracket = host_port.find('[');
        u32v host;
        if (bracket != u32v::npos) {
            if (bracket > 0) {
                return "Python's urlsplit raises 'Invalid IPv6 URL'";
            }
            const u32v bracketed = host_port.substr(1);
            const std::size_t end = bracketed.find(']');
            host = bracketed.substr(0, end);
            const u32v port = end == u32v::npos ? u32v() : bracketed.substr(end + 1);
            if (!port.empty() && port[0] != ':') {
                return "Python's urlsplit raises 'Invalid IPv6 URL'";
            }
        } else {
            host = host_port.substr(0, host_port.find(':'));
        }
        if (!bracketed_host_ok(host)) {
            return "Python's urlsplit refuses the address in brackets";
        }
    }
    if (!is_ascii(netloc)) {
        // _checknetloc: characters that NFKC turns into URL delimiters
        u32 n;
        for (const char32_t c : netloc) {
            if (c != '@' && c != ':' && c != '#' && c != '?') {
                n.push_back(c);
            }
        }
        std::size_t length = 0;
        std::unique_ptr<uint32_t, decltype(&std::free)> nfkc(
            u32_normalize(UNINORM_NFKC, reinterpret_cast<const uint32_t*>(n.data()), n.size(),
                          nullptr, &length),
            &std::free);
        if (nfkc && std::any_of(nfkc.get(), nfkc.get() + length, [](uint32_t c) {
                return c == '/' || c == '?' || c == '#' || c == '@' || c == ':';
            })) {
            return "Python's urlsplit refuses a host that NFKC normalization turns into URL "
                   "delimiters";
        }
    }
    return {};
}

// ---- urllib3 1.26's parse_url -------------------------------------------------------------

/// IPV6_PAT: RFC 3986's IPv6address, h16 of 1-4 hex digits, ls32 an IPv4 without range check.
bool urllib3_ipv6(u32v s) {
    auto h16 = [](u32v p) {
        return !p.empty() && p.size() <= 4 && std::all_of(p.begin(), p.end(), ascii_hex);
    };
    auto ipv4 = [](u32v p) { // (?:[0-9]{1,3}\.){3}[0-9]{1,3}
        int parts = 0;
        std::size_t start = 0;
        while (true) {
            const std::size_t dot = p.find('.', start);
            const u32v o = p.substr(start, dot == u32v::npos ? u32v::npos : dot - start);
            if (o.empty() || o.size() > 3 || !std::all_of(o.begin(), o.end(), ascii_digit)) {
                return false;
            }
            ++parts;
            if (dot == u32v::npos) {
                return parts == 4;
            }
            start = dot + 1;
        }
    };
    // Units of 16 bits in a ':'-separated run; -1 when it is malformed. An IPv4 may end it.
    auto units = [&](u32v run, bool may_end_with_ipv4) -> int {
        if (run.empty()) {
            return 0;
        }
        int n = 0;
        std::size_t start = 0;
        while (true) {
            const std::size_t colon = run.find(':', start);
            const u32v p = run.substr(start, colon == u32v::npos ? u32v::npos : colon - start);
            if (colon == u32v::npos && may_end_with_ipv4 && p.find('.') != u32v::npos) {
                return ipv4(p) ? n + 2 : -1;
            }
            if (!h16(p)) {
                return -1;
            }
            ++n;
            if (colon == u32v::npos) {
                return n;
            }
            start = colon + 1;
        }
    };
    const std::size_t gap = s.find(U"::");
    if (gap == u32v::npos) {
        return units(s, true) == 8;
    }
    const int left = units(s.substr(0, gap), false);
    const u32v right_text = s.substr(gap + 2);
    const int right = units(right_text, true);
    if (left < 0 || right < 0) {
        return false;
    }
    if (right == 1 || right == 0) {
        return left + right <= 7;
    }
    // Two units or more after '::' end with ls32: h16:h16 or an IPv4 (units() checked which).
    return left + right <= 7;
}

bool unreserved_zone_char(char32_t c) { // UNRESERVED_PAT of the zone id (with '!')
    return ascii_alpha(c) || ascii_digit(c) || c == '.' || c == '_' || c == '!' || c == '-' ||
           c == '~';
}

/// IPV6_ADDRZ_PAT: "[" IPv6 ("%25" or "%", then unreserved or %XX, at least one) "]"
bool urllib3_bracketed_ipv6(u32v s) {
    if (s.size() < 2 || s.front() != '[' || s.back() != ']') {
        return false;
    }
    const u32v inner = s.substr(1, s.size() - 2);
    const std::size_t percent = inner.find('%');
    if (!urllib3_ipv6(inner.substr(0, percent))) {
        return false;
    }
    if (percent == u32v::npos) {
        return true;
    }
    const u32v zone = inner.substr(percent + 1);
    if (zone.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < zone.size(); ++i) {
        if (zone[i] == '%') {
            if (i + 2 >= zone.size() || !ascii_hex(zone[i + 1]) || !ascii_hex(zone[i + 2])) {
                return false;
            }
            i += 2;
        } else if (!unreserved_zone_char(zone[i])) {
            return false;
        }
    }
    return true;
}

/// (?:[0-9]{1,3}\.){3}[0-9]{1,3}
bool urllib3_ipv4(u32v s) {
    int parts = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = s.find('.', start);
        const u32v o = s.substr(start, dot == u32v::npos ? u32v::npos : dot - start);
        if (o.empty() || o.size() > 3 || !std::all_of(o.begin(), o.end(), ascii_digit)) {
            return false;
        }
        ++parts;
        if (dot == u32v::npos) {
            return parts == 4;
        }
        start = dot + 1;
    }
}

/// urllib3's _encode_invalid_chars(component, UNRESERVED_CHARS) for a zone id.
u32 encode_zone(u32v zone) {
    // PERCENT_RE upper-cases %xx; the component counts as percent-encoded when every '%'
    // starts one.
    u32 text(zone);
    std::size_t encodings = 0;
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
        if (text[i] == '%' && ascii_hex(text[i + 1]) && ascii_hex(text[i + 2])) {
            text[i + 1] = text[i + 1] >= 'a' ? text[i + 1] - 32 : text[i + 1];
            text[i + 2] = text[i + 2] >= 'a' ? text[i + 2] - 32 : text[i + 2];
            ++encodings;
            i += 2;
        }
    }
    const std::string bytes = to_utf8(text);
    const bool percent_encoded =
        encodings == static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '%'));
    u32 out;
    for (const char b : bytes) {
        const auto u = static_cast<unsigned char>(b);
        const bool allowed = u < 128 && (ascii_alpha(u) || ascii_digit(u) || u == '.' || u == '_' ||
                                         u == '-' || u == '~');
        if ((percent_encoded && b == '%') || allowed) {
            out.push_back(u);
        } else {
            for (const char h : "%" + hex2(u)) {
                out.push_back(static_cast<unsigned char>(h));
            }
        }
    }
    return out;
}

/// requests' requote_uri for the host of a prepared URL (ASCII): unreserved %XX decoded,
/// characters outside the safe set quoted. `fallback`: unquote_unreserved failed somewhere
/// in the URL, so every '%' is quoted too.
u32 requote(u32v host, bool fallback) {
    u32 unquoted;
    if (fallback) {
        unquoted = host;
    } else {
        for (std::size_t i = 0; i < host.size(); ++i) {
            if (host[i] == '%' && i + 2 < host.size() && ascii_hex(host[i + 1]) &&
                ascii_hex(host[i + 2])) {
                const auto value =
                    static_cast<char32_t>(std::stoi(to_utf8(host.substr(i + 1, 2)), nullptr, 16));
                if (ascii_alpha(value) || ascii_digit(value) || value == '-' || value == '.' ||
                    value == '_' || value == '~') {
                    unquoted.push_back(value);
                    i += 2;
                    continue;
                }
            }
            unquoted.push_back(host[i]);
        }
    }
    static constexpr std::u32string_view safe = U"!#$&'()*+,/:;=?@[]~_.-";
    u32 out;
    for (const char32_t c : unquoted) {
        if (ascii_alpha(c) || ascii_digit(c) || safe.find(c) != u32v::npos ||
            (c == '%' && !fallback)) {
            out.push_back(c);
        } else {
            std::string bytes;
            unicode::append_utf8(bytes, c);
            for (const char b : bytes) {
                for (const char h : "%" + hex2(static_cast<unsigned char>(b))) {
                    out.push_back(static_cast<unsigned char>(h));
                }
            }
        }
    }
    return out;
}

/// Whether unquote_unreserved raises on a zone id: a '%' followed by two alphanumeric
/// characters (str.isalnum) that are not both hex digits.
bool zone_breaks_unquote(u32v zone) {
    for (std::size_t i = zone.find('%'); i != u32v::npos; i = zone.find('%', i + 1)) {
        if (i + 2 < zone.size()) {
            const u32v h = zone.substr(i + 1, 2);
            const bool alnum = std::all_of(h.begin(), h.end(), [](char32_t c) {
                return uc_is_general_category(c, UC_CATEGORY_L) || unicode::is_digit(c) ||
                       unicode::is_numeric(c);
            });
            if (alnum && !(ascii_hex(h[0]) && ascii_hex(h[1]))) {
                return true;
            }
        }
    }
    return false;
}

/// urllib.parse.unquote: %XX sequences decoded as UTF-8, with U+FFFD for what is not.
u32 unquote(u32v s) {
    std::string bytes;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && ascii_hex(s[i + 1]) && ascii_hex(s[i + 2])) {
            bytes.push_back(static_cast<char>(std::stoi(to_utf8(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            unicode::append_utf8(bytes, s[i]);
        }
    }
    u32 out;
    for (std::size_t i = 0; i < bytes.size();) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (unicode::find_invalid_utf8(std::string_view(bytes).substr(i, length)) ==
                unicode::npos &&
            i + length <= bytes.size()) {
            out.push_back(unicode::decode(bytes, i));
        } else {
            out.push_back(0xFFFD); // errors="replace" (one per ill-formed byte, roughly)
            ++i;
        }
    }
    return out;
}

/// requests' prepare_auth: a user and password in the URL become a Basic Authorization
/// header, encoded as Latin-1 (_basic_auth_str), which fails on other characters.
std::string userinfo_refusal(u32v auth) {
    // urllib3 encodes the user info; a '%' that does not start %XX makes every '%' literal.
    bool percent_encoded = true;
    for (std::size_t i = auth.find('%'); i != u32v::npos; i = auth.find('%', i + 1)) {
        if (!(i + 2 < auth.size() && ascii_hex(auth[i + 1]) && ascii_hex(auth[i + 2]))) {
            percent_encoded = false;
        }
    }
    const std::size_t colon = auth.find(':');
    if (colon == u32v::npos) {
        return {}; // no password: urlparse gives None, and requests sends no credentials
    }
    auto decoded = [&](u32v part) { return percent_encoded ? unquote(part) : u32(part); };
    const u32 user = decoded(auth.substr(0, colon));
    const u32 password = decoded(auth.substr(colon + 1));
    if (user.empty() && password.empty()) {
        return {};
    }
    auto latin1 = [](const u32& s) {
        return std::all_of(s.begin(), s.end(), [](char32_t c) { return c <= 0xFF; });
    };
    return latin1(user) && latin1(password)
               ? std::string()
               : "requests cannot send its user name or password (not Latin-1)";
}

} // namespace

std::string idna_label_problem(std::u32string_view label) {
    if (label.empty()) {
        return "the label is empty";
    }
    if (label.size() > 59) {
        // Its A-label ("xn--", a character per basic code point, at least one per other one)
        // is longer than 63 whatever else is wrong; this also bounds the work on long values.
        return "the label is longer than 63 characters once encoded";
    }
    if (!is_nfc(label)) {
        return "the label is not in Unicode normalization form C";
    }
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-') {
        return "the label has '--' in its third and fourth places";
    }
    if (label.front() == '-' || label.back() == '-') {
        return "the label starts or ends with '-'";
    }
    if (uc_is_general_category(label.front(), UC_CATEGORY_M)) {
        return "the label starts with a combining mark";
    }
    for (std::size_t pos = 0; pos < label.size(); ++pos) {
        const char32_t c = label[pos];
        if (in_ranges(idna_tables::pvalid, c)) {
            continue;
        }
        if (in_ranges(idna_tables::contextj, c)) {
            if (!valid_contextj(label, pos)) {
                return fmt::format("U+{:04X} is not allowed where it stands",
                                   static_cast<unsigned>(c));
            }
        } else if (in_ranges(idna_tables::contexto, c)) {
            if (!valid_contexto(label, pos)) {
                return fmt::format("U+{:04X} is not allowed where it stands",
                                   static_cast<unsigned>(c));
            }
        } else {
            return fmt::format("U+{:04X} is not allowed in a host name (IDNA 2008)",
                               static_cast<unsigned>(c));
        }
    }
    if (std::string why = bidi_problem(label); !why.empty()) {
        return why;
    }
    if (4 + punycode_length(label) > 63) {
        return "the label is longer than 63 characters once encoded";
    }
    return {};
}

std::string site_url_refusal(std::string_view url_utf8) {
    const u32 raw = to_u32(url_utf8);
    if (std::string why = urlsplit_error(raw); !why.empty()) {
        return why;
    }
    // requests: url.lstrip()
    std::size_t start = 0;
    while (start < raw.size() && unicode::is_space(raw[start])) {
        ++start;
    }
    const u32v s = u32v(raw).substr(start);
    const std::size_t colon = s.find(':');
    const bool http = s.size() >= 4 && lower_ascii(s.substr(0, 4)) == U"http";
    if (colon == u32v::npos) {
        return "there is no scheme";
    }
    if (!http) {
        return fmt::format("requests has no connection adapter for the scheme '{}' (only http "
                           "and https)",
                           to_utf8(s.substr(0, colon)));
    }
    // urllib3 SCHEME_RE: ^[a-zA-Z][a-zA-Z0-9+-]*:  (else the URL has no scheme for it)
    if (!std::all_of(s.begin() + 1, s.begin() + static_cast<std::ptrdiff_t>(colon), [](char32_t c) {
            return ascii_alpha(c) || ascii_digit(c) || c == '+' || c == '-';
        })) {
        return "there is no scheme";
    }
    const u32 scheme = lower_ascii(s.substr(0, colon));
    if (scheme != U"http" && scheme != U"https") {
        return fmt::format("requests has no connection adapter for the scheme '{}' (only http "
                           "and https)",
                           to_utf8(s.substr(0, colon)));
    }
    const u32v rest = s.substr(colon + 1);
    if (rest.substr(0, 2) != U"//") {
        return "there is no host";
    }
    const u32v authority = rest.substr(2, rest.find_first_of(U"\\/?#", 2) - 2);
    if (authority.empty()) {
        return "there is no host";
    }
    const std::size_t at = authority.rfind('@');
    const u32v host_port = at == u32v::npos ? authority : authority.substr(at + 1);
    const u32v user_info = at == u32v::npos ? u32v() : authority.substr(0, at);
    // _HOST_PORT_RE: (REG_NAME | IPv4 | [IPv6]) then (:[0-9]{0,5})?
    u32v host;
    u32v port;
    bool ipv6 = false;
    if (!host_port.empty() && host_port[0] == '[') {
        const std::size_t close = host_port.find(']');
        host = host_port.substr(0, close == u32v::npos ? u32v::npos : close + 1);
        port = host_port.substr(host.size());
        if (!urllib3_bracketed_ipv6(host)) {
            return "requests cannot parse the host";
        }
        ipv6 = true;
    } else {
        host = host_port.substr(0, host_port.find(':'));
        port = host_port.substr(host.size());
        for (std::size_t i = 0; i < host.size(); ++i) {
            const char32_t c = host[i];
            if (c == '%') {
                if (i + 2 >= host.size() || !ascii_hex(host[i + 1]) || !ascii_hex(host[i + 2])) {
                    return "requests cannot parse the host ('%' not followed by two hex digits)";
                }
                i += 2;
            } else if (c == '[' || c == ']') {
                return "requests cannot parse the host";
            }
        }
    }
    if (!port.empty()) {
        const u32v digits = port.substr(1);
        if (port[0] != ':' || digits.size() > 5 ||
            !std::all_of(digits.begin(), digits.end(), ascii_digit)) {
            return "requests cannot parse the port";
        }
        if (!digits.empty() && std::stoul(to_utf8(digits)) > 65535) {
            return "the port is above 65535";
        }
    }
    if (host.empty()) {
        return "there is no host";
    }
    // _normalize_host, then requests' check of the first character
    u32 normalized;
    u32 zone;
    if (ipv6) {
        const std::size_t percent = host.find('%');
        normalized = lower_ascii(host.substr(0, percent == u32v::npos ? host.size() - 1 : percent));
        if (percent != u32v::npos) {
            u32v z = host.substr(percent, host.size() - 1 - percent); // without ']'
            z = z.substr(0, 3) == U"%25" && z != U"%25" ? z.substr(3) : z.substr(1);
            zone = U"%" + encode_zone(z);
        }
    } else if (urllib3_ipv4(host)) {
        normalized = host;
    } else {
        std::size_t label_start = 0;
        while (true) {
            const std::size_t dot = host.find('.', label_start);
            const u32v label =
                host.substr(label_start, dot == u32v::npos ? u32v::npos : dot - label_start);
            if (std::any_of(label.begin(), label.end(), [](char32_t c) { return c > 128; })) {
                const u32 lowered = python_lower(label);
                if (std::string why = idna_label_problem(lowered); !why.empty()) {
                    return fmt::format("the host's label '{}' is not a valid IDNA label: {}",
                                       to_utf8(label), why);
                }
                normalized += U"xn--" + u32(punycode_length(lowered), U'x');
            } else if (label.find(0x80) != u32v::npos) {
                return "requests cannot parse the host (U+0080)";
            } else {
                normalized += lower_ascii(label);
            }
            if (dot == u32v::npos) {
                break;
            }
            normalized += '.';
            label_start = dot + 1;
        }
        if (normalized[0] == '*' || normalized[0] == '.') {
            return "requests refuses a host that starts with '*' or '.'";
        }
    }
    if (std::string why = userinfo_refusal(user_info); !why.empty()) {
        return why;
    }
    if (ipv6) {
        // The prepared URL's host must satisfy Python's ipaddress (urlparse in requests).
        const bool fallback = zone_breaks_unquote(zone);
        const u32 prepared = requote(normalized + zone, fallback);
        if (!python_ipv6(prepared.substr(1))) {
            return "Python's urlsplit refuses the address in brackets";
        }
        return {};
    }
    // create_connection: host.encode("idna") of the prepared URL's host: every label but the
    // last 1 to 63 characters, the last at most 63.
    const u32 connect = lower_ascii(requote(normalized, false));
    std::size_t label_start = 0;
    while (true) {
        const std::size_t dot = connect.find('.', label_start);
        const std::size_t length = (dot == u32::npos ? connect.size() : dot) - label_start;
        if ((dot != u32::npos && length == 0) || length > 63) {
            return fmt::format("the host '{}' has an empty label or one longer than 63 characters",
                               to_utf8(host));
        }
        if (dot == u32::npos) {
            break;
        }
        label_start = dot + 1;
    }
    return {};
}

} // namespace qplug::meta::detail
