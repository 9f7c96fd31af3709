// Source kinds from outside the library (qplug.h, "Source kinds from outside the library"):
// registration, and the functions a sync callback uses, which dispatch through the handle to
// the copy of the library that runs the sync (source_kinds.hpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <initializer_list>
#include <string>
#include <utility>

#include <qplug/solver/source_kinds.hpp>

#include "error.hpp"
#include "handles.hpp"

using qplug::capi::guarded;
using qplug::capi::null_argument;
using qplug::capi::set_error;

namespace {

/// The handle's answer as the calling thread's last error.
int answered(int code, std::string& message) {
    if (code == QPLUG_OK) {
        return QPLUG_OK;
    }
    return set_error(code, message.empty() ? std::string(qplug_strerror(code)) : message);
}

bool usable(const qplug_source_sync* sync) {
    return sync != nullptr && sync->functions != nullptr && sync->state != nullptr;
}

/// A qplug_source_sync_* entry point: the handle and the arguments it requires checked
/// (NULL is QPLUG_EINVALID naming the argument), then the sync's own function called and its
/// answer made the return code and the calling thread's last error.
template <class Call>
int call_sync(qplug_source_sync* sync,
              std::initializer_list<std::pair<const char*, const void*>> required, Call call) {
    return guarded([&] {
        for (const auto& [name, argument] : required) {
            if (argument == nullptr) {
                return null_argument(name);
            }
        }
        if (!usable(sync)) {
            return null_argument("sync");
        }
        std::string message;
        return answered(call(message), message);
    });
}

} // namespace

QPLUG_API int qplug_source_kind_init(qplug_source_kind* kind, unsigned version) {
    return guarded([&] {
        if (kind == nullptr) {
            return null_argument("kind");
        }
        if (version != QPLUG_SOURCE_KIND_VERSION) {
            return qplug::capi::bad_options_version("qplug_source_kind", version);
        }
        *kind = qplug_source_kind QPLUG_SOURCE_KIND_INIT;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_source_kind_register(const qplug_source_kind* kind) {
    return guarded([&] {
        if (kind == nullptr) {
            return null_argument("kind");
        }
        std::string message;
        const int code = qplug::solver::register_source_kind(*kind, message);
        return answered(code, message);
    });
}

QPLUG_API int qplug_source_kind_unregister(const char* tag) {
    return guarded([&] {
        if (tag == nullptr) {
            return null_argument("tag");
        }
        if (!qplug::solver::unregister_source_kind(tag)) {
            return set_error(QPLUG_ENOTFOUND, std::string("no registered kind '") + tag + "'");
        }
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_source_sync_add_package(qplug_source_sync* sync, const char* package_json) {
    return call_sync(sync, {{"package_json", package_json}}, [&](std::string& message) {
        return sync->functions->add_package(sync, package_json, &message);
    });
}

QPLUG_API int qplug_source_sync_add_plugin_archive(int* accepted, qplug_source_sync* sync,
                                                   const char* data, size_t size,
                                                   const char* release_json) {
    if (accepted != nullptr) {
        *accepted = 0;
    }
    return call_sync(sync, {{"accepted", accepted}, {"data", data}}, [&](std::string& message) {
        return sync->functions->add_plugin_archive(sync, data, size, release_json, accepted,
                                                   &message);
    });
}

QPLUG_API int qplug_source_sync_fetch(char** out, size_t* out_size, qplug_source_sync* sync,
                                      const char* url) {
    if (out != nullptr) {
        *out = nullptr;
    }
    if (out_size != nullptr) {
        *out_size = 0;
    }
    return call_sync(sync, {{"out", out}, {"out_size", out_size}, {"url", url}},
                     [&](std::string& message) {
                         return sync->functions->fetch(sync, url, out, out_size, &message);
                     });
}

QPLUG_API int qplug_source_sync_warn(qplug_source_sync* sync, const char* message) {
    return call_sync(sync, {{"message", message}}, [&](std::string& answer) {
        return sync->functions->warn(sync, message, &answer);
    });
}

QPLUG_API int qplug_source_sync_fail(qplug_source_sync* sync, const char* message) {
    return call_sync(sync, {{"message", message}}, [&](std::string& answer) {
        return sync->functions->fail(sync, message, &answer);
    });
}
