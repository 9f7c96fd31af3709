// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/system_text.hpp"

#include <chrono>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace qplug::solver {

std::string errno_text(int error) {
    return std::system_category().message(error);
}

std::string utc_now() {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

} // namespace qplug::solver
