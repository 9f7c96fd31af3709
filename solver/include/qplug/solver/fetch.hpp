// Fetching what sources read: http(s) through libcurl (redirects, conditional requests,
// credentials), file: URLs and plain paths from disk (an ETag made of size and mtime).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver {

struct FetchRequest {
    std::string url;
    std::string etag;          ///< sent as If-None-Match
    std::string last_modified; ///< sent as If-Modified-Since
    /// "user:password" for HTTP authentication ("" for none; a URL's own userinfo also works).
    std::string credentials;
    bool use_netrc = false;
    std::vector<std::string> headers; ///< extra request headers, "Name: value"
    long timeout_seconds = 300;       ///< for the whole transfer
    long connect_timeout_seconds = 30;
};

struct FetchResponse {
    long status = 0; ///< the HTTP status; 200 for files
    bool not_modified = false;
    std::string body;
    std::string etag;
    std::string last_modified;
    std::string content_type;
    std::string final_url; ///< after redirects
};

/// Called while a transfer runs: (bytes so far, total or 0 when unknown).
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

class Fetcher {
public:
    virtual ~Fetcher() = default;
    /// A response with status >= 400 is an error naming the URL and the status.
    virtual Expected<FetchResponse> fetch(const FetchRequest& request,
                                          const ProgressCallback& progress = {}) = 0;
};

/// The fetcher qplug uses: libcurl for http and https, the file system for file: URLs and
/// paths.
std::unique_ptr<Fetcher> make_fetcher();

/// The URL with any password replaced by "***", for messages and logs.
std::string redact_url(std::string_view url);

/// The path of a file: URL (percent-decoded) or of a plain path; "" for other URLs.
std::string local_path_of(std::string_view url);

/// Resolves a credentials reference ("env:NAME" -> the variable's "user:password",
/// "" -> ""); an error when the variable is not set.
Expected<std::string> resolve_credentials(std::string_view reference);

} // namespace qplug::solver
