// SPDX-License-Identifier: GPL-2.0-or-later
#include "error.hpp"

namespace qplug::capi {

namespace {

struct LastError {
    std::string message;
    qplug_error view{QPLUG_OK, "", 0};
};

LastError& last() noexcept {
    thread_local LastError error;
    return error;
}

} // namespace

void clear_error() noexcept {
    LastError& e = last();
    e.message.clear();
    e.view = {QPLUG_OK, "", 0};
}

int set_error(int code, std::string message, std::size_t offset) noexcept {
    LastError& e = last();
    try {
        e.message = std::move(message);
        e.view.message = e.message.c_str();
    } catch (...) {
        e.view.message = "out of memory";
    }
    e.view.code = code;
    e.view.offset = offset;
    return code;
}

int error_code(Error::Kind kind) noexcept {
    switch (kind) {
    case Error::Kind::parse:
        return QPLUG_EPARSE;
    case Error::Kind::not_found:
        return QPLUG_ENOTFOUND;
    case Error::Kind::io:
        return QPLUG_EIO;
    case Error::Kind::invalid:
    case Error::Kind::refused:
        return QPLUG_EINVALID;
    case Error::Kind::unsat:
        return QPLUG_EUNSAT;
    case Error::Kind::cancelled:
        return QPLUG_ECANCELED;
    case Error::Kind::internal:
        return QPLUG_ERROR;
    }
    return QPLUG_ERROR;
}

int set_error(const Error& error) noexcept {
    try {
        return set_error(error_code(error.kind), error.to_string(), error.offset);
    } catch (...) {
        return set_error(QPLUG_ERROR, "out of memory");
    }
}

} // namespace qplug::capi

QPLUG_API const qplug_error* qplug_error_last(void) {
    return &qplug::capi::last().view;
}

QPLUG_API const char* qplug_strerror(int code) {
    switch (code) {
    case QPLUG_OK:
        return "success";
    case QPLUG_ENOTFOUND:
        return "not found";
    case QPLUG_EPARSE:
        return "parse error";
    case QPLUG_EINVALID:
        return "invalid argument or request";
    case QPLUG_EUNSAT:
        return "no solution exists";
    case QPLUG_EIO:
        return "input/output error";
    case QPLUG_ECANCELED:
        return "cancelled";
    default:
        return "error";
    }
}
