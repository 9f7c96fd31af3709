// "installed": what is installed in a QGIS profile (<profile>/python/plugins/<folder>) and in
// site-packages folders, each plugin read from its metadata.txt as QGIS reads it, with the
// backend that installed it (pip: a *.dist-info RECORD lists its files; conda: a
// conda-meta/*.json does; else the plugin manager). Broken plugins are listed as QGIS's plugin
// manager lists them, marked "broken" (docs/index-sources.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/solver/plugin_release.hpp>

#include "install/installed_scan.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

namespace fs = std::filesystem;

struct InstalledConfig {
    fs::path profile;
    std::vector<fs::path> site_packages;
};

class InstalledSource final : public Source {
public:
    InstalledSource(RepositoryConfig repository, InstalledConfig config)
        : repository_(std::move(repository)), config_(std::move(config)) {}

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        detail::InstalledScanConfig scan_config;
        scan_config.plugins_dir = config_.profile / "python" / "plugins";
        scan_config.owner = "the profile " + config_.profile.string();
        scan_config.site_packages = config_.site_packages;
        // The ETag: every scanned folder's metadata.txt, RECORD and conda record (size and
        // time); unchanged means not modified.
        Index::SyncResult result;
        result.etag = "\"" + detail::installed_digest(scan_config) + "\"";
        if (!context.force && result.etag == repository_.etag) {
            result.not_modified = true;
            return result;
        }
        const auto scan =
            detail::scan_installed(scan_config, [&](std::string w) { sink.warn(std::move(w)); });
        sink.expect(scan.packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& p : scan.packages) {
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

private:
    RepositoryConfig repository_;
    InstalledConfig config_;
};

} // namespace

SourceType installed_type() {
    SourceType t;
    t.tag = "installed";
    t.summary = "what is installed in a QGIS profile (URL: the profile folder; option "
                "site_packages: a list of site-packages folders)";
    t.backend = std::nullopt; // each release names the backend that installed it
    t.make = [](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        auto options = read_options(repository);
        QPLUG_RETURN_IF_ERROR(options);
        InstalledConfig config;
        const std::string profile = local_path_of(repository.url);
        if (profile.empty() || !fs::path(profile).is_absolute()) {
            return setting_error(repository, "an installed source needs the absolute path of a "
                                             "QGIS profile folder (or a file: URL)");
        }
        config.profile = fs::path(profile);
        if (auto it = options->find("site_packages"); it != options->end()) {
            if (!it->is_array()) {
                return setting_error(repository, "option site_packages must be a list of paths");
            }
            for (const auto& item : *it) {
                if (!item.is_string()) {
                    return setting_error(repository,
                                         "option site_packages must be a list of paths");
                }
                const fs::path path(item.get<std::string>());
                std::error_code ec;
                if (!path.is_absolute()) {
                    return setting_error(repository,
                                         fmt::format("option site_packages: '{}' is not an "
                                                     "absolute path",
                                                     path.string()));
                }
                if (!fs::is_directory(path, ec)) {
                    return setting_error(repository, fmt::format("option site_packages: {} is "
                                                                 "not a folder",
                                                                 path.string()));
                }
                config.site_packages.push_back(path);
            }
        }
        return std::unique_ptr<Source>(
            std::make_unique<InstalledSource>(repository, std::move(config)));
    };
    return t;
}

} // namespace qplug::solver::sources
