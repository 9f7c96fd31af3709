// PEP 440 specifier sets: parse anything, match parsed versions; never crash.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/version/pep440.hpp>

#include "fuzz_input.hpp"

using namespace qplug::version::pep440;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto set = SpecifierSet::parse(parts[0]);
    if (!set) {
        qplug::fuzz::require(set.error().offset <= parts[0].size());
        return 0;
    }
    (void)set->str();
    for (const char* v : {"1.0", "2.0a1", "1.0.post1+local.7", "0!0.dev0"}) {
        (void)set->contains(*Version::parse(v));
    }
    if (auto v = Version::parse(parts[1])) {
        for (std::optional<bool> pre :
             {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}}) {
            (void)set->contains(*v, pre);
        }
    }
    return 0;
}
