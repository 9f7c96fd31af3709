// QGIS compareVersions (both generations) and their sort keys on arbitrary pairs: never crash,
// answers are antisymmetric; on ASCII text both generations give what QGIS's Python gives (a
// re-typing of version_compare.py, tests/support/reference_versions.hpp, with PEP 440 order
// from the reference comparator), and the sort keys agree with them where docs/versions.md
// says they do.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/qgis.hpp>

#include "fuzz_input.hpp"
#include "reference_versions.hpp"

using namespace qplug::version::qgis;
using qplug::fuzz::require;
namespace ref = qplug::test::reference;
namespace pep440 = qplug::version::pep440;

namespace {

int flip(Verdict v) {
    return v == Verdict::equal ? 0 : v == Verdict::first_newer ? 2 : 1;
}

/// A verdict as an order of a against b: -1, 0 or 1.
int as_order(int verdict) {
    return verdict == 0 ? 0 : verdict == 1 ? 1 : -1;
}

int key_order(const std::string& a, const std::string& b) {
    return ref::sign_of(a.compare(b));
}

/// The PEP 440 normal form of a string, or nullopt (libversion's validity, which its own
/// differential tests hold to packaging).
std::optional<std::string> normal_form(std::string_view s) {
    const auto v = pep440::Version::parse(s);
    return v ? std::optional<std::string>(v->str()) : std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    for (auto p : parts) {
        if (qplug::unicode::find_invalid_utf8(p) != qplug::unicode::npos) {
            return 0; // QGIS works on Python str; the facade refuses other bytes
        }
    }
    const auto a = parts[0];
    const auto b = parts[1];
    const Verdict classic = compare_classic(a, b);
    const Verdict current = compare(a, b);
    require(static_cast<int>(classic) == flip(compare_classic(b, a)));
    require(static_cast<int>(current) == flip(compare(b, a)));
    const std::string classic_a = sort_key_classic(a);
    const std::string classic_b = sort_key_classic(b);
    const std::string key_a = sort_key(a);
    const std::string key_b = sort_key(b);
    // Equal keys mean equal versions (compare() says "equal" for an empty string too).
    if (classic_a == classic_b) {
        require(classic == Verdict::equal);
    }
    if (key_a == key_b) {
        require(current == Verdict::equal);
    }
    if (qplug::unicode::is_ascii(a) && qplug::unicode::is_ascii(b)) {
        require(normalize(a) == ref::qgis_normalize(a));
        require(static_cast<int>(classic) == ref::qgis_compare_classic(a, b));
        require(static_cast<int>(current) == ref::qgis_compare(a, b, normal_form));
        // The classic key is QGIS's order wherever no element is made of non-ASCII digits.
        if (!a.empty() && !b.empty()) {
            require(key_order(classic_a, classic_b) == as_order(static_cast<int>(classic)));
        }
        // The current key follows PEP 440 where both versions are PEP 440.
        if (normal_form(ref::qgis_normalize(a)) && normal_form(ref::qgis_normalize(b)) &&
            !a.empty() && !b.empty()) {
            require(key_order(key_a, key_b) == as_order(static_cast<int>(current)));
        }
    }
    (void)chop(normalize(a));
    return 0;
}
