// Slow reference implementations of the version orders, written from the specifications
// (packaging 23.0's Version._cmpkey, conda's VersionOrder, QGIS's version_compare.py) with
// none of libversion's code: no sort keys, no grammar. The tests and the fuzz targets hold
// libversion's fast answers to these.
//
// They read what libversion prints (a PEP 440 normal form, a normalized conda version), or
// for QGIS plain ASCII text, so they need no grammar of their own: a normal form that is not
// exactly what packaging prints does not read, which is itself a finding.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::test::reference {

/// -1, 0 or 1.
inline int sign_of(int v) {
    return (v > 0) - (v < 0);
}

inline bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Compares two non-negative decimal numbers of any length without leading zeros.
inline int compare_numbers(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return a.size() < b.size() ? -1 : 1;
    }
    return sign_of(a.compare(b));
}

/// A number as str(int(...)) prints it: no leading zeros, "0" for zero.
inline bool is_canonical_number(std::string_view s) {
    return all_digits(s) && (s.size() == 1 || s[0] != '0');
}

inline std::vector<std::string_view> split(std::string_view s, char at) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t i = s.find(at, start);
        out.push_back(s.substr(start, i == std::string_view::npos ? i : i - start));
        if (i == std::string_view::npos) {
            return out;
        }
        start = i + 1;
    }
}

// ---- PEP 440 -------------------------------------------------------------------------------

/// packaging.version.Version's parts, read from str(Version): "[E!]R(.R)*[{a|b|rc}N][.postN]
/// [.devN][+local]", every number without leading zeros.
struct Pep440 {
    std::string epoch = "0";
    std::vector<std::string> release;
    std::string pre_letter; ///< "", "a", "b" or "rc" (or an odd Unicode spelling, see below)
    std::string pre_number;
    std::optional<std::string> post;
    std::optional<std::string> dev;
    std::optional<std::vector<std::string>> local;

    /// str(Version) of these parts.
    std::string str() const {
        std::string out = epoch == "0" ? "" : epoch + "!";
        for (std::size_t i = 0; i < release.size(); ++i) {
            out += (i > 0 ? "." : "") + release[i];
        }
        out += pre_letter + pre_number;
        out += post ? ".post" + *post : "";
        out += dev ? ".dev" + *dev : "";
        if (local) {
            out += "+";
            for (std::size_t i = 0; i < local->size(); ++i) {
                out += (i > 0 ? "." : "") + (*local)[i];
            }
        }
        return out;
    }
};

/// Reads a PEP 440 normal form; nullopt when the text is not exactly one.
inline std::optional<Pep440> read_pep440_normal_form(std::string_view text) {
    Pep440 v;
    std::string_view rest = text;
    if (const std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
        std::vector<std::string> segments;
        for (const auto segment : split(rest.substr(plus + 1), '.')) {
            // Lower-cased letters and digits (and what Unicode lower-casing of the few
            // non-ASCII letters packaging's regex accepts gives); a number is canonical.
            if (segment.empty() || (all_digits(segment) && !is_canonical_number(segment)) ||
                std::any_of(segment.begin(), segment.end(), [](char c) {
                    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '+' || c == '!' ||
                           c == ' ';
                })) {
                return std::nullopt;
            }
            segments.emplace_back(segment);
        }
        v.local = std::move(segments);
        rest = rest.substr(0, plus);
    }
    if (const std::size_t bang = rest.find('!'); bang != std::string_view::npos) {
        v.epoch = std::string(rest.substr(0, bang));
        if (!is_canonical_number(v.epoch) || v.epoch == "0") {
            return std::nullopt; // a zero epoch is not printed
        }
        rest.remove_prefix(bang + 1);
    }
    auto take_suffix = [&](std::string_view tag) -> std::optional<std::optional<std::string>> {
        const std::size_t at = rest.rfind(tag);
        if (at == std::string_view::npos) {
            return std::optional<std::string>();
        }
        const std::string_view n = rest.substr(at + tag.size());
        if (!is_canonical_number(n)) {
            return std::nullopt;
        }
        rest = rest.substr(0, at);
        return std::optional<std::string>(std::string(n));
    };
    const auto dev = take_suffix(".dev");
    if (!dev) {
        return std::nullopt;
    }
    v.dev = *dev;
    const auto post = take_suffix(".post");
    if (!post) {
        return std::nullopt;
    }
    v.post = *post;
    // The release: digits and dots; then an optional pre-release, letters and a number.
    std::size_t end = 0;
    while (end < rest.size() && ((rest[end] >= '0' && rest[end] <= '9') || rest[end] == '.')) {
        ++end;
    }
    for (const auto part : split(rest.substr(0, end), '.')) {
        if (!is_canonical_number(part)) {
            return std::nullopt;
        }
        v.release.emplace_back(part);
    }
    // The pre-release: packaging prints a, b or rc, except for a spelling its case-insensitive
    // regex accepts but its mapping does not know ("prevıew" with a dotless i stays as it is).
    const std::string_view pre = rest.substr(end);
    if (!pre.empty()) {
        std::size_t digits = pre.size();
        while (digits > 0 && pre[digits - 1] >= '0' && pre[digits - 1] <= '9') {
            --digits;
        }
        const std::string_view letter = pre.substr(0, digits);
        if (letter.empty() || !is_canonical_number(pre.substr(digits)) ||
            std::any_of(letter.begin(), letter.end(), [](char c) {
                const auto u = static_cast<unsigned char>(c);
                return u < 0x80 && !(c >= 'a' && c <= 'z');
            })) {
            return std::nullopt;
        }
        v.pre_letter = std::string(letter);
        v.pre_number = std::string(pre.substr(digits));
    }
    if (v.str() != text) {
        return std::nullopt; // e.g. a '.' where packaging prints none
    }
    return v;
}

