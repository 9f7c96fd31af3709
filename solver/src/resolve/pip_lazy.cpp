// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/pip_lazy.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include <qplug/solver/checksum.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/pypi.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep508.hpp>

#include "errors.hpp"
#include "io/zip_member.hpp"
#include "io/zip_range.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::detail {

namespace {

/// How much of a wheel's end the first range request asks for: the end record and, for all
/// but very big wheels, the whole central directory.
constexpr std::size_t kTail = 64 * 1024;

bool dist_info_file(std::string_view name, std::string_view file) {
    const std::size_t slash = name.find('/');
    return slash != std::string_view::npos && name.substr(0, slash).ends_with(".dist-info") &&
           name.substr(slash + 1) == file;
}

bool is_metadata(std::string_view name) {
    return dist_info_file(name, "METADATA");
}

bool is_top_level(std::string_view name) {
    return dist_info_file(name, "top_level.txt");
}

/// "scheme://host:port" of a URL, lower case; "" when it has none.
std::string origin(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return {};
    }
    std::string out(url.substr(0, url.find_first_of("/?#", scheme + 3)));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_remote(std::string_view url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

/// What the requirements are read from: METADATA, top_level.txt (or "") and the entry names.
struct WheelFiles {
    std::string metadata;
    std::string top_level;
    std::vector<std::string> entries;
    std::string plugin_metadata; ///< <module>/metadata.txt of a plugin wheel, else ""
};

/// The entry a plugin wheel's metadata.txt is in ("" when the wheel holds no plugin).
std::string plugin_metadata_entry(const std::vector<std::string>& entries) {
    const PluginModule found = find_plugin_module(entries);
    return found.kind == PluginModule::Kind::plugin ? found.key + "/metadata.txt" : "";
}

std::vector<std::string> names_of(const std::vector<ZipEntry>& entries) {
    std::vector<std::string> out;
    out.reserve(entries.size());
    for (const auto& e : entries) {
        out.push_back(e.name);
    }
    return out;
}

/// A whole wheel in memory.
Expected<WheelFiles> files_of_wheel(std::string_view wheel) {
    auto end = find_zip_end(wheel);
    QPLUG_RETURN_IF_ERROR(end);
    if (end->tail_offset != 0 || end->directory_offset + end->directory_size > wheel.size()) {
        return failure("the wheel's central directory is not where its end record says");
    }
    auto entries = read_central_directory(wheel.substr(end->directory_offset, end->directory_size),
                                          end->entries);
    QPLUG_RETURN_IF_ERROR(entries);
    WheelFiles files;
    auto metadata = zip_member(wheel, is_metadata);
    QPLUG_RETURN_IF_ERROR(metadata);
    files.metadata = std::move(*metadata);
    if (auto top = zip_member(wheel, is_top_level)) {
        files.top_level = std::move(*top);
    }
    files.entries = names_of(*entries);
    if (const std::string plugin = plugin_metadata_entry(files.entries); !plugin.empty()) {
        if (auto text = zip_member(wheel, [&](std::string_view n) { return n == plugin; })) {
            files.plugin_metadata = std::move(*text);
        }
    }
    return files;
}

class WheelReader {
public:
    WheelReader(Fetcher& fetcher, FetchRequest request)
        : fetcher_(fetcher), request_(std::move(request)) {}

    /// The range read; nullopt when the server does not answer ranges or the bytes are not
    /// what a ZIP's should be (then the caller downloads the wheel).
    std::optional<WheelFiles> ranged() {
        auto tail = range(fmt::format("bytes=-{}", kTail), 0);
        if (!tail) {
            return std::nullopt;
        }
        auto end = find_zip_end(*tail);
        if (!end) {
            return std::nullopt;
        }
        std::uint64_t tail_offset = end->tail_offset;
        if (end->directory_offset < tail_offset) {
            // A central directory bigger than the first read: the rest of it.
            auto more = range(fmt::format("bytes={}-{}", end->directory_offset, tail_offset - 1),
                              tail_offset - end->directory_offset);
            if (!more) {
                return std::nullopt;
            }
            tail = *more + *tail;
            tail_offset = end->directory_offset;
        }
        const std::string_view bytes = *tail;
        if (end->directory_offset - tail_offset + end->directory_size > bytes.size()) {
            return std::nullopt;
        }
        auto entries = read_central_directory(
            bytes.substr(end->directory_offset - tail_offset, end->directory_size), end->entries);
        if (!entries) {
            return std::nullopt;
        }
        // Each wanted entry's local bytes run to the next entry's (or the directory); a
        // plugin wheel's metadata.txt too.
        const std::string plugin = plugin_metadata_entry(names_of(*entries));
        std::vector<std::tuple<const ZipEntry*, std::uint64_t, std::uint64_t>> wanted;
        for (const auto& e : *entries) {
            if (is_metadata(e.name) || is_top_level(e.name) ||
                (!plugin.empty() && e.name == plugin)) {
                const std::uint64_t next =
                    local_end(*entries, end->directory_offset, e.local_offset);
                if (next == 0) {
                    return std::nullopt;
                }
                wanted.emplace_back(&e, e.local_offset, next);
            }
        }
        if (std::none_of(wanted.begin(), wanted.end(),
                         [](const auto& w) { return is_metadata(std::get<0>(w)->name); })) {
            return std::nullopt; // the download says what is missing
        }
        std::uint64_t low = end->directory_offset;
        std::uint64_t high = 0;
        for (const auto& [e, from, to] : wanted) {
            low = std::min(low, from);
            high = std::max(high, to);
        }
        std::string body;
        std::uint64_t body_offset = tail_offset;
        if (low < tail_offset) {
            auto part = range(fmt::format("bytes={}-{}", low, high - 1), high - low);
            if (!part) {
                return std::nullopt;
            }
            body = std::move(*part);
            body_offset = low;
        } else {
            body = std::move(*tail);
        }
        std::vector<std::pair<const ZipEntry*, std::string_view>> parts;
        for (const auto& [e, from, to] : wanted) {
            parts.emplace_back(e, std::string_view(body).substr(from - body_offset, to - from));
        }
        const std::string zip = zip_of_entries(parts);
        auto metadata = zip_member(std::string_view(zip), is_metadata);
        if (!metadata) {
            return std::nullopt;
        }
        WheelFiles files;
        files.metadata = std::move(*metadata);
        if (auto top = zip_member(std::string_view(zip), is_top_level)) {
            files.top_level = std::move(*top);
        }
        if (!plugin.empty()) {
            if (auto text = zip_member(std::string_view(zip),
                                       [&](std::string_view n) { return n == plugin; })) {
                files.plugin_metadata = std::move(*text);
            }
        }
        files.entries = names_of(*entries);
        return files;
    }

    /// What a ranged read got when the server sent the whole wheel instead.
    std::optional<std::string> whole;

private:
    /// The bytes of a range (exactly `length` of them unless 0), or nullopt; a server that
    /// answers 200 sends the whole file, kept in `whole`.
    std::optional<std::string> range(const std::string& bytes, std::uint64_t length) {
        FetchRequest r = request_;
        r.headers.push_back("Range: " + bytes);
        auto response = fetcher_.fetch(r);
        if (!response) {
            return std::nullopt;
        }
        if (response->status == 200) {
            whole = std::move(response->body);
            return std::nullopt;
        }
        if (response->status != 206 || (length != 0 && response->body.size() != length)) {
            return std::nullopt;
        }
        return std::move(response->body);
    }

    Fetcher& fetcher_;
    FetchRequest request_;
};

bool same_version(std::string_view a, std::string_view b) {
    return !version_less(Backend::pip, a, b) && !version_less(Backend::pip, b, a);
}

/// Requires-Python of the release (index and metadata) admits the target.
bool python_ok(const ReleaseRecord& r, const Policy& policy) {
    auto ok = [&](const std::string& spec) {
        if (spec.empty()) {
            return true;
        }
        auto holds = version::satisfies(version::Scheme::pep440, policy.python_version, spec, true);
        return holds && *holds;
    };
    if (!ok(r.release.requires_python)) {
        return false;
    }
    return std::all_of(
        r.release.dependencies.begin(), r.release.dependencies.end(),
        [&](const Dependency& d) { return d.kind != DependencyKind::python || ok(d.spec); });
}

/// The extras of a requirement's target ("name[a,b]" -> name, {a, b}).
std::pair<std::string, std::vector<std::string>> split_target(const std::string& target) {
    const std::size_t bracket = target.find('[');
    std::vector<std::string> extras;
    if (bracket != std::string::npos && target.back() == ']') {
        std::string_view list(target);
        list = list.substr(bracket + 1, list.size() - bracket - 2);
        while (!list.empty()) {
            const std::size_t comma = list.find(',');
            extras.emplace_back(list.substr(0, comma));
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
    }
    return {target.substr(0, bracket), std::move(extras)};
}

/// The projects a resolution reaches, as pip's resolver would visit them (pip_lazy.hpp).
class Reach {
public:
    Reach(const Index& index, const LearntReleases& learnt, const Policy& policy,
          const Resolution& resolution, version::pep508::Environment environment)
        : index_(index), learnt_(learnt), policy_(policy), environment_(std::move(environment)) {
        for (const auto& step : resolution.installation) {
            chosen_[{step.backend, step.name}] = step.version;
        }
    }

    /// A request: a name any backend may answer (or only pip, or only a plugin's).
    void add_request(const Request& r) {
        if (r.action == Request::Action::remove || r.name.empty()) {
            return;
        }
        if (!r.backend || *r.backend == Backend::pip) {
            add(normalize_pip_name(r.name), r.extras, r.spec);
        }
        if (!r.backend || *r.backend == Backend::legacy) {
            add_plugin(r.name);
        }
    }

    /// An installed release, for an upgrade of everything: its project, or its plugin.
    void add_installed(const ReleaseRecord& r) {
        if (r.release.external) {
            return; // the environment's own packages: never upgraded (docs/install.md)
        }
        if (r.backend == Backend::pip) {
            add(r.package, {}, "");
        } else if (r.backend == Backend::legacy) {
            add_plugin(r.package);
        }
    }

    void run() {
        while (!todo_.empty() || !plugin_todo_.empty()) {
            if (!plugin_todo_.empty()) {
                const std::string name = plugin_todo_.front();
                plugin_todo_.pop_front();
                visit_plugin(name);
                continue;
            }
            const std::string name = todo_.front();
            todo_.pop_front();
            visit(name);
        }
    }

    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& [name, project] : projects_) {
            out.push_back(name);
        }
        return out;
    }

    /// Tried releases whose dependencies are not known yet.
    const std::map<std::int64_t, ReleaseRecord>& unknown() const { return unknown_; }

private:
    struct Project {
        std::set<std::string> extras;
        std::set<std::string> specs;
    };

    void add(const std::string& name, const std::vector<std::string>& extras,
             const std::string& spec) {
        auto [it, added] = projects_.try_emplace(name);
        bool changed = added;
        for (const auto& e : extras) {
            changed = it->second.extras.insert(normalize_pip_name(e)).second || changed;
        }
        if (!spec.empty() && it->second.specs.insert(spec).second) {
            changed = true;
        }
        if (changed) {
            todo_.push_back(name);
        }
    }

    void add_plugin(const std::string& name) {
        if (plugins_.insert(name).second) {
            plugin_todo_.push_back(name);
        }
    }

    const std::vector<ReleaseRecord>& records(const std::string& name) {
        auto [it, added] = records_.try_emplace(name);
        if (added) {
            it->second = learnt_.releases_named(index_, name);
        }
        return it->second;
    }

    /// A plugin's pip requirements (and its plugins'): the release the resolution chose,
    /// else every release whose dependencies are known (which one a failed resolution would
    /// take is not known).
    void visit_plugin(const std::string& name) {
        for (const auto& r : records(name)) {
            if (r.backend == Backend::pip || r.kind == "installed" ||
                !r.release.dependencies_known) {
                continue;
            }
            auto chosen = chosen_.find({r.backend, r.package});
            if (chosen != chosen_.end() && chosen->second != r.release.version) {
                continue;
            }
            for (const auto& d : r.release.dependencies) {
                if (d.kind == DependencyKind::plugin) {
                    add_plugin(d.target);
                } else if (d.kind == DependencyKind::pip && !pip::is_declared_extra(d) &&
                           applies(d, Project{})) {
                    auto [target, extras] = split_target(d.target);
                    add(normalize_pip_name(target), extras, d.spec);
                }
            }
        }
    }

    bool fits(const ReleaseRecord& r, const Project& p, bool prereleases) const {
        if (!policy_.exclude_newer.empty() && !r.release.update_date.empty() &&
            r.release.update_date.substr(0, policy_.exclude_newer.size()) > policy_.exclude_newer) {
            return false;
        }
        if (!python_ok(r, policy_)) {
            return false;
        }
        auto holds = [&](const std::string& spec) {
            auto ok = version::satisfies(version::Scheme::pep440, r.release.version, spec,
                                         prereleases ? std::optional<bool>(true) : std::nullopt);
            return ok && *ok;
        };
        // No specifier at all still leaves pre-releases out (an empty SpecifierSet).
        return p.specs.empty() ? holds("") : std::all_of(p.specs.begin(), p.specs.end(), holds);
    }

    /// pip 23: what the release needs (marker true with extra == "") or an extra asked of it.
    bool applies(const Dependency& d, const Project& p) const {
        if (d.markers.empty()) {
            return true;
        }
        auto marker = version::pep508::Marker::parse(d.markers);
        if (!marker) {
            return false;
        }
        auto holds = [&](const std::string& extra) {
            auto ok = marker->evaluate(environment_, extra);
            return ok && *ok;
        };
        return holds("") || std::any_of(p.extras.begin(), p.extras.end(),
                                        [&](const std::string& e) { return holds(e); });
    }

    void visit(const std::string& name) {
        const Project project = projects_.at(name);
        std::vector<const ReleaseRecord*> fit;
        for (const bool prereleases : {false, true}) {
            for (const auto& r : records(name)) {
                if (r.backend == Backend::pip && r.kind != "installed" && r.package == name &&
                    fits(r, project, prereleases)) {
                    fit.push_back(&r);
                }
            }
            if (!fit.empty()) {
                break;
            }
        }
        std::stable_sort(
            fit.begin(), fit.end(), [](const ReleaseRecord* a, const ReleaseRecord* b) {
                return version_less(Backend::pip, b->release.version, a->release.version);
            });
        // Newest first down to the one chosen; only the newest when none was chosen.
        auto chosen = chosen_.find({Backend::pip, name});
        for (const ReleaseRecord* r : fit) {
            const bool tried = chosen != chosen_.end()
                                   ? !version_less(Backend::pip, r->release.version, chosen->second)
                                   : same_version(r->release.version, fit.front()->release.version);
            if (!tried) {
                break;
            }
            if (!r->release.dependencies_known) {
                unknown_.emplace(r->id, *r);
                continue;
            }
            for (const auto& d : r->release.dependencies) {
                if (d.kind != DependencyKind::pip || pip::is_declared_extra(d) ||
                    !applies(d, project)) {
                    continue;
                }
                auto [target, extras] = split_target(d.target);
                add(normalize_pip_name(target), extras, d.spec);
            }
        }
    }

    const Index& index_;
    const LearntReleases& learnt_;
    const Policy& policy_;
    version::pep508::Environment environment_;
    std::map<std::pair<Backend, std::string>, std::string> chosen_;
    std::map<std::string, Project> projects_;
    std::deque<std::string> todo_;
    std::set<std::string> plugins_;
    std::deque<std::string> plugin_todo_;
    std::map<std::string, std::vector<ReleaseRecord>> records_;
    std::map<std::int64_t, ReleaseRecord> unknown_;
};

} // namespace

