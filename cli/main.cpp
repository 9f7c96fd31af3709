// qplug: the command line over the qplug libraries.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <exception>
#include <iostream>
#include <malloc.h>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include <qplug.h>

#include "command_help.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "external_commands.hpp"
#include "global_options.hpp"
#include "heavy_layer.hpp"
#include "output.hpp"
#include "usage_errors.hpp"

namespace {

using namespace qplug::cli;

/// The light commands: they run without qplug-commands.so (heavy_layer.hpp).
bool is_light(const std::vector<std::string>& args) {
    bool version_flag = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            break;
        }
        if (global_option_takes_value(a)) {
            ++i;
            continue;
        }
        if (a == "-V" || a == "--version") {
            version_flag = true;
        }
        if (!a.starts_with('-')) {
            return a == "version" || a == "meta";
        }
    }
    return version_flag;
}

int run(const std::vector<std::string>& args) {
    CLI::App app{"qplug: QGIS plugin metadata, versions and dependency resolution"};
    app.name("qplug");
    app.footer(std::string(kExitCodeHelp) +
               "\nGlobal options go before or after the command's name. Commands not built in "
               "run qplug-NAME from PATH (qplug --list).");
    app.set_version_flag("-V,--version", std::string("qplug ") + QPLUG_VERSION_STRING);
    app.require_subcommand(0, 1);
    add_global_options(app);
    bool list = false;
    app.add_flag("--list", list, "List the commands, external ones (qplug-NAME on PATH) too");

    RunState state;
    register_version_commands(app, state);
    register_meta_commands(app, state);
    const bool light = is_light(args);
    if (!light) {
        heavy_layer().register_commands(app, state, globals());
    }
    add_global_options_to_commands(app);
    add_examples(app);

    CommandLine line = locate_command(app, args);
    if (!line.unknown.empty() && line.path.empty()) {
        if (auto code = run_external_command(line.unknown, args)) {
            return *code;
        }
    }
    if (!line.unknown.empty()) {
        return report_unknown_command(line, wants_json(args));
    }
    std::vector<std::string> reversed(line.args.rbegin(), line.args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return report_parse_error(app, line, e, wants_json(args));
    }
    if (line.path.empty()) {
        if (list) {
            return list_commands(app, globals().json);
        }
        return report_usage(app, line, "a command is needed: " + command_names(app),
                            wants_json(args));
    }
    return state.exit_code;
}

/// qplug runs one command and exits, so memory a command frees is kept for its next allocations
/// instead of going back to the kernel: a page the kernel hands out again costs a page fault
/// (about 2 us on the machines measured), and a sync frees a parsed tree and the fetched
/// bytes just before SQLite's page cache needs as much (docs/performance.md). Blocks of up to
/// 32 MB (glibc's ceiling for this setting) come from the heap, so that they are reused too.
void keep_freed_memory() {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

} // namespace

int main(int argc, char** argv) {
    keep_freed_memory();
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return run(args);
    } catch (const std::exception& e) {
        if (heavy_layer_loaded()) {
            if (auto code = heavy_layer().report_exception(e, wants_json(args))) {
                return *code;
            }
        }
        std::cerr << "qplug: internal error: " << e.what() << '\n';
        return exit_failure;
    }
}
