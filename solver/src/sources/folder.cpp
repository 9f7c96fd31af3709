// "folder": a directory of plugin ZIPs is a repository too. Each ZIP is checked as QGIS needs
// it (package checks, qgis profile) and its metadata.txt read as QGIS reads it, so the
// releases' dependencies are known up front, with their size and SHA-256.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include <qplug/meta/package.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/python_env.hpp>

#include "io/zip_member.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

namespace fs = std::filesystem;

std::string file_url(const fs::path& path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "file://";
    for (const char ch : path.string()) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' || c == '.' ||
                           c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

class FolderSource final : public Source {
public:
    FolderSource(RepositoryConfig repository, fs::path folder)
        : repository_(std::move(repository)), folder_(std::move(folder)) {}

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        std::error_code ec;
        if (!fs::is_directory(folder_, ec)) {
            return setting_error(repository_, fmt::format("{} is not a folder", folder_.string()));
        }
        std::vector<fs::path> zips;
        for (const auto& entry : fs::directory_iterator(folder_, ec)) {
            if (entry.is_regular_file() && entry.path().extension() == ".zip") {
                zips.push_back(entry.path());
            }
        }
        if (ec) {
            return setting_error(repository_, fmt::format("{} cannot be listed: {}",
                                                          folder_.string(), ec.message()));
        }
        std::sort(zips.begin(), zips.end());
        // The folder's "ETag": every file's name, size and time; unchanged means not modified.
        Hasher listing(DigestAlgorithm::sha256);
        std::uint64_t total_bytes = 0;
        for (const auto& z : zips) {
            const auto size = fs::file_size(z, ec);
            total_bytes += ec ? 0 : size;
            const auto time = fs::last_write_time(z, ec).time_since_epoch().count();
            listing.add(fmt::format("{}\n{}\n{}\n", z.filename().string(), size, time));
        }
        Index::SyncResult result;
        result.etag = "\"" + listing.hex() + "\"";
        if (!context.force && result.etag == repository_.etag) {
            result.not_modified = true;
            return result;
        }
        std::vector<Package> packages;
        std::map<std::string, std::size_t> by_key;
        std::uint64_t read_bytes = 0;
        for (const auto& z : zips) {
            // Reading the ZIPs is this source's "fetch": progress in bytes, a cancel between them.
            if (cancelled(context.cancel)) {
                return cancelled_error(folder_.string());
            }
            const auto size = fs::file_size(z, ec);
            auto package = read_plugin_zip(z, [&](std::string w) { sink.warn(std::move(w)); });
            read_bytes += ec ? 0 : size;
            if (context.progress) {
                context.progress(read_bytes, total_bytes);
            }
            if (!package) {
                continue;
            }
            auto [it, added] = by_key.try_emplace(package->name, packages.size());
            if (added) {
                packages.push_back(std::move(*package));
            } else {
                Package& p = packages[it->second];
                p.display_name = package->display_name;
                p.summary = package->summary;
                p.keywords = package->keywords;
                p.releases.push_back(std::move(package->releases.front()));
            }
        }
        sink.expect(packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& p : packages) {
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

private:
    RepositoryConfig repository_;
    fs::path folder_;
};

} // namespace

std::optional<Package> read_plugin_zip(const std::filesystem::path& zip,
                                       const std::function<void(std::string)>& warn) {
    meta::PackageOptions options;
    options.profile = meta::Profile::qgis; // what QGIS needs to install it
    auto report = meta::check_package_file(zip, options);
    if (!report) {
        warn(report.error().to_string());
        return std::nullopt;
    }
    for (const auto& d : report->diagnostics) {
        if (d.severity == meta::Severity::error) {
            warn(fmt::format("{}: left out: {} [{}]", zip.string(), d.message, d.rule));
            return std::nullopt;
        }
    }
    if (!report->metadata) {
        warn(fmt::format("{}: left out: no metadata.txt", zip.string()));
        return std::nullopt;
    }
    std::vector<std::string> warnings;
    Package p = plugin_package_from_metadata(*report->metadata, report->package_name, &warnings);
    for (auto& w : warnings) {
        warn(fmt::format("{}: {}", zip.string(), w));
    }
    Release& r = p.releases.front();
    // The plugin's Python requirements, by the requirements.txt convention (qpip).
    auto requirements = detail::zip_member(zip, [&](std::string_view name) {
        return name == report->package_name + "/requirements.txt";
    });
    if (requirements) {
        std::vector<std::string> problems;
        for (auto& d : requirements_txt_dependencies(*requirements, &problems)) {
            r.dependencies.push_back(std::move(d));
        }
        for (auto& w : problems) {
            warn(fmt::format("{}: {}", zip.string(), w));
        }
    }
    r.file_name = zip.filename().string();
    r.download_url = file_url(fs::absolute(zip));
    std::error_code ec;
    r.size = fs::file_size(zip, ec);
    if (auto digest = file_digest_hex(zip, DigestAlgorithm::sha256)) {
        r.hash = "sha256:" + *digest;
    }
    return p;
}

SourceType folder_type() {
    SourceType t;
    t.tag = "folder";
    t.summary = "a folder of plugin ZIPs (their metadata.txt read up front)";
    t.backend = Backend::legacy;
    t.make = [](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        QPLUG_TRY(read_options(repository));
        const std::string path = local_path_of(repository.url);
        if (path.empty()) {
            return setting_error(repository, "a folder source needs a path or a file: URL");
        }
        return std::unique_ptr<Source>(
            std::make_unique<FolderSource>(repository, std::filesystem::path(path)));
    };
    return t;
}

} // namespace qplug::solver::sources
