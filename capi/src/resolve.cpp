// The resolution part of the C ABI: a resolution handle over solver::resolve() against an
// index, with per-step getters and the JSON of docs/resolve.md.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <qplug/solver/index.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/source.hpp>

#include "error.hpp"
#include "strings.hpp"

struct qplug_resolution {
    qplug::solver::Resolution resolution;
    std::vector<std::string> actions;
    std::vector<std::string> backends;
};

namespace {

using namespace qplug;
using capi::guarded;
using capi::set_error;

const char* text(const char* s, const char* fallback) {
    return s != nullptr && *s != '\0' ? s : fallback;
}

const solver::PlanStep* step(const qplug_resolution* r, size_t i) {
    return r != nullptr && i < r->resolution.plan.steps.size() ? &r->resolution.plan.steps[i]
                                                               : nullptr;
}

} // namespace

QPLUG_API int qplug_resolve_options_init(qplug_resolve_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return set_error(QPLUG_EINVALID, "argument 'options' must not be NULL");
        }
        if (version != 1 && version != QPLUG_RESOLVE_OPTIONS_VERSION) {
            return set_error(QPLUG_EINVALID,
                             "unsupported resolve options version " + std::to_string(version));
        }
        if (version == 1) {
            // A version 1 struct ends before the target fields.
            const qplug_resolve_options init = QPLUG_RESOLVE_OPTIONS_INIT;
            std::memcpy(options, &init, offsetof(qplug_resolve_options, profile));
        } else {
            *options = qplug_resolve_options QPLUG_RESOLVE_OPTIONS_INIT;
        }
        options->version = version;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_resolve(qplug_resolution** out, const char* index_path, int action,
                            const char* const* requests, size_t count,
                            const qplug_resolve_options* options) {
    return guarded([&] {
        if (out == nullptr) {
            return set_error(QPLUG_EINVALID, "argument 'out' must not be NULL");
        }
        *out = nullptr;
        if (requests == nullptr && count > 0) {
            return set_error(QPLUG_EINVALID, "argument 'requests' must not be NULL");
        }
        if (options != nullptr && options->version != 1 &&
            options->version != QPLUG_RESOLVE_OPTIONS_VERSION) {
            return set_error(QPLUG_EINVALID, "unsupported resolve options version " +
                                                 std::to_string(options->version));
        }
        solver::Request::Action how;
        switch (action) {
        case QPLUG_ACTION_INSTALL:
            how = solver::Request::Action::install;
            break;
        case QPLUG_ACTION_UPGRADE:
            how = solver::Request::Action::upgrade;
            break;
        case QPLUG_ACTION_REMOVE:
            how = solver::Request::Action::remove;
            break;
        default:
            return set_error(QPLUG_EINVALID, "unknown action " + std::to_string(action));
        }
        std::vector<solver::Request> parsed;
        for (size_t i = 0; i < count; ++i) {
            if (requests[i] == nullptr) {
                return set_error(QPLUG_EINVALID, "request " + std::to_string(i) + " is NULL");
            }
            auto r = solver::parse_request(requests[i], how);
            if (!r) {
                return set_error(r.error());
            }
            parsed.push_back(std::move(*r));
        }
        if (parsed.empty() && how == solver::Request::Action::upgrade) {
            parsed.push_back(solver::Request{how, std::nullopt, "", "", "upgrade"});
        }
        // Version 1 callers' structs end before the target fields: read those as NULL.
        qplug_resolve_options o = QPLUG_RESOLVE_OPTIONS_INIT;
        if (options != nullptr) {
            std::memcpy(&o, options,
                        options->version == 1 ? offsetof(qplug_resolve_options, profile)
                                              : sizeof(qplug_resolve_options));
        }
        solver::PlanOptions plan;
        solver::Policy& policy = plan.policy;
        policy.qgis_version = text(o.qgis_version, "");
        policy.python_version = text(o.python_version, "");
        policy.platform = text(o.platform, "");
        policy.allow_experimental = o.allow_experimental != 0;
        policy.allow_deprecated = o.allow_deprecated != 0;
        policy.allow_downgrade = o.allow_downgrade != 0;
        policy.allow_uninstall = o.allow_uninstall != 0;
        policy.exclude_newer = text(o.exclude_newer, "");
        plan.lock_file = text(o.lock_file, "");
        plan.offline = o.offline != 0;
        solver::TargetOptions target_options;
        target_options.profile = text(o.profile, "");
        target_options.profiles_path = text(o.profiles_path, "");
        target_options.plugins_dir = text(o.plugins_dir, "");
        target_options.python = text(o.python_exe, "");
        auto target = solver::Target::open(target_options);
        if (!target) {
            return set_error(target.error());
        }
        const std::filesystem::path path = index_path != nullptr && *index_path != '\0'
                                               ? std::filesystem::path(index_path)
                                               : solver::Index::default_path();
        auto index = solver::Index::open(path, solver::Index::Mode::read_only);
        if (!index) {
            return set_error(QPLUG_EIO, index.error().to_string());
        }
        auto result = solver::make_plan(*index, &*target, std::move(parsed), plan);
        if (!result) {
            return set_error(result.error());
        }
        auto handle = std::make_unique<qplug_resolution>();
        handle->resolution = std::move(result->resolution);
        for (const auto& s : handle->resolution.plan.steps) {
            handle->actions.emplace_back(solver::action_name(s.action));
            handle->backends.emplace_back(solver::backend_name(s.backend));
        }
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_resolution_solved(const qplug_resolution* r) {
    return r != nullptr && r->resolution.solved ? 1 : 0;
}

QPLUG_API size_t qplug_resolution_step_count(const qplug_resolution* r) {
    return r == nullptr ? 0 : r->resolution.plan.steps.size();
}

QPLUG_API const char* qplug_resolution_step_action(const qplug_resolution* r, size_t i) {
    return step(r, i) != nullptr ? r->actions[i].c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_backend(const qplug_resolution* r, size_t i) {
    return step(r, i) != nullptr ? r->backends[i].c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_name(const qplug_resolution* r, size_t i) {
    const auto* s = step(r, i);
    return s != nullptr ? s->name.c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_version(const qplug_resolution* r, size_t i) {
    const auto* s = step(r, i);
    return s != nullptr ? s->version.c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_from_version(const qplug_resolution* r, size_t i) {
    const auto* s = step(r, i);
    return s != nullptr ? s->from_version.c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_download_url(const qplug_resolution* r, size_t i) {
    const auto* s = step(r, i);
    return s != nullptr ? s->download_url.c_str() : nullptr;
}

QPLUG_API const char* qplug_resolution_step_reason(const qplug_resolution* r, size_t i) {
    const auto* s = step(r, i);
    return s != nullptr ? s->reason.c_str() : nullptr;
}

QPLUG_API size_t qplug_resolution_cause_count(const qplug_resolution* r) {
    return r == nullptr ? 0 : r->resolution.explanation.summary.size();
}

QPLUG_API const char* qplug_resolution_cause(const qplug_resolution* r, size_t i) {
    return r != nullptr && i < r->resolution.explanation.summary.size()
               ? r->resolution.explanation.summary[i].c_str()
               : nullptr;
}

QPLUG_API size_t qplug_resolution_solution_count(const qplug_resolution* r) {
    return r == nullptr ? 0 : r->resolution.explanation.solutions.size();
}

QPLUG_API const char* qplug_resolution_solution(const qplug_resolution* r, size_t i) {
    return r != nullptr && i < r->resolution.explanation.solutions.size()
               ? r->resolution.explanation.solutions[i].c_str()
               : nullptr;
}

QPLUG_API int qplug_resolution_to_json(char** out, const qplug_resolution* r) {
    return guarded([&] {
        if (out == nullptr || r == nullptr) {
            return set_error(QPLUG_EINVALID, "arguments 'out' and 'resolution' must not be NULL");
        }
        *out = capi::copy_out(solver::resolution_json(r->resolution, true));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_resolution_free(qplug_resolution* r) {
    delete r;
}
