// The one way qplug includes libsolv (only from solver/src/solv/).
// libsolv's C headers name a struct member `requires`, a keyword since C++20: it is spelled
// `requires_` while they are read, so C++ code writes `solvable->requires_`. Some of the
// headers (testcase.h, knownid.h ...) lack extern "C" guards.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <vector>

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wkeyword-macro"
#endif
#define requires requires_
extern "C" {
#include <solv/bitmap.h>
#include <solv/chksum.h>
#include <solv/evr.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/repodata.h>
#include <solv/rules.h>
#include <solv/solver.h>
#include <solv/transaction.h>
}
#undef requires
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

namespace qplug::solver::solv {

// libsolv's macros mix Id (int) with unsigned masks and name a variable `pool`; these are
// their warning-free equivalents.
inline bool is_reldep(Id id) {
    return (static_cast<unsigned>(id) & 0x80000000U) != 0;
}
inline const Reldep* get_reldep(const Pool* pool, Id id) {
    return pool->rels + (static_cast<unsigned>(id) ^ 0x80000000U);
}
/// The solvables providing `dep` (after pool_createwhatprovides).
inline std::vector<Id> whatprovides(Pool* pool, Id dep) {
    std::vector<Id> out;
    for (const Id* p = pool->whatprovidesdata + pool_whatprovides(pool, dep); *p != 0; ++p) {
        out.push_back(*p);
    }
    return out;
}

} // namespace qplug::solver::solv
