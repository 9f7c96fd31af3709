// SPDX-License-Identifier: GPL-2.0-or-later
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/solver/checksum.hpp>
#include <qplug/solver/download_cache.hpp>

#include "errors.hpp"

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

Error refused(std::string message) {
    Error e = failure(std::move(message));
    e.kind = Error::Kind::refused;
    return e;
}

/// Writes bytes to a new file and syncs it; false on any failure.
bool write_file(const fs::path& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ::close(fd);
            ::unlink(path.c_str());
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    const bool ok = ::fsync(fd) == 0;
    if (::close(fd) != 0 || !ok) {
        ::unlink(path.c_str());
        return false;
    }
    return true;
}

/// The expected digest of a download: (algorithm, lower-case hex), or an error for a hash
/// qplug cannot check.
Expected<std::optional<std::pair<DigestAlgorithm, std::string>>>
expected_digest(const Download& d) {
    if (d.hash.empty()) {
        return std::optional<std::pair<DigestAlgorithm, std::string>>();
    }
    const std::size_t colon = d.hash.find(':');
    std::optional<DigestAlgorithm> algorithm;
    std::string hex;
    if (colon != std::string::npos) {
        algorithm = digest_algorithm_from_name(lower(d.hash.substr(0, colon)));
        hex = lower(d.hash.substr(colon + 1));
    }
    if (!algorithm || hex.empty()) {
        return refused(fmt::format("{}: unsupported checksum '{}' (sha256:<hex> or md5:<hex>)",
                                   d.name, d.hash));
    }
    return std::optional(std::make_pair(*algorithm, hex));
}

} // namespace

fs::path DownloadCache::default_path() {
    if (const char* dir = std::getenv("QPLUG_CACHE_DIR"); dir != nullptr && *dir != '\0') {
        return fs::path(dir) / "downloads";
    }
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
        return fs::path(xdg) / "qplug" / "downloads";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "qplug" / "downloads";
}

DownloadCache::DownloadCache(fs::path folder, Fetcher& fetcher, bool read_only)
    : folder_(std::move(folder)), read_only_(read_only), fetcher_(fetcher) {}

DownloadCache::~DownloadCache() {
    if (!scratch_.empty()) {
        std::error_code ec;
        fs::remove_all(scratch_, ec);
    }
}

