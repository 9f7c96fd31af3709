// Fetching what sources read: http(s) through libcurl (redirects, conditional requests,
// credentials), file: URLs and plain paths from disk (an ETag made of size and mtime), every
// download bounded in size and time (FetchLimits).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>

namespace qplug::solver {

/// What a download is: each kind has its own size limit (FetchLimits).
enum class DocumentKind {
    plugins_xml,  ///< a plugin repository's index
    project_page, ///< a PEP 503/691 index page (the root or a project's)
    metadata,     ///< a wheel's core metadata (PEP 658)
    repodata,     ///< a conda channel's repodata.json
    archive,      ///< a plugin ZIP (its advertised size, when known, is its limit)
    wheel,        ///< a pip wheel read for its METADATA (its advertised size, when known)
    other,
};

/// How far a download may go (docs/index.md, "Download limits"). Past a limit the transfer
/// stops and fails with a message naming the URL, the limit and the option that changes it;
/// a sync that fails so leaves the repository's contents as they were.
struct FetchLimits {
    // The most bytes of body per kind, counted after decoding (Content-Encoding: a gzip bomb
    // stops where its decoded bytes pass the limit); 0 = no limit.
    std::uint64_t plugins_xml = std::uint64_t{64} << 20;
    std::uint64_t project_page = std::uint64_t{64} << 20;
    std::uint64_t metadata = std::uint64_t{16} << 20;
    std::uint64_t repodata = std::uint64_t{1} << 30;
    /// A plugin ZIP without an advertised size: plugins.qgis.org's upload limit.
    std::uint64_t archive = 25'000'000;
    /// A wheel without an advertised size: PyPI's default upload limit.
    std::uint64_t wheel = std::uint64_t{100} << 20;
    std::uint64_t other = std::uint64_t{64} << 20;
    long connect_timeout_seconds = 30;
    /// A transfer that receives fewer than stall_bytes_per_second on average over
    /// stall_seconds has stalled and fails (CURLOPT_LOW_SPEED_LIMIT/TIME); 0 = never.
    long stall_seconds = 30;
    long stall_bytes_per_second = 1024;
    /// The whole transfer at most; 0 = no limit.
    long timeout_seconds = 600;

    /// The size limit of a kind of document.
    std::uint64_t max_bytes(DocumentKind kind) const;
    /// Sets the size limit of every kind.
    void set_max_bytes(std::uint64_t bytes);
};

struct FetchRequest {
    std::string url;
    std::string etag;          ///< sent as If-None-Match
    std::string last_modified; ///< sent as If-Modified-Since
    /// "user:password" for HTTP authentication ("" for none; a URL's own userinfo also works).
    std::string credentials;
    bool use_netrc = false;
    std::vector<std::string> headers; ///< extra request headers, "Name: value"
    DocumentKind kind = DocumentKind::other;
    /// The size the document is known to have (a ZIP's advertised size): more bytes fail.
    /// 0 = unknown: the fetcher's limit for `kind` applies.
    std::uint64_t expected_bytes = 0;
    /// Checked while the transfer runs: when raised, the fetch stops with a `cancelled` error.
    const Cancellation* cancel = nullptr;
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
/// paths; both within `limits`.
std::unique_ptr<Fetcher> make_fetcher(const FetchLimits& limits = {});

/// "25 MB", "64 MiB": a size as messages show it.
std::string format_bytes(std::uint64_t bytes);
/// Reads a size as the command line gives it: "25000000", "64MiB", "25 MB", "1G" (k, M, G are
/// powers of 1000, Ki, Mi, Gi of 1024; a trailing "B" is optional); nullopt when it is not one.
std::optional<std::uint64_t> parse_bytes(std::string_view text);

/// The URL with any password replaced by "***", for messages and logs.
std::string redact_url(std::string_view url);

/// The path of a file: URL (percent-decoded) or of a plain path; "" for other URLs.
std::string local_path_of(std::string_view url);

/// Resolves a credentials reference ("env:NAME" -> the variable's "user:password",
/// "" -> ""); an error when the variable is not set.
Expected<std::string> resolve_credentials(std::string_view reference);

} // namespace qplug::solver
