// The built-in source types (one file each) and what they share.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

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

} // namespace qplug::solver::sources