Expected<WheelRequirements> fetch_wheel_requirements(const ReleaseRecord& release,
                                                     const RepositoryConfig& repository,
                                                     Fetcher& fetcher,
                                                     std::vector<std::string>* warnings) {
    const std::string& url = release.release.download_url;
    const std::string what =
        fmt::format("{} {} ({})", release.display_name, release.release.version, redact_url(url));
    WheelFiles files;
    if (const std::string path = local_path_of(url); !path.empty()) {
        auto metadata = zip_member(std::filesystem::path(path), is_metadata);
        auto entries = zip_entries(path);
        if (!metadata || !entries) {
            return failure(what + ": " +
                           (metadata ? entries.error() : metadata.error()).to_string());
        }
        files.metadata = std::move(*metadata);
        files.entries = std::move(*entries);
        if (auto top = zip_member(std::filesystem::path(path), is_top_level)) {
            files.top_level = std::move(*top);
        }
        if (const std::string plugin = plugin_metadata_entry(files.entries); !plugin.empty()) {
            if (auto text = zip_member(std::filesystem::path(path),
                                       [&](std::string_view n) { return n == plugin; })) {
                files.plugin_metadata = std::move(*text);
            }
        }
    } else {
        SyncContext context;
        context.force = true; // no validators: they are the repository's
        auto request = sources::request_for(repository, url, context);
        QPLUG_RETURN_IF_ERROR(request);
        if (origin(url) != origin(repository.url)) {
            request->credentials.clear(); // the index's credentials stay with the index
            request->use_netrc = false;
        }
        request->kind = DocumentKind::wheel; // no more than the size the index advertises
        request->expected_bytes = release.release.size.value_or(0);
        WheelReader reader(fetcher, *request);
        std::optional<WheelFiles> ranged = reader.ranged();
        if (!ranged) {
            std::string wheel;
            if (reader.whole) {
                wheel = std::move(*reader.whole);
            } else {
                auto response = fetcher.fetch(*request);
                QPLUG_RETURN_IF_ERROR(response);
                wheel = std::move(response->body);
            }
            const std::string& hash = release.release.hash;
            if (hash.rfind("sha256:", 0) == 0 && sha256_hex(wheel) != hash.substr(7)) {
                return failure(what + ": its SHA-256 is not the index's");
            }
            auto whole = files_of_wheel(wheel);
            if (!whole) {
                return failure(what + ": " + whole.error().to_string());
            }
            ranged = std::move(*whole);
        }
        files = std::move(*ranged);
    }
    auto metadata = pypi::parse_core_metadata(files.metadata);
    if (!metadata) {
        return failure(what + ": METADATA: " + metadata.error().to_string());
    }
    WheelRequirements out;
    if (!pip::metadata_matches(*metadata, release.package, release.release.version)) {
        out.discarded = fmt::format("Discarding {}: its METADATA is for {} {}, as pip discards it",
                                    what, metadata->name, metadata->version);
        return out;
    }
    out.dependencies = pip::dependencies_from_metadata(*metadata, warnings);
    // The index's Requires-Python (data-requires-python) holds as well as the wheel's.
    for (const auto& d : release.release.dependencies) {
        if (d.kind == DependencyKind::python &&
            std::find(out.dependencies.begin(), out.dependencies.end(), d) ==
                out.dependencies.end()) {
            out.dependencies.push_back(d);
        }
    }
    out.modules = pip::wheel_modules(files.entries, files.top_level);
    const PluginModule found = find_plugin_module(files.entries);
    if (found.kind == PluginModule::Kind::not_plugin && warnings != nullptr) {
        warnings->push_back(fmt::format("{}: {}", what, found.why));
    }
    if (found.kind == PluginModule::Kind::plugin && !files.plugin_metadata.empty()) {
        read_plugin_metadata(files.plugin_metadata, found.key, what, release, out, warnings);
    }
    return out;
}

