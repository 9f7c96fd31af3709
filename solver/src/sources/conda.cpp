// "conda": a conda channel, each configured subdir's repodata.json (default noarch and
// linux-64). Records of one name, version and build in both the .tar.bz2 and the .conda map
// are one release (the .conda file, as conda prefers it). depends and constrains are recorded
// as conda dependencies: target the package name, spec "VERSION[ BUILD]" as the match spec
// gives them; constrains with is_constraint. ETags are kept per subdir. In a channel on disk,
// each package file present beside repodata.json is read (libarchive): one holding exactly one
// top-level module with __init__.py and metadata.txt under site-packages is a plugin release
// (docs/index-sources.md, "Plugins as wheels and conda packages").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <map>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <qplug/solver/conda.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>

#include "errors.hpp"
#include "formats/flat_json.hpp"
#include "io/conda_plugin.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

struct CondaConfig {
    std::vector<std::string> subdirs = {"noarch", "linux-64"};
};

std::optional<Dependency> dependency_of(const std::string& text, bool constraint,
                                        std::vector<std::string>& warnings,
                                        const conda::PackageRecord& record) {
    auto spec = conda::parse_match_spec(text);
    if (!spec) {
        warnings.push_back(fmt::format("{}: '{}' is not a match spec: {}", record.filename, text,
                                       spec.error().message));
        return std::nullopt;
    }
    Dependency d;
    d.kind = DependencyKind::conda;
    d.target = spec->name;
    d.spec = spec->version;
    if (!spec->build.empty()) {
        d.spec += (d.spec.empty() ? "* " : " ") + spec->build;
    }
    d.constraint = constraint;
    return d;
}

std::string iso_date(std::int64_t milliseconds) {
    const std::chrono::sys_seconds t{std::chrono::seconds(milliseconds / 1000)};
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
}

