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

#include <memory>

namespace qplug::solver::solv {

// RAII owners of libsolv's objects (as libmamba's solv-cpp layer has them): whatever
// throws or returns early in between, each is freed exactly once.

/// A libsolv Queue, freed with its owner.
class QueueOwner {
public:
    QueueOwner() { queue_init(&q_); }
    QueueOwner(const QueueOwner&) = delete;
    QueueOwner& operator=(const QueueOwner&) = delete;
    ~QueueOwner() { queue_free(&q_); }
    Queue* get() { return &q_; }
    const Queue* get() const { return &q_; }
    Queue& operator*() { return q_; }
    Queue* operator->() { return &q_; }
    int count() const { return q_.count; }
    Id operator[](int i) const { return q_.elements[i]; }
    void push(Id id) { queue_push(&q_, id); }
    void push2(Id a, Id b) { queue_push2(&q_, a, b); }

private:
    Queue q_;
};

/// A libsolv Map sized for a pool, freed with its owner.
class MapOwner {
public:
    explicit MapOwner(int size) { map_init(&m_, size); }
    MapOwner(const MapOwner&) = delete;
    MapOwner& operator=(const MapOwner&) = delete;
    ~MapOwner() { map_free(&m_); }
    Map* get() { return &m_; }

private:
    Map m_;
};

struct SolverFree {
    void operator()(Solver* s) const { solver_free(s); }
};
struct TransactionFree {
    void operator()(Transaction* t) const { transaction_free(t); }
};
struct PoolFree {
    void operator()(Pool* p) const { pool_free(p); }
};
using SolverPtr = std::unique_ptr<Solver, SolverFree>;
using TransactionPtr = std::unique_ptr<Transaction, TransactionFree>;
using PoolPtr = std::unique_ptr<Pool, PoolFree>;

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
