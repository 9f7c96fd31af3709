// Errors of the solver layer: whole sentences ("repository 'x' is not configured"), or a
// position in a file ("URL:LINE:COLUMN: message").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include <qplug/expected.hpp>

namespace qplug::solver {

/// A request or a configuration that cannot be answered as it stands (QPLUG_EINVALID, exit 3
/// in the CLI unless a command says otherwise).
inline Error failure(std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.message = std::move(message);
    return e;
}

/// A file, a folder, a pipe or a process the operating system failed on (QPLUG_EIO, exit 3):
/// the message names the path and the system's reason.
inline Error io_failure(std::string message) {
    Error e;
    e.kind = Error::Kind::io;
    e.message = std::move(message);
    return e;
}

/// A problem at a place in a file a source read.
inline Error file_error(std::string file, std::size_t line, std::size_t column,
                        std::string message) {
    Error e;
    e.kind = Error::Kind::parse;
    e.file = std::move(file);
    e.line = line;
    e.line_column = column;
    e.message = std::move(message);
    return e;
}

} // namespace qplug::solver
