// SPDX-License-Identifier: GPL-2.0-or-later
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>

#include <curl/curl.h>
#include <fmt/format.h>

#include <qplug/solver/fetch.hpp>

#include "errors.hpp"
#include "formats/url.hpp"
#include "io/curl_global.hpp"

namespace qplug::solver {

namespace {

Error fetch_error(std::string_view url, std::string message) {
    Error e = failure(fmt::format("{}: {}", redact_url(url), message));
    e.kind = Error::Kind::io;
    return e;
}

std::string_view kind_name(DocumentKind kind) {
    switch (kind) {
    case DocumentKind::plugins_xml:
        return "a plugins.xml";
    case DocumentKind::project_page:
        return "an index page";
    case DocumentKind::metadata:
        return "core metadata";
    case DocumentKind::repodata:
        return "conda repodata";
    case DocumentKind::archive:
        return "a plugin ZIP";
    case DocumentKind::wheel:
        return "a wheel";
    case DocumentKind::other:
        break;
    }
    return "a download";
}

/// The size limit of a request: its expected size, else the kind's limit (0: none).
std::uint64_t limit_of(const FetchRequest& request, const FetchLimits& limits) {
    return request.expected_bytes > 0 ? request.expected_bytes : limits.max_bytes(request.kind);
}

Error too_big(const FetchRequest& request, std::uint64_t limit, std::string_view what) {
    if (request.expected_bytes > 0) {
        return fetch_error(request.url, fmt::format("{} than the {} the repository advertises: "
                                                    "refused",
                                                    what, format_bytes(limit)));
    }
    return fetch_error(request.url,
                       fmt::format("{} than {}, the limit for {} (--max-download changes it)", what,
                                   format_bytes(limit), kind_name(request.kind)));
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
        }
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

/// Files: the whole file; ETag = "<size>-<mtime ns>" so that an unchanged file is not
/// re-read by the index.
Expected<FetchResponse> fetch_file(const FetchRequest& request, const std::string& path,
                                   const FetchLimits& limits, const ProgressCallback& progress) {
    const std::uint64_t limit = limit_of(request, limits);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return fetch_error(request.url, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        return fetch_error(request.url, "cannot be read: Is a directory");
    }
    if (cancelled(request.cancel)) {
        return cancelled_error(redact_url(request.url));
    }
    FetchResponse r;
    r.status = 200;
    r.final_url = request.url;
    r.etag = fmt::format("\"{}-{}{:09}\"", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (!request.etag.empty() && request.etag == r.etag) {
        r.status = 304;
        r.not_modified = true;
        return r;
    }
    if (limit > 0 && static_cast<std::uint64_t>(st.st_size) > limit) {
        return too_big(
            request, limit,
            fmt::format("is {}, more", format_bytes(static_cast<std::uint64_t>(st.st_size))));
    }
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        return fetch_error(request.url, std::string("cannot be read: ") + std::strerror(errno));
    }
    r.body.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
        if (limit > 0 && r.body.size() + n > limit) { // a device, or a file that grew
            std::fclose(f);
            return too_big(request, limit, "is larger");
        }
        r.body.append(buffer, n);
        if (progress) {
            progress(r.body.size(), static_cast<std::uint64_t>(st.st_size));
        }
        if (cancelled(request.cancel)) {
            std::fclose(f);
            return cancelled_error(redact_url(request.url));
        }
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        return fetch_error(request.url, "cannot be read");
    }
    return r;
}

struct Transfer {
    std::string body;
    std::string etag;
    std::string last_modified;
    const ProgressCallback* progress = nullptr;
    std::uint64_t limit = 0; ///< bytes of decoded body at most; 0 = none
    bool too_big = false;
    const Cancellation* cancel = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    // libcurl hands over decoded bytes: the limit counts what a gzip body expands to.
    if (t->limit > 0 && t->body.size() + size * count > t->limit) {
        t->too_big = true;
        return 0; // stops the transfer (CURLE_WRITE_ERROR)
    }
    t->body.append(data, size * count);
    return size * count;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view line(data, size * count);
    if (starts_with_ci(line, "http/")) {
        t->etag.clear(); // a new response (after a redirect): forget the previous headers
        t->last_modified.clear();
    } else if (starts_with_ci(line, "etag:")) {
        t->etag = trim(line.substr(5));
    } else if (starts_with_ci(line, "last-modified:")) {
        t->last_modified = trim(line.substr(14));
    }
    return size * count;
}

int on_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->progress != nullptr && *t->progress) {
        (*t->progress)(static_cast<std::uint64_t>(done), static_cast<std::uint64_t>(total));
    }
    return cancelled(t->cancel) ? 1 : 0; // non-zero: libcurl aborts the transfer
}

