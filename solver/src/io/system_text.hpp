// What the system says, as text: an errno's message and the current time.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

namespace qplug::solver {

/// The message of an errno value ("No such file or directory"); thread-safe, unlike strerror.
std::string errno_text(int error);

/// The current time, ISO 8601 UTC ("2026-11-23T16:40:00Z").
std::string utc_now();

} // namespace qplug::solver
