// conda's VersionOrder: parsing (a port of VersionOrder.__init__), startswith, and a sort key
// whose bytewise order is VersionOrder.__lt__. Parsing builds the key straight from views
// into the normalized text; the component lists are only materialized when asked for.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "grammar/conda.hpp"

#include <algorithm>
#include <cstdint>

#include <qplug/unicode.hpp>
#include <qplug/version/conda.hpp>

#include "byte_builder.hpp"
#include "error_position.hpp"
#include "number_key.hpp"

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

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// One element, as a view: a number's significant digits, a string, or 'post' (infinity).
struct ElementView {
    Element::Type type;
    std::string_view value;
};

/// Calls fn(ElementView) for the runs of one component; a component that starts with a
/// non-digit gets a leading 0 ("fillvalue") so that numbers and strings stay in phase.
template <class Fn>
struct RunState {
    Fn& fn;
};

template <class Rule>
struct run_action : pegtl::nothing<Rule> {};
template <>
struct run_action<g::number_run> {
    template <class Input, class Fn>
    static void apply(const Input& in, RunState<Fn>& s) {
        s.fn(ElementView{Element::Type::number,
                         detail::significant_digits({in.begin(), in.size()})});
    }
};
struct text_run_action {
    template <class Input, class Fn>
    static void apply(const Input& in, RunState<Fn>& s) {
        const std::string_view t(in.begin(), in.size());
        if (t == "post") {
            s.fn(ElementView{Element::Type::infinity, {}}); // number < 'post' == infinity
        } else if (t == "dev") {
            s.fn(ElementView{Element::Type::text, "DEV"}); // '*' < 'DEV' < '_' < 'a' < number
        } else {
            s.fn(ElementView{Element::Type::text, t});
        }
    }
};
template <>
struct run_action<g::star_run> : text_run_action {};
template <>
struct run_action<g::text_run> : text_run_action {};

template <class Fn>
void for_each_element(std::string_view component, Fn&& fn) {
    if (!is_digit(component[0])) {
        fn(ElementView{Element::Type::number, {}});
    }
    RunState<Fn> state{fn};
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(component.data(), component.size(), "");
    pegtl::parse<g::component, run_action>(in, state);
}

/// Where the parts of a (valid, normalized) version text are.
struct Layout {
    std::string_view epoch; // "0" when absent
    std::string_view main;  // between '!' and '+'
    std::string_view local; // after '+'
    bool has_local = false;
};

Layout layout_of(std::string_view text) {
    Layout l;
    std::string_view rest = text;
    if (const std::size_t bang = rest.find('!'); bang != std::string_view::npos) {
        l.epoch = rest.substr(0, bang);
        rest.remove_prefix(bang + 1);
    } else {
        l.epoch = "0";
    }
    if (const std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
        l.local = rest.substr(plus + 1);
        l.has_local = true;
        rest = rest.substr(0, plus);
    }
    l.main = rest;
    return l;
}

/// Calls fn(component view) for the components of `part` split at '.' and '_'. With
/// `openssl`, a trailing '_' stays on the last component ("1.0.1_" -> 1, 0, "1_").
template <class Fn>
void for_each_component(std::string_view part, bool openssl, Fn&& fn) {
    const bool keep_underscore = openssl && !part.empty() && part.back() == '_';
    const std::string_view body = keep_underscore ? part.substr(0, part.size() - 1) : part;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= body.size(); ++i) {
        if (i < body.size() && body[i] != '.' && body[i] != '_') {
            continue;
        }
        const bool last = i == body.size();
        fn(part.substr(start, i - start + (last && keep_underscore ? 1 : 0)));
        start = i + 1;
    }
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

