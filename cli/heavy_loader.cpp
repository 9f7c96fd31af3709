// Finding and opening qplug-commands.so: next to the executable (the build tree), then in the
// private library folder of an installation (QPLUG_COMMANDS_RELATIVE_DIR, from the bin
// folder).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <vector>

#include "exit_codes.hpp"
#include "heavy_layer.hpp"

namespace qplug::cli {

namespace {

const HeavyLayer* loaded = nullptr;

std::vector<std::filesystem::path> candidates() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return {};
    }
    const auto dir = exe.parent_path();
    return {dir / QPLUG_COMMANDS_FILE_NAME,
            (dir / QPLUG_COMMANDS_RELATIVE_DIR / QPLUG_COMMANDS_FILE_NAME).lexically_normal()};
}

} // namespace

bool heavy_layer_loaded() {
    return loaded != nullptr;
}

const HeavyLayer& heavy_layer() {
    if (loaded != nullptr) {
        return *loaded;
    }
    std::string problems;
    for (const auto& path : candidates()) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            continue;
        }
        // RTLD_LAZY, as the executable itself is bound: RTLD_NOW would also bind every
        // function of libcurl's chain that the library pulls in, measured 0.6 ms of a heavy
        // command's start-up. Never closed: its objects live as long as the process.
        void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (handle == nullptr) {
            problems += std::string("\n    ") + dlerror();
            continue;
        }
        using Entry = const HeavyLayer* (*)();
        auto entry = reinterpret_cast<Entry>(dlsym(handle, "qplug_cli_heavy_layer"));
        if (entry == nullptr) {
            problems += "\n    " + path.string() + ": no qplug_cli_heavy_layer";
            continue;
        }
        loaded = entry();
        return *loaded;
    }
    std::cerr << "qplug: cannot load the command library " << QPLUG_COMMANDS_FILE_NAME
              << " (looked next to the executable and in " << QPLUG_COMMANDS_RELATIVE_DIR
              << " from it)" << problems << '\n';
    std::exit(exit_failure);
}

} // namespace qplug::cli
