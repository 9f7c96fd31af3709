// Where plugins are installed: a QGIS profile (its python/plugins folder and its QGIS3.ini),
// or a plain plugins folder (a QGIS Server's QGIS_PLUGINPATH), together with the Python
// environment pip installs into. What is installed, the requested/automatic marks and the
// pins belong to one target; nothing installed in one target counts in another
// (docs/install.md, "Targets").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/python_env.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// What the user says about the target.
struct TargetOptions {
    /// A profile folder (a path: it holds a '/' or exists), or a profile name looked up in
    /// `<profiles_path>/profiles/`. "" with `plugins_dir` empty: QGIS's default profile.
    std::string profile;
    /// The folder that holds profiles/ (QGIS's --profiles-path); "" = QGIS's default
    /// ($XDG_DATA_HOME/QGIS/QGIS3 on Linux).
    std::string profiles_path;
    /// A plain plugins folder instead of a profile.
    std::string plugins_dir;
    /// The interpreter of the Python environment: a path or a name on PATH; "" = the Python
    /// next to the `qgis` program on PATH, else `python3`; "none" = no Python environment.
    std::string python;
    /// A conda environment whose conda-meta records count as installed ("" = none).
    std::string conda_prefix;
};

/// A package's mark in a target (as apt and dnf keep them).
enum class Mark {
    requested, ///< the user asked for it by name: stays until removed by name
    automatic, ///< installed to satisfy another package: goes when nothing needs it
};

std::string_view mark_name(Mark mark);

/// What qplug records about a target, beside the files themselves:
/// `<plugins folder>/.qplug-state.json`.
struct TargetState {
    static constexpr int kFormat = 1;
    /// "backend:name" -> its mark. A package qplug did not install (by hand, by QGIS's own
    /// installer) has no entry and counts as requested.
    std::map<std::string, Mark> marks;
    /// "backend:name" of the pip and conda packages qplug installed into the target's
    /// environments; their other packages are the host's (QGIS's) and stay as they are.
    std::map<std::string, std::string> environment_packages; ///< -> the version installed
    /// Plugin folders installed from a pip or conda package (a wheel holding the plugin):
    /// the folder is that package's release, not a legacy plugin's (docs/install.md,
    /// "Plugins from wheels").
    struct PluginPackage {
        std::string package; ///< "backend:name"
        std::string version;
        /// The package's own requirements (a wheel's Requires-Dist, Requires-Python): the
        /// folder has no .dist-info to read them from.
        std::vector<Dependency> requirements;
    };
    std::map<std::string, PluginPackage> plugin_packages; ///< folder -> its package
    /// Pins: target ("pip:numpy", "Kart") -> spec, as `qplug pin` records them.
    std::vector<std::pair<std::string, std::string>> pins;
};

class Target {
public:
    enum class Kind { profile, plugins_dir };

    /// Finds the target (a profile name through profiles.ini, as QGIS does). The folders
    /// need not exist yet: an install creates them.
    static Expected<Target> open(const TargetOptions& options);

    /// QGIS's default profiles folder: $XDG_DATA_HOME/QGIS/QGIS3 (~/.local/share/QGIS/QGIS3).
    static std::filesystem::path default_profiles_path();
    /// The default profile's name under a profiles folder: profiles/profiles.ini
    /// `[core] defaultProfile`, else "default".
    static std::string default_profile_name(const std::filesystem::path& profiles_path);

    Kind kind() const { return kind_; }
    /// The profile folder, or the plugins folder for a plugins-folder target.
    const std::filesystem::path& root() const { return root_; }
    const std::filesystem::path& plugins_dir() const { return plugins_dir_; }
    /// The profile's QGIS/QGIS3.ini; nullopt for a plugins-folder target.
    std::optional<std::filesystem::path> settings_file() const;
    /// "profile 'default' (/home/u/.local/share/QGIS/QGIS3/profiles/default)".
    std::string describe() const;

    /// The Python environment, asked of its interpreter on first use; nullptr when the
    /// target has none ("none", or the interpreter cannot be run: see python_error()).
    const PythonInfo* python() const;
    const std::string& python_error() const { return python_error_; }
    const std::string& python_executable() const { return python_exe_; }
    const std::string& conda_prefix() const { return conda_prefix_; }

    std::filesystem::path state_file() const;
    /// The recorded state; an empty state when there is none yet. Fails on a state file
    /// that is not one (it is never silently replaced).
    Expected<TargetState> load_state() const;
    /// Writes the state atomically (a temporary file renamed over it).
    Expected<void> save_state(const TargetState& state) const;

    /// What is installed: the plugin folders (read as QGIS reads them, each with the
    /// requirements of its requirements.txt), and the distributions of the Python
    /// environment and conda records; marks and "external" from the state. Problems go to
    /// `warnings`.
    Expected<std::vector<ReleaseRecord>> installed(std::vector<std::string>* warnings) const;

private:
    Target() = default;
    Kind kind_ = Kind::profile;
    std::filesystem::path root_;
    std::filesystem::path plugins_dir_;
    std::string profile_name_;
    std::string python_exe_;
    std::string conda_prefix_;
    mutable bool python_probed_ = false;
    mutable std::optional<PythonInfo> python_;
    mutable std::string python_error_;
};

/// The interpreter a target uses when none is given: the `python3` beside the `qgis`
/// program found on PATH (Debian's /usr/bin, a conda environment's bin, OSGeo4W's bin),
/// else `python3`.
std::string default_python_for_qgis();

/// "backend:name", the key of marks and pins.
std::string package_key(Backend backend, std::string_view name);

} // namespace qplug::solver
