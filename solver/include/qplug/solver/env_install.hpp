// Installing and removing pip and conda packages in a Python or conda environment by running
// pip / conda as subprocesses: a dry run first whose plan must match qplug's, then the real
// command, everything they print kept in a log (docs/env-install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver {

// ---------------------------------------------------------------------------------------------
// pip

/// The Python environment pip installs into, and where pip looks for packages.
struct PythonEnvironment {
    /// The interpreter of the target environment, e.g. a venv's bin/python; pip runs as
    /// `<python> -m pip`, so pip must be importable by it.
    std::filesystem::path python;
    /// Where packages come from. URLs: the first is --index-url, the others --extra-index-url.
    /// A local folder (a path, or a file: URL of a folder) of wheels: --find-links, and
    /// --no-index when no entry is a URL. Empty: pip's default index.
    std::vector<std::string> index_urls;
    /// --break-system-packages (pip >= 23.0.1): needed to install into a Python that marks
    /// itself EXTERNALLY-MANAGED (PEP 668), e.g. Debian's /usr/bin/python3.
    bool break_system_packages = false;
    /// --isolated: pip ignores PIP_* environment variables and the user's pip.conf, so that
    /// only `index_urls` decide where packages come from (the global pip.conf still applies).
    bool isolated = true;
};

struct PipOptions {
    /// Only the dry run: report what pip would install, change nothing.
    bool dry_run = false;
    /// Every command and all it prints are appended here ("" = no log).
    std::filesystem::path log_file;
    /// Per command; on expiry its process group is killed and the call fails.
    std::chrono::seconds timeout{600};
    /// --no-deps: qplug's resolver already chose the whole set, pip must not add to it.
    bool no_deps = true;
};

/// One distribution pip installs (from its installation report).
struct PipPackage {
    std::string name;       ///< as the distribution's metadata spells it
    std::string version;    ///< as the metadata says
    std::string url;        ///< where pip gets it (download_info.url); "" when pip did not say
    std::string hash;       ///< "sha256=<hex>" when pip reported one, else ""
    bool requested = false; ///< named on the command line (not pulled in as a dependency)
};

struct PipReport {
    bool dry_run = false;
    std::string pip_version;
    /// What pip installs (a dry run: would install), in pip's order.
    std::vector<PipPackage> install;
    /// Requirements (normalized names) pip had nothing to do for: already satisfied.
    std::vector<std::string> already_satisfied;
};

/// Reads pip's installation report (`pip install --report`, format version 0 or 1).
Expected<PipReport> parse_pip_report(std::string_view json);

/// The index arguments of `pip install` for `env.index_urls` (see PythonEnvironment).
std::vector<std::string> pip_index_arguments(const PythonEnvironment& env);

/// Installs `requirements` (PEP 508 strings, typically "name==1.2") into `env`:
/// `<python> -m pip install --dry-run --report <tmp> --no-input --disable-pip-version-check
/// [--isolated] <index arguments> [--no-deps] [--break-system-packages] <requirements>` first;
/// fails when pip would install a distribution no requirement names (pip's resolver diverging
/// from qplug's plan). Unless `dry_run`, then runs the same command without --dry-run (with
/// its own --report) and returns what pip installed. Errors name the command, its exit status
/// and the last lines of its output.
Expected<PipReport> pip_install(const PythonEnvironment& env,
                                const std::vector<std::string>& requirements,
                                const PipOptions& options);

struct PipUninstallReport {
    bool dry_run = false;
    std::vector<PipPackage> removed;        ///< installed before (name, version); url/hash ""
    std::vector<std::string> not_installed; ///< names asked for that were not installed
};

/// Removes distributions by name: `pip list --format=json` to see which are installed, then
/// (unless dry_run) `<python> -m pip uninstall -y ...` for those, then `pip list` again; fails
/// when one is still there at the same version (pip leaves what lies outside the environment,
/// e.g. a venv's system site-packages, and still exits 0). `no_deps` is not used.
Expected<PipUninstallReport> pip_uninstall(const PythonEnvironment& env,
                                           const std::vector<std::string>& names,
                                           const PipOptions& options);

// ---------------------------------------------------------------------------------------------
// conda

struct CondaEnvironment {
    /// conda, mamba or micromamba: a path, or a name looked up in PATH.
    std::string executable = "conda";
    /// The environment (--prefix).
    std::filesystem::path prefix;
    /// Channels, in priority order (-c each, with --override-channels).
    std::vector<std::string> channels;
};

struct CondaOptions {
    bool dry_run = false;
    std::filesystem::path log_file;
    std::chrono::seconds timeout{1800};
};

/// One package record of conda's plan (LINK or UNLINK).
struct CondaPackage {
    std::string name;
    std::string version;
    std::string build;     ///< build string
    std::string channel;   ///< e.g. "conda-forge" (as conda prints it)
    std::string platform;  ///< subdir, e.g. "linux-64", "noarch"; "" when not given
    std::string base_url;  ///< channel URL; "" when not given
    std::string dist_name; ///< "name-version-build"
};

struct CondaReport {
    bool dry_run = false;
    std::string prefix;
    std::vector<CondaPackage> link;   ///< packages conda links (installs)
    std::vector<CondaPackage> unlink; ///< packages conda unlinks (removes or replaces)
    std::string message;              ///< e.g. "All requested packages already installed."
};

/// Reads what `conda install/remove --json` prints on stdout: one JSON object, possibly after
/// progress records separated by NUL characters. A success with "actions" (LINK and UNLINK
/// as objects, or as "channel::name-version-build" strings in older condas), a success with
/// only a message (nothing to do), or an error object ("exception_name", "message",
/// "error"), which becomes an Error carrying conda's exception name and message.
Expected<CondaReport> parse_conda_json(std::string_view output);

/// `<exe> install --prefix P --dry-run --json --override-channels -c ... <specs>`, refusing
/// when conda's plan links or unlinks a package no spec names; then, unless dry_run,
/// `<exe> install --prefix P --yes --json --override-channels -c ... <specs>`.
Expected<CondaReport> conda_install(const CondaEnvironment& env,
                                    const std::vector<std::string>& specs,
                                    const CondaOptions& options);

/// `<exe> remove --prefix P --dry-run --json <names>` (refusing when conda would unlink or link
/// a package not named), then unless dry_run `<exe> remove --prefix P --yes --json <names>`.
Expected<CondaReport> conda_remove(const CondaEnvironment& env,
                                   const std::vector<std::string>& names,
                                   const CondaOptions& options);

} // namespace qplug::solver
