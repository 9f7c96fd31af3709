// The resolution part of the C ABI: plans made by solver::make_plan (qplug_resolve against an
// index path, qplug_index_resolve against open handles), their getters and JSON, applying a
// plan through solver::change_target, and lock files.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include <qplug/solver/index.hpp>
#include <qplug/solver/lifecycle.hpp>
#include <qplug/solver/lock_file.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/source.hpp>

#include "error.hpp"
#include "handles.hpp"
#include "strings.hpp"

struct qplug_applied {
    qplug::solver::ChangeReport report;
    std::vector<std::string> actions;
    std::vector<std::string> backends;
    std::string json;
};

namespace {

using namespace qplug;
using capi::guarded;
using capi::set_error;

const solver::PlanStep* step(const qplug_resolution* r, size_t i) {
    return r != nullptr && i < r->resolution().plan.steps.size() ? &r->resolution().plan.steps[i]
                                                                 : nullptr;
}

const solver::AppliedStep* applied_step(const qplug_applied* a, size_t i) {
    return a != nullptr && i < a->report.applied.size() ? &a->report.applied[i] : nullptr;
}

/// A string of a handle, or NULL past the end; the last error cleared.
template <class Handle, class Get>
const char* string_at(const Handle* h, Get&& get) noexcept {
    capi::clear_error();
    try {
        const std::string* s = h != nullptr ? get(h) : nullptr;
        return s != nullptr ? s->c_str() : nullptr;
    } catch (...) {
        return nullptr;
    }
}

std::unique_ptr<qplug_resolution> wrap(solver::PlanRun run) {
    auto handle = std::make_unique<qplug_resolution>();
    handle->run = std::move(run);
    for (const auto& s : handle->resolution().plan.steps) {
        handle->actions.emplace_back(solver::action_name(s.action));
        handle->backends.emplace_back(solver::backend_name(s.backend));
    }
    return handle;
}

/// What a step changes, to compare two plans.
using StepKey = std::tuple<int, int, std::string, std::string>;

std::vector<StepKey> changes_of(const solver::Resolution& r) {
    std::vector<StepKey> out;
    for (const auto& s : r.plan.steps) {
        if (s.action != solver::PlanStep::Action::keep) {
            out.emplace_back(static_cast<int>(s.action), static_cast<int>(s.backend), s.name,
                             s.version);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

namespace qplug::capi {

int parse_requests(std::vector<solver::Request>& out, int action, const char* const* requests,
                   size_t count) {
    if (requests == nullptr && count > 0) {
        return null_argument("requests");
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
    for (size_t i = 0; i < count; ++i) {
        if (requests[i] == nullptr) {
            return set_error(QPLUG_EINVALID, "request " + std::to_string(i) + " is NULL");
        }
        auto r = solver::parse_request(requests[i], how);
        if (!r) {
            return set_error(r.error());
        }
        out.push_back(std::move(*r));
    }
    if (out.empty() && how == solver::Request::Action::upgrade) {
        out.push_back(solver::Request{how, std::nullopt, "", "", "upgrade"});
    }
    return QPLUG_OK;
}

int plan_options(const qplug_resolve_options* options, solver::PlanOptions& plan,
                 solver::TargetOptions& target_options) {
    if (options != nullptr && options->version != 1 &&
        options->version != QPLUG_RESOLVE_OPTIONS_VERSION) {
        return bad_options_version("qplug_resolve_options", options->version);
    }
    // Version 1 callers' structs end before the target fields: read those as NULL.
    qplug_resolve_options o = QPLUG_RESOLVE_OPTIONS_INIT;
    if (options != nullptr) {
        std::memcpy(&o, options,
                    options->version == 1 ? offsetof(qplug_resolve_options, profile)
                                          : sizeof(qplug_resolve_options));
    }
    solver::Policy& policy = plan.policy;
    policy.qgis_version = text_or(o.qgis_version, "");
    policy.python_version = text_or(o.python_version, "");
    policy.platform = text_or(o.platform, "");
    policy.allow_experimental = o.allow_experimental != 0;
    policy.allow_deprecated = o.allow_deprecated != 0;
    policy.allow_downgrade = o.allow_downgrade != 0;
    policy.allow_uninstall = o.allow_uninstall != 0;
    policy.exclude_newer = text_or(o.exclude_newer, "");
    plan.lock_file = text_or(o.lock_file, "");
    plan.offline = o.offline != 0;
    target_options.profile = text_or(o.profile, "");
    target_options.profiles_path = text_or(o.profiles_path, "");
    target_options.plugins_dir = text_or(o.plugins_dir, "");
    target_options.python = text_or(o.python_exe, "");
    return QPLUG_OK;
}

} // namespace qplug::capi

QPLUG_API int qplug_resolve_options_init(qplug_resolve_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return capi::null_argument("options");
        }
        if (version != 1 && version != QPLUG_RESOLVE_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_resolve_options", version);
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
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr) {
            return capi::null_argument("out");
        }
        std::vector<solver::Request> parsed;
        if (const int rc = capi::parse_requests(parsed, action, requests, count); rc != QPLUG_OK) {
            return rc;
        }
        solver::PlanOptions plan;
        solver::TargetOptions target_options;
        if (const int rc = capi::plan_options(options, plan, target_options); rc != QPLUG_OK) {
            return rc;
        }
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
        auto requests_kept = parsed;
        auto result = solver::make_plan(*index, &*target, std::move(parsed), plan);
        if (!result) {
            return set_error(result.error());
        }
        auto handle = wrap(std::move(*result));
        handle->requests = std::move(requests_kept);
        handle->plan = plan;
        handle->target_root = target->root().string();
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_resolve(qplug_resolution** out, qplug_index* index, qplug_target* target,
                                  int action, const char* const* requests, size_t count,
                                  const qplug_resolve_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr) {
            return capi::null_argument(out == nullptr ? "out" : "index");
        }
        std::vector<solver::Request> parsed;
        if (const int rc = capi::parse_requests(parsed, action, requests, count); rc != QPLUG_OK) {
            return rc;
        }
        solver::PlanOptions plan;
        solver::TargetOptions target_options;
        if (const int rc = capi::plan_options(options, plan, target_options); rc != QPLUG_OK) {
            return rc;
        }
        std::optional<solver::Target> own_target;
        std::unique_lock<std::mutex> target_lock;
        const solver::Target* chosen = nullptr;
        if (target != nullptr) {
            target_lock = std::unique_lock(target->mutex);
            chosen = &target->target;
        } else {
            auto opened = solver::Target::open(target_options);
            if (!opened) {
                return set_error(opened.error());
            }
            own_target.emplace(std::move(*opened));
            chosen = &*own_target;
        }
        // A connection of its own: fetching ZIPs does not hold the handle.
        auto connection = solver::Index::open(index->path, solver::Index::Mode::read_only);
        if (!connection) {
            return set_error(connection.error());
        }
        auto requests_kept = parsed;
        auto result = solver::make_plan(*connection, chosen, std::move(parsed), plan);
        if (!result) {
            return set_error(result.error());
        }
        auto handle = wrap(std::move(*result));
        handle->requests = std::move(requests_kept);
        handle->plan = plan;
        handle->target_root = chosen->root().string();
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_resolution_solved(const qplug_resolution* r) {
    capi::clear_error();
    return r != nullptr && r->resolution().solved ? 1 : 0;
}

QPLUG_API size_t qplug_resolution_step_count(const qplug_resolution* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->resolution().plan.steps.size();
}

QPLUG_API const char* qplug_resolution_step_action(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        return step(h, i) != nullptr ? &h->actions[i] : nullptr;
    });
}

QPLUG_API const char* qplug_resolution_step_backend(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        return step(h, i) != nullptr ? &h->backends[i] : nullptr;
    });
}

#define QPLUG_STEP_STRING(function, member)                                                        \
    QPLUG_API const char* function(const qplug_resolution* r, size_t i) {                          \
        return string_at(r, [i](const qplug_resolution* h) {                                       \
            const auto* s = step(h, i);                                                            \
            return s != nullptr ? &s->member : nullptr;                                            \
        });                                                                                        \
    }

QPLUG_STEP_STRING(qplug_resolution_step_name, name)
QPLUG_STEP_STRING(qplug_resolution_step_display_name, display_name)
QPLUG_STEP_STRING(qplug_resolution_step_version, version)
QPLUG_STEP_STRING(qplug_resolution_step_from_version, from_version)
QPLUG_STEP_STRING(qplug_resolution_step_download_url, download_url)
QPLUG_STEP_STRING(qplug_resolution_step_reason, reason)

#undef QPLUG_STEP_STRING

QPLUG_API int qplug_resolution_step_requested(const qplug_resolution* r, size_t i) {
    capi::clear_error();
    const auto* s = step(r, i);
    return s != nullptr && s->requested ? 1 : 0;
}

QPLUG_API size_t qplug_resolution_load_order_count(const qplug_resolution* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->resolution().plan.load_order.size();
}

QPLUG_API const char* qplug_resolution_load_order(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        const auto& order = h->resolution().plan.load_order;
        return i < order.size() ? &order[i] : nullptr;
    });
}

