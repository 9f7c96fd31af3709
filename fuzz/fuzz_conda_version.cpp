// conda versions: parse anything; keys and startswith behave on what parses.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/version/conda.hpp>

#include "fuzz_input.hpp"

using qplug::version::conda::Version;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto a = Version::parse(parts[0]);
    auto b = Version::parse(parts[1]);
    if (a) {
        qplug::fuzz::require(a->startswith(*a));
        auto again = Version::parse(a->str());
        qplug::fuzz::require(again && *again == *a);
    }
    if (a && b) {
        qplug::fuzz::require((*a < *b) == (*b > *a));
        (void)a->startswith(*b);
    }
    return 0;
}