class CurlFetcher final : public Fetcher {
public:
    explicit CurlFetcher(const FetchLimits& limits) : limits_(limits) {
        detail::curl_global_once();
    }

    Expected<FetchResponse> fetch(const FetchRequest& request,
                                  const ProgressCallback& progress) override {
        if (const std::string path = local_path_of(request.url); !path.empty()) {
            return fetch_file(request, path, limits_, progress);
        }
        if (!starts_with_ci(request.url, "http://") && !starts_with_ci(request.url, "https://")) {
            return fetch_error(request.url, "is neither an http(s) nor a file URL");
        }
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 curl_easy_cleanup);
        if (!curl) {
            return fetch_error(request.url, "libcurl could not start");
        }
        CURL* h = curl.get();
        Transfer t;
        t.progress = &progress;
        t.limit = limit_of(request, limits_);
        t.cancel = request.cancel;
        char error_buffer[CURL_ERROR_SIZE] = {};
        curl_slist* headers = nullptr;
        for (const auto& header : request.headers) {
            headers = curl_slist_append(headers, header.c_str());
        }
        const std::string if_none_match = "If-None-Match: " + request.etag;
        const std::string if_modified = "If-Modified-Since: " + request.last_modified;
        if (!request.etag.empty()) {
            headers = curl_slist_append(headers, if_none_match.c_str());
        }
        if (!request.last_modified.empty()) {
            headers = curl_slist_append(headers, if_modified.c_str());
        }
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(
            headers, curl_slist_free_all);
        curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, limits_.timeout_seconds);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, limits_.connect_timeout_seconds);
        if (limits_.stall_seconds > 0) {
            curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, limits_.stall_bytes_per_second);
            curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, limits_.stall_seconds);
        }
        if (t.limit > 0) {
            // A Content-Length over the limit fails before the body is read.
            curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.limit));
        }
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl can decode
        curl_easy_setopt(h, CURLOPT_USERAGENT, "qplug/" QPLUG_SOLVER_VERSION " (libcurl)");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        if (!request.credentials.empty()) {
            curl_easy_setopt(h, CURLOPT_USERPWD, request.credentials.c_str());
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_ANY);
        }
        if (request.use_netrc) {
            curl_easy_setopt(h, CURLOPT_NETRC, CURL_NETRC_OPTIONAL);
        }
        const CURLcode code = curl_easy_perform(h);
        if (code == CURLE_ABORTED_BY_CALLBACK && cancelled(request.cancel)) {
            return cancelled_error(redact_url(request.url));
        }
        if (code != CURLE_OK) {
            return transfer_error(request, code, error_buffer, t);
        }
        FetchResponse r;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
        char* effective = nullptr;
        curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
        r.final_url = effective != nullptr ? effective : request.url;
        char* type = nullptr;
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
        r.content_type = type != nullptr ? type : "";
        if (r.status == 304) {
            r.not_modified = true;
            r.etag = request.etag;
            r.last_modified = request.last_modified;
            return r;
        }
        if (r.status >= 400) {
            return fetch_error(request.url, fmt::format("the server answered HTTP {}", r.status));
        }
        r.body = std::move(t.body);
        r.etag = std::move(t.etag);
        r.last_modified = std::move(t.last_modified);
        return r;
    }

private:
    /// The failure of a transfer, in words that say which limit stopped it.
    Error transfer_error(const FetchRequest& request, CURLcode code, const char* error_buffer,
                         const Transfer& t) const {
        const std::string curl_says =
            error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code);
        if (t.too_big) {
            return too_big(request, t.limit, "is larger");
        }
        if (code == CURLE_FILESIZE_EXCEEDED) {
            return too_big(request, t.limit, "is announced (Content-Length) larger");
        }
        if (code == CURLE_OPERATION_TIMEDOUT) {
            if (curl_says.rfind("Operation too slow", 0) == 0) {
                return fetch_error(
                    request.url,
                    fmt::format("the download stalled: less than {} bytes a second for {} s "
                                "(--stall-timeout changes how long)",
                                limits_.stall_bytes_per_second, limits_.stall_seconds));
            }
            if (curl_says.find("onnect") != std::string::npos) {
                return fetch_error(request.url,
                                   fmt::format("no connection within {} s ({}; "
                                               "--connect-timeout changes it)",
                                               limits_.connect_timeout_seconds, curl_says));
            }
            return fetch_error(request.url, fmt::format("the download took more than {} s ({}; "
                                                        "--download-timeout changes it)",
                                                        limits_.timeout_seconds, curl_says));
        }
        return fetch_error(request.url, curl_says);
    }

    FetchLimits limits_;
};

} // namespace

