// SPDX-License-Identifier: GPL-2.0-or-later
#include "global_options.hpp"

#include <string_view>

#include "choice.hpp"

namespace qplug::cli {

namespace {

constexpr const char* kGroup = "Global options";

void add_json(CLI::App& app) {
    app.add_flag("--json", globals().json, "Print JSON on stdout (errors too)")->group(kGroup);
}
void add_index(CLI::App& app) {
    app.add_option("--index", globals().index,
                   "The index database (default: $QPLUG_INDEX, else "
                   "$XDG_DATA_HOME/qplug/index.sqlite)")
        ->group(kGroup);
}
void add_color(CLI::App& app) {
    app.add_option("--color", globals().color,
                   "Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces "
                   "it), always or never")
        ->transform(
            choice(std::vector<std::pair<std::string, ColorMode>>{{"auto", ColorMode::automatic},
                                                                  {"always", ColorMode::always},
                                                                  {"never", ColorMode::never}}))
        ->group(kGroup);
}
void add_quiet(CLI::App& app) {
    app.add_flag("-q,--quiet", globals().quiet, "Print less: no progress, no notes")->group(kGroup);
}
void add_verbose(CLI::App& app) {
    app.add_flag("-v,--verbose", globals().verbose, "Print more: what is read, fetched, decided")
        ->group(kGroup);
}

struct Global {
    const char* name;
    void (*add)(CLI::App&);
};
constexpr Global kGlobals[] = {{"--index", add_index},
                               {"--json", add_json},
                               {"--color", add_color},
                               {"--quiet", add_quiet},
                               {"--verbose", add_verbose}};

} // namespace

namespace {
GlobalOptions own_globals;
GlobalOptions* current_globals = &own_globals;
} // namespace

GlobalOptions& globals() {
    return *current_globals;
}

void use_globals(GlobalOptions& shared) {
    current_globals = &shared;
}

void add_global_options(CLI::App& app) {
    for (const auto& g : kGlobals) {
        g.add(app);
    }
}

void add_global_options_to_commands(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>{})) {
        if (!sub->get_subcommands(std::function<bool(CLI::App*)>{}).empty()) {
            add_global_options_to_commands(*sub);
            continue;
        }
        for (const auto& g : kGlobals) {
            const bool has = sub->get_option_no_throw(g.name) != nullptr ||
                             (std::string_view(g.name) == "--quiet" &&
                              sub->get_option_no_throw("-q") != nullptr) ||
                             (std::string_view(g.name) == "--verbose" &&
                              sub->get_option_no_throw("-v") != nullptr);
            if (!has) {
                g.add(*sub);
            }
        }
    }
}

bool global_option_takes_value(const std::string& arg) {
    return arg == "--index" || arg == "--color";
}

bool is_global_option(const std::string& arg) {
    return global_option_takes_value(arg) || arg == "--json" || arg == "-q" || arg == "--quiet" ||
           arg == "-v" || arg == "--verbose" || arg.starts_with("--index=") ||
           arg.starts_with("--color=");
}

CommandLine locate_command(CLI::App& app, const std::vector<std::string>& args) {
    CommandLine out;
    out.command = &app;
    std::vector<std::string> in_place, hoisted;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            break;
        }
        if (is_global_option(a)) {
            hoisted.push_back(a);
            if (global_option_takes_value(a) && i + 1 < args.size()) {
                hoisted.push_back(args[++i]);
            }
            continue;
        }
        if (a.starts_with('-')) {
            in_place.push_back(a); // --help, -V: CLI11 reads them where they are
            continue;
        }
        CLI::App* next = nullptr;
        for (CLI::App* sub : out.command->get_subcommands(std::function<bool(CLI::App*)>{})) {
            if (sub->check_name(a)) {
                next = sub;
                break;
            }
        }
        if (next == nullptr) {
            out.unknown = a;
            break;
        }
        out.path.push_back(a);
        in_place.push_back(a);
        out.command = next;
        if (next->get_subcommands(std::function<bool(CLI::App*)>{}).empty()) {
            out.complete = true;
            ++i;
            break;
        }
    }
    if (!out.complete) {
        out.args = args; // the application itself reads the global options
        return out;
    }
    out.args = std::move(in_place);
    out.args.insert(out.args.end(), hoisted.begin(), hoisted.end());
    out.args.insert(out.args.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return out;
}

} // namespace qplug::cli