QPLUG_API const char* qplug_resolution_qgis_version(const qplug_resolution* r) {
    return string_at(r, [](const qplug_resolution* h) { return &h->run.qgis_version; });
}

QPLUG_API const char* qplug_resolution_python_version(const qplug_resolution* r) {
    return string_at(r, [](const qplug_resolution* h) { return &h->run.python_version; });
}

QPLUG_API const char* qplug_resolution_platform(const qplug_resolution* r) {
    return string_at(r, [](const qplug_resolution* h) { return &h->run.platform; });
}

QPLUG_API size_t qplug_resolution_cause_count(const qplug_resolution* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->resolution().explanation.summary.size();
}

QPLUG_API const char* qplug_resolution_cause(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        const auto& list = h->resolution().explanation.summary;
        return i < list.size() ? &list[i] : nullptr;
    });
}

QPLUG_API size_t qplug_resolution_solution_count(const qplug_resolution* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->resolution().explanation.solutions.size();
}

QPLUG_API const char* qplug_resolution_solution(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        const auto& list = h->resolution().explanation.solutions;
        return i < list.size() ? &list[i] : nullptr;
    });
}

namespace {

const solver::ProblemCause* problem_cause(const qplug_resolution* r, size_t i) {
    if (r == nullptr) {
        return nullptr;
    }
    const auto& causes = r->resolution().explanation.problems.causes;
    return i < causes.size() ? &causes[i] : nullptr;
}

} // namespace

