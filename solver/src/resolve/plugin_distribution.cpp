// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/meta/parser.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/pypi.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "errors.hpp"
#include "io/zip_member.hpp"

namespace qplug::solver {

namespace {

bool is_metadata_folder(std::string_view first) {
    return first.ends_with(".dist-info") || first.ends_with(".data") ||
           first.ends_with(".egg-info") || first == "__pycache__";
}

/// The module a top-level file stands for ("x.py", "x.cpython-311-x86_64-linux-gnu.so"), or "".
std::string file_module(std::string_view name) {
    if (name.ends_with(".py")) {
        return std::string(name.substr(0, name.size() - 3));
    }
    if (name.ends_with(".so") || name.ends_with(".pyd")) {
        return std::string(name.substr(0, name.find('.')));
    }
    return {};
}

} // namespace

PluginModule find_plugin_module(const std::vector<std::string>& entries) {
    std::set<std::string> modules;
    std::set<std::string> with_metadata;
    std::set<std::string> with_init;
    for (const auto& e : entries) {
        const std::size_t slash = e.find('/');
        if (slash == std::string::npos) {
            if (std::string m = file_module(e); !m.empty()) {
                modules.insert(std::move(m));
            }
            continue;
        }
        const std::string first = e.substr(0, slash);
        if (first.empty() || is_metadata_folder(first)) {
            continue;
        }
        const std::string_view rest = std::string_view(e).substr(slash + 1);
        if (rest.empty()) {
            continue; // a directory entry alone is no module
        }
        modules.insert(first);
        if (rest == "metadata.txt") {
            with_metadata.insert(first);
        } else if (rest == "__init__.py") {
            with_init.insert(first);
        }
    }
    PluginModule out;
    if (with_metadata.empty()) {
        return out;
    }
    const std::string& folder = *with_metadata.begin();
    if (modules.size() != 1) {
        std::string names;
        for (const auto& m : modules) {
            names += (names.empty() ? "" : ", ") + m;
        }
        out.kind = PluginModule::Kind::not_plugin;
        out.why = fmt::format("not a QGIS plugin: {}/metadata.txt is there, but the package has "
                              "{} top-level modules ({}), and a plugin package holds exactly one",
                              folder, modules.size(), names);
        return out;
    }
    if (with_init.count(folder) == 0) {
        out.kind = PluginModule::Kind::not_plugin;
        out.why = fmt::format(
            "not a QGIS plugin: {}/metadata.txt is there, but no {}/__init__.py (QGIS loads a "
            "plugin folder only with both)",
            folder, folder);
        return out;
    }
    out.kind = PluginModule::Kind::plugin;
    out.key = folder;
    return out;
}

void make_plugin_release(std::string_view metadata_txt, const std::string& key,
                         std::string_view origin, Package& package, Release& release,
                         std::vector<std::string>& warnings) {
    meta::ParseOptions options;
    options.file_name = fmt::format("{}!/{}/metadata.txt", origin, key);
    const meta::Document document = meta::parse(metadata_txt, options);
    meta::ValidateOptions validate;
    validate.profile = meta::Profile::qgis; // what QGIS needs to list and load it
    const meta::Diagnostics diagnostics = meta::validate(document, validate);
    std::vector<std::string> plugin_warnings;
    Package plugin = plugin_package_from_metadata(document, key, &plugin_warnings);
    Release& from_metadata = plugin.releases.front();

    nlohmann::json found = nlohmann::json::array();
    for (const auto& d : diagnostics) {
        if (d.severity == meta::Severity::off || d.severity == meta::Severity::info) {
            continue;
        }
        const std::string where =
            d.line > 0 ? fmt::format("{}:{}:{}", d.file, d.line, d.column) : d.file;
        found.push_back({{"rule", std::string(d.rule)},
                         {"severity", std::string(meta::severity_name(d.severity))},
                         {"line", d.line},
                         {"column", d.column},
                         {"message", d.message}});
        warnings.push_back(fmt::format("{}: {} [{}]", where, d.message, d.rule));
    }
    for (auto& w : plugin_warnings) {
        warnings.push_back(fmt::format("{}: {}", origin, w));
    }
    if (auto w = version_mismatch(release.version, from_metadata.version)) {
        warnings.push_back(fmt::format("{}: {}", origin, *w));
        found.push_back({{"rule", "PKG-WHEEL-VERSION"},
                         {"severity", "warning"},
                         {"line", 0},
                         {"column", 0},
                         {"message", *w}});
    }

    package.display_name = plugin.display_name.empty() ? key : plugin.display_name;
    if (!plugin.summary.empty()) {
        package.summary = plugin.summary;
    }
    if (!plugin.keywords.empty()) {
        package.keywords = plugin.keywords;
    }
    release.channel = from_metadata.channel;
    release.deprecated = from_metadata.deprecated;
    release.qgis_minimum = from_metadata.qgis_minimum;
    release.qgis_maximum = from_metadata.qgis_maximum;
    // The distribution's own requirements stay; the plugin's come from metadata.txt. QGIS's
    // installer gives a plugin without qgisMinimumVersion the minimum "2" (offered to no
    // QGIS 3): the same here, and the requirement on QGIS marks the release as a plugin's.
    std::erase_if(release.dependencies, [](const Dependency& d) {
        return d.kind == DependencyKind::plugin || d.kind == DependencyKind::qgis;
    });
    for (auto& d : from_metadata.dependencies) {
        if (d.kind == DependencyKind::plugin) {
            release.dependencies.push_back(std::move(d));
        }
    }
    release.dependencies.push_back(*qgis_dependency(release.qgis_minimum.empty()
                                                        ? std::string_view("2")
                                                        : std::string_view(release.qgis_minimum),
                                                    release.qgis_maximum));
    release.modules = {key};

    nlohmann::json j = nlohmann::json::parse(
        release.metadata_json.empty() ? std::string("{}") : release.metadata_json, nullptr, false);
    if (!j.is_object()) {
        j = nlohmann::json::object();
    }
    j["qgis_plugin"] = {
        {"key", key},
        {"name", package.display_name},
        {"version", from_metadata.version},
        {"metadata", nlohmann::json::parse(from_metadata.metadata_json, nullptr, false)},
        {"diagnostics", std::move(found)}};
    release.metadata_json = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> version_mismatch(std::string_view package_version,
                                            std::string_view metadata_version) {
    auto a = version::pep440::Version::parse(package_version);
    auto b = version::pep440::Version::parse(metadata_version);
    const bool same = a && b ? a->key() == b->key()
                             : unicode::strip(package_version) == unicode::strip(metadata_version);
    if (same) {
        return std::nullopt;
    }
    return fmt::format("the package's version {} is not metadata.txt's version {} (compared as "
                       "PEP 440 normalizes them); QGIS shows metadata.txt's",
                       package_version, metadata_version);
}

meta::Diagnostics check_plugin_wheel(const std::filesystem::path& wheel) {
    meta::Diagnostics out;
    auto add = [&](std::string_view rule, meta::Severity severity, std::string message) {
        meta::Diagnostic d;
        d.rule = rule;
        d.severity = severity;
        d.file = wheel.string();
        d.message = std::move(message);
        out.push_back(std::move(d));
    };
    auto entries = detail::zip_entries(wheel);
    if (!entries) {
        return out; // libmeta's check says what is wrong with the archive
    }
    const PluginModule found = find_plugin_module(*entries);
    if (found.kind == PluginModule::Kind::none) {
        add("PKG-WHEEL-NOT-PLUGIN", meta::Severity::error,
            "not a QGIS plugin: no top-level module of the wheel has a metadata.txt");
        return out;
    }
    if (found.kind == PluginModule::Kind::not_plugin) {
        add("PKG-WHEEL-NOT-PLUGIN", meta::Severity::error, found.why);
        return out;
    }
    std::string version;
    if (auto text = detail::zip_member(wheel, [](std::string_view name) {
            const std::size_t slash = name.find('/');
            return slash != std::string_view::npos &&
                   name.substr(0, slash).ends_with(".dist-info") &&
                   name.substr(slash + 1) == "METADATA";
        })) {
        if (auto metadata = pypi::parse_core_metadata(*text)) {
            version = metadata->version;
        }
    }
    if (version.empty()) {
        if (auto name = pypi::parse_wheel_filename(wheel.filename().string())) {
            version = name->version;
        }
    }
    auto metadata_txt = detail::zip_member(
        wheel, [&](std::string_view name) { return name == found.key + "/metadata.txt"; });
    if (!metadata_txt || version.empty()) {
        return out;
    }
    meta::ParseOptions options;
    const meta::Document document = meta::parse(*metadata_txt, options);
    if (const auto v = document.get("version")) {
        if (auto w = version_mismatch(version, unicode::strip(*v))) {
            add("PKG-WHEEL-VERSION", meta::Severity::warning, *w);
        }
    }
    return out;
}

Expected<WheelPlugin> read_plugin_wheel(const std::filesystem::path& wheel) {
    auto entries = detail::zip_entries(wheel);
    QPLUG_RETURN_IF_ERROR(entries);
    const PluginModule found = find_plugin_module(*entries);
    if (found.kind != PluginModule::Kind::plugin) {
        return failure(fmt::format(
            "{}: {}", wheel.string(),
            found.kind == PluginModule::Kind::none
                ? "not a QGIS plugin: no top-level module of the package has a metadata.txt"
                : found.why));
    }
    auto text = detail::zip_member(
        wheel, [&](std::string_view name) { return name == found.key + "/metadata.txt"; });
    QPLUG_RETURN_IF_ERROR(text);
    return WheelPlugin{found.key, std::move(*text), std::move(*entries)};
}

Expected<std::vector<Backend>> parse_backend_preference(std::string_view text) {
    std::vector<Backend> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        const std::string_view name = unicode::strip(text.substr(start, comma - start));
        const auto backend = backend_from_name(name);
        if (!backend || std::find(out.begin(), out.end(), *backend) != out.end()) {
            Error e = failure(fmt::format("'{}' is not a backend preference: name legacy, pip and "
                                          "conda, each once, separated by commas",
                                          text));
            e.kind = Error::Kind::invalid;
            return e;
        }
        out.push_back(*backend);
        start = comma + 1;
    }
    for (const Backend b : {Backend::legacy, Backend::pip, Backend::conda}) {
        if (std::find(out.begin(), out.end(), b) == out.end()) {
            out.push_back(b);
        }
    }
    return out;
}

bool is_plugin_release(Backend backend, const Release& release) {
    if (backend == Backend::legacy) {
        return true;
    }
    return std::any_of(release.dependencies.begin(), release.dependencies.end(),
                       [](const Dependency& d) { return d.kind == DependencyKind::qgis; });
}

std::string plugin_key(Backend backend, const std::string& package, const Release& release) {
    if (backend == Backend::legacy) {
        return package;
    }
    if (!is_plugin_release(backend, release) || release.modules.size() != 1) {
        return {};
    }
    return release.modules.front();
}

} // namespace qplug::solver
