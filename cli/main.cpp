// qplug: the command line over the qplug libraries.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <exception>
#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include <qplug.h>
#include <qplug/solver/index.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"

int main(int argc, char** argv) {
    using namespace qplug::cli;
    CLI::App app{"qplug: QGIS plugin metadata, versions and dependency resolution"};
    app.name("qplug");
    app.footer(kExitCodeHelp);
    app.set_version_flag("-V,--version", std::string("qplug ") + QPLUG_VERSION_STRING);
    app.require_subcommand(1);

    RunState state;
    register_version_commands(app, state);
    register_meta_commands(app, state);
    register_package_commands(app, state);
    register_repo_commands(app, state);
    register_query_commands(app, state);
    register_resolve_commands(app, state);
    register_install_commands(app, state);
    register_enable_commands(app, state);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    } catch (const qplug::solver::IndexReadError& e) {
        // A damaged index stops any command at its first read: the message says what to do.
        CommonOptions o;
        o.json = std::any_of(argv + 1, argv + argc,
                             [](const char* a) { return std::string_view(a) == "--json"; });
        return report_failure(e.what(), o);
    } catch (const std::exception& e) {
        std::cerr << "qplug: internal error: " << e.what() << '\n';
        return exit_failure;
    }
    return state.exit_code;
}
