// SPDX-License-Identifier: GPL-2.0-or-later
#include "external_commands.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

#include "exit_codes.hpp"

namespace qplug::cli {

namespace {

constexpr std::string_view kPrefix = "qplug-";

std::vector<std::filesystem::path> path_folders() {
    std::vector<std::filesystem::path> out;
    const char* path = std::getenv("PATH");
    std::string_view rest = path != nullptr ? path : "";
    while (true) {
        const std::size_t colon = rest.find(':');
        const std::string_view folder = rest.substr(0, colon);
        out.emplace_back(folder.empty() ? "." : folder);
        if (colon == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(colon + 1);
    }
    return out;
}

bool is_executable_file(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

bool is_command_name(std::string_view name) {
    return !name.empty() && name.front() != '-' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.';
           });
}

} // namespace

std::vector<std::pair<std::string, std::string>> external_commands() {
    std::map<std::string, std::string> found;
    for (const auto& folder : path_folders()) {
        std::error_code ec;
        for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
             it.increment(ec)) {
            const std::string file = it->path().filename().string();
            if (file.size() > kPrefix.size() && file.starts_with(kPrefix) &&
                is_command_name(std::string_view(file).substr(kPrefix.size())) &&
                is_executable_file(it->path())) {
                found.emplace(file.substr(kPrefix.size()), it->path().string());
            }
        }
    }
    return {found.begin(), found.end()};
}

std::optional<int> run_external_command(const std::string& name,
                                        const std::vector<std::string>& args) {
    if (!is_command_name(name)) {
        return std::nullopt;
    }
    std::filesystem::path program;
    for (const auto& folder : path_folders()) {
        if (is_executable_file(folder / (std::string(kPrefix) + name))) {
            program = folder / (std::string(kPrefix) + name);
            break;
        }
    }
    if (program.empty()) {
        return std::nullopt;
    }
    // The arguments after NAME; --index before it reaches the command as QPLUG_INDEX.
    std::vector<std::string> rest;
    bool after = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (after) {
            rest.push_back(args[i]);
        } else if (args[i] == name) {
            after = true;
        } else if (args[i] == "--index" && i + 1 < args.size()) {
            setenv("QPLUG_INDEX", args[++i].c_str(), 1);
        } else if (args[i].starts_with("--index=")) {
            setenv("QPLUG_INDEX", args[i].c_str() + std::strlen("--index="), 1);
        }
    }
    std::vector<char*> argv;
    const std::string program_string = program.string();
    argv.push_back(const_cast<char*>(program_string.c_str()));
    for (auto& a : rest) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    execv(program_string.c_str(), argv.data());
    std::cerr << "qplug: cannot run " << program_string << ": " << std::strerror(errno) << '\n';
    return exit_failure;
}

} // namespace qplug::cli
