// Colour on a terminal: one decision per output stream, one place that makes it, so that a
// global --color option can later set it for every command.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace qplug::cli {

enum class ColorMode { automatic, always, never };

/// --color auto|always|never for a command (default auto).
void add_color_option(CLI::App* command, ColorMode& mode);

/// Whether to colour what goes to the file descriptor: always, never, or (auto: the global
/// --color, else) when NO_COLOR is unset or empty and either CLICOLOR_FORCE is set (not "0")
/// or the descriptor is a terminal whose TERM is not "dumb".
bool use_color(ColorMode mode, int fd);

/// ANSI SGR sequences, or "" when colour is off.
struct Palette {
    bool on = false;
    std::string_view error() const { return on ? "\033[1;31m" : ""; }
    std::string_view warning() const { return on ? "\033[1;33m" : ""; }
    std::string_view info() const { return on ? "\033[1;36m" : ""; }
    std::string_view bold() const { return on ? "\033[1m" : ""; }
    std::string_view dim() const { return on ? "\033[2m" : ""; }
    std::string_view good() const { return on ? "\033[1;32m" : ""; }
    std::string_view reset() const { return on ? "\033[0m" : ""; }
};

} // namespace qplug::cli
