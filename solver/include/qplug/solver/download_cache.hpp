// Plugin ZIPs and other archives downloaded once and found again: a resolution that reads a
// ZIP's dependencies and the install that follows use the same file. Files with a known
// SHA-256 are kept across runs under $XDG_CACHE_HOME/qplug/downloads/sha256/<hex>; files
// without one are reused within the process only (the same URL may serve other bytes
// tomorrow). Every file is verified (size, digest) before it is handed out
// (docs/install.md, "Downloads").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/fetch.hpp>

namespace qplug::solver {

struct Download {
    std::string url;                   ///< http(s), file: URL or a path
    std::string credentials;           ///< "user:password", "" for none
    std::string hash;                  ///< "sha256:<hex>", "md5:<hex>" or "" (unknown)
    std::optional<std::uint64_t> size; ///< checked when known
    std::string name;                  ///< names the download in messages ("kart 1.0.10")
    std::string file_name;             ///< as published ("kart.1.0.10.zip"); "" = the URL's
    /// Stops the transfer when raised (the partial file is not kept).
    const Cancellation* cancel = nullptr;
};

struct DownloadedFile {
    std::filesystem::path path; ///< valid while the cache lives
    std::string sha256;         ///< hex
    std::uint64_t size = 0;
    bool reused = false; ///< found in the cache, nothing fetched
};

class DownloadCache {
public:
    /// $QPLUG_CACHE_DIR, else $XDG_CACHE_HOME/qplug, else ~/.cache/qplug: + "/downloads".
    static std::filesystem::path default_path();

    /// `folder` "" = nothing is kept across runs (a private temporary folder, deleted with
    /// the cache). `fetcher` must outlive the cache.
    /// `read_only` (what a dry run uses): files already kept in `folder` are reused, new
    /// downloads go to a private temporary folder, nothing in `folder` is written or removed.
    DownloadCache(std::filesystem::path folder, Fetcher& fetcher, bool read_only = false);
    DownloadCache(const DownloadCache&) = delete;
    DownloadCache& operator=(const DownloadCache&) = delete;
    ~DownloadCache();

    /// The verified file. A size or digest that does not match is an error of kind
    /// `refused` naming the download (and the file is not kept); a fetch that fails is the
    /// fetcher's error.
    Expected<DownloadedFile> get(const Download& download, const ProgressCallback& progress = {});

    Fetcher& fetcher() { return fetcher_; }

private:
    std::filesystem::path folder_;
    bool read_only_ = false;        ///< reuse what folder_ holds, write nothing there
    std::filesystem::path scratch_; ///< files of this process (unknown digest)
    Fetcher& fetcher_;
    std::map<std::string, DownloadedFile> by_url_;
};

} // namespace qplug::solver
