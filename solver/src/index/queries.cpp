// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/queries.hpp>
#include <qplug/solver/versions.hpp>

namespace qplug::solver {

namespace {

using json = nlohmann::ordered_json;

std::string dump(const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

json dependency_object(const Dependency& d) {
    json j = {{"kind", dependency_kind_name(d.kind)}, {"target", d.target}, {"spec", d.spec}};
    if (!d.markers.empty()) {
        j["markers"] = d.markers;
    }
    if (!d.extra.empty()) {
        j["extra"] = d.extra;
    }
    if (d.constraint) {
        j["constraint"] = true;
    }
    return j;
}

json release_object(const ReleaseRecord& rec) {
    const Release& r = rec.release;
    json deps = json::array();
    json extras = json::array(); // a pip release's declared extras (kept among dependencies)
    for (const auto& d : r.dependencies) {
        if (pip::is_declared_extra(d)) {
            extras.push_back(d.extra);
        } else {
            deps.push_back(dependency_object(d));
        }
    }
    json j = {{"version", r.version},
              {"channel", channel_name(r.channel)},
              {"deprecated", r.deprecated},
              {"trusted", r.trusted},
              {"qgis_minimum", r.qgis_minimum},
              {"qgis_maximum", r.qgis_maximum},
              {"requires_python", r.requires_python},
              {"download_url", redact_url(r.download_url)},
              {"file_name", r.file_name},
              {"size", r.size ? json(*r.size) : json(nullptr)},
              {"hash", r.hash},
              {"update_date", r.update_date},
              {"dependencies_known", r.dependencies_known},
              {"dependencies", deps},
              {"modules", r.modules}};
    if (!extras.empty()) {
        j["extras"] = extras;
    }
    if (!r.build.empty()) {
        j["build"] = r.build;
        j["subdir"] = r.subdir;
    }
    if (const std::string key = plugin_key(rec.backend, rec.package, r);
        rec.backend != Backend::legacy && !key.empty()) {
        j["plugin_key"] = key; // a QGIS plugin distributed as a wheel or conda package
    }
    if (!r.path.empty()) {
        j["path"] = r.path;
        j["owner"] = backend_name(r.owner);
    }
    j["metadata"] = json::parse(r.metadata_json, nullptr, false);
    return j;
}

json version_or_null(const std::optional<std::string>& v) {
    return v ? json(*v) : json(nullptr);
}

} // namespace

std::string search_json(std::string_view text, const std::vector<PackageSummary>& found) {
    json list = json::array();
    for (const auto& p : found) {
        list.push_back({{"name", p.name},
                        {"display_name", p.display_name},
                        {"summary", p.summary},
                        {"repository", p.repository},
                        {"backend", backend_name(p.backend)},
                        {"latest", p.versions.empty() ? "" : p.versions.back()},
                        {"versions", p.versions}});
    }
    return dump(json{{"query", text}, {"packages", std::move(list)}});
}

std::vector<PackageInfo> package_info(const Index& index, std::string_view name,
                                      const OfferOptions& offer) {
    auto releases = index.releases_named(name);
    std::erase_if(releases, [](const auto& r) { return r.kind == "installed"; });
    for (auto& r : index.installed()) {
        if (r.package == name || r.display_name == name) {
            releases.push_back(std::move(r));
        }
    }
    // Grouped by (repository, package), in the order the repository lists them.
    std::map<std::pair<std::string, std::string>, std::vector<const ReleaseRecord*>> groups;
    for (const auto& r : releases) {
        groups[{r.repository, r.package}].push_back(&r);
    }
    std::vector<PackageInfo> out;
    out.reserve(groups.size());
    for (auto& [key, list] : groups) {
        // The offer first, in the listed order (QGIS's merge keeps the later of equal
        // versions); then oldest first for showing.
        const Offer chosen = qgis_offer(list, offer);
        std::stable_sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
            return version_less(a->backend, a->release.version, b->release.version);
        });
        PackageInfo info;
        info.repository = key.first;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const ReleaseRecord* r = list[i];
            if (r == chosen.stable) {
                info.stable = i;
            }
            if (r == chosen.experimental) {
                info.experimental = i;
            }
            if (r->release.deprecated) {
                info.deprecated.push_back(r->release.version);
            }
            info.releases.push_back(*r);
        }
        out.push_back(std::move(info));
    }
    return out;
}

