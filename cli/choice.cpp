// SPDX-License-Identifier: GPL-2.0-or-later
#include "choice.hpp"

namespace qplug::cli {

std::string choice_list(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        out += (out.empty() ? "" : ", ") + w;
    }
    return out;
}

} // namespace qplug::cli
