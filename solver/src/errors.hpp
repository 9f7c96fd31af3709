// Errors of the solver layer: whole sentences ("repository 'x' is not configured"), or a
// position in a file ("URL:LINE:COLUMN: message").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include <qplug/expected.hpp>

namespace qplug::solver {

/// A failure that is not a parse error of user input: I/O, configuration, the index.
inline Error failure(std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
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
