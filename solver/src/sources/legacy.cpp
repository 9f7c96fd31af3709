// "legacy": a plugins.xml repository, over http(s) or from a file, read as QGIS's plugin
// installer reads it (qgis-facts.md section 4). plugins.xml carries no dependencies (unless a
// repository adds <plugin_dependencies>, which QGIS reads): they are learnt from metadata.txt
// when a release's ZIP is fetched.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
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

/// The entry's metadata as JSON, written into `buffer`'s memory.
std::string json_of(const plugins_xml::Entry& e, std::string&& buffer) {
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
    FlatJson j(std::move(buffer), size);
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

/// Makes `r` the entry's release (`key`: the entry's). `r` may hold an earlier release: the memory
/// of its texts and lists is reused (a sync reads thousands), every field is set anew.
void read_release(const plugins_xml::Entry& e, const std::string& key, Release& r,
                  std::vector<std::string>& warnings, const std::string& where) {
    std::string download_url = std::move(r.download_url);
    std::string file_name = std::move(r.file_name);
    std::string update_date = std::move(r.update_date);
    std::string metadata = std::move(r.metadata_json);
    std::vector<Dependency> dependencies = std::move(r.dependencies);
    std::vector<std::string> modules = std::move(r.modules);
    r = Release{};
    r.version.assign(e.version);
    r.channel = e.experimental ? Channel::experimental : Channel::stable;
    r.deprecated = e.deprecated;
    r.trusted = e.trusted;
    r.qgis_minimum.assign(e.qgis_minimum_version);
    r.qgis_maximum.assign(e.qgis_maximum_version);
    r.download_url = std::move(download_url.assign(e.download_url));
    r.file_name = std::move(file_name.assign(e.file_name));
    r.update_date = std::move(update_date.assign(e.update_date));
    r.metadata_json = json_of(e, std::move(metadata));
    dependencies.clear();
    r.dependencies = std::move(dependencies);
    modules.resize(1);
    modules.front() = key; // QGIS imports a plugin by its folder
    r.modules = std::move(modules);
    if (!e.plugin_dependencies.empty()) {
        std::vector<std::string> problems;
        if (auto parsed = meta::parse_plugin_dependencies(e.plugin_dependencies)) {
            r.dependencies = plugin_dependency_records(*parsed, &problems);
        } else {
            problems.push_back(parsed.error().to_string());
        }
        for (auto& w : problems) {
            warnings.push_back(fmt::format("{}: {} {}: {}", where, e.name, e.version, w));
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
}

/// A plugin version as the package it adds to (its key, and the names and summary its
/// versions read so far give), with the warnings its reading gave; or only warnings.
struct Listing {
    Package package; ///< no name: nothing to add
    std::vector<std::string> warnings;
};

/// Batches of listings from the thread that reads plugins.xml to the one that writes them.
/// Bounded: the reader stays a few batches ahead of the writer, so that the packages are
/// built just before they are written (their memory reused), not all held at once.
class ListingQueue {
public:
    static constexpr std::size_t kBatch = 64;
    static constexpr std::size_t kMaxBatches = 8;

    /// Hands a batch to the writer; false when the writer stopped (the reader then stops).
    bool push(std::vector<Listing>&& batch) {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [&] { return batches_.size() < kMaxBatches || stopped_; });
        if (stopped_) {
            return false;
        }
        batches_.push_back(std::move(batch));
        ready_.notify_one();
        return true;
    }

    /// The reader is done; `packages` is how many packages its listings add to.
    void close(std::size_t packages) {
        const std::lock_guard lock(mutex_);
        closed_ = true;
        packages_ = packages;
        ready_.notify_one();
    }

    /// The writer gives up: the reader's next push fails.
    void stop() {
        const std::lock_guard lock(mutex_);
        stopped_ = true;
        room_.notify_one();
    }

    /// A batch the writer is done with, to be filled again (its listings' memory reused), or
    /// an empty one.
    std::vector<Listing> spare() {
        const std::lock_guard lock(mutex_);
        if (spares_.empty()) {
            return {};
        }
        std::vector<Listing> batch = std::move(spares_.back());
        spares_.pop_back();
        return batch;
    }

    /// The writer is done with a batch.
    void give_back(std::vector<Listing>&& batch) {
        const std::lock_guard lock(mutex_);
        spares_.push_back(std::move(batch));
    }

    /// The next batch, or nothing once the reader closed the queue and every batch was taken.
    /// `packages` gets the reader's count of packages once it is known.
    std::optional<std::vector<Listing>> pop(std::optional<std::size_t>& packages) {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !batches_.empty() || closed_; });
        if (closed_) {
            packages = packages_;
        }
        if (batches_.empty()) {
            return std::nullopt;
        }
        std::vector<Listing> batch = std::move(batches_.front());
        batches_.pop_front();
        room_.notify_one();
        return batch;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_; ///< a batch was pushed, or the queue closed
    std::condition_variable room_;  ///< a batch was taken, or the writer stopped
    std::deque<std::vector<Listing>> batches_;
    std::vector<std::vector<Listing>> spares_;
    bool closed_ = false;
    bool stopped_ = false;
    std::size_t packages_ = 0;
};

/// What the reader counted.
struct ReadSummary {
    std::size_t entries = 0;  ///< <pyqgis_plugin> elements read
    std::size_t disabled = 0; ///< of them, left out as QGIS leaves them out
    std::size_t packages = 0; ///< plugin keys among the others
};

/// A package's names and summary as its versions so far give them.
struct Names {
    std::string display_name;
    std::string summary;
    std::string keywords;
};

/// Later non-empty values win, as in QGIS's merge of a plugin's entries.
void merge_names(Names& names, const plugins_xml::Entry& entry) {
    if (!entry.name.empty()) {
        names.display_name.assign(entry.name);
    }
    if (!entry.description.empty()) {
        names.summary.assign(entry.description);
    }
    if (!entry.tags.empty()) {
        names.keywords.assign(entry.tags);
    }
}

/// The reading thread: walks the document and hands every plugin version to the queue, in
/// document order. A key's package takes the later non-empty names and summary of its
/// versions, as QGIS's merge of the entries does.
Expected<plugins_xml::Document> read_listings(std::string_view bytes, const std::string& where,
                                              ListingQueue& queue, ReadSummary& summary) {
    std::unordered_map<std::string, Names> names;
    // Listings are filled in place, in batches the writer gave back when it has (the memory
    // of their texts is reused: no allocation per text, none freed by the other thread).
    std::vector<Listing> batch = queue.spare();
    std::size_t filled = 0;
    auto document = plugins_xml::parse_each(bytes, [&](const plugins_xml::Entry& entry) {
        ++summary.entries;
        if (entry.disabled) {
            ++summary.disabled; // QGIS drops these
            return true;
        }
        const std::string key = entry.key();
        // The versions of a plugin usually follow each other: they go into one listing.
        const bool same_plugin =
            filled > 0 && !key.empty() && batch[filled - 1].package.name == key;
        Listing* listing = same_plugin ? &batch[filled - 1] : nullptr;
        if (!same_plugin) {
            listing = filled < batch.size() ? &batch[filled] : &batch.emplace_back();
            ++filled;
            listing->warnings.clear();
            listing->package.name.assign(key);
        }
        Package& p = listing->package;
        if (key.empty()) {
            p.releases.clear();
            listing->warnings.push_back(
                fmt::format("{}:{}:{}: {} {} has neither file_name nor download_url", where,
                            entry.line, entry.column, entry.name, entry.version));
        } else {
            Names& known = names[key];
            merge_names(known, entry);
            p.display_name.assign(known.display_name);
            p.summary.assign(known.summary);
            p.keywords.assign(known.keywords);
            // (a reused listing keeps its first release's memory)
            p.releases.resize(same_plugin ? p.releases.size() + 1 : 1);
            read_release(entry, key, p.releases.back(), listing->warnings, where);
        }
        if (filled == ListingQueue::kBatch) {
            if (!queue.push(std::move(batch))) {
                return false;
            }
            batch = queue.spare();
            filled = 0;
        }
        return true;
    });
    summary.packages = names.size();
    if (filled > 0) {
        batch.resize(filled);
        queue.push(std::move(batch));
    }
    return document;
}

/// The writing thread (the caller's): adds each listing's package as it comes, the
/// repository cleared before the first. Says whether anything was added.
Expected<bool> write_listings(ListingQueue& queue, SyncSink& sink) {
    bool cleared = false;
    bool expected = false;
    std::optional<std::size_t> packages;
    while (auto batch = queue.pop(packages)) {
        if (packages && !expected) {
            sink.expect(*packages); // the total, once the reader knows it
            expected = true;
        }
        for (Listing& listing : *batch) {
            for (std::string& w : listing.warnings) {
                sink.warn(std::move(w));
            }
            if (listing.package.name.empty()) {
                continue;
            }
            if (!cleared) {
                QPLUG_TRY(sink.clear());
                cleared = true;
            }
            QPLUG_TRY(sink.add(listing.package));
        }
        queue.give_back(std::move(*batch));
    }
    return cleared;
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
        // The document is read on a second thread, one entry at a time, while this one writes
        // what it has read (ListingQueue): the parse and the SQLite inserts overlap.
        const std::string where = redact_url(repository_.url);
        // An entry takes 1-3 KiB: room for one per KiB.
        sink.reserve(response->body.size() / 1024);
        ListingQueue queue;
        ReadSummary summary;
        std::optional<Expected<plugins_xml::Document>> document;
        std::exception_ptr reader_failure;
        std::thread reader([&] {
            try {
                document = read_listings(response->body, where, queue, summary);
            } catch (...) {
                reader_failure = std::current_exception();
            }
            queue.close(summary.packages);
        });
        // However this thread leaves (an error, an exception), the reader is stopped and
        // joined first.
        struct StopReader {
            ListingQueue& queue;
            std::thread& reader;
            ~StopReader() {
                if (reader.joinable()) {
                    queue.stop();
                    reader.join();
                }
            }
        } stop_reader{queue, reader};
        auto written = write_listings(queue, sink);
        if (!written) {
            queue.stop();
        }
        reader.join();
        if (reader_failure) {
            std::rethrow_exception(reader_failure);
        }
        QPLUG_RETURN_IF_ERROR(written);
        if (!*document) {
            Error e = std::move(*document).error();
            e.file = redact_url(url);
            return e;
        }
        if ((*document)->error) {
            // QGIS reads the entries before the error; so does the sync, and says so.
            Error& e = *(*document)->error;
            e.file = redact_url(url);
            sink.warn(fmt::format("{}; the {} plugin version(s) before it are read, as QGIS "
                                  "reads them",
                                  e.to_string(), summary.entries));
        }
        if (summary.disabled > 0) {
            sink.warn(fmt::format("{} disabled plugin version(s) left out, as QGIS does",
                                  summary.disabled));
        }
        if (summary.entries == 0 && response->body.find("pyqgis_plugin") == std::string::npos) {
            // QGIS: "Server response is 200 OK, but doesn't contain plugin metadata".
            sink.warn(fmt::format("{}: the answer holds no plugin metadata", redact_url(url)));
        }
        if (!*written) {
            QPLUG_TRY(sink.clear()); // a repository without plugins: what it held goes
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
