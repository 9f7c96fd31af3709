// The exit codes of qplug, documented in `qplug --help` and docs/cli.md.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace qplug::cli {

enum ExitCode : int {
    exit_ok = 0,       ///< success; a predicate that holds
    exit_findings = 1, ///< findings: invalid metadata, unsatisfiable request, a false predicate
    exit_usage = 2,    ///< usage: unknown command or option, or an argument that is not valid
    exit_failure = 3,  ///< I/O or internal error
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes: 0 success; 1 findings (invalid metadata, unsatisfiable request, a false\n"
    "predicate); 2 usage error (unknown command or option, an argument that is not valid);\n"
    "3 I/O or internal error.";

} // namespace qplug::cli
