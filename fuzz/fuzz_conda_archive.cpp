// Conda package archives (solver/src/conda_archive.hpp): any bytes, read as a .conda (a ZIP of
// zstd tarballs) and as a .tar.bz2, under small limits; never crash, never hang, never keep
// more than the limits allow. What is read holds: every path is relative to site-packages
// (not empty, no trailing slash), only files carry content, and the kept bytes stay within
// max_kept; the plugin module found from the paths is one of them.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <qplug/solver/plugin_distribution.hpp>

#include "fuzz_input.hpp"
#include "io/conda_archive.hpp"

using namespace qplug::solver::detail;
using qplug::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    CondaArchiveLimits limits;
    limits.max_entries = 1000;
    limits.max_total = 4'000'000;
    limits.max_kept = 100'000;
    for (const auto format : {CondaArchiveFormat::conda, CondaArchiveFormat::tar_bz2}) {
        auto read = read_conda_package(
            bytes, format, [](std::string_view path) { return path.ends_with(".txt"); }, limits);
        if (!read) {
            require(!read.error().message.empty());
            continue;
        }
        std::uint64_t kept = 0;
        std::vector<std::string> paths;
        for (const auto& f : read->files) {
            require(!f.path.empty() && !f.path.ends_with('/'));
            require(!f.content || (f.type == CondaFile::Type::file && f.path.ends_with(".txt")));
            kept += f.content ? f.content->size() : 0;
            paths.push_back(f.type == CondaFile::Type::directory ? f.path + "/" : f.path);
        }
        require(read->files.size() + read->outside <= limits.max_entries);
        require(kept <= limits.max_kept);
        const auto module = qplug::solver::find_plugin_module(paths);
        if (module.kind == qplug::solver::PluginModule::Kind::plugin) {
            require(std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
                return p == module.key + "/metadata.txt";
            }));
        }
    }
    return 0;
}
