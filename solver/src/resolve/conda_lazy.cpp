// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/conda_lazy.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/version/scheme.hpp>

#include "errors.hpp"
#include "io/conda_plugin.hpp"
#include "resolve/release_download.hpp"

namespace qplug::solver::detail {

namespace {

/// The conda projects the requests reach, each with the specifiers asked of it.
std::map<std::string, std::vector<std::string>>
reached_projects(const std::vector<Request>& requests,
                 const std::vector<ReleaseRecord>& installed) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& r : requests) {
        if (r.action == Request::Action::upgrade && r.name.empty()) {
            // Upgrading everything reaches every installed plugin of the conda backend.
            for (const auto& i : installed) {
                if (i.backend == Backend::conda && !i.release.external &&
                    !plugin_key(i.backend, i.package, i.release).empty()) {
                    out[i.package];
                }
            }
            continue;
        }
        if (r.action == Request::Action::remove || r.name.empty() ||
            (r.backend && *r.backend != Backend::conda)) {
            continue;
        }
        auto& specs = out[r.name];
        if (!r.spec.empty()) {
            specs.push_back(r.spec);
        }
    }
    return out;
}

/// A release a plan may read for its plugin module: a Python package of a remote channel.
bool readable(const ReleaseRecord& r, const std::string& name) {
    return r.backend == Backend::conda && r.kind != "installed" && r.package == name &&
           !r.release.modules.empty() && !r.release.download_url.empty() &&
           local_path_of(r.release.download_url).empty();
}

bool fits(const ReleaseRecord& r, const std::vector<std::string>& specs) {
    return std::all_of(specs.begin(), specs.end(), [&](const std::string& spec) {
        auto ok = version::satisfies(version::Scheme::conda, r.release.version, spec);
        return !ok || *ok; // a spec the resolver refuses is its to report
    });
}

/// The release of `name` to read: the resolution's choice, else the newest that fits.
const ReleaseRecord* to_read(const std::vector<ReleaseRecord>& releases,
                             const std::vector<std::string>& specs,
                             const std::set<std::int64_t>& chosen) {
    const ReleaseRecord* newest = nullptr;
    for (const auto& r : releases) {
        if (chosen.count(r.id) != 0) {
            return &r;
        }
        if (!fits(r, specs)) {
            continue;
        }
        if (newest == nullptr ||
            version_less(Backend::conda, newest->release.version, r.release.version) ||
            (!version_less(Backend::conda, r.release.version, newest->release.version) &&
             newest->release.build_number.value_or(0) < r.release.build_number.value_or(0))) {
            newest = &r;
        }
    }
    return newest;
}

} // namespace

Expected<WheelRequirements> read_conda_release(const Index& index, const ReleaseRecord& release,
                                               DownloadCache& downloads, const Cancellation* cancel,
                                               std::vector<std::string>& warnings) {
    auto file = download_release(index, release, downloads, cancel);
    QPLUG_RETURN_IF_ERROR(file);
    const std::string shown = release.release.file_name.empty()
                                  ? redact_url(release.release.download_url)
                                  : release.release.file_name;
    auto found = read_conda_plugin(file->path);
    if (!found) {
        Error e = std::move(found).error();
        e.message = fmt::format("{} {} ({}): {}", release.display_name, release.release.version,
                                shown, e.message);
        return e;
    }
    WheelRequirements out;
    out.dependencies = release.release.dependencies;
    out.modules = release.release.modules;
    if (found->module.kind == PluginModule::Kind::not_plugin) {
        warnings.push_back(fmt::format("{}: {}", shown, found->module.why));
    } else if (found->module.kind == PluginModule::Kind::plugin) {
        read_plugin_metadata(found->metadata_txt, found->module.key, shown, release, out,
                             &warnings);
    }
    return out;
}

Expected<bool> read_reached_conda(const Index& index, const std::vector<Request>& requests,
                                  const std::vector<ReleaseRecord>& installed,
                                  const Resolution& resolution, const CondaReadOptions& options,
                                  std::set<std::int64_t>& read, LearntReleases& learnt,
                                  std::vector<std::string>& notes) {
    std::set<std::int64_t> chosen;
    for (const auto& step : resolution.installation) {
        if (step.backend == Backend::conda) {
            chosen.insert(step.release_id);
        }
    }
    bool learned = false;
    for (const auto& [project, specs] : reached_projects(requests, installed)) {
        const std::string& name = project; // (clang 14 cannot capture a structured binding)
        std::vector<ReleaseRecord> releases = learnt.releases_named(index, name);
        std::erase_if(releases, [&](const ReleaseRecord& r) { return !readable(r, name); });
        const ReleaseRecord* release = to_read(releases, specs, chosen);
        if (release == nullptr || !read.insert(release->id).second) {
            continue;
        }
        if (options.offline) {
            notes.push_back(fmt::format("{} {} of the conda channel '{}': not read for a QGIS "
                                        "plugin module (offline): an ordinary conda package",
                                        release->package, release->release.version,
                                        release->repository));
            continue;
        }
        std::vector<std::string> warnings;
        auto requirements =
            read_conda_release(index, *release, *options.downloads, options.cancel, warnings);
        QPLUG_RETURN_IF_ERROR(requirements);
        for (auto& w : warnings) {
            notes.push_back(std::move(w));
        }
        if (requirements->plugin) {
            // Kept for this plan only, as a plugin wheel is (the index records no plugin name,
            // channel or range for a conda release of a remote channel).
            learnt.set_plugin(release->id, std::move(*requirements));
            learned = true;
        }
    }
    return learned;
}

} // namespace qplug::solver::detail