void read_plugin_metadata(std::string_view metadata_txt, const std::string& key,
                          std::string_view origin, const ReleaseRecord& release,
                          WheelRequirements& out, std::vector<std::string>* warnings) {
    Package package;
    package.name = release.package;
    package.display_name = release.display_name;
    Release r = release.release;
    r.dependencies = std::move(out.dependencies);
    r.modules = std::move(out.modules);
    std::vector<std::string> found_warnings;
    make_plugin_release(metadata_txt, key, origin, package, r, found_warnings);
    if (warnings != nullptr) {
        for (auto& w : found_warnings) {
            warnings->push_back(std::move(w));
        }
    }
    out.dependencies = std::move(r.dependencies);
    out.modules = std::move(r.modules);
    out.plugin = WheelRequirements::Plugin{package.display_name, r.channel,      r.deprecated,
                                           r.qgis_minimum,       r.qgis_maximum, r.metadata_json};
}

void LearntReleases::set_dependencies(std::int64_t release_id, std::vector<Dependency> dependencies,
                                      std::optional<std::vector<std::string>> modules) {
    dependencies_[release_id] = {std::move(dependencies), std::move(modules)};
}

void LearntReleases::set_plugin(std::int64_t release_id, WheelRequirements requirements) {
    plugins_[release_id] = std::move(*requirements.plugin);
    set_dependencies(release_id, std::move(requirements.dependencies),
                     std::move(requirements.modules));
}

