// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/release_records.hpp"

namespace qplug::solver::solv {

const ReleaseRecord* ReleaseRecords::find(std::int64_t release_id) const {
    if (auto it = given_.find(release_id); it != given_.end()) {
        return it->second;
    }
    if (auto it = fetched_ids_.find(release_id); it != fetched_ids_.end()) {
        return it->second;
    }
    if (index_ != nullptr) {
        if (auto r = index_->release(release_id)) {
            fetched_.push_back(std::move(*r));
            fetched_ids_.emplace(release_id, &fetched_.back());
            return &fetched_.back();
        }
    }
    return nullptr;
}

} // namespace qplug::solver::solv
