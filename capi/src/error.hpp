// The thread-local last error of the C ABI and the guard every extern "C" body runs in.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <exception>
#include <new>
#include <string>

#include <qplug.h>
#include <qplug/expected.hpp>
#include <qplug/solver/index.hpp>

// QPLUG_API (qplug.h) marks each definition; the C linkage comes from the declarations in
// qplug.h, which every source of the library includes.

namespace qplug::capi {

/// Clears the thread's last error; every exported function calls it first.
void clear_error() noexcept;
/// Records a failure and returns its code.
int set_error(int code, std::string message, std::size_t offset = 0) noexcept;
/// The C ABI's code for a kind of library Error: the one place where the taxonomy meets the
/// codes (docs/capi.md, "Errors").
int error_code(Error::Kind kind) noexcept;
/// Records a library Error with its kind's code.
int set_error(const Error& error) noexcept;

/// Runs `body` (returning int) with the error cleared first and every exception turned into
/// a code: no C++ exception ever crosses the C boundary.
template <class Body>
int guarded(Body&& body) noexcept {
    clear_error();
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return set_error(QPLUG_ERROR, "out of memory");
    } catch (const solver::IndexReadError& e) {
        return set_error(QPLUG_EIO, e.what()); // a damaged or unreadable index
    } catch (const std::exception& e) {
        return set_error(QPLUG_ERROR, std::string("internal error: ") + e.what());
    } catch (...) {
        return set_error(QPLUG_ERROR, "internal error");
    }
}

} // namespace qplug::capi