/// packaging's Version.__lt__/__eq__ through _cmpkey: -1, 0 or 1.
inline int compare_pep440(const Pep440& a, const Pep440& b) {
    if (int c = compare_numbers(a.epoch, b.epoch)) {
        return c;
    }
    // The release without trailing zeros, compared as tuples.
    auto trimmed = [](const std::vector<std::string>& r) {
        std::size_t n = r.size();
        while (n > 0 && r[n - 1] == "0") {
            --n;
        }
        return n;
    };
    const std::size_t na = trimmed(a.release);
    const std::size_t nb = trimmed(b.release);
    for (std::size_t i = 0; i < std::min(na, nb); ++i) {
        if (int c = compare_numbers(a.release[i], b.release[i])) {
            return c;
        }
    }
    if (na != nb) {
        return na < nb ? -1 : 1;
    }
    // pre: -inf for a dev release of a final, +inf for no pre-release, else (letter, number).
    auto pre_rank = [](const Pep440& v) {
        if (v.pre_letter.empty()) {
            return !v.post && v.dev ? -1 : 1;
        }
        return 0;
    };
    if (int c = sign_of(pre_rank(a) - pre_rank(b))) {
        return c;
    }
    if (pre_rank(a) == 0) {
        if (int c = sign_of(a.pre_letter.compare(b.pre_letter))) {
            return c; // "a" < "b" < "rc": Python compares the strings (code points: UTF-8 order)
        }
        if (int c = compare_numbers(a.pre_number, b.pre_number)) {
            return c;
        }
    }
    // post: none is -inf; dev: none is +inf.
    if (a.post.has_value() != b.post.has_value()) {
        return a.post ? 1 : -1;
    }
    if (a.post) {
        if (int c = compare_numbers(*a.post, *b.post)) {
            return c;
        }
    }
    if (a.dev.has_value() != b.dev.has_value()) {
        return a.dev ? -1 : 1;
    }
    if (a.dev) {
        if (int c = compare_numbers(*a.dev, *b.dev)) {
            return c;
        }
    }
    // local: none is -inf; segments: a number (n, "") beats a string (-inf, s).
    if (a.local.has_value() != b.local.has_value()) {
        return a.local ? 1 : -1;
    }
    if (!a.local) {
        return 0;
    }
    const auto& la = *a.local;
    const auto& lb = *b.local;
    for (std::size_t i = 0; i < std::min(la.size(), lb.size()); ++i) {
        const bool da = all_digits(la[i]);
        const bool db = all_digits(lb[i]);
        if (da != db) {
            return da ? 1 : -1;
        }
        if (int c = da ? compare_numbers(la[i], lb[i]) : sign_of(la[i].compare(lb[i]))) {
            return c;
        }
    }
    return sign_of(static_cast<int>(la.size()) - static_cast<int>(lb.size()));
}

// ---- conda ---------------------------------------------------------------------------------

/// One element of conda's VersionOrder: an int, a string ('dev' read as 'DEV') or 'post'
/// (float('inf')).
struct CondaElement {
    enum class Type { number, text, infinity } type = Type::number;
    std::string value; ///< digits without leading zeros ("" is 0), or the text

