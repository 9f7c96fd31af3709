// SPDX-License-Identifier: GPL-2.0-or-later
#include "command_help.hpp"

#include <iostream>
#include <map>

#include <fmt/format.h>

#include "exit_codes.hpp"
#include "external_commands.hpp"
#include "output.hpp"

namespace qplug::cli {

namespace {

// One example per command: what a user types first.
const std::map<std::string, std::string>& examples() {
    static const std::map<std::string, std::string> table = {
        {"version compare", "qplug version compare 3.22.0 3.22"},
        {"version sort", "qplug version sort --scheme pep440 1.0rc1 1.0 0.9"},
        {"version normalize", "qplug version normalize --scheme pep440 1.0-RC1"},
        {"version satisfies", "qplug version satisfies --scheme pep440 1.4 '>=1.0,<2'"},
        {"version compatible", "qplug version compatible --qgis 3.22.4 --min 3.16 --max 3.99"},
        {"meta show", "qplug meta show myplugin/metadata.txt"},
        {"meta check", "qplug meta check --profile site myplugin/metadata.txt"},
        {"meta fmt", "qplug meta fmt --in-place myplugin/metadata.txt"},
        {"meta export", "qplug meta export --format plugins-xml myplugin/metadata.txt"},
        {"meta spec", "qplug meta spec --json"},
        {"package check", "qplug package check myplugin.zip"},
        {"package build", "qplug package build myplugin/"},
        {"repo build", "qplug repo build zips/ --output site/"},
        {"repo add", "qplug repo add mine https://example.org/plugins.xml"},
        {"repo list", "qplug repo list"},
        {"repo remove", "qplug repo remove mine"},
        {"repo enable", "qplug repo enable mine"},
        {"repo disable", "qplug repo disable mine"},
        {"repo sync", "qplug repo sync"},
        {"repo import-qgis", "qplug repo import-qgis ~/.local/share/QGIS/QGIS3/profiles/default"},
        {"search", "qplug search profile"},
        {"info", "qplug info 'Profile tool'"},
        {"list", "qplug list --installed"},
        {"resolve", "qplug resolve 'Profile tool' 'pip:numpy>=1.26'"},
        {"why", "qplug why pip:numpy"},
        {"lock", "qplug lock 'Profile tool'"},
        {"pin", "qplug pin 'pip:numpy<2'"},
        {"unpin", "qplug unpin pip:numpy"},
        {"install", "qplug install 'Profile tool'"},
        {"upgrade", "qplug upgrade"},
        {"remove", "qplug remove 'Profile tool'"},
        {"mark", "qplug mark requested pip:numpy"},
        {"enable", "qplug enable 'Profile tool'"},
        {"disable", "qplug disable 'Profile tool'"},
        {"check", "qplug check --qgis 3.22.4"},
        {"completion", "qplug completion bash > ~/.local/share/bash-completion/completions/qplug"},
    };
    return table;
}

void add_examples_under(CLI::App& group, const std::string& prefix) {
    for (CLI::App* sub : group.get_subcommands(std::function<bool(CLI::App*)>{})) {
        const std::string path = prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name();
        add_examples_under(*sub, path);
        const std::string example = command_example(path);
        if (!example.empty()) {
            sub->footer("Example:\n  " + example + "\n\n" + sub->get_footer());
        }
    }
}

} // namespace

std::string command_example(const std::string& path) {
    const auto it = examples().find(path);
    return it == examples().end() ? "" : it->second;
}

void add_examples(CLI::App& app) {
    add_examples_under(app, "");
}

int list_commands(const CLI::App& app, bool json) {
    nlohmann::ordered_json builtin = nlohmann::ordered_json::array();
    std::string text = "Commands:\n";
    for (const CLI::App* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) {
        if (sub->get_group().empty()) {
            continue; // hidden
        }
        builtin.push_back({{"name", sub->get_name()}, {"description", sub->get_description()}});
        text += fmt::format("  {:<14}{}\n", sub->get_name(), sub->get_description());
    }
    nlohmann::ordered_json external = nlohmann::ordered_json::array();
    std::string external_text;
    for (const auto& [external_name, path] : external_commands()) {
        const std::string& name = external_name; // (clang 14 captures no structured binding)
        const auto same =
            app.get_subcommands([&name](const CLI::App* sub) { return sub->check_name(name); });
        if (!same.empty()) {
            continue; // a built-in command of that name wins
        }
        external.push_back({{"name", name}, {"path", path}});
        external_text += fmt::format("  {:<14}{}\n", name, path);
    }
    if (!external_text.empty()) {
        text += "External commands (qplug-NAME on PATH):\n" + external_text;
    }
    if (json) {
        print_json({{"commands", std::move(builtin)}, {"external", std::move(external)}});
    } else {
        std::cout << text;
    }
    return exit_ok;
}

} // namespace qplug::cli
