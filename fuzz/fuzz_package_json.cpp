// A package as an extension source kind hands it to the index (qplug_source_sync_add_package,
// sources/package_json.cpp): arbitrary bytes are refused with a message or read into a package
// the index can store (a name, at least one release, each with a version and a download URL).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_input.hpp"
#include "sources/sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto package = qplug::solver::sources::package_from_json(text);
    if (!package) {
        qplug::fuzz::require(!package.error().message.empty());
        return 0;
    }
    qplug::fuzz::require(!package->name.empty());
    qplug::fuzz::require(!package->releases.empty());
    for (const auto& release : package->releases) {
        qplug::fuzz::require(!release.download_url.empty());
    }
    return 0;
}
