// SPDX-License-Identifier: GPL-2.0-or-later
#include "color.hpp"

#include <cstdlib>
#include <unistd.h>

#include "choice.hpp"
#include "global_options.hpp"

namespace qplug::cli {

void add_color_option(CLI::App* command, ColorMode& mode) {
    static const std::map<std::string, ColorMode> modes = {
        {"auto", ColorMode::automatic}, {"always", ColorMode::always}, {"never", ColorMode::never}};
    command
        ->add_option("--color", mode,
                     "Colour the findings: auto (on a terminal, unless NO_COLOR is set; "
                     "CLICOLOR_FORCE forces it; default), always or never")
        ->transform(choice(modes));
}

bool use_color(ColorMode mode, int fd) {
    if (mode == ColorMode::automatic) {
        mode = globals().color; // the command's own --color, else the global one
    }
    if (mode != ColorMode::automatic) {
        return mode == ColorMode::always;
    }
    const char* no_color = std::getenv("NO_COLOR"); // https://no-color.org
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    const char* force = std::getenv("CLICOLOR_FORCE"); // https://bixense.com/clicolors
    if (force != nullptr && *force != '\0' && std::string_view(force) != "0") {
        return true;
    }
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") {
        return false;
    }
    return isatty(fd) == 1;
}

} // namespace qplug::cli
