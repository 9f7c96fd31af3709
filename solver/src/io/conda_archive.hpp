// Reading a conda package archive with libarchive: a `.conda` (a ZIP holding info-*.tar.zst
// and pkg-*.tar.zst) or a `.tar.bz2` (one bzip2 tarball). Only the Python import root matters
// to qplug (a plugin package's module lives there): the files under site-packages/ (noarch
// python) or lib/pythonX.Y/site-packages/ (arch packages), named relative to it. Bounded:
// the archive may be hostile (docs/index-sources.md, "Plugins as wheels and conda packages").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

/// What one reading of a package may cost. Past any of them the reading fails.
struct CondaArchiveLimits {
    std::size_t max_entries = 100'000;     ///< entries of the tarball (and of a .conda's ZIP)
    std::uint64_t max_total = 500'000'000; ///< bytes decompressed, all entries together
    std::uint64_t max_kept = 50'000'000;   ///< bytes of the files whose content is kept
};

struct CondaFile {
    enum class Type { file, directory, other }; ///< other: a link, a device, a FIFO ...
    std::string path; ///< relative to site-packages: "b_plugin/metadata.txt"
    Type type = Type::file;
    bool executable = false;
    std::optional<std::string> content; ///< when `keep` asked for it (files only)
};

struct CondaPayload {
    std::vector<CondaFile> files; ///< under site-packages, in archive order
    std::size_t outside = 0;      ///< entries elsewhere (info/, bin/, ...)
};

enum class CondaArchiveFormat { conda, tar_bz2 };

/// The format a file name says (".conda", ".tar.bz2"), or nullopt.
std::optional<CondaArchiveFormat> conda_archive_format(std::string_view file_name);
/// The format a file's first bytes say (a ZIP's "PK\3\4": .conda; bzip2's "BZh": .tar.bz2),
/// or nullopt: for a file whose name is not the package's (the download cache names its files
/// by digest).
std::optional<CondaArchiveFormat>
conda_archive_format_of_content(const std::filesystem::path& file);

/// The path under site-packages of a package entry ("site-packages/x/a.py",
/// "lib/python3.11/site-packages/x/a.py", "Lib/site-packages/x/a.py": "x/a.py"), or nullopt.
std::optional<std::string> site_packages_path(std::string_view entry);

/// Reads the package's site-packages files (the format its name says, else its content); the
/// content of those for which `keep(path)` is true is kept. Fails on an archive that is not one, is
/// damaged, or is over a limit.
Expected<CondaPayload> read_conda_package(const std::filesystem::path& file,
                                          const std::function<bool(std::string_view)>& keep,
                                          const CondaArchiveLimits& limits = {});
Expected<CondaPayload> read_conda_package(std::string_view bytes, CondaArchiveFormat format,
                                          const std::function<bool(std::string_view)>& keep,
                                          const CondaArchiveLimits& limits = {});

} // namespace qplug::solver::detail