void LearntReleases::add_project(const RepositoryConfig& repository, const Package& package) {
    replaced_.emplace(repository.name, package.name);
    for (const Release& release : package.releases) {
        ReleaseRecord r;
        r.id = next_id_--;
        r.repository_id = repository.id;
        r.repository = repository.name;
        r.kind = repository.kind;
        r.priority = repository.priority;
        r.backend = repository.backend.value_or(Backend::pip);
        r.package = package.name;
        r.display_name = package.display_name.empty() ? package.name : package.display_name;
        r.summary = package.summary;
        r.release = release;
        projects_.push_back(std::move(r));
    }
}

std::vector<ReleaseRecord> LearntReleases::over(std::vector<ReleaseRecord> releases) const {
    // The index's releases of the projects read in this plan give way to what was read.
    if (!replaced_.empty()) {
        releases.erase(std::remove_if(releases.begin(), releases.end(),
                                      [&](const ReleaseRecord& r) {
                                          return replaced_.count({r.repository, r.package}) != 0;
                                      }),
                       releases.end());
    }
    for (const auto& r : projects_) {
        releases.push_back(r);
    }
    std::erase_if(releases, [&](const ReleaseRecord& r) { return discarded_.count(r.id) != 0; });
    for (auto& r : releases) {
        if (auto it = plugins_.find(r.id); it != plugins_.end()) {
            r.display_name = it->second.display_name;
            r.release.channel = it->second.channel;
            r.release.deprecated = it->second.deprecated;
            r.release.qgis_minimum = it->second.qgis_minimum;
            r.release.qgis_maximum = it->second.qgis_maximum;
            r.release.metadata_json = it->second.metadata_json;
        }
        if (auto it = dependencies_.find(r.id); it != dependencies_.end()) {
            r.release.dependencies = it->second.first;
            r.release.dependencies_known = true;
            if (it->second.second) {
                r.release.modules = *it->second.second;
            }
        }
    }
    return releases;
}

