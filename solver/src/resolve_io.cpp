// What surrounds resolve(): reading its input from the index, its output as JSON, and the
// plugin_dependencies of plugins.xml releases read from their ZIPs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/resolve.hpp>

#include "errors.hpp"
#include "zip_member.hpp"

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
        step["repository"] = s.repository;
        step["download_url"] = redact_url(s.download_url);
        step["file_name"] = s.file_name;
        step["hash"] = s.hash;
        step["size"] = s.size ? json(*s.size) : json(nullptr);
        step["reason"] = s.reason;
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
        out["explanation"] = std::move(explanation);
    }
    return out.dump(2);
}

Expected<std::vector<Dependency>> fetch_plugin_dependencies(const ReleaseRecord& release,
                                                            Fetcher& fetcher,
                                                            const std::string& credentials,
                                                            std::vector<std::string>* warnings) {
    FetchRequest request;
    request.url = release.release.download_url;
    request.credentials = credentials;
    request.kind = DocumentKind::archive;
    request.expected_bytes = release.release.size.value_or(0); // else the archive limit
    auto response = fetcher.fetch(request);
    if (!response) {
        return std::move(response).error();
    }
    // QGIS reads <top folder>/metadata.txt; the first such entry one level deep.
    auto text = detail::zip_member(std::string_view(response->body), [](std::string_view name) {
        const std::size_t slash = name.find('/');
        return slash != std::string_view::npos && slash > 0 &&
               name.substr(slash + 1) == "metadata.txt";
    });
    if (!text) {
        return file_error(redact_url(request.url), 0, 0,
                          "the plugin ZIP has no <folder>/metadata.txt: " + text.error().message);
    }
    meta::ParseOptions options;
    options.file_name = release.release.file_name.empty()
                            ? std::string("metadata.txt")
                            : release.release.file_name + "!/metadata.txt";
    const meta::Document document = meta::parse(*text, options);
    return plugin_dependencies_from_metadata(document, warnings);
}

} // namespace qplug::solver
