// qplug-commands.so's entry point: the heavy commands, handed to the executable.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/meta/validator.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/link_check.hpp>

#include "completion.hpp"
#include "heavy_layer.hpp"
#include "man_page.hpp"
#include "output.hpp"

namespace qplug::cli {
namespace {

void register_heavy_commands(CLI::App& app, RunState& state, GlobalOptions& shared) {
    use_globals(shared);
    register_package_commands(app, state);
    register_repo_commands(app, state);
    register_query_commands(app, state);
    register_resolve_commands(app, state);
    register_install_commands(app, state);
    register_enable_commands(app, state);
    register_check_command(app, state);
    register_completion_commands(app, state);
    register_man_command(app, state);
}

std::optional<int> report_heavy_exception(const std::exception& e, bool json) {
    if (dynamic_cast<const solver::IndexReadError*>(&e) != nullptr) {
        // A damaged index stops any command at its first read: the message says what to do.
        CommonOptions o;
        o.json = json;
        return report_failure(e.what(), o);
    }
    return std::nullopt;
}

std::optional<std::string> check_link(std::string_view url, long timeout_seconds) {
    return solver::check_link_with_curl(url, timeout_seconds);
}

Expected<solver::WheelPlugin> read_plugin_wheel(const std::filesystem::path& wheel) {
    return solver::read_plugin_wheel(wheel);
}

meta::Diagnostics check_plugin_wheel(const std::filesystem::path& wheel) {
    return solver::check_plugin_wheel(wheel);
}

constexpr HeavyLayer kLayer{register_heavy_commands, report_heavy_exception, check_link,
                            read_plugin_wheel, check_plugin_wheel};

} // namespace
} // namespace qplug::cli

extern "C" __attribute__((visibility("default"))) const qplug::cli::HeavyLayer*
qplug_cli_heavy_layer() {
    return &qplug::cli::kLayer;
}
