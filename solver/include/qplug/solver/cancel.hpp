// Stopping long work on request: a sync, a download or the staging of an install checks the
// flag at points where stopping leaves nothing half done (docs/capi.md, "Progress and
// cancellation").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <atomic>
#include <string>

#include <qplug/expected.hpp>

namespace qplug::solver {

/// A flag any thread may raise; the work that was given it stops at its next check point with
/// an error of kind `cancelled`.
class Cancellation {
public:
    void request() noexcept { requested_.store(true, std::memory_order_relaxed); }
    bool requested() const noexcept { return requested_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> requested_{false};
};

/// Whether `cancel` (may be nullptr) was raised.
inline bool cancelled(const Cancellation* cancel) noexcept {
    return cancel != nullptr && cancel->requested();
}

/// The error of work stopped on request: "<what>: cancelled".
inline Error cancelled_error(const std::string& what) {
    Error e;
    e.kind = Error::Kind::cancelled;
    e.message = what.empty() ? "cancelled" : what + ": cancelled";
    return e;
}

} // namespace qplug::solver
