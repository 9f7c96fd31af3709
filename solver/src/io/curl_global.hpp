// libcurl's global initialisation, shared by the fetcher and the link check.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace qplug::solver::detail {

/// curl_global_init, once per process (libcurl's own call is not thread-safe).
void curl_global_once();

} // namespace qplug::solver::detail
