// QGIS plugins distributed as Python distributions (a wheel) or conda packages: a package whose
// files hold exactly one top-level module, with __init__.py and metadata.txt in its root, is a
// release of that plugin (docs/index-sources.md, "Plugins as wheels and conda packages").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/meta/diagnostic.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// What a package's files say about it being a QGIS plugin.
struct PluginModule {
    enum class Kind {
        none,       ///< no metadata.txt in a top-level module: an ordinary package
        plugin,     ///< exactly one top-level module, with __init__.py and metadata.txt
        not_plugin, ///< a metadata.txt, but not a plugin package (`why` says what is wrong)
    };
    Kind kind = Kind::none;
    std::string key; ///< the module folder: the plugin's key (plugin)
    std::string why; ///< not_plugin: a sentence naming the modules or the missing file
};

/// Decides from the paths of a package's files, relative to the import root (a wheel's entries;
/// a conda package's site-packages). `.dist-info`, `.data` and `.egg-info` folders are not
/// modules; a top-level `x.py`, `x.so` is the module x.
PluginModule find_plugin_module(const std::vector<std::string>& entries);

/// Makes `release` (of `package`) a plugin release from its metadata.txt, read with libmeta's
/// parser and validated with the qgis profile as QGIS reads an installed plugin: the display
/// name (the package's), the QGIS range as a qgis dependency (minimum "2" when absent, as QGIS's
/// installer reads it), experimental and deprecated, plugin_dependencies (added to the
/// release's own Python dependencies), the key as its only module; metadata_json gains
/// "qgis_plugin": {"key", "name", "metadata": [general], "diagnostics": [...]}. Findings of
/// the validation that are errors or warnings go to `warnings`, prefixed with `origin`.
void make_plugin_release(std::string_view metadata_txt, const std::string& key,
                         std::string_view origin, Package& package, Release& release,
                         std::vector<std::string>& warnings);

/// A warning when a package's own version (the wheel's, the conda package's) is not its
/// metadata.txt's under PEP 440 normalization (plain text comparison where either is not PEP
/// 440); nullopt when they agree.
std::optional<std::string> version_mismatch(std::string_view package_version,
                                            std::string_view metadata_version);

/// What `qplug package check plugin.whl` adds to libmeta's check of a wheel (which checks its
/// plugin folder as a ZIP's): PKG-WHEEL-NOT-PLUGIN (error) when the wheel is not a plugin
/// package (not exactly one top-level module with __init__.py and metadata.txt), and
/// PKG-WHEEL-VERSION (warning) when the wheel's version (its METADATA's, else its file
/// name's) is not metadata.txt's under PEP 440 normalization.
meta::Diagnostics check_plugin_wheel(const std::filesystem::path& wheel);

/// A plugin wheel's plugin: its key, its metadata.txt, and every entry of the wheel (for
/// checks such as the icon's presence). An error when the file cannot be read or is not a
/// plugin package (the error says why).
struct WheelPlugin {
    std::string key;
    std::string metadata_txt;
    std::vector<std::string> entries;
};
Expected<WheelPlugin> read_plugin_wheel(const std::filesystem::path& wheel);

/// A backend preference as written: "pip,legacy,conda" (names separated by commas, each at
/// most once); the backends left out follow in the default order (legacy, pip, conda).
Expected<std::vector<Backend>> parse_backend_preference(std::string_view text);

/// Whether a pip or conda release is a QGIS plugin release (it requires QGIS, which only
/// make_plugin_release gives a package); legacy releases are plugins anyway.
bool is_plugin_release(Backend backend, const Release& release);

/// The plugin key of a release: a legacy release's package name, a plugin release's module;
/// "" for a package that is not a plugin.
std::string plugin_key(Backend backend, const std::string& package, const Release& release);

} // namespace qplug::solver
