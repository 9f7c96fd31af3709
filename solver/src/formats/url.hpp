// URI references as RFC 3986 defines them: split (appendix B), resolve against a base
// (section 5.2, with remove_dot_segments), and the small helpers the index readers need.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace qplug::solver::detail {

/// The five components of a URI reference; a component can be absent or present and empty
/// ("http://a/b?" has an empty query, "http://a/b" none), which resolution tells apart.
struct UriParts {
    std::string_view scheme, authority, path, query, fragment;
    bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

/// Splits a reference. A "scheme" that is not ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) is no
/// scheme: "1.0:x" is a relative path, as browsers read it.
UriParts split_uri(std::string_view uri);

/// True when `uri` starts with a scheme.
bool is_absolute_uri(std::string_view uri);

/// RFC 3986 section 5.4.1: resolve("http://a/b/c/d;p?q", "../g") == "http://a/b/g".
/// `base` must be absolute (its fragment is ignored).
std::string resolve_uri(std::string_view base, std::string_view reference);

/// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path);

/// The reference without "#fragment".
std::string_view without_fragment(std::string_view uri);

/// %XX sequences decoded (invalid ones left as written).
std::string percent_decode(std::string_view text);

/// The last non-empty segment of the path, percent-decoded: "pkg" for
/// "https://host/simple/pkg/", "x-1.0.tar.gz" for "../x-1.0.tar.gz#sha256=...".
std::string last_path_segment(std::string_view uri);

} // namespace qplug::solver::detail
