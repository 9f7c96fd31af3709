// What plugins.qgis.org's link check refuses whatever the network does.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace qplug::meta::detail {

/// Why the site's link check (plugins/validator.py: requests.head, then urllib.parse.urlparse)
/// refuses `url` before any network: what the requests library 2.28 with urllib3 1.26 and
/// idna 3.3 refuses before sending (a scheme other than http or https, no host, a host, port or
/// IDNA label it cannot parse, a label the connection cannot encode), and what Python 3.11's
/// urlsplit raises on. "" when the request would be sent. The placeholder and the
/// scheme-and-host checks are the callers' (META-URL-PLACEHOLDER, META-URL-INVALID).
std::string site_url_refusal(std::string_view url);

/// idna.encode(label, strict=True, std3_rules=True) of one lower-cased, non-ASCII label as
/// urllib3 calls it: why it fails, or "".
std::string idna_label_problem(std::u32string_view label);

} // namespace qplug::meta::detail
