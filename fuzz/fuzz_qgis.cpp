// QGIS compareVersions (both generations) and their sort keys on arbitrary pairs: never crash,
// answers are antisymmetric, keys are deterministic.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>
#include <qplug/version/qgis.hpp>

#include "fuzz_input.hpp"

using namespace qplug::version::qgis;

namespace {
int flip(Verdict v) {
    return v == Verdict::equal ? 0 : v == Verdict::first_newer ? 2 : 1;
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
    qplug::fuzz::require(static_cast<int>(compare_classic(a, b)) == flip(compare_classic(b, a)));
    qplug::fuzz::require(static_cast<int>(compare(a, b)) == flip(compare(b, a)));
    qplug::fuzz::require(sort_key(a) == sort_key(a));
    qplug::fuzz::require(sort_key_classic(b) == sort_key_classic(b));
    (void)chop(normalize(a));
    return 0;
}
