// A Python environment as a target sees it: the interpreter's version, platform and import
// path (asked of the interpreter itself), and the distributions installed on that path,
// read from their *.dist-info and *.egg-info folders as importlib.metadata reads them
// (docs/install.md, "The Python environment").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// What an interpreter says of itself.
struct PythonInfo {
    std::string executable;                       ///< as given (a path, or a name on PATH)
    std::string version;                          ///< platform.python_version(): "3.11.2"
    std::string platform;                         ///< sys.platform: "linux", "win32", "darwin"
    std::vector<std::filesystem::path> path;      ///< sys.path's folders, in order
    std::filesystem::path prefix;                 ///< sys.prefix
    bool externally_managed = false;              ///< PEP 668: pip refuses without a flag
    std::vector<std::filesystem::path> site_dirs; ///< the folders of `path` that hold dists
};

/// Runs `executable -c <script>` (no shell, 20 s bound) and reads its answer.
Expected<PythonInfo> probe_python(const std::string& executable);

/// One installed distribution.
struct InstalledDistribution {
    std::string name;                     ///< as its metadata writes it
    std::string version;                  ///< as its metadata writes it
    std::filesystem::path metadata_dir;   ///< the *.dist-info or *.egg-info (file or folder)
    std::filesystem::path location;       ///< the sys.path folder it was found in
    std::string installer;                ///< INSTALLER's first line ("" when none)
    bool requested = false;               ///< a REQUESTED file (pip: asked for by name)
    std::vector<Dependency> dependencies; ///< Requires-Dist (and requires.txt), Requires-Python
    std::vector<std::string> modules;     ///< top-level import names
};

/// The distributions on the folders, the first of a normalized name winning as it does for
/// importlib.metadata (a later one shadowed is left out). Unreadable metadata goes to
/// `warnings` with its path.
std::vector<InstalledDistribution>
scan_distributions(const std::vector<std::filesystem::path>& folders,
                   std::vector<std::string>* warnings);

/// requires.txt of an egg-info as PEP 508 lines: "[extra]", "[:marker]" and
/// "[extra:marker]" sections become markers, as importlib.metadata converts them.
std::vector<std::string> egg_requirements(std::string_view requires_txt);

/// A plugin's requirements.txt (the convention qpip reads): its PEP 508 requirements as pip
/// dependencies. Comments, blank lines and line continuations as pip reads them; options
/// (-r, -c, --index-url ...), URLs and local paths are left out, each with a warning naming
/// the line.
std::vector<Dependency> requirements_txt_dependencies(std::string_view text,
                                                      std::vector<std::string>* warnings);

} // namespace qplug::solver
