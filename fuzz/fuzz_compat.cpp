// QGIS compatibility checks on arbitrary QGIS, minimum and maximum strings.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/version/compat.hpp>

#include "fuzz_input.hpp"

using namespace qplug::version::compat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 3);
    for (Rules rules : {Rules::installer, Rules::loader}) {
        for (bool bump : {true, false}) {
            auto r = check(parts[0], parts[1], parts[2], {rules, bump, false});
            if (r) {
                qplug::fuzz::require(r->compatible == r->reason.empty());
            }
        }
    }
    (void)default_maximum(parts[1], Rules::installer);
    (void)default_maximum(parts[1], Rules::loader);
    return 0;
}
