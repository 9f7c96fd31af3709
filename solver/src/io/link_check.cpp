// Link reachability as plugins.qgis.org checks it (requests.head: a browser User-Agent,
// redirects followed, status < 400, a timeout; an SSL failure retried without verification).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

#include <qplug/solver/link_check.hpp>

#include "io/curl_global.hpp"

namespace qplug::solver {

namespace {

struct Attempt {
    CURLcode code = CURLE_OK;
    long status = 0;
};

Attempt head(const std::string& url, long timeout_seconds, bool verify) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    Attempt a;
    if (!curl) {
        a.code = CURLE_FAILED_INIT;
        return a;
    }
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 30L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT,
                     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                     "Gecko) Chrome/117.0.0.0 Safari/537.36");
    if (!verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    a.code = curl_easy_perform(h);
    if (a.code == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    }
    return a;
}

} // namespace

std::optional<std::string> check_link_with_curl(std::string_view url, long timeout_seconds) {
    detail::curl_global_once();
    const std::string u(url);
    Attempt a = head(u, timeout_seconds, true);
    if (a.code == CURLE_PEER_FAILED_VERIFICATION || a.code == CURLE_SSL_CONNECT_ERROR) {
        a = head(u, timeout_seconds, false);
    }
    if (a.code == CURLE_OPERATION_TIMEDOUT) {
        return fmt::format("no answer within {} seconds", timeout_seconds);
    }
    if (a.code != CURLE_OK) {
        return std::string(curl_easy_strerror(a.code));
    }
    if (a.status >= 400) {
        return fmt::format("HTTP status {}", a.status);
    }
    return std::nullopt;
}

} // namespace qplug::solver
