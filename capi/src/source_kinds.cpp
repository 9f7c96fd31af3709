// Source kinds from outside the library (qplug.h, "Source kinds from outside the library"):
// registration, and the functions a sync callback uses, which dispatch through the handle to
// the copy of the library that runs the sync (source_kinds.hpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

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
    return guarded([&] {
        if (!usable(sync)) {
            return null_argument("sync");
        }
        if (package_json == nullptr) {
            return null_argument("package_json");
        }
        std::string message;
        return answered(sync->functions->add_package(sync, package_json, &message), message);
    });
}

QPLUG_API int qplug_source_sync_add_plugin_archive(int* accepted, qplug_source_sync* sync,
                                                   const char* data, size_t size,
                                                   const char* release_json) {
    return guarded([&] {
        if (accepted == nullptr) {
            return null_argument("accepted");
        }
        *accepted = 0;
        if (!usable(sync)) {
            return null_argument("sync");
        }
        if (data == nullptr) {
            return null_argument("data");
        }
        std::string message;
        return answered(
            sync->functions->add_plugin_archive(sync, data, size, release_json, accepted, &message),
            message);
    });
}

QPLUG_API int qplug_source_sync_fetch(char** out, size_t* out_size, qplug_source_sync* sync,
                                      const char* url) {
    return guarded([&] {
        if (out == nullptr) {
            return null_argument("out");
        }
        *out = nullptr;
        if (out_size == nullptr) {
            return null_argument("out_size");
        }
        *out_size = 0;
        if (!usable(sync)) {
            return null_argument("sync");
        }
        if (url == nullptr) {
            return null_argument("url");
        }
        std::string message;
        return answered(sync->functions->fetch(sync, url, out, out_size, &message), message);
    });
}

QPLUG_API int qplug_source_sync_warn(qplug_source_sync* sync, const char* message) {
    return guarded([&] {
        if (!usable(sync)) {
            return null_argument("sync");
        }
        if (message == nullptr) {
            return null_argument("message");
        }
        std::string answer;
        return answered(sync->functions->warn(sync, message, &answer), answer);
    });
}

QPLUG_API int qplug_source_sync_fail(qplug_source_sync* sync, const char* message) {
    return guarded([&] {
        if (!usable(sync)) {
            return null_argument("sync");
        }
        if (message == nullptr) {
            return null_argument("message");
        }
        std::string answer;
        return answered(sync->functions->fail(sync, message, &answer), answer);
    });
}
