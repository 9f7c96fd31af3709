// Validating a parsed metadata.txt by profile; every finding comes from a spec rule.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <qplug/meta/document.hpp>

namespace qplug::meta {

struct ValidateOptions {
    Profile profile = Profile::qgis;
    /// Whether a file exists in the plugin folder (for icon), given its path relative to
    /// the folder. Unset: the icon is not checked.
    std::function<bool(std::string_view relative_path)> file_exists;
    /// Checks that a URL answers; returns why not, or nullopt when it does. Unset: links are
    /// not checked (META-URL-UNREACHABLE needs --check-links).
    std::function<std::optional<std::string>(std::string_view url)> check_link;
};

/// Every finding for the document under the profile: its parse diagnostics, re-graded, and
/// the field rules. Diagnostics a profile turns off are left out.
Diagnostics validate(const Document& document, const ValidateOptions& options = {});

/// Python's urllib.parse.urlsplit scheme and netloc, as the site's link check sees them.
struct UrlParts {
    std::string scheme;
    std::string netloc;
};
UrlParts split_url(std::string_view url);

// The link check with libcurl: qplug::solver::check_link_with_curl (qplug/solver/link_check.hpp).

} // namespace qplug::meta