std::vector<ReleaseRecord> LearntReleases::available(const Index& index) const {
    return over(index.available());
}

std::vector<ReleaseRecord> LearntReleases::releases_named(const Index& index,
                                                          std::string_view name) const {
    std::vector<ReleaseRecord> out = over(index.releases_named(name));
    const std::string key = normalize_pip_name(name);
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const ReleaseRecord& r) {
                                 return r.id < 0 && r.package != key &&
                                        unicode::to_lower(r.display_name) !=
                                            unicode::to_lower(name);
                             }),
              out.end());
    return out;
}

Expected<bool> read_reached_pip(Index& index, const std::vector<Request>& requests,
                                const std::vector<ReleaseRecord>& installed, const Policy& policy,
                                const Resolution& resolution, const PipReadOptions& options,
                                PipReads& reads, LearntReleases& learnt,
                                std::vector<std::string>& notes) {
    auto environment = version::pep508::default_environment(policy.python_version, policy.platform);
    QPLUG_RETURN_IF_ERROR(environment);
    const SourceRegistry& registry =
        options.registry != nullptr ? *options.registry : SourceRegistry::builtin();
    bool learned = false;
    for (bool progress = true; progress;) {
        progress = false;
        Reach reach(index, learnt, policy, resolution, *environment);
        for (const auto& r : requests) {
            reach.add_request(r);
            if (r.action == Request::Action::upgrade && r.name.empty()) {
                // Upgrading everything reaches everything installed (pip install --upgrade).
                for (const auto& i : installed) {
                    reach.add_installed(i);
                }
            }
        }
        reach.run();
        // Pages of the reached projects that a pip index lists without having read them.
        std::map<std::string, std::vector<std::string>> pages;
        for (const auto& name : reach.names()) {
            for (auto& repository : index.listing_unread(name)) {
                if (reads.projects.emplace(repository, name).second) {
                    pages[repository].push_back(name);
                }
            }
        }
        for (const auto& [name, projects] : pages) {
            const auto repository = index.repository(name);
            if (!repository) {
                continue;
            }
            if (options.offline && is_remote(repository->url)) {
                notes.push_back(fmt::format("{} of the pip repository '{}' not read (offline)",
                                            fmt::join(projects, ", "), name));
                continue;
            }
            SyncContext context;
            context.fetcher = options.fetcher;
            context.qgis_version = policy.qgis_version;
            context.force = true; // a project page has no validators of its own
            auto read = read_projects(index, registry, name, projects, context);
            QPLUG_RETURN_IF_ERROR(read);
            for (auto& w : read->warnings) {
                notes.push_back(fmt::format("{}: {}", name, w));
            }
            if (read->packages.empty()) {
                continue;
            }
            if (options.record) {
                auto report = index.replace_packages(name, read->packages);
                QPLUG_RETURN_IF_ERROR(report);
            } else {
                for (const auto& package : read->packages) {
                    learnt.add_project(*repository, package);
                }
            }
            learned = progress = true;
        }
        // METADATA of the reached wheels whose index serves no core metadata.
        for (const auto& [id, record] : reach.unknown()) {
            if (!record.release.file_name.ends_with(".whl") || !reads.releases.insert(id).second) {
                continue; // an sdist: pip builds it to know (the plan says it is unknown)
            }
            if (options.offline && is_remote(record.release.download_url)) {
                notes.push_back(fmt::format("{} {}: its dependencies are unknown (offline: its "
                                            "wheel was not read)",
                                            record.display_name, record.release.version));
                continue;
            }
            const auto repository = index.repository(record.repository);
            if (!repository) {
                continue;
            }
            std::vector<std::string> warnings;
            auto requirements =
                fetch_wheel_requirements(record, *repository, *options.fetcher, &warnings);
            QPLUG_RETURN_IF_ERROR(requirements);
            for (auto& w : warnings) {
                notes.push_back(std::move(w));
            }
            if (!requirements->discarded.empty()) {
                notes.push_back(std::move(requirements->discarded));
                learnt.discard(id);
            } else if (requirements->plugin) {
                // A plugin's wheel: kept for this plan only (the index records no plugin
                // name, channel or range for a pip release), read again by the next plan.
                learnt.set_plugin(id, std::move(*requirements));
            } else if (options.record && id > 0) {
                QPLUG_TRY(
                    index.set_dependencies(id, requirements->dependencies, requirements->modules));
            } else {
                learnt.set_dependencies(id, std::move(requirements->dependencies),
                                        std::move(requirements->modules));
            }
            learned = progress = true;
        }
    }
    return learned;
}

} // namespace qplug::solver::detail