    bool operator==(const CondaElement&) const = default;
};

using CondaComponent = std::vector<CondaElement>;

struct Conda {
    std::vector<CondaComponent> version; ///< the epoch first
    std::vector<CondaComponent> local;
};

/// version_split_re = r'([0-9]+|[*]+|[^0-9*]+)' on one component, then the conversions of
/// VersionOrder.__init__; a component that starts with a non-digit gets a leading 0.
inline CondaComponent conda_component(std::string_view text) {
    CondaComponent c;
    if (!text.empty() && !(text[0] >= '0' && text[0] <= '9')) {
        c.push_back({});
    }
    auto cls = [](char ch) { return ch >= '0' && ch <= '9' ? 0 : ch == '*' ? 1 : 2; };
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && cls(text[j]) == cls(text[i])) {
            ++j;
        }
        const std::string_view run = text.substr(i, j - i);
        if (cls(text[i]) == 0) {
            const std::size_t nz = run.find_first_not_of('0');
            c.push_back({CondaElement::Type::number,
                         std::string(nz == std::string_view::npos ? "" : run.substr(nz))});
        } else if (run == "post") {
            c.push_back({CondaElement::Type::infinity, ""});
        } else {
            c.push_back({CondaElement::Type::text, run == "dev" ? "DEV" : std::string(run)});
        }
        i = j;
    }
    return c;
}

/// Reads a normalized conda version (what VersionOrder holds after strip, lower and the
/// '-' to '_' rewrite) into its components.
inline Conda read_conda(std::string_view text) {
    Conda v;
    std::string_view rest = text;
    std::string_view epoch = "0";
    if (const std::size_t bang = rest.find('!'); bang != std::string_view::npos) {
        epoch = rest.substr(0, bang);
        rest.remove_prefix(bang + 1);
    }
    v.version.push_back(conda_component(epoch));
    if (const std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
        std::string local(rest.substr(plus + 1));
        std::replace(local.begin(), local.end(), '_', '.');
        for (const auto part : split(local, '.')) {
            v.local.push_back(conda_component(part));
        }
        rest = rest.substr(0, plus);
    }
    // openssl-like "1.0.1_": a trailing '_' stays on the last component.
    const bool underscore = !rest.empty() && rest.back() == '_';
    std::string main(underscore ? rest.substr(0, rest.size() - 1) : rest);
    std::replace(main.begin(), main.end(), '_', '.');
    auto parts = split(main, '.');
    std::vector<std::string> owned(parts.begin(), parts.end());
    if (underscore) {
        owned.back() += '_';
    }
    for (const auto& part : owned) {
        v.version.push_back(conda_component(part));
    }
    return v;
}

/// VersionOrder.__lt__ / __eq__: -1, 0 or 1.
inline int compare_conda(const Conda& a, const Conda& b) {
    auto element = [](const CondaElement& x, const CondaElement& y) {
        using T = CondaElement::Type;
        if (x == y) {
            return 0;
        }
        if (x.type == T::text || y.type == T::text) {
            if (x.type != y.type) {
                return x.type == T::text ? -1 : 1; // str < int
            }
            return sign_of(x.value.compare(y.value));
        }
        if (x.type == T::infinity || y.type == T::infinity) {
            return x.type == T::infinity ? 1 : -1;
        }
        return compare_numbers(x.value.empty() ? "0" : x.value, y.value.empty() ? "0" : y.value);
    };
    const std::vector<CondaComponent>* parts[2][2] = {{&a.version, &a.local},
                                                      {&b.version, &b.local}};
    for (int p = 0; p < 2; ++p) {
        const auto& ta = *parts[0][p];
        const auto& tb = *parts[1][p];
        for (std::size_t i = 0; i < std::max(ta.size(), tb.size()); ++i) {
            static const CondaComponent none;
            const CondaComponent& ca = i < ta.size() ? ta[i] : none;
            const CondaComponent& cb = i < tb.size() ? tb[i] : none;
            for (std::size_t j = 0; j < std::max(ca.size(), cb.size()); ++j) {
                static const CondaElement zero;
                if (int c = element(j < ca.size() ? ca[j] : zero, j < cb.size() ? cb[j] : zero)) {
                    return c;
                }
            }
        }
    }
    return 0;
}

// ---- QGIS (version_compare.py), for ASCII text ---------------------------------------------

/// Python's str.isspace() on an ASCII character.
inline bool python_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

