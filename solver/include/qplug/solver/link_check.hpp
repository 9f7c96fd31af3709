// Link reachability as plugins.qgis.org checks it, with libcurl: what the validator's
// META-URL-UNREACHABLE rule calls (meta::ValidateOptions::check_link) when links are checked.
// It lives here, not in libmeta, so that libmeta needs no network library.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qplug::solver {

/// Checks a URL as plugins.qgis.org does (HEAD, a browser User-Agent, redirects followed,
/// status < 400; SSL errors retried without verification); returns why it fails, or nullopt.
std::optional<std::string> check_link_with_curl(std::string_view url, long timeout_seconds = 10);

} // namespace qplug::solver
