// "legacy": a plugins.xml repository, over http(s) or from a file, read as QGIS's plugin
// installer reads it (qgis-facts.md section 4). plugins.xml carries no dependencies (unless a
// repository adds <plugin_dependencies>, which QGIS reads): they are learnt from metadata.txt
// when a release's ZIP is fetched.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <unordered_map>

#include <fmt/format.h>

#include <qplug/meta/model.hpp>
#include <qplug/solver/plugin_dependencies.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/plugins_xml.hpp>
#include <qplug/version/compat.hpp>

#include "formats/flat_json.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

struct LegacyConfig {
    /// Append "?qgis=X.Y" to http(s) URLs, as QGIS does (it appends even after a '?').
    bool qgis_query = true;
};

std::string json_of(const plugins_xml::Entry& e) {
    std::size_t size = 512; // the keys, quotes and separators, and a little escaping
    for (const std::string_view* value : {&e.name,
                                          &e.version,
                                          &e.plugin_id,
                                          &e.description,
                                          &e.about,
                                          &e.author_name,
                                          &e.author_email,
                                          &e.homepage,
                                          &e.tracker,
                                          &e.repository,
                                          &e.tags,
                                          &e.category,
                                          &e.changelog,
                                          &e.icon,
                                          &e.uploaded_by,
                                          &e.create_date,
                                          &e.downloads,
                                          &e.average_vote,
                                          &e.rating_votes,
                                          &e.plugin_dependencies,
                                          &e.external_dependencies}) {
        size += value->size();
    }
    FlatJson j(size);
    j.add("name", e.name, true)
        .add("version", e.version, true)
        .add("plugin_id", e.plugin_id, true)
        .add("description", e.description, true)
        .add("about", e.about, true)
        .add("author_name", e.author_name, true)
        .add("author_email", e.author_email, true)
        .add("homepage", e.homepage, true)
        .add("tracker", e.tracker, true)
        .add("repository", e.repository, true)
        .add("tags", e.tags, true)
        .add("category", e.category, true)
        .add("changelog", e.changelog, true)
        .add("icon", e.icon, true)
        .add("uploaded_by", e.uploaded_by, true)
        .add("create_date", e.create_date, true)
        .add("downloads", e.downloads, true)
        .add("average_vote", e.average_vote, true)
        .add("rating_votes", e.rating_votes, true)
        .add("plugin_dependencies", e.plugin_dependencies, true)
        .add("external_dependencies", e.external_dependencies, true);
    if (e.server) {
        j.add_bool("server", true);
    }
    return std::move(j).str();
}

Release release_of(const plugins_xml::Entry& e, SyncSink& sink, const std::string& where) {
    Release r;
    r.version = std::string(e.version);
    r.channel = e.experimental ? Channel::experimental : Channel::stable;
    r.deprecated = e.deprecated;
    r.trusted = e.trusted;
    r.qgis_minimum = std::string(e.qgis_minimum_version);
    r.qgis_maximum = std::string(e.qgis_maximum_version);
    r.download_url = std::string(e.download_url);
    r.file_name = std::string(e.file_name);
    r.update_date = std::string(e.update_date);
    r.metadata_json = json_of(e);
    r.modules.push_back(e.key());
    if (!e.plugin_dependencies.empty()) {
        std::vector<std::string> warnings;
        if (auto parsed = meta::parse_plugin_dependencies(e.plugin_dependencies)) {
            r.dependencies = plugin_dependency_records(*parsed, &warnings);
        } else {
            warnings.push_back(parsed.error().to_string());
        }
        for (auto& w : warnings) {
            sink.warn(fmt::format("{}: {} {}: {}", where, e.name, e.version, w));
        }
    } else {
        r.dependencies_known = false; // in the ZIP's metadata.txt
    }
    // installer_data.xmlDownloaded: an entry without <qgis_minimum_version> has the minimum
    // "2" (so no QGIS 3 offers it); the maximum then defaults from it.
    if (auto q = qgis_dependency(r.qgis_minimum.empty() ? std::string_view("2") : r.qgis_minimum,
                                 r.qgis_maximum)) {
        r.dependencies.push_back(std::move(*q));
    }
    return r;
}