QPLUG_API size_t qplug_resolution_problem_count(const qplug_resolution* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->resolution().explanation.problems.problem_count;
}

QPLUG_API const char* qplug_resolution_cause_kind(const qplug_resolution* r, size_t i) {
    capi::clear_error();
    const auto* c = problem_cause(r, i);
    // The kind names are string literals: NUL-terminated.
    return c != nullptr ? solver::cause_kind_name(c->kind).data() : nullptr;
}

QPLUG_API const char* qplug_resolution_cause_subject(const qplug_resolution* r, size_t i) {
    return string_at(r, [i](const qplug_resolution* h) {
        const auto* c = problem_cause(h, i);
        return c != nullptr ? &c->subject : nullptr;
    });
}

QPLUG_API size_t qplug_resolution_cause_name_count(const qplug_resolution* r, size_t i) {
    capi::clear_error();
    const auto* c = problem_cause(r, i);
    return c != nullptr ? c->nodes.size() : 0;
}

QPLUG_API const char* qplug_resolution_cause_name(const qplug_resolution* r, size_t i,
                                                  size_t name) {
    return string_at(r, [i, name](const qplug_resolution* h) -> const std::string* {
        const auto* c = problem_cause(h, i);
        if (c == nullptr || name >= c->nodes.size()) {
            return nullptr;
        }
        return &h->resolution().explanation.problems.nodes[c->nodes[name]].name;
    });
}

