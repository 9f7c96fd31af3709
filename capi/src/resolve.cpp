// The resolution part of the C ABI: a resolution handle over solver::resolve() against an
// index, with per-step getters and the JSON of docs/resolve.md.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>
#include <vector>

#include <qplug/solver/index.hpp>
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
        if (version != QPLUG_RESOLVE_OPTIONS_VERSION) {
            return set_error(QPLUG_EINVALID,
                             "unsupported resolve options version " + std::to_string(version));
        }
        *options = qplug_resolve_options QPLUG_RESOLVE_OPTIONS_INIT;
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
        if (options != nullptr && options->version != QPLUG_RESOLVE_OPTIONS_VERSION) {
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
        solver::Policy policy;
        qplug_resolve_options defaults = QPLUG_RESOLVE_OPTIONS_INIT;
        const qplug_resolve_options& o = options != nullptr ? *options : defaults;
        policy.qgis_version = text(o.qgis_version, "");
        if (policy.qgis_version.empty()) {
            policy.qgis_version = solver::default_qgis_version();
        }
        policy.python_version = text(o.python_version, "3.11");
        policy.platform = text(o.platform, "linux");
        policy.allow_experimental = o.allow_experimental != 0;
        policy.allow_deprecated = o.allow_deprecated != 0;
        policy.allow_downgrade = o.allow_downgrade != 0;
        policy.allow_uninstall = o.allow_uninstall != 0;
        policy.exclude_newer = text(o.exclude_newer, "");
        const std::filesystem::path path = index_path != nullptr && *index_path != '\0'
                                               ? std::filesystem::path(index_path)
                                               : solver::Index::default_path();
        auto index = solver::Index::open(path, solver::Index::Mode::read_only);
        if (!index) {
            return set_error(QPLUG_EIO, index.error().to_string());
        }
        auto result = solver::resolve(*index, parsed, policy);
        if (!result) {
            return set_error(result.error());
        }
        auto handle = std::make_unique<qplug_resolution>();
        handle->resolution = std::move(*result);
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