/// A run length k, ascending for tokens below zero and descending above zero; one byte for
/// k < 254 (the usual case), an escape byte and four bytes beyond.
template <class Out>
void append_run_length(Out& key, bool below_zero, std::size_t k) {
    auto put32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            key.push_back(static_cast<char>((v >> shift) & 0xFF));
        }
    };
    const auto k32 = static_cast<std::uint32_t>(std::min<std::size_t>(k, 0xFFFFFFFFu));
    if (below_zero) {
        if (k32 < 0xFE) {
            key.push_back(static_cast<char>(k32)); // 0x00..0xFD
        } else {
            key.push_back(static_cast<char>(0xFE));
            put32(k32);
        }
    } else {
        if (k32 < 0xFE) {
            key.push_back(static_cast<char>(0xFF - k32)); // 0xFF..0x02
        } else {
            key.push_back('\x01');
            put32(0xFFFFFFFFu - k32);
        }
    }
}

template <class Out>
void append_element(Out& key, const ElementView& e) {
    switch (e.type) {
    case Element::Type::text:
        key.append(e.value); // [*_a-zA-Z]: no NUL bytes
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

bool is_zero(const ElementView& e) {
    return e.type == Element::Type::number && e.value.empty();
}

/// Encodes one component into `out`; returns 0 when it is all zeros, else the class byte of
/// its first non-zero element (kBelowZero for a string, kAboveZero otherwise).
char encode_component(std::string_view component, detail::ByteBuilder& out) {
    std::size_t zeros = 0;
    char first = 0;
    for_each_element(component, [&](const ElementView& e) {
        if (is_zero(e)) {
            ++zeros;
            return;
        }
        const bool below = e.type == Element::Type::text;
        const char cls = below ? kBelowZero : kAboveZero;
        if (first == 0) {
            first = cls;
        }
        out.push_back(cls);
        append_run_length(out, below, zeros);
        append_element(out, e);
        zeros = 0;
    });
    out.push_back(kEnd);
    return first;
}

/// Appends the tokens of a list of components (the epoch and main part, or the local part).
struct ComponentEncoder {
    std::string& key;
    std::size_t zeros = 0;

    void add(std::string_view component) {
        detail::ByteBuilder enc;
        const char cls = encode_component(component, enc);
        if (cls == 0) {
            ++zeros;
            return;
        }
        key.push_back(cls);
        append_run_length(key, cls == kBelowZero, zeros);
        key.append(enc.view());
        zeros = 0;
    }
    void finish() { key.push_back(kEnd); }
};

std::vector<Component> materialize(std::string_view text, bool local_part) {
    const Layout l = layout_of(text);
    std::vector<Component> out;
    auto add = [&](std::string_view component) {
        Component c;
        for_each_element(component, [&](const ElementView& e) {
            c.push_back(Element{e.type, std::string(e.value)});
        });
        out.push_back(std::move(c));
    };
    if (local_part) {
        if (l.has_local) {
            for_each_component(l.local, false, add);
        }
    } else {
        add(l.epoch);
        for_each_component(l.main, true, add);
    }
    return out;
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

std::string lower_ascii_or_unicode(std::string_view s) {
    if (!unicode::is_ascii(s)) {
        return unicode::to_lower(s);
    }
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

} // namespace

Expected<Version> Version::parse(std::string_view vstr) {
    if (const std::size_t bad = unicode::find_invalid_utf8(vstr); bad != unicode::npos) {
        return conda_error(vstr, bad, "not valid UTF-8");
    }
    const std::string_view stripped = unicode::strip(vstr);
    const std::size_t lead = static_cast<std::size_t>(stripped.data() - vstr.data());
    std::string version = lower_ascii_or_unicode(stripped);
    if (version.empty()) {
        return conda_error(vstr, 0, "empty version string");
    }
    auto charset_ok = [](const std::string& s) {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(s.data(), s.size(), "");
        return pegtl::parse<g::version_text>(in);
    };
    bool invalid = !charset_ok(version);
    if (invalid && version.find('-') != std::string::npos &&
        version.find('_') == std::string::npos) {
        // Dashes are allowed when there are no underscores: they are read as underscores.
        std::replace(version.begin(), version.end(), '-', '_');
        invalid = !charset_ok(version);
    }
    if (invalid) {
        std::size_t offset = lead;
        for (std::size_t i = 0; i < stripped.size();) {
            const std::size_t at = i;
            unicode::decode(stripped, i);
            const std::string lowered = unicode::to_lower(stripped.substr(at, i - at));
            const bool allowed =
                lowered.size() == 1 &&
                std::string_view("*.+!_-0123456789abcdefghijklmnopqrstuvwxyz").find(lowered[0]) !=
                    std::string_view::npos;
            if (!allowed) {
                offset = lead + at;
                break;
            }
        }
        return conda_error(vstr, offset,
                           "invalid character " + detail::describe_at(vstr, offset) +
                               "; conda versions use letters, digits and . _ + ! *");
    }

    // Structure checks, in conda's order and with its messages.
    const std::size_t bang = version.find('!');
    if (bang != std::string::npos) {
        if (version.find('!', bang + 1) != std::string::npos) {
            return conda_error(vstr, lead + version.find('!', bang + 1),
                               "duplicated epoch separator '!'");
        }
        const std::string_view e(version.data(), bang);
        if (e.empty() || !std::all_of(e.begin(), e.end(), is_digit)) {
            return conda_error(vstr, lead, "epoch must be an integer");
        }
    }
    const std::size_t after_epoch = bang == std::string::npos ? 0 : bang + 1;
    const std::size_t plus = version.find('+', after_epoch);
    if (plus != std::string::npos && version.find('+', plus + 1) != std::string::npos) {
        return conda_error(vstr, lead, "duplicated local version separator '+'");
    }
    if (plus == after_epoch || after_epoch == version.size()) {
        return conda_error(vstr, lead, "missing version before local version separator '+'");
    }
    const Layout l = layout_of(version);
    bool empty_component = false;
    auto check = [&](std::string_view c) { empty_component = empty_component || c.empty(); };
    for_each_component(l.main, true, check);
    if (empty_component) {
        return conda_error(vstr, lead, "empty version component (two separators in a row?)");
    }
    if (l.has_local) {
        for_each_component(l.local, false, check);
        if (empty_component) {
            return conda_error(vstr, lead, "empty local version component");
        }
    }

    Version v;
    v.key_.reserve(version.size() * 3 + 8);
    ComponentEncoder main_part{v.key_};
    main_part.add(l.epoch);
    for_each_component(l.main, true, [&](std::string_view c) { main_part.add(c); });
    main_part.finish();
    ComponentEncoder local_part{v.key_};
    if (l.has_local) {
        for_each_component(l.local, false, [&](std::string_view c) { local_part.add(c); });
    }
    local_part.finish();
    v.text_ = std::move(version);
    return v;
}

std::vector<Component> Version::version() const {
    return materialize(text_, false);
}

std::vector<Component> Version::local() const {
    return materialize(text_, true);
}

bool Version::startswith(const Version& other) const {
    const auto my_version = version();
    const auto other_version = other.version();
    const auto my_local = local();
    const auto other_local = other.local();
    const std::vector<Component>* t1 = &my_version;
    const std::vector<Component>* t2 = &other_version;
    if (!other_local.empty()) {
        if (!components_equal(my_version, my_version.size(), other_version, other_version.size())) {
            return false;
        }
        t1 = &my_local;
        t2 = &other_local;
    }
    const std::size_t nt = t2->size() - 1;
    if (!components_equal(*t1, std::min(nt, t1->size()), *t2, nt)) {
        return false;
    }
    static const Component empty;
    const Component& v1 = t1->size() <= nt ? empty : (*t1)[nt];
    const Component& v2 = (*t2)[nt];
    const std::size_t ne = v2.size() - 1;
    const Component head1(v1.begin(),
                          v1.begin() + static_cast<std::ptrdiff_t>(std::min(ne, v1.size())));
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
