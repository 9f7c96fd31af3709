// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenario.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/conda.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/pypi.hpp>
#include <qplug/solver/python_env.hpp>

namespace qplug::test {

using nlohmann::json;
using namespace qplug::solver;

namespace {

json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return json::parse(in);
}

std::string text_of(const json& j, const char* key, const std::string& fallback = "") {
    return j.contains(key) ? j.at(key).get<std::string>() : fallback;
}

/// A legacy release from metadata.txt keys, read by libmeta as QGIS reads it.
ReleaseRecord legacy_release(const json& j) {
    std::string text = "[general]\n";
    for (const auto& [key, value] : j.at("metadata").items()) {
        text += key + "=" + value.get<std::string>() + "\n";
    }
    const meta::Document document = meta::parse(text);
    std::vector<std::string> warnings;
    Package package =
        plugin_package_from_metadata(document, j.at("key").get<std::string>(), &warnings);
    if (package.releases.size() != 1) {
        throw std::runtime_error("metadata of " + j.at("key").get<std::string>() +
                                 " gives no release");
    }
    ReleaseRecord r;
    r.package = package.name;
    r.display_name = package.display_name;
    r.release = package.releases.front();
    // A requirements.txt beside metadata.txt: its lines, read by qplug's reader of it.
    if (j.contains("requirements_txt")) {
        std::vector<std::string> problems;
        for (auto& d : requirements_txt_dependencies(j.at("requirements_txt").get<std::string>(),
                                                     &problems)) {
            r.release.dependencies.push_back(std::move(d));
        }
        if (!problems.empty()) {
            throw std::runtime_error(r.package + ": " + problems.front());
        }
    }
    return r;
}

/// A pip release from its core metadata fields (Requires-Dist lines, Requires-Python).
ReleaseRecord pip_release(const json& j) {
    pypi::CoreMetadata metadata;
    metadata.name = j.at("name").get<std::string>();
    metadata.version = j.at("version").get<std::string>();
    metadata.requires_python = text_of(j, "requires_python");
    if (j.contains("requires_dist")) {
        metadata.requires_dist = j.at("requires_dist").get<std::vector<std::string>>();
    }
    if (j.contains("provides_extra")) {
        metadata.provides_extra = j.at("provides_extra").get<std::vector<std::string>>();
    } else {
        // As every wheel builder writes it: each extra named by a marker is declared.
        for (const auto& line : metadata.requires_dist) {
            for (std::size_t at = line.find("extra == \""); at != std::string::npos;
                 at = line.find("extra == \"", at + 1)) {
                const std::size_t start = at + 10;
                metadata.provides_extra.push_back(
                    line.substr(start, line.find('"', start) - start));
            }
        }
    }
    std::vector<std::string> warnings;
    ReleaseRecord r;
    r.package = normalize_pip_name(metadata.name);
    r.display_name = metadata.name;
    r.release.version = metadata.version;
    r.release.requires_python = metadata.requires_python;
    r.release.dependencies = pip::dependencies_from_metadata(metadata, &warnings);
    if (!warnings.empty()) {
        throw std::runtime_error(metadata.name + ": " + warnings.front());
    }
    r.release.modules = j.contains("modules")
                            ? j.at("modules").get<std::vector<std::string>>()
                            : std::vector<std::string>{pip::guessed_module(metadata.name)};
    return r;
}

/// A conda release from its repodata record fields (depends, constrains as match specs).
ReleaseRecord conda_release(const json& j) {
    ReleaseRecord r;
    r.package = j.at("name").get<std::string>();
    r.display_name = r.package;
    r.release.version = j.at("version").get<std::string>();
    r.release.build = text_of(j, "build", "0");
    for (const char* group : {"depends", "constrains"}) {
        if (!j.contains(group)) {
            continue;
        }
        for (const auto& text : j.at(group)) {
            auto spec = conda::parse_match_spec(text.get<std::string>());
            if (!spec) {
                throw std::runtime_error(text.get<std::string>() + ": " + spec.error().message);
            }
            Dependency d;
            d.kind = DependencyKind::conda;
            d.target = spec->name;
            d.spec = spec->version;
            if (!spec->build.empty()) {
                d.spec += (d.spec.empty() ? "* " : " ") + spec->build;
            }
            d.constraint = std::string(group) == "constrains";
            r.release.dependencies.push_back(d);
        }
    }
    r.release.modules = j.contains("modules")
                            ? j.at("modules").get<std::vector<std::string>>()
                            : std::vector<std::string>{pip::guessed_module(r.package)};
    return r;
}

/// A wheel or conda package that holds a QGIS plugin ("plugin": {"key": module folder,
/// "metadata": {metadata.txt keys}}), read by the sources' own code.
void plugin_of(const json& j, ReleaseRecord& r) {
    if (!j.contains("plugin")) {
        return;
    }
    const json& plugin = j.at("plugin");
    std::string text = "[general]\n";
    for (const auto& [key, value] : plugin.at("metadata").items()) {
        text += key + "=" + value.get<std::string>() + "\n";
    }
    Package package;
    package.name = r.package;
    package.display_name = r.display_name;
    std::vector<std::string> warnings;
    make_plugin_release(text, plugin.at("key").get<std::string>(), r.package, package, r.release,
                        warnings);
    r.display_name = package.display_name;
}

} // namespace

