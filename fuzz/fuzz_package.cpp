// Plugin ZIPs: check any bytes as a package, under every profile; never crash, never hang,
// never inflate more than the limits allow.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/meta/package.hpp>

#include "fuzz_input.hpp"

using namespace qplug::meta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (Profile p : {Profile::site, Profile::strict}) {
        PackageOptions po;
        po.profile = p;
        po.max_total_uncompressed = 50'000'000;
        const PackageReport r = check_package(bytes, po, "fuzz.zip");
        qplug::fuzz::require(r.valid() == (count(r.diagnostics, Severity::error) == 0));
    }
    return 0;
}