std::string info_json(std::string_view name, const std::string& qgis,
                      const std::vector<PackageInfo>& packages) {
    json list = json::array();
    for (const auto& info : packages) {
        json all = json::array();
        for (const auto& r : info.releases) {
            all.push_back(release_object(r));
        }
        const ReleaseRecord& newest = info.newest();
        const auto* stable = info.stable_release();
        const auto* experimental = info.experimental_release();
        list.push_back(
            {{"repository", info.repository},
             {"kind", newest.kind},
             {"backend", backend_name(newest.backend)},
             {"name", newest.package},
             {"display_name", newest.display_name},
             {"summary", newest.summary},
             {"qgis", qgis},
             {"stable", stable ? json(stable->release.version) : json(nullptr)},
             {"experimental", experimental ? json(experimental->release.version) : json(nullptr)},
             {"deprecated", info.deprecated},
             {"releases", std::move(all)}});
    }
    return dump(json{{"name", name}, {"packages", std::move(list)}});
}

std::vector<AvailablePackage> list_available(const Index& index, const OfferOptions& offer,
                                             bool versions) {
    // What QGIS would offer of each package for the QGIS version (the newest of its stable
    // and experimental offer): the releases in the order the repository lists them.
    const std::vector<ReleaseRecord> releases = index.available();
    std::map<std::pair<std::string_view, std::string_view>, std::vector<const ReleaseRecord*>>
        by_package;
    for (const auto& r : releases) {
        by_package[{r.repository, r.package}].push_back(&r);
    }
    std::vector<AvailablePackage> out;
    for (auto& p : index.search("")) {
        if (p.kind == "installed") {
            continue;
        }
        AvailablePackage a;
        if (auto it = by_package.find({p.repository, p.name}); it != by_package.end()) {
            const Offer chosen = qgis_offer(it->second, offer);
            if (chosen.stable != nullptr) {
                a.stable = chosen.stable->release.version;
            }
            if (chosen.experimental != nullptr) {
                a.experimental = chosen.experimental->release.version;
            }
            for (const auto* r : versions ? it->second : std::vector<const ReleaseRecord*>()) {
                a.releases.push_back({r->release.version, r->release.channel, r->release.deprecated,
                                      offered(*r, {offer.qgis, /*allow_deprecated=*/true})});
            }
        }
        a.package = std::move(p);
        out.push_back(std::move(a));
    }
    return out;
}

std::string available_json(const std::string& qgis, const std::vector<AvailablePackage>& list,
                           bool versions) {
    json packages = json::array();
    for (const auto& a : list) {
        const PackageSummary& p = a.package;
        json j = {{"name", p.name},
                  {"display_name", p.display_name},
                  {"repository", p.repository},
                  {"backend", backend_name(p.backend)},
                  {"latest", a.latest()},
                  {"stable", version_or_null(a.stable)},
                  {"experimental", version_or_null(a.experimental)}};
        if (versions) {
            json releases = json::array();
            for (const auto& r : a.releases) {
                releases.push_back({{"version", r.version},
                                    {"channel", channel_name(r.channel)},
                                    {"deprecated", r.deprecated},
                                    {"compatible", r.compatible}});
            }
            j["releases"] = std::move(releases);
        }
        packages.push_back(std::move(j));
    }
    return dump(json{{"qgis", qgis}, {"packages", std::move(packages)}});
}

} // namespace qplug::solver
