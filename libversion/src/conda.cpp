// conda's VersionOrder: parsing (a port of VersionOrder.__init__), startswith, and a sort key
// whose bytewise order is VersionOrder.__lt__.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>
#include <qplug/version/conda.hpp>

#include "error_position.hpp"
#include "grammar/conda.hpp"
#include "number_key.hpp"

#include <algorithm>
#include <cstdint>

namespace qplug::version::conda {

namespace pegtl = tao::pegtl;
namespace g = grammar::conda;
using Element = Version::Element;
using Component = Version::Component;

namespace {

Error conda_error(std::string_view input, std::size_t offset, std::string message) {
    Error e;
    e.what = "conda version";
    e.input = std::string(input);
    e.offset = offset;
    e.message = std::move(message);
    return e;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

template <class Rule>
struct run_action : pegtl::nothing<Rule> {};
template <>
struct run_action<g::number_run> {
    template <class Input>
    static void apply(const Input& in, Component& c) {
        c.push_back({Element::Type::number,
                     std::string(detail::significant_digits({in.begin(), in.size()}))});
    }
};
struct text_element {
    template <class Input>
    static void apply(const Input& in, Component& c) {
        const std::string_view t(in.begin(), in.size());
        if (t == "post") {
            c.push_back({Element::Type::infinity, {}}); // ensure number < 'post' == infinity
        } else if (t == "dev") {
            c.push_back({Element::Type::text, "DEV"}); // '*' < 'DEV' < '_' < 'a' < number
        } else {
            c.push_back({Element::Type::text, std::string(t)});
        }
    }
};
template <> struct run_action<g::star_run> : text_element {};
template <> struct run_action<g::text_run> : text_element {};

/// Splits one component into runs; components that start with a non-digit get a leading 0
/// ("fillvalue") so that numbers and strings stay in phase.
std::optional<Component> parse_component(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    Component c;
    if (!(text[0] >= '0' && text[0] <= '9')) {
        c.push_back({Element::Type::number, ""});
    }
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
    pegtl::parse<g::component, run_action>(in, c);
    return c;
}

bool is_zero(const Element& e) {
    return e.type == Element::Type::number && e.value.empty();
}

// --- comparison as conda does it (zip_longest with fillvalue 0 / []) ----------------------

const Element kZero{Element::Type::number, ""};

bool elements_equal(const Component& a, const Component& b) {
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Element& x = i < a.size() ? a[i] : kZero;
        const Element& y = i < b.size() ? b[i] : kZero;
        if (!(x == y)) {
            return false;
        }
    }
    return true;
}

bool components_equal(const std::vector<Component>& a, std::size_t na,
                      const std::vector<Component>& b, std::size_t nb) {
    static const Component empty;
    const std::size_t n = std::max(na, nb);
    for (std::size_t i = 0; i < n; ++i) {
        if (!elements_equal(i < na ? a[i] : empty, i < nb ? b[i] : empty)) {
            return false;
        }
    }
    return true;
}

// --- the sort key -------------------------------------------------------------------------
//
// A component is a sequence of elements padded with zeros forever; a version is a sequence of
// components padded with all-zero components forever. Trailing zeros are dropped, and every
// run of k zeros is folded into the token that follows it: comparing (k1, e1) with (k2, e2)
// at the same position, the smaller k meets the other side's zero first, so the result is
// the sign of its element against zero (strings are below 0, numbers and 'post' above).
// Hence tokens below zero sort by k ascending, tokens above zero by k descending, and the
// end of the sequence (zeros forever) sits between the two groups.

constexpr char kBelowZero = 0x01;
constexpr char kEnd = 0x02;
constexpr char kAboveZero = 0x03;

void append_u32(std::string& key, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        key.push_back(static_cast<char>((v >> shift) & 0xFF));
    }
}

void append_run_length(std::string& key, bool below_zero, std::size_t k) {
    const auto k32 = static_cast<std::uint32_t>(std::min<std::size_t>(k, 0xFFFFFFFEu));
    append_u32(key, below_zero ? k32 : 0xFFFFFFFFu - k32);
}

void append_element(std::string& key, const Element& e) {
    switch (e.type) {
    case Element::Type::text:
        key.append(e.value); // [*._!a-zA-Z]: no NUL bytes
        key.push_back('\0');
        break;
    case Element::Type::number:
        key.push_back('\x01');
        detail::append_number_key(key, e.value);
        break;
    case Element::Type::infinity:
        key.push_back('\x02');
        break;
    }
}

void append_component(std::string& key, const Component& c) {
    std::size_t zeros = 0;
    for (const Element& e : c) {
        if (is_zero(e)) {
            ++zeros;
            continue;
        }
        const bool below = e.type == Element::Type::text;
        key.push_back(below ? kBelowZero : kAboveZero);
        append_run_length(key, below, zeros);
        append_element(key, e);
        zeros = 0;
    }
    key.push_back(kEnd);
}

bool is_zero_component(const Component& c) {
    return std::all_of(c.begin(), c.end(), is_zero);
}

void append_components(std::string& key, const std::vector<Component>& cs) {
    std::size_t zeros = 0;
    for (const Component& c : cs) {
        if (is_zero_component(c)) {
            ++zeros;
            continue;
        }
        const auto first = std::find_if(c.begin(), c.end(), [](const Element& e) { return !is_zero(e); });
        const bool below = first->type == Element::Type::text;
        key.push_back(below ? kBelowZero : kAboveZero);
        append_run_length(key, below, zeros);
        append_component(key, c);
        zeros = 0;
    }
    key.push_back(kEnd);
}

} // namespace

