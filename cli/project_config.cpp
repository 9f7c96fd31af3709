// SPDX-License-Identifier: GPL-2.0-or-later
#include "project_config.hpp"

#include <system_error>
#include <toml++/toml.h>

#include <fmt/format.h>

namespace qplug::cli {

namespace {

Error config_error(const std::filesystem::path& file, const toml::source_region& where,
                   std::string_view what) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.file = file.string();
    e.line = where.begin.line;
    e.line_column = where.begin.column;
    e.message = std::string(what);
    return e;
}

/// A list of strings (or one string) at `node`.
Expected<std::vector<std::string>> strings(const std::filesystem::path& file,
                                           const toml::node& node, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* s = node.as_string()) {
        out.push_back(s->get());
        return out;
    }
    const auto* array = node.as_array();
    if (array == nullptr) {
        return config_error(file, node.source(),
                            fmt::format("'{}' must be a list of strings", key));
    }
    for (const auto& item : *array) {
        const auto* s = item.as_string();
        if (s == nullptr) {
            return config_error(file, item.source(),
                                fmt::format("'{}' must be a list of strings", key));
        }
        out.push_back(s->get());
    }
    return out;
}

Expected<ProjectConfig> read(const std::filesystem::path& file, const toml::table& qplug) {
    ProjectConfig config;
    config.file = file;
    for (const auto& [key, node] : qplug) {
        const std::string_view k = key.str();
        if (k == "select" || k == "ignore") {
            auto list = strings(file, node, k);
            if (!list) {
                return list.error();
            }
            (k == "select" ? config.select : config.ignore) = std::move(*list);
        } else if (k == "package" && node.is_table()) {
            for (const auto& [pkey, pnode] : *node.as_table()) {
                const std::string_view p = pkey.str();
                if (p == "exclude" || p == "include") {
                    auto list = strings(file, pnode, p);
                    if (!list) {
                        return list.error();
                    }
                    (p == "exclude" ? config.exclude : config.include) = std::move(*list);
                } else if (p == "default-excludes" && pnode.is_boolean()) {
                    config.default_excludes = pnode.as_boolean()->get();
                } else {
                    return config_error(
                        file, pkey.source(),
                        fmt::format("unknown setting '{}' in [tool.qplug.package] (known: "
                                    "exclude, include, default-excludes = true|false)",
                                    p));
                }
            }
        } else {
            return config_error(file, key.source(),
                                fmt::format("unknown setting '{}' in [tool.qplug] (known: "
                                            "select, ignore, [tool.qplug.package])",
                                            k));
        }
    }
    return config;
}

} // namespace

Expected<ProjectConfig> find_project_config(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::path folder = std::filesystem::absolute(path, ec);
    if (ec) {
        return ProjectConfig{};
    }
    if (!std::filesystem::is_directory(folder, ec)) {
        folder = folder.parent_path();
    }
    while (true) {
        const std::filesystem::path candidate = folder / "pyproject.toml";
        if (std::filesystem::is_regular_file(candidate, ec)) {
            try {
                const toml::table doc = toml::parse_file(candidate.string());
                if (const auto* tool = doc["tool"].as_table()) {
                    if (const auto* qplug = (*tool)["qplug"].as_table()) {
                        return read(candidate, *qplug);
                    }
                }
            } catch (const toml::parse_error& e) {
                return config_error(candidate, e.source(), e.description());
            }
        }
        if (folder == folder.root_path() || folder.parent_path() == folder) {
            return ProjectConfig{};
        }
        folder = folder.parent_path();
    }
}

} // namespace qplug::cli
