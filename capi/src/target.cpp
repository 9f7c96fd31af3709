// The target part of the C ABI: a QGIS profile or a plugins folder with its Python
// environment (solver::Target), and enabling plugins in it (solver::enable_plugins).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <memory>
#include <string>
#include <vector>

#include <qplug/solver/plugin_enabling.hpp>

#include "error.hpp"
#include "handles.hpp"
#include "strings.hpp"

namespace {

using namespace qplug;
using capi::guarded;
using capi::null_argument;
using capi::set_error;

const char* string_of(const qplug_target* target, const std::string qplug_target::*member) {
    capi::clear_error();
    return target == nullptr ? nullptr : (target->*member).c_str();
}

} // namespace

QPLUG_API int qplug_target_options_init(qplug_target_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_TARGET_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_target_options", version);
        }
        *options = qplug_target_options QPLUG_TARGET_OPTIONS_INIT;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_target_open(qplug_target** out, const qplug_target_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr) {
            return null_argument("out");
        }
        const qplug_target_options o =
            options != nullptr ? *options : qplug_target_options QPLUG_TARGET_OPTIONS_INIT;
        if (o.version != QPLUG_TARGET_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_target_options", o.version);
        }
        solver::TargetOptions given;
        given.profile = capi::text_or(o.profile, "");
        given.profiles_path = capi::text_or(o.profiles_path, "");
        given.plugins_dir = capi::text_or(o.plugins_dir, "");
        given.python = capi::text_or(o.python_exe, "");
        given.conda_prefix = capi::text_or(o.conda_prefix, "");
        auto target = solver::Target::open(given);
        if (!target) {
            return set_error(target.error());
        }
        *out = new qplug_target(std::move(*target), std::move(given));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_target_kind(const qplug_target* target) {
    capi::clear_error();
    if (target == nullptr) {
        return -1;
    }
    return target->target.kind() == solver::Target::Kind::profile ? QPLUG_TARGET_PROFILE
                                                                  : QPLUG_TARGET_PLUGINS_DIR;
}

QPLUG_API const char* qplug_target_root(const qplug_target* target) {
    return string_of(target, &qplug_target::root);
}

QPLUG_API const char* qplug_target_plugins_dir(const qplug_target* target) {
    return string_of(target, &qplug_target::plugins_dir);
}

QPLUG_API const char* qplug_target_describe(const qplug_target* target) {
    return string_of(target, &qplug_target::description);
}

QPLUG_API void qplug_target_free(qplug_target* target) {
    capi::clear_error();
    delete target;
}

QPLUG_API int qplug_target_enable(char** out, qplug_target* target, const char* const* names,
                                  size_t count, int enable) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (target == nullptr || (names == nullptr && count > 0)) {
            return null_argument(target == nullptr ? "target" : "names");
        }
        std::vector<std::string> keys;
        for (size_t i = 0; i < count; ++i) {
            if (names[i] == nullptr) {
                return set_error(QPLUG_EINVALID, "name " + std::to_string(i) + " is NULL");
            }
            keys.emplace_back(names[i]);
        }
        std::lock_guard<std::mutex> lock(target->mutex);
        auto report = solver::enable_plugins(target->target, keys, enable != 0);
        if (!report) {
            return set_error(report.error());
        }
        if (out != nullptr) {
            *out = capi::copy_out(solver::enabling_json(target->target, *report, false));
        }
        return QPLUG_OK;
    });
}