Expected<Version> Version::parse(std::string_view vstr) {
    if (const std::size_t bad = unicode::find_invalid_utf8(vstr); bad != unicode::npos) {
        return conda_error(vstr, bad, "not valid UTF-8");
    }
    const std::string_view stripped = unicode::strip(vstr);
    const std::size_t lead = static_cast<std::size_t>(stripped.data() - vstr.data());
    std::string version = unicode::to_lower(stripped);
    if (version.empty()) {
        return conda_error(vstr, 0, "empty version string");
    }
    auto charset_ok = [](const std::string& s) {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(s.data(), s.size(), "");
        return pegtl::parse<g::version_text>(in);
    };
    bool invalid = !charset_ok(version);
    if (invalid && version.find('-') != std::string::npos && version.find('_') == std::string::npos) {
        // Dashes are allowed when there are no underscores: they are read as underscores.
        std::replace(version.begin(), version.end(), '-', '_');
        invalid = !charset_ok(version);
    }
    if (invalid) {
        std::size_t offset = lead;
        for (std::size_t i = 0; i < stripped.size();) {
            const std::size_t at = i;
            const char32_t cp = unicode::decode(stripped, i);
            const std::string lowered = unicode::to_lower(stripped.substr(at, i - at));
            const bool allowed = lowered.size() == 1 &&
                                 std::string_view("*.+!_-0123456789abcdefghijklmnopqrstuvwxyz")
                                         .find(lowered[0]) != std::string_view::npos;
            (void)cp;
            if (!allowed) {
                offset = lead + at;
                break;
            }
        }
        return conda_error(vstr, offset,
                           "invalid character " + detail::describe_at(vstr, offset) +
                               "; conda versions use letters, digits and . _ + ! *");
    }

    Version v;
    v.text_ = version;
    auto epoch_split = split(version, '!');
    std::string epoch = "0";
    if (epoch_split.size() == 2) {
        const auto e = epoch_split[0];
        if (e.empty() || !std::all_of(e.begin(), e.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return conda_error(vstr, lead, "epoch must be an integer");
        }
        epoch = std::string(e);
    } else if (epoch_split.size() > 2) {
        return conda_error(vstr, lead + version.find('!', version.find('!') + 1),
                           "duplicated epoch separator '!'");
    }
    auto local_split = split(epoch_split.back(), '+');
    if (local_split.size() > 2) {
        return conda_error(vstr, lead, "duplicated local version separator '+'");
    }
    std::vector<std::string> local_parts;
    if (local_split.size() == 2) {
        std::string local(local_split[1]);
        std::replace(local.begin(), local.end(), '_', '.');
        for (auto p : split(local, '.')) {
            local_parts.emplace_back(p);
        }
    }
    const std::string_view main = local_split[0];
    if (main.empty()) {
        return conda_error(vstr, lead, "missing version before local version separator '+'");
    }
    std::vector<std::string> parts;
    parts.push_back(epoch);
    std::string main_text(main);
    const bool openssl = main_text.back() == '_';
    if (openssl) {
        // "1.0.1_" keeps its trailing underscore on the last component (openssl convention).
        main_text.pop_back();
    }
    std::replace(main_text.begin(), main_text.end(), '_', '.');
    for (auto p : split(main_text, '.')) {
        parts.emplace_back(p);
    }
    if (openssl) {
        parts.back().push_back('_');
    }
    for (const auto& p : parts) {
        auto c = parse_component(p);
        if (!c) {
            return conda_error(vstr, lead, "empty version component (two separators in a row?)");
        }
        v.version_.push_back(std::move(*c));
    }
    for (const auto& p : local_parts) {
        auto c = parse_component(p);
        if (!c) {
            return conda_error(vstr, lead, "empty local version component");
        }
        v.local_.push_back(std::move(*c));
    }
    append_components(v.key_, v.version_);
    append_components(v.key_, v.local_);
    return v;
}

bool Version::startswith(const Version& other) const {
    const std::vector<Component>* t1 = &version_;
    const std::vector<Component>* t2 = &other.version_;
    if (!other.local_.empty()) {
        if (!components_equal(version_, version_.size(), other.version_, other.version_.size())) {
            return false;
        }
        t1 = &local_;
        t2 = &other.local_;
    }
    if (t2->empty()) {
        return true; // not reachable from parse(): every version has an epoch component
    }
    const std::size_t nt = t2->size() - 1;
    if (!components_equal(*t1, std::min(nt, t1->size()), *t2, nt)) {
        return false;
    }
    static const Component empty;
    const Component& v1 = t1->size() <= nt ? empty : (*t1)[nt];
    const Component& v2 = (*t2)[nt];
    if (v2.empty()) {
        return true;
    }
    const std::size_t ne = v2.size() - 1;
    const Component head1(v1.begin(), v1.begin() + static_cast<std::ptrdiff_t>(std::min(ne, v1.size())));
    const Component head2(v2.begin(), v2.begin() + static_cast<std::ptrdiff_t>(ne));
    if (!elements_equal(head1, head2)) {
        return false;
    }
    const Element& c1 = v1.size() <= ne ? kZero : v1[ne];
    const Element& c2 = v2[ne];
    if (c2.type == Element::Type::text) {
        return c1.type == Element::Type::text && c1.value.starts_with(c2.value);
    }
    return c1 == c2;
}

} // namespace qplug::version::conda
