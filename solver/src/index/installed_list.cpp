// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include <qplug/solver/installed_list.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/version/compat.hpp>

namespace qplug::solver {

Expected<std::vector<InstalledPackage>> list_installed(const Target& target,
                                                       const std::string& qgis_version,
                                                       bool environment,
                                                       std::vector<std::string>* warnings) {
    auto installed = target.installed(warnings);
    QPLUG_RETURN_IF_ERROR(installed);
    auto state = target.load_state();
    QPLUG_RETURN_IF_ERROR(state);
    std::vector<InstalledPackage> out;
    for (const auto& r : *installed) {
        if (r.release.external && !environment) {
            continue;
        }
        InstalledPackage p;
        p.name = r.package;
        p.display_name = r.display_name;
        p.version = r.release.version;
        // A plugin folder, also one installed from a wheel (docs/install.md).
        p.plugin = is_plugin_release(r.backend, r.release);
        p.backend = p.plugin ? r.release.owner : r.backend;
        p.path = r.release.path;
        p.external = r.release.external;
        if (!p.external) {
            p.mark = r.release.automatic ? Mark::automatic : Mark::requested;
        }
        p.experimental = r.release.channel == Channel::experimental;
        p.deprecated = r.release.deprecated;
        if (p.plugin) {
            const nlohmann::json meta = nlohmann::json::parse(
                r.release.metadata_json.empty() ? "{}" : r.release.metadata_json, nullptr, false);
            if (meta.is_object() && meta.contains("broken") && meta["broken"].is_string()) {
                p.broken = meta["broken"].get<std::string>();
            }
            if (p.broken.empty()) {
                version::compat::Options options;
                options.installed_plugin = true;
                auto c = version::compat::check(qgis_version, r.release.qgis_minimum,
                                                r.release.qgis_maximum, options);
                if (c && !c->compatible) {
                    p.incompatible = c->reason;
                }
            }
            if (target.kind() == Target::Kind::profile) {
                auto enabled =
                    is_plugin_enabled(target.root(), plugin_key(r.backend, r.package, r.release));
                if (enabled) {
                    p.enabled = *enabled;
                } else if (warnings != nullptr) {
                    warnings->push_back(enabled.error().to_string());
                }
            }
        }
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(), [](const InstalledPackage& a, const InstalledPackage& b) {
        return std::tie(b.plugin, a.backend, a.name) < std::tie(a.plugin, b.backend, b.name);
    });
    return out;
}

std::string installed_json(const Target& target, const std::string& qgis_version,
                           const std::vector<InstalledPackage>& packages) {
    using json = nlohmann::ordered_json;
    json list = json::array();
    for (const auto& p : packages) {
        list.push_back(
            {{"name", p.name},
             {"display_name", p.display_name},
             {"version", p.version},
             {"backend", backend_name(p.backend)},
             {"plugin", p.plugin},
             {"path", p.path},
             {"requested", p.mark ? json(*p.mark == Mark::requested) : json(nullptr)},
             {"external", p.external},
             {"enabled", p.enabled ? json(*p.enabled) : json(nullptr)},
             {"experimental", p.experimental},
             {"deprecated", p.deprecated},
             {"broken", p.broken.empty() ? json(nullptr) : json(p.broken)},
             {"incompatible", p.incompatible.empty() ? json(nullptr) : json(p.incompatible)}});
    }
    json out = {{"target", target.describe()},
                {"plugins_dir", target.plugins_dir().string()},
                {"qgis", qgis_version},
                {"installed", list}};
    return out.dump(2, ' ', false, json::error_handler_t::replace);
}

} // namespace qplug::solver