class CondaSource final : public Source {
public:
    CondaSource(RepositoryConfig repository, CondaConfig config)
        : repository_(std::move(repository)), config_(std::move(config)) {
        while (!repository_.url.empty() && repository_.url.back() == '/') {
            repository_.url.pop_back();
        }
    }

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        // The repository's ETag field holds {"subdir": "etag", ...}.
        nlohmann::json previous = nlohmann::json::parse(repository_.etag, nullptr, false);
        if (!previous.is_object() || context.force) {
            previous = nlohmann::json::object();
        }
        nlohmann::json etags = nlohmann::json::object();
        std::vector<std::pair<conda::PackageRecord, std::string>> records; // with download base
        bool changed = false;
        std::vector<std::string> warnings;
        for (const auto& subdir : config_.subdirs) {
            const std::string url = repository_.url + "/" + subdir + "/repodata.json";
            auto request = request_for(repository_, url, context);
            QPLUG_RETURN_IF_ERROR(request);
            request->etag = previous.value(subdir, std::string());
            request->last_modified.clear();
            auto response = context.fetcher->fetch(*request, context.progress);
            QPLUG_RETURN_IF_ERROR(response);
            etags[subdir] = response->etag;
            if (response->not_modified) {
                // Unchanged, but a changed sibling means rewriting the whole channel.
                response = refetch(url, context);
                QPLUG_RETURN_IF_ERROR(response);
            } else {
                changed = true;
            }
            auto parsed = conda::parse_repodata(response->body);
            if (!parsed) {
                Error e = std::move(parsed).error();
                e.message = redact_url(url) + ": " + e.message;
                return e;
            }
            for (auto& skipped : parsed->skipped) {
                warnings.push_back(fmt::format("{}: left out {}", redact_url(url), skipped));
            }
            const std::string base = parsed->repodata.base_url.empty()
                                         ? repository_.url + "/" + subdir + "/"
                                         : parsed->repodata.base_url;
            for (auto& r : parsed->repodata.records) {
                records.emplace_back(std::move(r), base);
            }
        }
        Index::SyncResult result;
        result.etag = etags.dump();
        if (!changed) {
            result.not_modified = true;
            return result;
        }
        // name -> package; (version, build, subdir) seen -> release index (prefer .conda)
        std::map<std::string, Package> packages;
        std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> seen;
        for (const auto& [r, base] : records) {
            Package& p = packages[r.name];
            p.name = r.name;
            p.display_name = r.name;
            const auto key = std::make_tuple(r.name, r.version, r.build, r.subdir);
            Release release = make_release(r, base, warnings);
            if (auto it = seen.find(key); it != seen.end()) {
                if (r.filename.ends_with(".conda")) {
                    p.releases[it->second] = std::move(release);
                }
                continue;
            }
            seen[key] = p.releases.size();
            p.releases.push_back(std::move(release));
        }
        for (auto& [name, p] : packages) {
            for (auto& release : p.releases) {
                read_plugin(p, release, warnings);
            }
        }
        for (auto& w : warnings) {
            sink.warn(std::move(w));
        }
        sink.expect(packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& [name, p] : packages) {
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

private:
    Expected<FetchResponse> refetch(const std::string& url, const SyncContext& context) {
        auto request = request_for(repository_, url, context);
        QPLUG_RETURN_IF_ERROR(request);
        request->etag.clear();
        request->last_modified.clear();
        return context.fetcher->fetch(*request, context.progress);
    }

    /// A package file of a channel on disk is read for the plugin module it may hold.
    static void read_plugin(Package& package, Release& release,
                            std::vector<std::string>& warnings) {
        if (release.modules.empty()) {
            return; // not a Python package (neither noarch python nor depending on python)
        }
        const std::string local = local_path_of(release.download_url);
        std::error_code ec;
        if (local.empty() || !std::filesystem::is_regular_file(local, ec)) {
            return; // (a remote channel, or a file not beside its repodata.json)
        }
        auto found = detail::read_conda_plugin(local);
        if (!found) {
            warnings.push_back(found.error().to_string());
            return;
        }
        if (found->module.kind == PluginModule::Kind::not_plugin) {
            warnings.push_back(fmt::format("{}: {}", local, found->module.why));
            return;
        }
        if (found->module.kind == PluginModule::Kind::plugin) {
            make_plugin_release(found->metadata_txt, found->module.key, local, package, release,
                                warnings);
        }
    }

    static Release make_release(const conda::PackageRecord& r, const std::string& base,
                                std::vector<std::string>& warnings) {
        Release release;
        release.version = r.version;
        release.build = r.build;
        release.build_number = r.build_number;
        release.subdir = r.subdir;
        release.file_name = r.filename;
        release.download_url = base + r.filename;
        release.size = r.size;
        if (!r.sha256.empty()) {
            release.hash = "sha256:" + r.sha256;
        } else if (!r.md5.empty()) {
            release.hash = "md5:" + r.md5;
        }
        if (r.timestamp) {
            release.update_date = iso_date(*r.timestamp);
        }
        for (const auto& d : r.depends) {
            if (auto dep = dependency_of(d, false, warnings, r)) {
                release.dependencies.push_back(std::move(*dep));
            }
        }
        for (const auto& c : r.constrains) {
            if (auto dep = dependency_of(c, true, warnings, r)) {
                release.dependencies.push_back(std::move(*dep));
            }
        }
        // Conda records list no modules: a Python package most likely provides its name.
        if (r.noarch == "python" ||
            std::any_of(r.depends.begin(), r.depends.end(), [](const std::string& d) {
                return d == "python" || d.rfind("python ", 0) == 0;
            })) {
            release.modules.push_back(pip::guessed_module(r.name));
        }
        FlatJson j;
        j.add("build", r.build).add("subdir", r.subdir).add("noarch", r.noarch, true);
        release.metadata_json = std::move(j).str();
        return release;
    }

    RepositoryConfig repository_;
    CondaConfig config_;
};

} // namespace

SourceType conda_type() {
    SourceType t;
    t.tag = "conda";
    t.summary = "a conda channel (repodata.json per subdir); option subdirs=[...] (default "
                "noarch, linux-64)";
    t.backend = Backend::conda;
    t.make = [](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        auto options = read_options(repository);
        QPLUG_RETURN_IF_ERROR(options);
        CondaConfig config;
        if (auto it = options->find("subdirs"); it != options->end()) {
            if (!it->is_array() || it->empty()) {
                return setting_error(repository, "option subdirs must be a list of subdirs");
            }
            config.subdirs.clear();
            for (const auto& s : *it) {
                if (!s.is_string() || s.get<std::string>().empty() ||
                    s.get<std::string>().find('/') != std::string::npos) {
                    return setting_error(repository, "option subdirs must be a list of subdirs");
                }
                config.subdirs.push_back(s.get<std::string>());
            }
        }
        return std::unique_ptr<Source>(
            std::make_unique<CondaSource>(repository, std::move(config)));
    };
    return t;
}

} // namespace qplug::solver::sources
