// conda version specs, regex and glob specs included: parse and match anything, in linear
// time (the regex engine cannot backtrack).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/version/conda.hpp>

#include "fuzz_input.hpp"

using qplug::version::conda::VersionSpec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto spec = VersionSpec::parse(parts[0]);
    if (!spec) {
        return 0;
    }
    (void)spec->str();
    (void)spec->match(parts[1]);
    (void)spec->match("1.7.1");
    return 0;
}