std::unique_ptr<Fetcher> make_fetcher(const FetchLimits& limits) {
    return std::make_unique<CurlFetcher>(limits);
}

std::uint64_t FetchLimits::max_bytes(DocumentKind kind) const {
    switch (kind) {
    case DocumentKind::plugins_xml:
        return plugins_xml;
    case DocumentKind::project_page:
        return project_page;
    case DocumentKind::metadata:
        return metadata;
    case DocumentKind::repodata:
        return repodata;
    case DocumentKind::archive:
        return archive;
    case DocumentKind::wheel:
        return wheel;
    case DocumentKind::other:
        break;
    }
    return other;
}

void FetchLimits::set_max_bytes(std::uint64_t bytes) {
    plugins_xml = project_page = metadata = repodata = archive = wheel = other = bytes;
}

std::string format_bytes(std::uint64_t bytes) {
    constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
    if (bytes >= kMiB && bytes % kMiB == 0) {
        return bytes >= 1024 * kMiB && bytes % (1024 * kMiB) == 0
                   ? fmt::format("{} GiB", bytes / (1024 * kMiB))
                   : fmt::format("{} MiB", bytes / kMiB);
    }
    if (bytes >= 1'000'000 && bytes % 1'000'000 == 0) {
        return fmt::format("{} MB", bytes / 1'000'000);
    }
    return fmt::format("{} bytes", bytes);
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    std::size_t digits = 0;
    std::uint64_t number = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        if (number > (std::uint64_t{1} << 50)) {
            return std::nullopt;
        }
        number = number * 10 + static_cast<std::uint64_t>(text[digits] - '0');
        ++digits;
    }
    if (digits == 0) {
        return std::nullopt;
    }
    std::string unit;
    for (char c : text.substr(digits)) {
        if (c != ' ') {
            unit.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
        }
    }
    if (!unit.empty() && unit.back() == 'B') {
        unit.pop_back();
    }
    static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
        {"", 1},      {"K", 1000},         {"M", 1000 * 1000},        {"G", 1000 * 1000 * 1000},
        {"KI", 1024}, {"MI", 1024 * 1024}, {"GI", 1024 * 1024 * 1024}};
    for (const auto& [name, factor] : kUnits) {
        if (unit == name) {
            return number * factor;
        }
    }
    return std::nullopt;
}

std::string redact_url(std::string_view url) {
    // The authority as RFC 3986 splits it (formats/url.hpp): the password of
    // "user:password@host" is hidden, the rest of the URL is kept as written.
    const detail::UriParts parts = detail::split_uri(url);
    if (!parts.has_authority) {
        return std::string(url);
    }
    const std::size_t at = parts.authority.rfind('@');
    if (at == std::string_view::npos) {
        return std::string(url);
    }
    const std::size_t colon = parts.authority.find(':');
    if (colon == std::string_view::npos || colon > at) {
        return std::string(url);
    }
    const auto start = static_cast<std::size_t>(parts.authority.data() - url.data());
    std::string out(url.substr(0, start + colon + 1));
    out += "***";
    out += url.substr(start + at);
    return out;
}

std::string local_path_of(std::string_view url) {
    if (starts_with_ci(url, "file://")) {
        std::string_view rest = url.substr(7);
        if (starts_with_ci(rest, "localhost/")) {
            rest.remove_prefix(9);
        }
        rest = rest.substr(0, rest.find_first_of("?#"));
        return detail::percent_decode(rest);
    }
    if (url.find("://") == std::string_view::npos && !url.empty()) {
        return std::string(url); // a plain path
    }
    return {};
}

Expected<std::string> resolve_credentials(std::string_view reference) {
    if (reference.empty() || reference == "netrc") {
        return std::string();
    }
    if (reference.substr(0, 4) == "env:") {
        const std::string name(reference.substr(4));
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) {
            return failure(fmt::format("credentials {}: the environment variable {} is not set",
                                       reference, name));
        }
        return std::string(value);
    }
    return failure(fmt::format("credentials '{}' must be env:VARIABLE or netrc", reference));
}

void detail::curl_global_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace qplug::solver
