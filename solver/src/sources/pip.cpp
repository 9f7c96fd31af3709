// "pip": a pip index, PEP 691 JSON or PEP 503 HTML simple repository API, or a local folder of
// wheels. A sync reads the root listing (every project, no releases yet); the projects named in
// the option "projects" (or all with "all_projects": true) are read whole: their page, and the
// core metadata of each release where the index serves it (PEP 658). The rest is read when a
// resolution reaches it (read_project, called by pip_lazy.cpp; docs/index-sources.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/checksum.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/pypi.hpp>

#include "errors.hpp"
#include "io/zip_member.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

namespace fs = std::filesystem;

constexpr const char* kAccept =
    "Accept: application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01";

struct PipConfig {
    std::set<std::string> projects; ///< normalized names read whole at sync
    bool all_projects = false;
};

bool is_json(const FetchResponse& r) {
    return r.content_type.find("json") != std::string::npos;
}

class PipSource final : public Source {
public:
    PipSource(RepositoryConfig repository, PipConfig config)
        : repository_(std::move(repository)), config_(std::move(config)) {
        if (!repository_.url.empty() && repository_.url.back() != '/' &&
            local_path_of(repository_.url).empty()) {
            repository_.url += '/'; // relative project URLs resolve under the root
        }
    }

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        if (const std::string folder = local_path_of(repository_.url); !folder.empty()) {
            return sync_folder(folder, context, sink);
        }
        auto request = request_for(repository_, repository_.url, context);
        QPLUG_RETURN_IF_ERROR(request);
        request->headers.emplace_back(kAccept);
        auto root = context.fetcher->fetch(*request, context.progress);
        QPLUG_RETURN_IF_ERROR(root);
        Index::SyncResult result;
        result.etag = root->etag;
        result.last_modified = root->last_modified;
        if (root->not_modified) {
            result.not_modified = true;
            return result;
        }
        auto names = is_json(*root) ? pypi::parse_index_json(root->body)
                                    : pypi::parse_index_html(root->body);
        if (!names) {
            Error e = std::move(names).error();
            e.message = redact_url(repository_.url) + ": " + e.message;
            return e;
        }
        std::vector<Package> packages;
        std::set<std::string> seen;
        for (const auto& name : *names) {
            const std::string key = normalize_pip_name(name);
            if (!seen.insert(key).second) {
                continue;
            }
            if (config_.all_projects || config_.projects.count(key) != 0) {
                std::vector<std::string> warnings;
                auto project = read_page(key, context, warnings);
                for (auto& w : warnings) {
                    sink.warn(std::move(w));
                }
                QPLUG_RETURN_IF_ERROR(project);
                packages.push_back(std::move(*project));
            } else {
                Package p;
                p.name = key;
                p.display_name = name;
                packages.push_back(std::move(p)); // releases read when a request needs them
            }
        }
        for (const auto& wanted : config_.projects) {
            if (seen.count(wanted) == 0) {
                sink.warn(fmt::format("project '{}' is not on the index", wanted));
            }
        }
        sink.expect(packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& p : packages) {
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

    Expected<Package> read_project(std::string_view name, const SyncContext& context,
                                   std::vector<std::string>& warnings) override {
        const std::string key = normalize_pip_name(name);
        if (!local_path_of(repository_.url).empty()) {
            Package p; // a folder is read whole at sync: what it lacks, it does not have
            p.name = key;
            return p;
        }
        auto page = read_page(key, context, warnings);
        if (!page && page.error().message.find("HTTP 404") != std::string::npos) {
            // Listed, but no page: pip finds no candidates there, and says so.
            warnings.push_back(page.error().to_string());
            Package p;
            p.name = key;
            return p;
        }
        return page;
    }

private:
    /// A project's page, and the core metadata of each release where the index serves it
    /// (PEP 658); the other releases' dependencies stay unknown until their wheel is read.
    Expected<Package> read_page(const std::string& key, const SyncContext& context,
                                std::vector<std::string>& warnings) {
        const std::string url = repository_.url + key + "/";
        auto request = request_for(repository_, url, context);
        QPLUG_RETURN_IF_ERROR(request);
        request->etag.clear(); // the repository's validators are the root's
        request->last_modified.clear();
        request->headers.emplace_back(kAccept);
        auto response = context.fetcher->fetch(*request);
        QPLUG_RETURN_IF_ERROR(response);
        auto page = is_json(*response)
                        ? pypi::parse_project_json(response->body, response->final_url)
                        : pypi::parse_project_html(response->body, response->final_url);
        if (!page) {
            Error e = std::move(page).error();
            e.message = redact_url(url) + ": " + e.message;
            return e;
        }
        Package p = pip::package_from_page(*page, &warnings);
        for (auto& release : p.releases) {
            const auto file =
                std::find_if(page->files.begin(), page->files.end(),
                             [&](const auto& f) { return f.filename == release.file_name; });
            if (file == page->files.end() || !file->core_metadata) {
                continue; // read from the wheel when a request reaches it
            }
            auto metadata_request = request_for(repository_, file->url + ".metadata", context);
            QPLUG_RETURN_IF_ERROR(metadata_request);
            metadata_request->etag.clear();
            metadata_request->last_modified.clear();
            metadata_request->kind = DocumentKind::metadata;
            auto body = context.fetcher->fetch(*metadata_request);
            if (!body) {
                warnings.push_back(body.error().to_string());
                continue;
            }
            if (auto expected = file->core_metadata_hashes.find("sha256");
                expected != file->core_metadata_hashes.end() &&
                sha256_hex(body->body) != expected->second) {
                warnings.push_back(fmt::format("{}.metadata: its SHA-256 is not the index's",
                                               redact_url(file->url)));
                continue;
            }
            auto metadata = pypi::parse_core_metadata(body->body);
            if (!metadata) {
                warnings.push_back(fmt::format("{}.metadata: {}", redact_url(file->url),
                                               metadata.error().to_string()));
                continue;
            }
            if (!pip::metadata_matches(*metadata, p.name, release.version)) {
                // pip discards a candidate whose metadata is another project's or version's.
                warnings.push_back(fmt::format("{}.metadata: discarded, it is for {} {}",
                                               redact_url(file->url), metadata->name,
                                               metadata->version));
                release.version.clear();
                continue;
            }
            release.dependencies = pip::dependencies_from_metadata(*metadata, &warnings);
            release.dependencies_known = true;
            if (p.summary.empty()) {
                p.summary = metadata->summary;
            }
        }
        std::erase_if(p.releases, [](const Release& r) { return r.version.empty(); });
        return p;
    }

    /// A folder of wheels (and sdists): each wheel's METADATA and modules read from it.
    Expected<Index::SyncResult> sync_folder(const fs::path& folder, const SyncContext& context,
                                            SyncSink& sink) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) {
            return setting_error(repository_, folder.string() + " is not a folder");
        }
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            const std::string name = entry.path().filename().string();
            if (entry.is_regular_file() &&
                (name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip"))) {
                files.push_back(entry.path());
            }
        }
        std::sort(files.begin(), files.end());
        Hasher listing(DigestAlgorithm::sha256);
        for (const auto& f : files) {
            listing.add(fmt::format("{}\n{}\n{}\n", f.filename().string(), fs::file_size(f, ec),
                                    fs::last_write_time(f, ec).time_since_epoch().count()));
        }
        Index::SyncResult result;
        result.etag = "\"" + listing.hex() + "\"";
        if (!context.force && result.etag == repository_.etag) {
            result.not_modified = true;
            return result;
        }
        // A page of the folder's files per project, then the same rules as an index.
        std::map<std::string, pypi::ProjectPage> pages;
        for (const auto& f : files) {
            const std::string filename = f.filename().string();
            std::string project;
            if (auto wheel = pypi::parse_wheel_filename(filename)) {
                project = wheel->name;
            } else if (auto sdist = pypi::parse_sdist_filename(filename)) {
                project = sdist->name;
            } else {
                sink.warn(filename + ": neither a wheel nor an sdist name");
                continue;
            }
            auto& page = pages[normalize_pip_name(project)];
            page.name = project;
            pypi::DistributionFile file;
            file.filename = filename;
            file.url = "file://" + fs::absolute(f).string();
            if (auto digest = file_digest_hex(f, DigestAlgorithm::sha256)) {
                file.hashes["sha256"] = *digest;
            }
            file.size = fs::file_size(f, ec);
            page.files.push_back(std::move(file));
        }
        std::vector<Package> packages;
        for (auto& [key, page] : pages) {
            std::vector<std::string> warnings;
            Package p = pip::package_from_page(page, &warnings);
            for (auto& release : p.releases) {
                if (!release.file_name.ends_with(".whl")) {
                    continue; // an sdist's dependencies are known once it is built
                }
                read_wheel(folder / release.file_name, p, release, warnings);
            }
            std::erase_if(p.releases, [](const Release& r) { return r.version.empty(); });
            for (auto& w : warnings) {
                sink.warn(std::move(w));
            }
            packages.push_back(std::move(p));
        }
        sink.expect(packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& p : packages) {
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

    static void read_wheel(const fs::path& wheel, Package& package, Release& release,
                           std::vector<std::string>& warnings) {
        auto entries = detail::zip_entries(wheel);
        if (!entries) {
            warnings.push_back(entries.error().to_string());
            return;
        }
        auto is_metadata = [](std::string_view name) {
            const std::size_t slash = name.find('/');
            return slash != std::string_view::npos &&
                   name.substr(0, slash).ends_with(".dist-info") &&
                   name.substr(slash + 1) == "METADATA";
        };
        auto text = detail::zip_member(wheel, is_metadata);
        if (!text) {
            warnings.push_back(text.error().to_string());
            return;
        }
        auto metadata = pypi::parse_core_metadata(*text);
        if (!metadata) {
            warnings.push_back(
                fmt::format("{}: METADATA: {}", wheel.string(), metadata.error().to_string()));
            return;
        }
        if (!pip::metadata_matches(*metadata, package.name, release.version)) {
            warnings.push_back(fmt::format("{}: discarded, its METADATA is for {} {}",
                                           wheel.string(), metadata->name, metadata->version));
            release.version.clear(); // (left out by the caller)
            return;
        }
        release.dependencies = pip::dependencies_from_metadata(*metadata, &warnings);
        release.dependencies_known = true;
        auto top_level = detail::zip_member(wheel, [](std::string_view name) {
            const std::size_t slash = name.find('/');
            return slash != std::string_view::npos &&
                   name.substr(0, slash).ends_with(".dist-info") &&
                   name.substr(slash + 1) == "top_level.txt";
        });
        release.modules = pip::wheel_modules(*entries, top_level ? *top_level : std::string());
        if (package.summary.empty()) {
            package.summary = metadata->summary;
        }
        package.display_name = metadata->name;
        read_plugin(wheel, *entries, package, release, warnings);
    }

    /// A wheel of one module with __init__.py and metadata.txt is a QGIS plugin's release.
    static void read_plugin(const fs::path& wheel, const std::vector<std::string>& entries,
                            Package& package, Release& release,
                            std::vector<std::string>& warnings) {
        const PluginModule found = find_plugin_module(entries);
        if (found.kind == PluginModule::Kind::not_plugin) {
            warnings.push_back(fmt::format("{}: {}", wheel.string(), found.why));
            return;
        }
        if (found.kind != PluginModule::Kind::plugin) {
            return;
        }
        auto text = detail::zip_member(
            wheel, [&](std::string_view name) { return name == found.key + "/metadata.txt"; });
        if (!text) {
            warnings.push_back(text.error().to_string());
            return;
        }
        make_plugin_release(*text, found.key, wheel.string(), package, release, warnings);
    }

    RepositoryConfig repository_;
    PipConfig config_;
};

} // namespace

SourceType pip_type() {
    SourceType t;
    t.tag = "pip";
    t.summary = "a pip index (PEP 691 JSON / PEP 503 HTML), read project by project as "
                "resolutions reach them, or a folder of wheels; options: projects=[...] or "
                "all_projects=true to read in advance";
    t.backend = Backend::pip;
    t.make = [](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        auto options = read_options(repository);
        QPLUG_RETURN_IF_ERROR(options);
        PipConfig config;
        if (auto it = options->find("projects"); it != options->end()) {
            if (!it->is_array()) {
                return setting_error(repository, "option projects must be a list of names");
            }
            for (const auto& name : *it) {
                if (!name.is_string()) {
                    return setting_error(repository, "option projects must be a list of names");
                }
                config.projects.insert(normalize_pip_name(name.get<std::string>()));
            }
        }
        if (auto it = options->find("all_projects"); it != options->end()) {
            if (!it->is_boolean()) {
                return setting_error(repository, "option all_projects must be true or false");
            }
            config.all_projects = it->get<bool>();
        }
        return std::unique_ptr<Source>(std::make_unique<PipSource>(repository, std::move(config)));
    };
    return t;
}

} // namespace qplug::solver::sources