/// normalizeVersion on ASCII text.
inline std::string qgis_normalize(std::string_view version) {
    std::string s(version);
    for (char& c : s) {
        c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    for (const std::string_view prefix :
         {"VERSION", "VER.", "VER", "V.", "V", "REVISION", "REV.", "REV", "R.", "R"}) {
        if (s.starts_with(prefix)) {
            std::string out;
            for (std::size_t i = 0; i < s.size();) {
                if (std::string_view(s).substr(i).starts_with(prefix)) {
                    i += prefix.size();
                } else {
                    out += s[i++];
                }
            }
            s = out;
        }
    }
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && python_space(s[b])) {
        ++b;
    }
    while (e > b && python_space(s[e - 1])) {
        --e;
    }
    return s.substr(b, e - b);
}

/// chopString of a non-empty normalized ASCII version.
inline std::vector<std::string> qgis_chop(std::string_view s) {
    auto cls = [](char c) {
        return c == '.' || c == '-' || c == '_' || c == ' ' ? 0 : c >= '0' && c <= '9' ? 1 : 2;
    };
    std::vector<std::string> l{std::string(1, s[0])};
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (cls(s[i]) == 0) {
            continue;
        }
        if (cls(s[i]) == cls(s[i - 1])) {
            l.back() += s[i];
        } else {
            l.emplace_back(1, s[i]);
        }
    }
    return l;
}

/// compareElements: 0 equal, 1 first newer, 2 second newer.
inline int qgis_compare_elements(std::string s1, std::string s2) {
    if (s1 == s2) {
        return 0;
    }
    if (all_digits(s1) && all_digits(s2) && s1[0] != '0' && s2[0] != '0') {
        const double f1 = std::strtod(s1.c_str(), nullptr); // float(): correctly rounded
        const double f2 = std::strtod(s2.c_str(), nullptr);
        return f1 == f2 ? 0 : f1 > f2 ? 1 : 2;
    }
    for (std::string* s : {&s1, &s2}) {
        if (*s != "ALPHA" && *s != "BETA" && *s != "PREVIEW" && *s != "RC" && *s != "TRUNK") {
            *s = "Z" + *s;
        }
    }
    return s1 > s2 ? 1 : 2;
}

/// Classic compareVersions (QGIS <= 3.40) on ASCII text: 0, 1 or 2. Where QGIS raises (a
/// version that normalizes to "") the answer is qplug's documented one: "" is older.
inline int qgis_compare_classic(std::string_view raw_a, std::string_view raw_b) {
    if (raw_a.empty() || raw_b.empty()) {
        return 0;
    }
    const std::string a = qgis_normalize(raw_a);
    const std::string b = qgis_normalize(raw_b);
    if (a == b) {
        return 0;
    }
    if (a.empty() || b.empty()) {
        return a.empty() ? 2 : 1;
    }
    const auto v1 = qgis_chop(a);
    const auto v2 = qgis_chop(b);
    const std::size_t l = std::min(v1.size(), v2.size());
    for (std::size_t i = 0; i < l; ++i) {
        if (int c = qgis_compare_elements(v1[i], v2[i])) {
            return c;
        }
    }
    if (v1.size() > l) {
        return qgis_compare_elements(v1[l], " ");
    }
    if (v2.size() > l) {
        return qgis_compare_elements(" ", v2[l]);
    }
    return a > b ? 1 : 2;
}

/// compareVersions of QGIS >= 3.42 on ASCII text: 0, 1 or 2. `normal_form` gives a string's
/// PEP 440 normal form, or nullopt when it is not PEP 440 (validity is not re-implemented
/// here; the order of two PEP 440 versions is compare_pep440's); other pairs compare as
/// Python compares strings.
template <class NormalForm>
int qgis_compare(std::string_view raw_a, std::string_view raw_b, NormalForm normal_form) {
    if (raw_a.empty() || raw_b.empty()) {
        return 0;
    }
    const std::string a = qgis_normalize(raw_a);
    const std::string b = qgis_normalize(raw_b);
    const std::optional<std::string> na = normal_form(a);
    const std::optional<std::string> nb = normal_form(b);
    std::optional<Pep440> va = na ? read_pep440_normal_form(*na) : std::nullopt;
    std::optional<Pep440> vb = nb ? read_pep440_normal_form(*nb) : std::nullopt;
    const int order = va && vb ? compare_pep440(*va, *vb) : sign_of(a.compare(b));
    return order == 0 ? 0 : order > 0 ? 1 : 2;
}

} // namespace qplug::test::reference
