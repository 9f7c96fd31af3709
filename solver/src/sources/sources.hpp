// The built-in source types (one file each) and what they share.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <qplug/expected.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/source.hpp>

namespace qplug::solver::sources {

std::vector<SourceType> builtin_types();

SourceType legacy_type();
SourceType folder_type();
SourceType pip_type();
SourceType conda_type();
SourceType installed_type();

/// The repository's options as a JSON object, or an error naming the repository.
Expected<nlohmann::json> read_options(const RepositoryConfig& repository);

/// An Error about a repository's setting.
Error setting_error(const RepositoryConfig& repository, std::string message);

/// The request for the repository's URL (credentials resolved, validators unless forced).
Expected<FetchRequest> request_for(const RepositoryConfig& repository, std::string url,
                                   const SyncContext& context);

/// A plugin ZIP read as QGIS needs it (qgis profile checks, metadata.txt, requirements.txt,
/// size, SHA-256, a file: URL): the package with its one release, or nothing after a warning
/// saying why the ZIP is left out. The "folder" kind and external kinds share it.
std::optional<Package> read_plugin_zip(const std::filesystem::path& zip,
                                       const std::function<void(std::string)>& warn);

/// A package in the shape `qplug info --json` prints one (docs/index-sources.md, "Kinds from
/// extensions"): how an external kind hands its packages to the index.
Expected<Package> package_from_json(std::string_view text);

} // namespace qplug::solver::sources
