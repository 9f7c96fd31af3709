// The property test's generator: random small scenarios (tests/data/scenarios/README.md)
// across the three backends, with an installed state (requested, automatic and environment
// packages, some already broken) and requests of one kind.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace qplug::test::property {

enum class Kind {
    install_fresh, ///< install into an empty target
    install,       ///< install beside what is installed
    upgrade_all,   ///< "upgrade"
    upgrade,       ///< "upgrade NAME", mostly of an installed package
    remove,        ///< "remove NAME", often of a package another installed one needs
    pin,           ///< policy pins on installed packages, with or without a request
    downgrade,     ///< "install NAME==OLDER" of an installed package
};

std::string_view kind_name(Kind kind);

/// The scenario of one seed (the same seed and kind give the same scenario).
nlohmann::json generate_scenario(std::uint32_t seed, Kind kind);

} // namespace qplug::test::property
