// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

std::vector<SourceType> builtin_types() {
    // A new backend: a file with its SourceType, and one line here.
    std::vector<SourceType> types;
    types.push_back(legacy_type());
    types.push_back(folder_type());
    types.push_back(pip_type());
    types.push_back(conda_type());
    types.push_back(installed_type());
    return types;
}

Error setting_error(const RepositoryConfig& repository, std::string message) {
    return failure("repository '" + repository.name + "': " + message);
}

Expected<nlohmann::json> read_options(const RepositoryConfig& repository) {
    nlohmann::json j = nlohmann::json::parse(repository.options, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return setting_error(repository,
                             "its options are not a JSON object: " + repository.options);
    }
    return j;
}

Expected<FetchRequest> request_for(const RepositoryConfig& repository, std::string url,
                                   const SyncContext& context) {
    FetchRequest request;
    request.url = std::move(url);
    // What a source of the kind reads first (its size limit); a source that reads another
    // kind of document says so.
    request.kind = repository.kind == "legacy"  ? DocumentKind::plugins_xml
                   : repository.kind == "pip"   ? DocumentKind::project_page
                   : repository.kind == "conda" ? DocumentKind::repodata
                                                : DocumentKind::other;
    auto credentials = resolve_credentials(repository.credentials);
    QPLUG_RETURN_IF_ERROR(credentials);
    request.credentials = std::move(*credentials);
    request.use_netrc = repository.credentials == "netrc";
    request.cancel = context.cancel;
    if (!context.force) {
        request.etag = repository.etag;
        request.last_modified = repository.last_modified;
    }
    return request;
}

} // namespace qplug::solver::sources
