// SPDX-License-Identifier: GPL-2.0-or-later
#include "usage_errors.hpp"

#include <algorithm>
#include <iostream>

#include "exit_codes.hpp"
#include "output.hpp"
#include "suggest.hpp"

namespace qplug::cli {

namespace {

std::string command_title(const CommandLine& line) {
    std::string out = "qplug";
    for (const auto& p : line.path) {
        out += " " + p;
    }
    return out;
}

std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* o : command.get_options()) {
        for (const auto& l : o->get_lnames()) {
            names.push_back("--" + l);
        }
        for (const auto& s : o->get_snames()) {
            names.push_back("-" + s);
        }
    }
    return names;
}

std::vector<std::string> subcommand_names(const CLI::App& group) {
    std::vector<std::string> names;
    for (const CLI::App* sub : group.get_subcommands(std::function<bool(const CLI::App*)>{})) {
        if (!sub->get_group().empty()) { // hidden commands have no group
            names.push_back(sub->get_name());
        }
    }
    return names;
}

} // namespace

bool wants_json(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a == "--") {
            return false;
        }
        if (a == "--json") {
            return true;
        }
    }
    return false;
}

std::string command_names(const CLI::App& group) {
    std::string out;
    for (const auto& name : subcommand_names(group)) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

int report_usage(const CLI::App& /*app*/, const CommandLine& line, const std::string& message,
                 bool json) {
    std::cerr << "qplug: " << message << "\nRun '" << command_title(line)
              << " --help' for more information.\n";
    if (json) {
        print_json({{"error", {{"kind", "usage"}, {"message", message}}}});
    }
    return exit_usage;
}

int report_unknown_command(const CommandLine& line, bool json) {
    const std::string where = command_title(line);
    std::string message;
    if (line.path.empty()) {
        message = "'" + line.unknown + "' is not a qplug command" +
                  did_you_mean(suggestions(line.unknown, subcommand_names(*line.command))) +
                  " (qplug --list shows them all)";
    } else {
        message = "'" + line.unknown + "' is not a command of '" + where + "'" +
                  did_you_mean(suggestions(line.unknown, subcommand_names(*line.command))) +
                  "; its commands: " + command_names(*line.command);
    }
    return report_usage(*line.command, line, message, json);
}

int report_parse_error(CLI::App& app, const CommandLine& line, const CLI::ParseError& e,
                       bool json) {
    const CLI::App& command = *line.command;
    if (!line.complete && &command != &app) {
        return report_usage(
            app, line, "'" + command_title(line) + "' needs a command: " + command_names(command),
            json);
    }
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
        std::string message;
        for (const auto& extra : app.remaining(true)) {
            if (!message.empty()) {
                message += "\nqplug: ";
            }
            if (extra.starts_with('-') && extra.size() > 1) {
                const std::string name = extra.substr(0, extra.find('='));
                message += "unknown option '" + name + "' for '" + command_title(line) + "'" +
                           did_you_mean(suggestions(name, option_names(command)));
            } else {
                message += "unexpected argument '" + extra + "' for '" + command_title(line) + "'";
            }
        }
        if (!message.empty()) {
            return report_usage(app, line, message, json);
        }
    }
    return report_usage(app, line, e.what(), json);
}

} // namespace qplug::cli
