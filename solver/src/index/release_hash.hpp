// The content hash of a release as a source gives it (schema 4: releases.content_hash), by
// which a sync tells the releases that did not change from those it must write again.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string_view>

#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// A 64-bit hash of every column a sync writes for `release` (its dependencies as
/// `dependencies_json`, its modules): equal contents give equal hashes, in this build and the
/// next. Never 0, which stands for "unknown" (rows written before schema 4). Not
/// cryptographic: a repository that makes two of its own releases collide gains nothing but
/// an outdated row of its own.
std::int64_t release_content_hash(const Release& release, std::string_view dependencies_json);

} // namespace qplug::solver
