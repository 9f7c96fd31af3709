// The index records a model's solvables stand for: given by the caller, read from the index
// at build, or, for a pool loaded from the .solv cache, read from the index on first use.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <qplug/solver/index.hpp>

namespace qplug::solver::solv {

class ReleaseRecords {
public:
    /// `index` (may be null) answers the ids no record was given for.
    explicit ReleaseRecords(const Index* index = nullptr) : index_(index) {}
    ReleaseRecords(const ReleaseRecords&) = delete;
    ReleaseRecords& operator=(const ReleaseRecords&) = delete;

    /// Records the caller keeps alive as long as this (the vectors given to Model::build).
    void refer(const std::vector<ReleaseRecord>& records) {
        for (const auto& r : records) {
            given_[r.id] = &r;
        }
    }

    /// Reads the index's available releases once and keeps them.
    const std::vector<ReleaseRecord>& own_available() {
        owned_ = index_->available();
        refer(owned_);
        return owned_;
    }

    /// The record of a release, or nullptr when neither given nor in the index.
    const ReleaseRecord* find(std::int64_t release_id) const;

private:
    const Index* index_ = nullptr;
    std::vector<ReleaseRecord> owned_;
    std::unordered_map<std::int64_t, const ReleaseRecord*> given_;
    mutable std::deque<ReleaseRecord> fetched_; ///< read on first use (stable addresses)
    mutable std::unordered_map<std::int64_t, const ReleaseRecord*> fetched_ids_;
};

} // namespace qplug::solver::solv