Expected<DownloadedFile> DownloadCache::get(const Download& d, const ProgressCallback& progress) {
    const std::string shown = d.name.empty() ? redact_url(d.url) : d.name;
    const std::string file_label = d.file_name.empty() ? redact_url(d.url) : d.file_name;
    auto digest = expected_digest(d);
    QPLUG_RETURN_IF_ERROR(digest);
    const bool by_sha256 = *digest && (*digest)->first == DigestAlgorithm::sha256;
    const auto verify = [&](const fs::path& path, DownloadedFile& got) -> Expected<void> {
        std::error_code ec;
        got.size = fs::file_size(path, ec);
        if (ec) {
            return io_failure(
                fmt::format("{}: {} cannot be read: {}", shown, path.string(), ec.message()));
        }
        if (d.size && *d.size != got.size) {
            return refused(fmt::format("{}: {} is {} bytes, the repository says {}: refused", shown,
                                       file_label, got.size, *d.size));
        }
        auto sha = file_digest_hex(path, DigestAlgorithm::sha256);
        QPLUG_RETURN_IF_ERROR(sha);
        got.sha256 = *sha;
        if (*digest) {
            std::string actual = got.sha256;
            if ((*digest)->first != DigestAlgorithm::sha256) {
                auto other = file_digest_hex(path, (*digest)->first);
                QPLUG_RETURN_IF_ERROR(other);
                actual = *other;
            }
            if (actual != (*digest)->second) {
                return refused(fmt::format("{}: {} has {} {}, the repository says {}: refused",
                                           shown, file_label, d.hash.substr(0, d.hash.find(':')),
                                           actual, (*digest)->second));
            }
        }
        return {};
    };

    // Known already in this process, or kept from an earlier run.
    if (auto it = by_url_.find(d.url); it != by_url_.end()) {
        DownloadedFile file = it->second;
        QPLUG_TRY(verify(file.path, file));
        file.reused = true;
        return file;
    }
    std::error_code ec;
    const fs::path kept =
        by_sha256 && !folder_.empty() ? folder_ / "sha256" / (*digest)->second : fs::path();
    if (!kept.empty() && fs::is_regular_file(kept, ec)) {
        DownloadedFile file;
        file.path = kept;
        if (verify(kept, file)) {
            file.reused = true;
            by_url_[d.url] = file;
            return file;
        }
        if (!read_only_) {
            fs::remove(kept, ec); // damaged: fetched again below
        }
    }
    // A local file is used where it is.
    if (const std::string local = local_path_of(d.url); !local.empty()) {
        DownloadedFile file;
        file.path = local;
        if (!fs::is_regular_file(file.path, ec)) {
            Error e = failure(fmt::format("{}: download of {} failed: {} is not a file", shown,
                                          file_label, local));
            e.kind = Error::Kind::io;
            return e;
        }
        QPLUG_TRY(verify(file.path, file));
        if (progress) {
            progress(file.size, file.size); // read where it is: done at once
        }
        by_url_[d.url] = file;
        return file;
    }

    FetchRequest request;
    request.url = d.url;
    request.credentials = d.credentials;
    request.kind = DocumentKind::archive;
    request.expected_bytes = d.size.value_or(0); // else the archive limit
    request.cancel = d.cancel;
    auto response = fetcher_.fetch(request, progress);
    if (!response && response.error().kind == Error::Kind::cancelled) {
        return cancelled_error(fmt::format("{}: download of {}", shown, file_label));
    }
    if (!response) {
        Error e = failure(fmt::format("{}: download of {} failed: {}", shown, file_label,
                                      response.error().to_string()));
        e.kind = Error::Kind::io;
        return e;
    }
    // Into the cache when the digest is known, else into this process's scratch folder.
    fs::path target;
    if (!kept.empty() && !read_only_) {
        fs::create_directories(kept.parent_path(), ec);
        if (!ec) {
            // Unique per process and per download: two caches of one host (two applies at
            // once) share the folder.
            static std::atomic<unsigned> parts{0};
            target = kept.parent_path() / fmt::format(".part-{}-{}", ::getpid(), parts++);
        }
    }
    if (target.empty()) {
        if (scratch_.empty()) {
            std::string tmpl = (fs::temp_directory_path(ec) / "qplug-downloads-XXXXXX").string();
            if (::mkdtemp(tmpl.data()) == nullptr) {
                Error e = io_failure(fmt::format("{}: no temporary folder for the download: {}",
                                                 shown, std::strerror(errno)));
                e.kind = Error::Kind::io;
                return e;
            }
            scratch_ = tmpl;
        }
        target = scratch_ / fmt::format("{}.download", by_url_.size());
    }
    if (!write_file(target, response->body)) {
        Error e = io_failure(fmt::format("{}: cannot write {}", shown, target.string()));
        e.kind = Error::Kind::io;
        return e;
    }
    DownloadedFile file;
    file.path = target;
    if (auto ok = verify(target, file); !ok) {
        fs::remove(target, ec);
        return std::move(ok).error();
    }
    if (!kept.empty() && target.parent_path() == kept.parent_path()) {
        fs::rename(target, kept, ec);
        if (ec) {
            fs::remove(target, ec);
            Error e =
                failure(fmt::format("{}: cannot keep the download in {}", shown, kept.string()));
            e.kind = Error::Kind::io;
            return e;
        }
        file.path = kept;
    }
    by_url_[d.url] = file;
    return file;
}

} // namespace qplug::solver
