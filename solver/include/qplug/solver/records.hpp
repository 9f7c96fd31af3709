// What the index knows about packages, releases and dependencies, as every source reports them
// and as the solver reads them back (docs/index.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::solver {

/// Who installs a release: the plugin manager (ZIPs from plugin repositories), pip or conda.
enum class Backend { legacy, pip, conda };

std::string_view backend_name(Backend backend);
std::optional<Backend> backend_from_name(std::string_view name);

/// A plugin repository publishes a stable and an experimental version of each plugin.
enum class Channel { stable, experimental };

std::string_view channel_name(Channel channel);

/// What a dependency points at.
enum class DependencyKind {
    plugin, ///< another QGIS plugin, by its metadata name (plugin_dependencies)
    pip,    ///< a Python distribution on a pip index (normalized name)
    conda,  ///< a conda package
    qgis,   ///< the running QGIS
    python, ///< the Python interpreter
};

std::string_view dependency_kind_name(DependencyKind kind);
std::optional<DependencyKind> dependency_kind_from_name(std::string_view name);

struct Dependency {
    DependencyKind kind = DependencyKind::plugin;
    std::string target;      ///< plugin name, normalized pip name, conda name, "qgis" or "python"
    std::string spec;        ///< in the target's syntax: "==1.2", ">=1.21,<2", "3.22..3.99", ""
    std::string markers;     ///< PEP 508 environment markers (pip), "" when none
    std::string extra;       ///< pip: the extra of the dependent that brings this in, "" when none
    bool constraint = false; ///< conda "constrains": limits the target only when installed

    bool operator==(const Dependency&) const = default;
};

struct Release {
    std::string version; ///< as published
    Channel channel = Channel::stable;
    bool deprecated = false;
    bool trusted = false;
    std::string qgis_minimum; ///< as published ("" when none)
    std::string qgis_maximum; ///< as published ("" when none: the default applies)
    std::string requires_python;
    std::string download_url;
    std::string file_name;
    std::optional<std::uint64_t> size;
    std::string hash;  ///< "<algorithm>:<hex digest>" (sha256 preferred), "" when unknown
    std::string build; ///< conda build string
    std::optional<std::int64_t> build_number; ///< conda build number
    std::string subdir;                       ///< conda subdir (linux-64, noarch ...)
    std::string update_date;                  ///< ISO 8601 as published, "" when unknown
    std::string metadata_json; ///< the release's metadata as a JSON object ("{}" when none)
    /// False when the source cannot tell yet (plugins.xml; a wheel whose METADATA was not
    /// read): the dependencies are read when the archive or its metadata is fetched.
    bool dependencies_known = true;
    std::vector<Dependency> dependencies;
    std::vector<std::string> modules; ///< top-level Python modules it provides
    // Installed releases only:
    std::string path;                ///< the folder it is installed in
    Backend owner = Backend::legacy; ///< the backend that installed it
    /// Installed to satisfy another package (the target's mark): removed when nothing
    /// needs it any more. False: requested by name, or installed by something else.
    bool automatic = false;
    /// In the target's Python or conda environment but not installed by qplug (QGIS's
    /// numpy, GDAL's bindings ...): never upgraded, downgraded or removed.
    bool external = false;
};

struct Package {
    std::string name;         ///< key: plugin folder, normalized pip name or conda name
    std::string display_name; ///< a QGIS plugin's metadata name, else the project's own name
    std::string summary;
    std::string keywords; ///< comma-separated tags, for search
    std::vector<Release> releases;
};

/// PEP 503 normalization: runs of '-', '_' and '.' become '-', lower case.
std::string normalize_pip_name(std::string_view name);

} // namespace qplug::solver
