// What surrounds resolve(): reading its input from the index, its output as JSON, and the
// plugin_dependencies of plugins.xml releases read from their ZIPs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/python_env.hpp>
#include <qplug/solver/resolve.hpp>

#include "errors.hpp"
#include "io/zip_member.hpp"

namespace qplug::solver {

std::string resolution_json(const Resolution& resolution, bool with_proof) {
    using json = nlohmann::ordered_json;
    json steps = json::array();
    for (const auto& s : resolution.plan.steps) {
        json step = {{"action", action_name(s.action)},
                     {"backend", backend_name(s.backend)},
                     {"name", s.name},
                     {"display_name", s.display_name},
                     {"version", s.version}};
        if (!s.from_version.empty()) {
            step["from_version"] = s.from_version;
        }
        if (!s.plugin_key.empty()) {
            step["plugin_key"] = s.plugin_key; // a plugin from a wheel or conda package
        }
        step["repository"] = s.repository;
        step["download_url"] = redact_url(s.download_url);
        step["file_name"] = s.file_name;
        step["hash"] = s.hash;
        step["size"] = s.size ? json(*s.size) : json(nullptr);
        step["reason"] = s.reason;
        step["requested"] = s.requested;
        steps.push_back(std::move(step));
    }
    json why = json::object();
    for (const auto& [name, chain] : resolution.why) {
        why[name] = chain;
    }
    json out = {{"solved", resolution.solved},
                {"plan",
                 {{"steps", steps},
                  {"load_order", resolution.plan.load_order},
                  {"warnings", resolution.plan.warnings}}},
                {"why", why}};
    if (!resolution.solved) {
        json explanation = {{"summary", resolution.explanation.summary},
                            {"paths", resolution.explanation.paths},
                            {"solutions", resolution.explanation.solutions}};
        if (with_proof) {
            explanation["proof"] = resolution.explanation.proof;
        }
        explanation["problems"] = json::parse(problem_graph_json(resolution.explanation.problems));
        out["explanation"] = std::move(explanation);
    }
    return out.dump(2);
}

Expected<std::vector<Dependency>> plugin_dependencies_from_zip(const std::filesystem::path& zip,
                                                               const std::string& label,
                                                               std::vector<std::string>* warnings) {
    // QGIS reads <top folder>/metadata.txt; the first such entry one level deep.
    std::string folder;
    auto text = detail::zip_member(zip, [&](std::string_view name) {
        const std::size_t slash = name.find('/');
        if (slash != std::string_view::npos && slash > 0 &&
            name.substr(slash + 1) == "metadata.txt") {
            folder = std::string(name.substr(0, slash));
            return true;
        }
        return false;
    });
    if (!text) {
        return file_error(label, 0, 0,
                          "the plugin ZIP has no <folder>/metadata.txt: " + text.error().message);
    }
    meta::ParseOptions options;
    options.file_name = label + "!/metadata.txt";
    const meta::Document document = meta::parse(*text, options);
    std::vector<Dependency> out = plugin_dependencies_from_metadata(document, warnings);
    // The plugin's Python requirements, by the requirements.txt convention (qpip).
    auto requirements = detail::zip_member(
        zip, [&](std::string_view name) { return name == folder + "/requirements.txt"; });
    if (requirements) {
        std::vector<std::string> problems;
        for (auto& d : requirements_txt_dependencies(*requirements, &problems)) {
            out.push_back(std::move(d));
        }
        if (warnings != nullptr) {
            for (auto& w : problems) {
                warnings->push_back(std::move(w));
            }
        }
    }
    return out;
}

Expected<std::vector<Dependency>> fetch_plugin_dependencies(const ReleaseRecord& release,
                                                            Fetcher& fetcher,
                                                            const std::string& credentials,
                                                            std::vector<std::string>* warnings) {
    DownloadCache cache("", fetcher);
    Download d;
    d.url = release.release.download_url;
    d.credentials = credentials;
    d.hash = release.release.hash;
    d.size = release.release.size;
    d.name = fmt::format("{} {}", release.display_name, release.release.version);
    auto file = cache.get(d);
    QPLUG_RETURN_IF_ERROR(file);
    return plugin_dependencies_from_zip(file->path, redact_url(d.url), warnings);
}

} // namespace qplug::solver