QPLUG_API int qplug_resolution_problems_json(char** out, const qplug_resolution* r) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || r == nullptr) {
            return capi::null_argument(out == nullptr ? "out" : "resolution");
        }
        *out = capi::copy_out(solver::problem_graph_json(r->resolution().explanation.problems));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_resolution_to_json(char** out, const qplug_resolution* r) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || r == nullptr) {
            return capi::null_argument(out == nullptr ? "out" : "resolution");
        }
        // `qplug resolve --json --proof`.
        *out = capi::copy_out(solver::plan_json(r->run, true));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_resolution_free(qplug_resolution* r) {
    capi::clear_error();
    delete r;
}

// ---- applying ---------------------------------------------------------------------------

QPLUG_API int qplug_apply_options_init(qplug_apply_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return capi::null_argument("options");
        }
        if (version != QPLUG_APPLY_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_apply_options", version);
        }
        *options = qplug_apply_options QPLUG_APPLY_OPTIONS_INIT;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_resolution_apply(qplug_applied** out, const qplug_resolution* resolution,
                                     qplug_index* index, qplug_target* target,
                                     const qplug_apply_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || resolution == nullptr || index == nullptr || target == nullptr) {
            return capi::null_argument(out == nullptr          ? "out"
                                       : resolution == nullptr ? "resolution"
                                       : index == nullptr      ? "index"
                                                               : "target");
        }
        const qplug_apply_options o =
            options != nullptr ? *options : qplug_apply_options QPLUG_APPLY_OPTIONS_INIT;
        if (o.version != QPLUG_APPLY_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_apply_options", o.version);
        }
        if (!resolution->resolution().solved) {
            return set_error(QPLUG_EUNSAT, "the resolution has no solution: nothing to apply");
        }
        if (target->root != resolution->target_root) {
            return set_error(QPLUG_EINVALID, "the resolution was made for " +
                                                 resolution->target_root + ", not for " +
                                                 target->description);
        }
        if (index->read_only && o.dry_run == 0) {
            return set_error(QPLUG_EINVALID, "the index " + index->path +
                                                 " was opened read-only: an apply records what "
                                                 "it learns from the plugin ZIPs in it");
        }
        capi::ProgressBridge bridge(o.progress, o.user_data);
        solver::ChangeOptions change;
        change.plan = resolution->plan;
        change.dry_run = o.dry_run != 0;
        if (o.lock_wait_ms > 0) {
            change.lock_wait = std::chrono::milliseconds(o.lock_wait_ms);
        }
        change.conda_executable = capi::text_or(o.conda_executable, "conda");
        change.break_system_packages = o.break_system_packages != 0;
        change.log_file = capi::text_or(o.log_file, "");
        change.cancel = bridge.cancellation();
        change.progress = [&](std::string_view what, std::uint64_t done, std::uint64_t total) {
            bridge.report(QPLUG_PHASE_DOWNLOAD, what, done, total);
        };
        change.step_done = [&](const solver::AppliedStep& s, std::size_t done, std::size_t total) {
            bridge.report(QPLUG_PHASE_STEP, s.name, done, total);
        };
        // The plan is made again under the target's lock; it must be the one the caller saw.
        const auto expected = changes_of(resolution->resolution());
        bool same = true;
        change.confirm = [&](const solver::PlanRun& run) {
            same = changes_of(run.resolution) == expected;
            return same;
        };
        std::lock_guard<std::mutex> target_lock(target->mutex);
        auto connection =
            solver::Index::open(index->path, index->read_only ? solver::Index::Mode::read_only
                                                              : solver::Index::Mode::read_write);
        if (!connection) {
            return set_error(connection.error());
        }
        auto report =
            solver::change_target(*connection, target->target, resolution->requests, change);
        if (!report) {
            return set_error(report.error());
        }
        if (!report->plan.resolution.solved) {
            return set_error(QPLUG_EINVALID, "the index or the target changed since the "
                                             "resolution, which no longer has a solution: "
                                             "resolve again");
        }
        if (!report->plan.lock_differences.empty()) {
            return set_error(QPLUG_EINVALID,
                             "the result differs from the lock file " + resolution->plan.lock_file);
        }
        // (A plan with nothing to do for a target without plugins folder is not confirmed:
        // nothing was asked for, nothing is done.)
        const bool nothing_to_do = expected.empty() && changes_of(report->plan.resolution).empty();
        if (!same || (!report->confirmed && !nothing_to_do)) {
            return set_error(QPLUG_EINVALID, "the index or the target changed since the "
                                             "resolution, whose plan is no longer the one to "
                                             "carry out: nothing changed; resolve again");
        }
        auto handle = std::make_unique<qplug_applied>();
        for (const auto& a : report->applied) {
            handle->actions.emplace_back(solver::action_name(a.action));
            handle->backends.emplace_back(solver::backend_name(a.backend));
        }
        handle->json = solver::change_json(target->target, *report, false);
        handle->report = std::move(*report);
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API size_t qplug_applied_count(const qplug_applied* a) {
    capi::clear_error();
    return a == nullptr ? 0 : a->report.applied.size();
}

