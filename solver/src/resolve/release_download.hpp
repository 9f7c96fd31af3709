// The file of a release a plan reads before it installs it (a legacy plugin's ZIP for its
// plugin_dependencies, a remote conda package for its plugin module): fetched once, into the
// download cache the install then takes it from, and checked as the install checks it.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/index.hpp>

namespace qplug::solver::detail {

/// `release`'s file from `downloads`: its size and digest (sha256 or md5) checked against the
/// repository's (a mismatch is refused, naming the release), with the credentials of its
/// repository in `index`.
Expected<DownloadedFile> download_release(const Index& index, const ReleaseRecord& release,
                                          DownloadCache& downloads, const Cancellation* cancel);

} // namespace qplug::solver::detail
