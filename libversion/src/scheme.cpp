// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdint>

#include <climits>

#include <qplug/unicode.hpp>
#include <qplug/version/conda.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/qgis.hpp>
#include <qplug/version/scheme.hpp>

#include "error_position.hpp"
#include "grammar/clauses.hpp"

namespace qplug::version {

namespace pegtl = tao::pegtl;

namespace {

Ordering from_verdict(qgis::Verdict v) {
    switch (v) {
    case qgis::Verdict::equal:
        return Ordering::equal;
    case qgis::Verdict::first_newer:
        return Ordering::greater;
    case qgis::Verdict::second_newer:
        return Ordering::less;
    }
    return Ordering::equal;
}

template <class T>
Ordering from_three_way(const T& a, const T& b) {
    const auto c = a <=> b;
    return c < 0 ? Ordering::less : c > 0 ? Ordering::greater : Ordering::equal;
}

Error utf8_error(std::string_view what, std::string_view input, std::size_t offset) {
    Error e;
    e.what = std::string(what);
    e.input = std::string(input);
    e.offset = offset;
    e.message = "not valid UTF-8";
    return e;
}

/// QGIS schemes take any text, but it must be text.
std::optional<Error> check_utf8(std::string_view input) {
    if (unicode::is_ascii(input)) {
        return std::nullopt;
    }
    if (const std::size_t bad = unicode::find_invalid_utf8(input); bad != unicode::npos) {
        return utf8_error("version", input, bad);
    }
    return std::nullopt;
}

struct Clause {
    std::string_view op;
    std::string_view version;
};

template <class Rule>
struct clause_action : pegtl::nothing<Rule> {};
template <>
struct clause_action<grammar::clauses::op> {
    template <class Input>
    static void apply(const Input& in, std::vector<Clause>& out) {
        out.back().op = {in.begin(), in.size()};
    }
};
template <>
struct clause_action<grammar::clauses::version_text> {
    template <class Input>
    static void apply(const Input& in, std::vector<Clause>& out) {
        out.back().version = unicode::strip({in.begin(), in.size()});
    }
};
template <>
struct clause_action<grammar::clauses::clause> {
    template <class Input>
    static void apply(const Input&, std::vector<Clause>& out) {
        out.emplace_back();
    }
};

Expected<bool> qgis_satisfies(Scheme scheme, std::string_view version, std::string_view spec) {
    if (auto e = check_utf8(spec)) {
        e->what = "version clause";
        return *e;
    }
    // The action on `clause` fires after its parts, so each part writes into a fresh slot
    // pushed beforehand; the last slot is the unused one.
    std::vector<Clause> clauses(1);
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(spec.data(), spec.size(), "");
    const bool ok = pegtl::parse<grammar::clauses::clauses, clause_action>(in, clauses);
    clauses.pop_back();
    const bool empty_version = std::any_of(clauses.begin(), clauses.end(),
                                           [](const Clause& c) { return c.version.empty(); });
    if (!ok || empty_version) {
        Error e;
        e.what = "version clause";
        e.input = std::string(spec);
        e.message =
            "expected comma-separated clauses such as '>=1.0,<2.0' (operators == != < <= > >=)";
        return e;
    }
    for (const Clause& c : clauses) {
        const auto v = scheme == Scheme::qgis ? qgis::compare(version, c.version)
                                              : qgis::compare_classic(version, c.version);
        const Ordering o = from_verdict(v);
        bool holds = false;
        if (c.op.empty() || c.op == "==") {
            holds = o == Ordering::equal;
        } else if (c.op == "!=") {
            holds = o != Ordering::equal;
        } else if (c.op == "<") {
            holds = o == Ordering::less;
        } else if (c.op == "<=") {
            holds = o != Ordering::greater;
        } else if (c.op == ">") {
            holds = o == Ordering::greater;
        } else {
            holds = o != Ordering::less;
        }
        if (!holds) {
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<Scheme> scheme_from_name(std::string_view name) {
    if (name == "qgis") {
        return Scheme::qgis;
    }
    if (name == "qgis-classic") {
        return Scheme::qgis_classic;
    }
    if (name == "pep440") {
        return Scheme::pep440;
    }
    if (name == "conda") {
        return Scheme::conda;
    }
    return std::nullopt;
}

std::string_view scheme_name(Scheme scheme) {
    switch (scheme) {
    case Scheme::qgis:
        return "qgis";
    case Scheme::qgis_classic:
        return "qgis-classic";
    case Scheme::pep440:
        return "pep440";
    case Scheme::conda:
        return "conda";
    }
    return "qgis";
}

Expected<Ordering> compare(Scheme scheme, std::string_view a, std::string_view b) {
    switch (scheme) {
    case Scheme::qgis:
    case Scheme::qgis_classic: {
        if (auto e = check_utf8(a)) {
            return *e;
        }
        if (auto e = check_utf8(b)) {
            return *e;
        }
        return from_verdict(scheme == Scheme::qgis ? qgis::compare(a, b)
                                                   : qgis::compare_classic(a, b));
    }
    case Scheme::pep440: {
        auto va = pep440::Version::parse(a);
        if (!va) {
            return va.error();
        }
        auto vb = pep440::Version::parse(b);
        if (!vb) {
            return vb.error();
        }
        return from_three_way(*va, *vb);
    }
    case Scheme::conda: {
        auto va = conda::Version::parse(a);
        if (!va) {
            return va.error();
        }
        auto vb = conda::Version::parse(b);
        if (!vb) {
            return vb.error();
        }
        return from_three_way(*va, *vb);
    }
    }
    return Ordering::equal;
}

Expected<std::string> normalize(Scheme scheme, std::string_view version) {
    switch (scheme) {
    case Scheme::qgis:
    case Scheme::qgis_classic:
        if (auto e = check_utf8(version)) {
            return *e;
        }
        return qgis::normalize(version);
    case Scheme::pep440: {
        auto v = pep440::Version::parse(version);
        if (!v) {
            return v.error();
        }
        return std::string(v->str());
    }
    case Scheme::conda: {
        auto v = conda::Version::parse(version);
        if (!v) {
            return v.error();
        }
        return std::string(v->str());
    }
    }
    return std::string(version);
}

Expected<std::string> sort_key(Scheme scheme, std::string_view version) {
    switch (scheme) {
    case Scheme::qgis:
    case Scheme::qgis_classic:
        if (auto e = check_utf8(version)) {
            return *e;
        }
        return scheme == Scheme::qgis ? qgis::sort_key(version) : qgis::sort_key_classic(version);
    case Scheme::pep440: {
        auto v = pep440::Version::parse(version);
        if (!v) {
            return v.error();
        }
        return std::string(v->key());
    }
    case Scheme::conda: {
        auto v = conda::Version::parse(version);
        if (!v) {
            return v.error();
        }
        return std::string(v->key());
    }
    }
    return std::string(version);
}

Expected<std::vector<std::size_t>> sort_order(Scheme scheme,
                                              const std::vector<std::string_view>& versions) {
    // Sort small entries (the first 16 key bytes, big-endian, the key's length and the input
    // position) and look at the full keys only when longer keys tie on those bytes: the hot
    // loop stays in cache.
    struct Entry {
        std::uint64_t head[2];
        std::uint32_t size;
        std::uint32_t index;
    };
    constexpr std::size_t kInline = sizeof(Entry::head);
    if (versions.size() > UINT32_MAX) {
        Error e;
        e.kind = Error::Kind::invalid;
        e.message = "too many versions to sort at once";
        return e;
    }
    // Keys longer than the inline bytes go to one arena, found by the input position.
    std::string long_keys;
    std::vector<std::uint64_t> long_key_offset(versions.size());
    std::vector<Entry> entries;
    entries.reserve(versions.size());
    for (std::size_t i = 0; i < versions.size(); ++i) {
        auto k = sort_key(scheme, versions[i]);
        if (!k) {
            return k.error();
        }
        Entry e{{0, 0},
                static_cast<std::uint32_t>(std::min<std::size_t>(k->size(), UINT32_MAX)),
                static_cast<std::uint32_t>(i)};
        for (std::size_t b = 0; b < kInline; ++b) {
            const unsigned byte = b < k->size() ? static_cast<unsigned char>((*k)[b]) : 0u;
            e.head[b / 8] = (e.head[b / 8] << 8) | byte;
        }
        entries.push_back(e);
        if (k->size() > kInline) {
            long_key_offset[i] = long_keys.size();
            long_keys += *k;
        }
    }
    std::sort(entries.begin(), entries.end(), [&](const Entry& x, const Entry& y) {
        if (x.head[0] != y.head[0]) {
            return x.head[0] < y.head[0];
        }
        if (x.head[1] != y.head[1]) {
            return x.head[1] < y.head[1];
        }
        if (x.size > kInline && y.size > kInline) {
            const std::string_view kx(long_keys.data() + long_key_offset[x.index], x.size);
            const std::string_view ky(long_keys.data() + long_key_offset[y.index], y.size);
            if (const int c = kx.compare(ky); c != 0) {
                return c < 0;
            }
        } else if (x.size != y.size) {
            return x.size < y.size; // same first bytes: the shorter key is a prefix
        }
        return x.index < y.index;
    });
    std::vector<std::size_t> order;
    order.reserve(entries.size());
    for (const Entry& e : entries) {
        order.push_back(e.index);
    }
    return order;
}

Expected<std::vector<std::string>> sorted(Scheme scheme, std::vector<std::string> versions) {
    const std::vector<std::string_view> views(versions.begin(), versions.end());
    auto order = sort_order(scheme, views);
    if (!order) {
        return order.error();
    }
    std::vector<std::string> out;
    out.reserve(versions.size());
    for (std::size_t i : *order) {
        out.push_back(std::move(versions[i]));
    }
    return out;
}

Expected<bool> satisfies(Scheme scheme, std::string_view version, std::string_view spec,
                         std::optional<bool> prereleases) {
    switch (scheme) {
    case Scheme::qgis:
    case Scheme::qgis_classic:
        if (auto e = check_utf8(version)) {
            return *e;
        }
        return qgis_satisfies(scheme, version, spec);
    case Scheme::pep440: {
        auto set = pep440::SpecifierSet::parse(spec);
        if (!set) {
            return set.error();
        }
        auto v = pep440::Version::parse(version);
        if (!v) {
            return v.error();
        }
        return set->contains(*v, prereleases);
    }
    case Scheme::conda: {
        auto s = conda::VersionSpec::parse(spec);
        if (!s) {
            return s.error();
        }
        return s->match(version);
    }
    }
    return false;
}

bool is_valid(Scheme scheme, std::string_view version) {
    switch (scheme) {
    case Scheme::qgis:
    case Scheme::qgis_classic:
        return !check_utf8(version);
    case Scheme::pep440:
        return pep440::Version::is_valid(version);
    case Scheme::conda:
        return conda::Version::parse(version).has_value();
    }
    return false;
}

} // namespace qplug::version
