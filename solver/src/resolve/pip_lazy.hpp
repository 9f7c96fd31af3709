// pip indexes read as a resolution reaches them (docs/index-sources.md, "pip"): a sync lists an
// index's projects; their pages, and the METADATA of wheels the index serves no core metadata
// for, are read when a plan needs them, and the plan resolves again (planner.cpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/source.hpp>

namespace qplug::solver::detail {

/// A release's requirements read from its wheel: dependencies as the index records them
/// (pip::dependencies_from_metadata) and the wheel's top-level modules. A conda package read
/// for its plugin module gives the same (conda_lazy.hpp).
struct WheelRequirements {
    std::vector<Dependency> dependencies;
    std::vector<std::string> modules;
    /// A wheel holding a QGIS plugin (docs/index-sources.md, "Plugins as wheels"): what its
    /// metadata.txt makes of the release (dependencies and modules above include the QGIS
    /// range and plugin_dependencies).
    struct Plugin {
        std::string display_name;
        Channel channel = Channel::stable;
        bool deprecated = false;
        std::string qgis_minimum;
        std::string qgis_maximum;
        std::string metadata_json;
    };
    std::optional<Plugin> plugin;
    /// Why the release is to be discarded ("" when it is not): its METADATA names another
    /// project or version, which pip discards ("Discarding ...") rather than fail.
    std::string discarded;
};

/// What one plan has learnt that its index does not hold: dependencies read from plugin ZIPs
/// and wheels, and pip projects read from their pages. A plan that may not write its index
/// (`qplug resolve`, the C ABI, the binding, a dry run) keeps them here, for itself only, and
/// reads the index's releases through them.
class LearntReleases {
public:
    bool empty() const {
        return dependencies_.empty() && projects_.empty() && discarded_.empty() && plugins_.empty();
    }

    /// A release's dependencies (and, read from a wheel, its modules).
    void set_dependencies(std::int64_t release_id, std::vector<Dependency> dependencies,
                          std::optional<std::vector<std::string>> modules = std::nullopt);
    /// A project of a repository as read from its page: it stands for what the index has of
    /// that project there. Its releases get ids below 0 (not the index's).
    void add_project(const RepositoryConfig& repository, const Package& package);

    /// A release read from its package (a wheel, a conda package) as a QGIS plugin's: its
    /// name, channel, QGIS range, and its dependencies and modules as the plugin release's.
    /// `requirements.plugin` must be set.
    void set_plugin(std::int64_t release_id, WheelRequirements requirements);

    /// A release this plan leaves out: its wheel's METADATA is another project's or
    /// version's (pip discards such a candidate).
    void discard(std::int64_t release_id) { discarded_.insert(release_id); }

    /// The index's available releases as this plan knows them.
    std::vector<ReleaseRecord> available(const Index& index) const;
    /// Index::releases_named as this plan knows them.
    std::vector<ReleaseRecord> releases_named(const Index& index, std::string_view name) const;

private:
    /// The index's `releases` with the projects read in place of the index's, and the
    /// dependencies learnt.
    std::vector<ReleaseRecord> over(std::vector<ReleaseRecord> releases) const;

    std::map<std::int64_t,
             std::pair<std::vector<Dependency>, std::optional<std::vector<std::string>>>>
        dependencies_;
    std::vector<ReleaseRecord> projects_;
    std::set<std::pair<std::string, std::string>> replaced_; ///< (repository, package)
    std::set<std::int64_t> discarded_;
    std::map<std::int64_t, WheelRequirements::Plugin> plugins_;
    /// Below 0, as no index release is, and far below the ids a target gives its installed
    /// releases (-1, -2, ...: target.cpp), which share the resolver's table of records.
    std::int64_t next_id_ = -(std::int64_t{1} << 40);
};

/// Makes `out` (the dependencies and modules of `release`'s package) a QGIS plugin release's
/// from the plugin module `key`'s metadata.txt, read as at a sync (make_plugin_release; its
/// findings into `warnings`, prefixed with `origin`): sets `out.plugin`. Shared by the wheels
/// of pip indexes and the packages of remote conda channels (conda_lazy.hpp).
void read_plugin_metadata(std::string_view metadata_txt, const std::string& key,
                          std::string_view origin, const ReleaseRecord& release,
                          WheelRequirements& out, std::vector<std::string>* warnings);

/// What one plan has read from pip repositories, so that nothing is read twice.
struct PipReads {
    std::set<std::pair<std::string, std::string>> projects; ///< (repository, project)
    std::set<std::int64_t> releases;                        ///< wheels whose METADATA was read
};

/// Reads a pip release's METADATA from its wheel: a file: URL from disk; over HTTP the ZIP's
/// central directory and the METADATA entry by range requests (as pip's lazy wheel does), or
/// the whole wheel when the server does not answer ranges (its SHA-256 then checked), within
/// the fetcher's limits. The repository's credentials go only to its own host. Fails when the
/// wheel cannot be fetched or has no readable METADATA; a METADATA whose Name or Version is
/// not the release's is `discarded`.
Expected<WheelRequirements> fetch_wheel_requirements(const ReleaseRecord& release,
                                                     const RepositoryConfig& repository,
                                                     Fetcher& fetcher,
                                                     std::vector<std::string>* warnings);

struct PipReadOptions {
    Fetcher* fetcher = nullptr;
    bool offline = false; ///< read nothing over the network (notes say what was left)
    /// Write what is read into the index (else into `learnt`, for this plan only).
    bool record = false;
    const SourceRegistry* registry = nullptr; ///< nullptr: the built-in sources
};

/// After a resolution of `requests`: reads from pip repositories what the resolution reached
/// but the plan does not know, records it (in the index or in `learnt`) and returns whether
/// anything was learnt (then resolve again).
///
/// "Reached" follows pip's resolver: from the requests (names any backend may answer, with
/// their extras and specifiers; an upgrade of everything names everything `installed` but the
/// environment's own packages) and the pip requirements of the plugins they reach (the resolution's
/// choice, else every release whose dependencies are known), each pip project's candidates from its
/// newest release that fits every specifier seen for it (final releases unless only pre-releases
/// fit; Requires-Python;
/// --exclude-newer) down to the release the resolution chose (only the newest when it chose none),
/// and the requirements of those whose markers hold for the target (with the extras asked of the
/// project), transitively. Read are the page of every reached project that an enabled pip
/// repository lists without having read it (with the PEP 658 metadata it serves), and the METADATA
/// of every reached wheel whose dependencies are unknown (fetch_wheel_requirements). Both repeat
/// until nothing new is reached, so one call reads a whole chain of dependencies.
///
/// An sdist's dependencies stay unknown (pip builds it to learn them; the plan warns). Fails
/// when a page or a wheel cannot be fetched or read (a project page answering 404 is a note:
/// pip finds no candidates there).
Expected<bool> read_reached_pip(Index& index, const std::vector<Request>& requests,
                                const std::vector<ReleaseRecord>& installed, const Policy& policy,
                                const Resolution& resolution, const PipReadOptions& options,
                                PipReads& reads, LearntReleases& learnt,
                                std::vector<std::string>& notes);

} // namespace qplug::solver::detail
