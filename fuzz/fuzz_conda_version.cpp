// conda versions: parse anything; what parses has the components conda's VersionOrder reads
// from its normalized text, orders as VersionOrder.__lt__ (a slow reference comparator,
// tests/support/reference_versions.hpp, not the sort key), reads back as itself, and starts
// with itself.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/version/conda.hpp>

#include "fuzz_input.hpp"
#include "reference_versions.hpp"

using qplug::fuzz::require;
using qplug::version::conda::Version;
namespace ref = qplug::test::reference;

namespace {

/// The components as libversion lists them, in the reference's terms.
std::vector<ref::CondaComponent> components(const std::vector<Version::Component>& cs) {
    std::vector<ref::CondaComponent> out;
    for (const auto& c : cs) {
        ref::CondaComponent rc;
        for (const auto& e : c) {
            using T = Version::Element::Type;
            rc.push_back({e.type == T::text       ? ref::CondaElement::Type::text
                          : e.type == T::infinity ? ref::CondaElement::Type::infinity
                                                  : ref::CondaElement::Type::number,
                          e.type == T::number && e.value == "0" ? "" : e.value});
        }
        out.push_back(std::move(rc));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto a = Version::parse(parts[0]);
    auto b = Version::parse(parts[1]);
    if (a) {
        require(a->startswith(*a));
        auto again = Version::parse(a->str());
        require(again && again->str() == a->str() && again->key() == a->key());
        const ref::Conda ra = ref::read_conda(a->str());
        require(components(a->version()) == ra.version);
        require(components(a->local()) == ra.local);
    }
    if (a && b) {
        const int expected =
            ref::compare_conda(ref::read_conda(a->str()), ref::read_conda(b->str()));
        require(ref::sign_of(a->key().compare(b->key())) == expected);
        require((*a == *b) == (expected == 0));
        (void)a->startswith(*b);
    }
    return 0;
}
