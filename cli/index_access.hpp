// What the index commands share: --index, opening the index, progress on a terminal.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>

#include "output.hpp"

namespace qplug::cli {

struct IndexOptions : CommonOptions {
    std::string index;            ///< --index; "" = $QPLUG_INDEX or the XDG default
    solver::FetchLimits download; ///< --max-download, --stall-timeout ... (commands that fetch)
};

void add_index_options(CLI::App* cmd, IndexOptions& options);
/// --max-download, --connect-timeout, --stall-timeout, --download-timeout: the limits of
/// every download the command makes (docs/index.md, "Download limits").
void add_download_options(CLI::App* cmd, IndexOptions& options);

/// Opens the index, or reports why not (exit code in `exit_code`).
std::optional<solver::Index> open_index(const IndexOptions& options, solver::Index::Mode mode,
                                        int& exit_code);

/// Progress for a download on stderr when it is a terminal: "label: 1.2 MB of 3.4 MB".
/// Returns an empty callback otherwise; call finish_progress() afterwards.
solver::ProgressCallback terminal_progress(std::string label);
void finish_progress();

/// Exit code for a failed operation: 1 when the input was bad (a parse error), 3 otherwise.
int exit_code_for(const Error& error);

} // namespace qplug::cli
