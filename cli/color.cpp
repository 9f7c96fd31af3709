// SPDX-License-Identifier: GPL-2.0-or-later
#include "color.hpp"

#include <cstdlib>
#include <unistd.h>

namespace qplug::cli {

void add_color_option(CLI::App* command, ColorMode& mode) {
    static const std::map<std::string, ColorMode> modes = {
        {"auto", ColorMode::automatic}, {"always", ColorMode::always}, {"never", ColorMode::never}};
    command
        ->add_option("--color", mode,
                     "Colour the findings: auto (on a terminal, unless NO_COLOR is set; "
                     "default), always or never")
        ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case));
}

bool use_color(ColorMode mode, int fd) {
    if (mode != ColorMode::automatic) {
        return mode == ColorMode::always;
    }
    const char* no_color = std::getenv("NO_COLOR"); // https://no-color.org
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") {
        return false;
    }
    return isatty(fd) == 1;
}

} // namespace qplug::cli