QPLUG_API const char* qplug_applied_action(const qplug_applied* a, size_t i) {
    return string_at(a, [i](const qplug_applied* h) {
        return applied_step(h, i) != nullptr ? &h->actions[i] : nullptr;
    });
}

QPLUG_API const char* qplug_applied_backend(const qplug_applied* a, size_t i) {
    return string_at(a, [i](const qplug_applied* h) {
        return applied_step(h, i) != nullptr ? &h->backends[i] : nullptr;
    });
}

#define QPLUG_APPLIED_STRING(function, member)                                                     \
    QPLUG_API const char* function(const qplug_applied* a, size_t i) {                             \
        return string_at(a, [i](const qplug_applied* h) {                                          \
            const auto* s = applied_step(h, i);                                                    \
            return s != nullptr ? &s->member : nullptr;                                            \
        });                                                                                        \
    }

QPLUG_APPLIED_STRING(qplug_applied_name, name)
QPLUG_APPLIED_STRING(qplug_applied_version, version)
QPLUG_APPLIED_STRING(qplug_applied_path, path)

#undef QPLUG_APPLIED_STRING

QPLUG_API int qplug_applied_done(const qplug_applied* a, size_t i) {
    capi::clear_error();
    const auto* s = applied_step(a, i);
    return s != nullptr && s->applied ? 1 : 0;
}

QPLUG_API size_t qplug_applied_enabled_count(const qplug_applied* a) {
    capi::clear_error();
    return a == nullptr ? 0 : a->report.enabled.size();
}

QPLUG_API const char* qplug_applied_enabled(const qplug_applied* a, size_t i) {
    return string_at(a, [i](const qplug_applied* h) {
        return i < h->report.enabled.size() ? &h->report.enabled[i] : nullptr;
    });
}

QPLUG_API int qplug_applied_to_json(char** out, const qplug_applied* a) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || a == nullptr) {
            return capi::null_argument(out == nullptr ? "out" : "applied");
        }
        *out = capi::copy_out(a->json);
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_applied_free(qplug_applied* a) {
    capi::clear_error();
    delete a;
}

// ---- lock files -------------------------------------------------------------------------

QPLUG_API int qplug_resolution_write_lock(const qplug_resolution* r, const char* path) {
    return guarded([&] {
        if (r == nullptr || path == nullptr || *path == '\0') {
            return capi::null_argument(r == nullptr ? "resolution" : "path");
        }
        if (!r->resolution().solved) {
            return set_error(QPLUG_EUNSAT, "the resolution has no solution: no lock file");
        }
        solver::PlanOptions options = r->plan;
        options.lock_file = path;
        options.locked = false;
        if (auto w = solver::update_lock_file(options, r->run); !w) {
            Error e = std::move(w).error();
            e.kind = Error::Kind::io;
            return set_error(e);
        }
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_lock_file_read(char** out, const char* path) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || path == nullptr) {
            return capi::null_argument(out == nullptr ? "out" : "path");
        }
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            return set_error(QPLUG_EIO, std::string(path) + ": cannot be read");
        }
        auto lock = solver::read_lock_file(path);
        if (!lock) {
            Error e = std::move(lock).error();
            e.kind = Error::Kind::invalid;
            return set_error(e);
        }
        *out = capi::copy_out(solver::lock_file_json(*lock));
        return QPLUG_OK;
    });
}
