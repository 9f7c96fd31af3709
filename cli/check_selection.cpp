// SPDX-License-Identifier: GPL-2.0-or-later
#include "check_selection.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace qplug::cli {

namespace {

Expected<void> check_patterns(const std::vector<std::string>& patterns, std::string_view where) {
    const auto unknown = unknown_rule_patterns(patterns);
    if (unknown.empty()) {
        return {};
    }
    std::string list;
    for (const auto& u : unknown) {
        list += (list.empty() ? "'" : ", '") + u + "'";
    }
    Error e;
    e.kind = Error::Kind::invalid;
    e.message = fmt::format("{}: {} {} no rule (see `qplug meta spec`)", where, list,
                            unknown.size() == 1 ? "names" : "name");
    return e;
}

} // namespace

Expected<ProjectConfig> SelectionFinder::config_for(const std::string& path) {
    std::error_code ec;
    std::filesystem::path folder = std::filesystem::absolute(path, ec);
    if (!std::filesystem::is_directory(folder, ec)) {
        folder = folder.parent_path();
    }
    const std::string key = folder.string();
    if (auto it = configs_.find(key); it != configs_.end()) {
        return it->second;
    }
    auto config = find_project_config(folder);
    configs_.emplace(key, config);
    return config;
}

Expected<RuleSelection> SelectionFinder::for_path(const std::string& path) {
    RuleSelection selection;
    selection.select = options_.select;
    selection.ignore = options_.ignore;
    if (auto ok = check_patterns(options_.select, "--select"); !ok) {
        return ok.error();
    }
    if (auto ok = check_patterns(options_.ignore, "--ignore"); !ok) {
        return ok.error();
    }
    if (options_.select_given && options_.ignore_given) {
        return selection;
    }
    auto config = config_for(path);
    if (!config) {
        return config.error();
    }
    const std::string where = config->file.string();
    if (!options_.select_given && config->select) {
        if (auto ok = check_patterns(*config->select, where + ": [tool.qplug] select"); !ok) {
            return ok.error();
        }
        selection.select = *config->select;
    }
    if (!options_.ignore_given && config->ignore) {
        if (auto ok = check_patterns(*config->ignore, where + ": [tool.qplug] ignore"); !ok) {
            return ok.error();
        }
        selection.ignore = *config->ignore;
    }
    return selection;
}

} // namespace qplug::cli
