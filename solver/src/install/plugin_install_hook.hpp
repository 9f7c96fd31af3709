// A test hook of the plugin installer: called at every point where a kill or a failure must
// leave the plugins folder recoverable (tests/solver/test_plugin_install.cpp). Not for
// production use; unset (the default) it costs one branch per point.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <string_view>

namespace qplug::solver::detail {

/// Called with a point name ("staged", "backup", "backed-up", "put", "placed", "swap",
/// "swapped", "commit", "committed") and the plugin key concerned ("" for none). Returning false
/// makes the installer fail right there, as if the operation that follows had failed.
using InstallHook = std::function<bool(std::string_view point, std::string_view key)>;

/// Sets (or, with an empty function, clears) the hook for the whole process.
void set_install_hook(InstallHook hook);

/// Whether upgrades may swap folders with renameat2(RENAME_EXCHANGE) (the default, where the
/// file system can); false makes them use the two-rename fallback, for testing it.
void set_rename_exchange(bool allowed);

} // namespace qplug::solver::detail