class LegacySource final : public Source {
public:
    LegacySource(RepositoryConfig repository, LegacyConfig config)
        : repository_(std::move(repository)), config_(config) {}

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        std::string url = repository_.url;
        if (config_.qgis_query && local_path_of(url).empty()) {
            auto api = version::compat::qgis_api_version(context.qgis_version);
            QPLUG_RETURN_IF_ERROR(api);
            // installer_data.urlParams(): "?qgis=X.Y" from X.Y.Z.
            url += "?qgis=" + api->substr(0, api->rfind('.'));
        }
        auto request = request_for(repository_, url, context);
        QPLUG_RETURN_IF_ERROR(request);
        auto response = context.fetcher->fetch(*request, context.progress);
        QPLUG_RETURN_IF_ERROR(response);
        Index::SyncResult result;
        result.etag = response->etag;
        result.last_modified = response->last_modified;
        if (response->not_modified) {
            result.not_modified = true;
            return result;
        }
        auto document = plugins_xml::parse(response->body);
        if (!document) {
            Error e = std::move(document).error();
            e.file = redact_url(url);
            return e;
        }
        if (document->error) {
            // QGIS reads the entries before the error; so does the sync, and says so.
            Error& e = *document->error;
            e.file = redact_url(url);
            sink.warn(fmt::format("{}; the {} plugin version(s) before it are read, as QGIS "
                                  "reads them",
                                  e.to_string(), document->entries.size()));
        }
        const bool names_plugins = response->body.find("pyqgis_plugin") != std::string::npos;
        std::string().swap(response->body); // its memory serves what follows
        if (document->entries.empty() && !names_plugins) {
            // QGIS: "Server response is 200 OK, but doesn't contain plugin metadata".
            sink.warn(fmt::format("{}: the answer holds no plugin metadata", redact_url(url)));
        }
        // One package per plugin key (the install folder), its versions in document order.
        // The entries are grouped first and each package is built just before it is written:
        // one package's memory at a time, reused by the next, instead of all of them at once.
        std::vector<std::string> keys;
        std::vector<std::vector<const plugins_xml::Entry*>> groups;
        std::unordered_map<std::string, std::size_t> by_key;
        std::size_t disabled = 0;
        for (const auto& entry : document->entries) {
            if (entry.disabled) {
                ++disabled; // QGIS drops these
                continue;
            }
            std::string key = entry.key();
            if (key.empty()) {
                sink.warn(fmt::format("{}:{}:{}: {} {} has neither file_name nor download_url",
                                      redact_url(repository_.url), entry.line, entry.column,
                                      entry.name, entry.version));
                continue;
            }
            auto [it, added] = by_key.try_emplace(key, groups.size());
            if (added) {
                groups.emplace_back();
                keys.push_back(std::move(key));
            }
            groups[it->second].push_back(&entry);
        }
        if (disabled > 0) {
            sink.warn(
                fmt::format("{} disabled plugin version(s) left out, as QGIS does", disabled));
        }
        sink.expect(groups.size());
        QPLUG_TRY(sink.clear());
        const std::string where = redact_url(repository_.url);
        Package p;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            p.name = std::move(keys[g]);
            p.display_name.clear();
            p.summary.clear();
            p.keywords.clear();
            p.releases.clear();
            for (const plugins_xml::Entry* entry : groups[g]) {
                // Later non-empty values win, as in QGIS's merge.
                if (!entry->name.empty()) {
                    p.display_name.assign(entry->name);
                }
                if (!entry->description.empty()) {
                    p.summary.assign(entry->description);
                }
                if (!entry->tags.empty()) {
                    p.keywords.assign(entry->tags);
                }
                p.releases.push_back(release_of(*entry, sink, where));
            }
            QPLUG_TRY(sink.add(p));
        }
        return result;
    }

private:
    RepositoryConfig repository_;
    LegacyConfig config_;
};

} // namespace

SourceType legacy_type() {
    SourceType t;
    t.tag = "legacy";
    t.summary = "a QGIS plugin repository (plugins.xml over http(s) or from a file)";
    t.backend = Backend::legacy;
    t.make = [](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        auto options = read_options(repository);
        QPLUG_RETURN_IF_ERROR(options);
        LegacyConfig config;
        if (auto it = options->find("qgis_query"); it != options->end()) {
            if (!it->is_boolean()) {
                return setting_error(repository, "option qgis_query must be true or false");
            }
            config.qgis_query = it->get<bool>();
        }
        return std::unique_ptr<Source>(std::make_unique<LegacySource>(repository, config));
    };
    return t;
}

} // namespace qplug::solver::sources
