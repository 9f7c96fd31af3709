// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <fmt/format.h>

#include <qplug/solver/plugin_dependencies.hpp>
#include <qplug/unicode.hpp>

namespace qplug::solver {

std::vector<Dependency> plugin_dependency_records(const std::vector<meta::PluginDependency>& parsed,
                                                  std::vector<std::string>* warnings) {
    std::vector<Dependency> out;
    for (const auto& p : parsed) {
        const std::string_view name = unicode::strip(p.name);
        if (name.empty()) {
            if (warnings != nullptr && !parsed.empty() && parsed.size() > 1) {
                warnings->push_back("plugin_dependencies has an empty item");
            }
            continue;
        }
        if (name != p.name && warnings != nullptr) {
            warnings->push_back(fmt::format(
                "plugin_dependencies names '{}' with spaces around it: QGIS would not find it "
                "(qplug reads '{}')",
                p.name, name));
        }
        Dependency d;
        d.kind = DependencyKind::plugin;
        d.target = std::string(name);
        if (p.version) {
            d.spec = "==" + std::string(unicode::strip(*p.version));
        }
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const Dependency& x) { return x.target == d.target; });
        if (same != out.end()) {
            *same = std::move(d);
        } else {
            out.push_back(std::move(d));
        }
    }
    return out;
}

} // namespace qplug::solver