ReleaseRecord release_from_json(const json& j, Backend backend, const std::string& repository,
                                int priority, std::int64_t repository_id, std::int64_t id) {
    ReleaseRecord r = backend == Backend::legacy ? legacy_release(j)
                      : backend == Backend::pip  ? pip_release(j)
                                                 : conda_release(j);
    if (backend != Backend::legacy) {
        plugin_of(j, r);
    }
    r.id = id;
    r.repository_id = repository_id;
    r.repository = repository;
    r.priority = priority;
    r.backend = backend;
    r.kind = std::string(backend_name(backend));
    r.release.update_date = text_of(j, "update_date");
    r.release.download_url =
        text_of(j, "download_url",
                fmt::format("https://{}/{}-{}", repository, r.package, r.release.version));
    if (j.contains("deprecated")) {
        r.release.deprecated = j.at("deprecated").get<bool>();
    }
    return r;
}

Scenario load_scenario(const std::string& path) {
    const std::filesystem::path file(path);
    json j = read_json(file);
    Scenario s;
    s.title = j.at("title").get<std::string>();
    json index = j;
    if (j.contains("index")) {
        index = read_json(file.parent_path() / j.at("index").get<std::string>());
    }
    std::int64_t id = 0;
    std::int64_t repository_id = 0;
    auto repositories = index.value("repositories", json::array());
    for (const auto& extra : j.value("more_repositories", json::array())) {
        repositories.push_back(extra);
    }
    for (const auto& repo : repositories) {
        const Backend backend = *backend_from_name(repo.at("backend").get<std::string>());
        const std::string name = repo.at("name").get<std::string>();
        const int priority = repo.value("priority", 0);
        ++repository_id;
        for (const auto& release : repo.at("releases")) {
            s.available.push_back(
                release_from_json(release, backend, name, priority, repository_id, ++id));
        }
    }
    const json installed =
        j.contains("installed") ? j.at("installed") : index.value("installed", json::array());
    for (const auto& release : installed) {
        const Backend backend = *backend_from_name(release.at("backend").get<std::string>());
        ReleaseRecord r = release_from_json(release, backend, "installed", 0, 0, ++id);
        r.kind = "installed";
        r.release.owner = backend;
        // The target's marks: "auto" (installed for another package), "external" (the
        // Python environment's own, which qplug never changes).
        r.release.automatic = release.value("auto", false);
        r.release.external = release.value("external", false);
        s.installed.push_back(std::move(r));
    }
    const json policy = j.value("policy", json::object());
    s.policy.qgis_version = j.value("qgis", index.value("qgis", std::string("3.40.0")));
    s.policy.python_version = j.value("python", index.value("python", std::string("3.11")));
    s.policy.allow_experimental = policy.value("allow_experimental", false);
    s.policy.allow_deprecated = policy.value("allow_deprecated", false);
    s.policy.allow_downgrade = policy.value("allow_downgrade", false);
    s.policy.allow_uninstall = policy.value("allow_uninstall", false);
    s.policy.exclude_newer = policy.value("exclude_newer", std::string());
    if (policy.contains("prefer_backends")) {
        auto order = parse_backend_preference(policy.at("prefer_backends").get<std::string>());
        if (!order) {
            throw std::runtime_error(order.error().message);
        }
        s.policy.backend_preference = *order;
    }
    for (const auto& name : policy.value("experimental_for", json::array())) {
        s.policy.experimental_for.insert(name.get<std::string>());
    }
    for (const auto& pin : policy.value("pins", json::array())) {
        s.policy.pins.emplace_back(pin.at(0).get<std::string>(), pin.at(1).get<std::string>());
    }
    for (const auto& request : j.at("requests")) {
        const std::string text = request.get<std::string>();
        const std::size_t blank = text.find(' ');
        const std::string verb = text.substr(0, blank);
        const std::string rest = blank == std::string::npos ? "" : text.substr(blank + 1);
        const Request::Action action = verb == "install"   ? Request::Action::install
                                       : verb == "upgrade" ? Request::Action::upgrade
                                       : verb == "remove"
                                           ? Request::Action::remove
                                           : throw std::runtime_error("unknown verb " + verb);
        auto parsed = parse_request(rest, action);
        if (!parsed) {
            throw std::runtime_error(text + ": " + parsed.error().message);
        }
        s.requests.push_back(*parsed);
    }
    s.expect = j.at("expect");
    return s;
}

std::string describe(const PlanStep& step) {
    std::string text =
        fmt::format("{} {}:{} ", action_name(step.action), backend_name(step.backend), step.name);
    if (!step.from_version.empty()) {
        text += step.from_version + " -> ";
    }
    return text + step.version;
}

} // namespace qplug::test
