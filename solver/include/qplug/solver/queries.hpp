// What the index answers a plugin manager, as every front end shows it (`qplug search|info|
// list`, the C ABI's qplug_index_search|info|available and the Python binding's Index): the
// results as data, and as the JSON the CLI prints (one contract: docs/index.md, docs/capi.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/solver/index.hpp>
#include <qplug/solver/plugin_offer.hpp>

namespace qplug::solver {

/// {"query", "packages": [{"name", "display_name", "summary", "repository", "backend",
/// "latest", "versions"}]}: `qplug search TEXT --json` for Index::search(text).
std::string search_json(std::string_view text, const std::vector<PackageSummary>& found);

/// One package of one repository (or of an installed source) as `qplug info` shows it.
struct PackageInfo {
    std::string repository;
    std::vector<ReleaseRecord> releases; ///< oldest first (the backend's order)
    /// Where in `releases` QGIS's offer for the QGIS version is (qgis_offer(), worked out in
    /// the order the repository lists the releases).
    std::optional<std::size_t> stable;
    std::optional<std::size_t> experimental;
    std::vector<std::string> deprecated; ///< versions marked deprecated, oldest first

    const ReleaseRecord& newest() const { return releases.back(); }
    const ReleaseRecord* stable_release() const { return stable ? &releases[*stable] : nullptr; }
    const ReleaseRecord* experimental_release() const {
        return experimental ? &releases[*experimental] : nullptr;
    }
};

/// Every package named `name` (key or display name, any case) in the enabled repositories
/// and the installed sources, grouped by (repository, package); empty when there is none.
std::vector<PackageInfo> package_info(const Index& index, std::string_view name,
                                      const OfferOptions& offer);

/// {"name", "packages": [{"repository", "kind", "backend", "name", "display_name", "summary",
/// "qgis", "stable", "experimental", "deprecated", "releases": [...]}]}: `qplug info NAME
/// --json`.
std::string info_json(std::string_view name, const std::string& qgis,
                      const std::vector<PackageInfo>& packages);

/// A release as `qplug list --versions` shows it.
struct ListedRelease {
    std::string version;
    Channel channel = Channel::stable;
    bool deprecated = false;
    bool compatible = false; ///< QGIS would list it for the version (deprecated ones count)
};

/// A package of the enabled repositories with what QGIS offers of it for a QGIS version.
struct AvailablePackage {
    PackageSummary package;
    std::optional<std::string> stable;
    std::optional<std::string> experimental;
    /// The newer of the two ("" when nothing is offered to that QGIS).
    std::string latest() const {
        return experimental ? *experimental : stable ? *stable : std::string();
    }
    /// With `versions`: every release as the repository lists it.
    std::vector<ListedRelease> releases;
};

/// Every package of the enabled repositories (installed sources left out), as `qplug list`.
std::vector<AvailablePackage> list_available(const Index& index, const OfferOptions& offer,
                                             bool versions);

/// {"qgis", "packages": [{"name", "display_name", "repository", "backend", "latest",
/// "stable", "experimental"[, "releases"]}]}: `qplug list [--versions] --json`.
std::string available_json(const std::string& qgis, const std::vector<AvailablePackage>& list,
                           bool versions);

} // namespace qplug::solver
