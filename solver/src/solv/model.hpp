// The libsolv model of the index (docs/resolve.md, ../shared/reference/solver-design.md):
// one pool, one repo per index repository plus @System for what is installed; solvables named
// "<backend>:<name>" with rank-encoded EVRs; every requirement one REL_NAMESPACE dependency
// "<target>#<spec>" that the namespace callback answers with libversion's matchers.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <qplug/solver/resolve.hpp>
#include <qplug/version/pep508.hpp>

#include "solv/libsolv.hpp"
#include "solv/names.hpp"
#include "solv/release_records.hpp"

namespace qplug::solver::solv {

/// Whether a resolution built its pool from the .solv cache.
struct CacheUse {
    bool loaded = false;  ///< the available releases came from the cache
    bool written = false; ///< the cache was stale and was written afresh
    std::string path;     ///< the cache's folder
};

/// The channel flags of a repo of available releases.
struct RepoChannel {
    std::string repository; ///< the index repository's name
    bool experimental = false;
    bool deprecated = false;
};

/// What a solvable stands for.
struct SolvableInfo {
    enum class Kind { release, extra, qgis, python, pin };
    Kind kind = Kind::release;
    std::int64_t release_id = 0; ///< releases and extras: the index's release (Model::record)
    std::string build;           ///< conda build string
    Backend backend = Backend::legacy;
    std::string name;    ///< key (plugin folder, pip or conda name), "qgis", "python"
    std::string display; ///< a plugin's name, else the key (with "[extra]" for extras)
    std::string version;
    bool installed = false;
    /// An experimental release the policy does not allow, in the pool only because a plugin
    /// dependency or a request pins its version exactly: only such a pin matches it.
    bool pin_only = false;
};

class Model {
public:
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    ~Model();

    /// Builds the pool. Releases the policy excludes (experimental, deprecated, newer than
    /// exclude_newer) are left out of the index repos; installed releases always count.
    /// An experimental plugin release also counts when a plugin dependency or a request pins
    /// exactly its version, as QGIS's plugin manager then takes the experimental channel.
    static Expected<std::unique_ptr<Model>> build(const std::vector<ReleaseRecord>& available,
                                                  const std::vector<ReleaseRecord>& installed,
                                                  const std::vector<Request>& requests,
                                                  const Policy& policy);
    /// The same with the available releases of an index, loaded from the .solv cache beside
    /// it when the cache is fresh (and written when it is not): docs/resolve.md.
    static Expected<std::unique_ptr<Model>> build(const Index& index,
                                                  const std::vector<ReleaseRecord>& installed,
                                                  const std::vector<Request>& requests,
                                                  const Policy& policy, CacheUse* cache_use);

    Pool* pool() const { return pool_; }
    /// What a solvable stands for (releases are read from their attributes on first use).
    const SolvableInfo* info(Id p) const;
    /// The index's record of a release or extra solvable (read from the index when the pool
    /// came from the cache), or nullptr.
    const ReleaseRecord* record(Id p) const;
    Id qgis_solvable() const { return qgis_; }
    Id python_solvable() const { return python_; }
    /// Whether the policy lets the solver consider the solvable.
    bool considered(Id p) const;

    /// The solvables a request can be satisfied with (its backend's matcher on the spec).
    std::vector<Id> candidates(const Request& request) const;
    /// The solvables that satisfy one extra of a pip request ("name[extra]" with its spec):
    /// the extra's solvables, and releases without that extra (pip takes them and warns).
    std::vector<Id> extra_candidates(const Request& request, const std::string& extra) const;
    /// The extra a dependency asks for ("pip:name[extra]#spec"), or nullopt.
    std::optional<std::string> requested_extra(Id dep) const;
    /// The solvables a solvable name ("<backend>:<name>", "plugin:<name>") stands for.
    std::vector<Id> providers(const std::string& solvable_name) const;
    /// Installed solvables a request names (for upgrade and remove).
    std::vector<Id> installed_named(const Request& request) const;

    /// The solvables a release requires directly (each requirement with its providers).
    std::vector<std::pair<Id, std::vector<Id>>> requirements(Id p) const;
    /// Whether the dependency is an extra's requirement of its own base release.
    bool is_extra_base(Id dep) const;
    /// Whether the dependency is on QGIS or Python (for explanations).
    bool is_platform_dependency(Id dep) const;
    /// The ids of the pseudo-solvables for pins (locked by the jobs).
    const std::vector<Id>& pin_solvables() const { return pins_; }
    const Policy& policy() const { return policy_; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    /// Releases the policy left out for a name (key or display name, any case): version and
    /// why ("experimental", "deprecated", "updated after 2026-03-01").
    std::vector<std::pair<std::string, std::string>> excluded(const std::string& name) const;

private:
    Model() = default;
    Expected<void> init(const Policy& policy);
    /// The available releases, in one repo per repository and channel, ranked among
    /// themselves; collects the exact plugin pins of their dependencies.
    void add_available(const std::vector<ReleaseRecord>& available);
    /// What is installed, the platform, pins, the policy's considered map, whatprovides.
    void finish(const std::vector<ReleaseRecord>& installed, const std::vector<Request>& requests);
    void add_release(Repo* repo, const ReleaseRecord& record, const std::string& evr);
    void add_extra(Repo* repo, Id base, const ReleaseRecord& record, const std::string& extra);
    void set_attributes(Repo* repo, Id p, const ReleaseRecord& record);
    void apply_policy(const std::vector<Request>& requests);
    /// libsolv relates every two releases of a name (a rule each), so a package with
    /// thousands of releases costs their square: leaves out releases that cannot change the
    /// answer (an older one like a newer in everything the problem asks of it), then all but
    /// the newest kMaxReleasesPerName (docs/resolve.md, "Many releases of one package").
    /// True when it left anything out.
    bool limit_releases_per_name(const std::vector<Request>& requests);
    std::string installed_evr(const ReleaseRecord& record,
                              const std::map<Id, std::vector<Id>>& available_by_name) const;
    std::vector<Id> providers_unfiltered(const std::string& solvable_name) const;
    void add_platform(Repo* system);
    void add_pins(Repo* repo);
    Id namespace_dep(const std::string& text);
    void add_requirements(Repo* repo, Solvable* s, const ReleaseRecord& record,
                          const std::string& only_extra);
    Id answer(Id name) const; ///< the namespace callback
    static Id callback(Pool* pool, void* data, Id name, Id evr);
    bool matches(Id p, const std::string& spec) const;
    /// The solvables of a namespace target that satisfy the spec (pip's pre-release rule).
    std::vector<Id> matching(const std::string& target, const std::string& spec) const;
    /// "pip:name[extra]": that extra's solvables and the releases without the extra.
    std::vector<Id> extra_providers(const std::string& target) const;
    /// Whether a release (only_extra "") or its extra needs a dependency (markers evaluated).
    bool applies(const Dependency& dependency, const std::string& only_extra) const;
    /// Whether the release's Requires-Python admits the target Python.
    bool python_ok(Id p) const;

    Pool* pool_ = nullptr;
    Policy policy_;
    version::pep508::Environment environment_;
    mutable std::unordered_map<Id, SolvableInfo> infos_;
    std::vector<Id> pins_;
    Id qgis_ = 0;
    Id python_ = 0;
    std::vector<std::string> warnings_;
    /// The channel of each repo (repo id -> flags): experimental and deprecated releases sit
    /// in repos of their own, so the policy leaves them out by repo.
    std::map<Id, RepoChannel> channels_;
    /// Exact "Name==V" pins of the available releases' plugin dependencies (name, version).
    std::set<std::pair<std::string, std::string>> exact_;
    std::set<Id> pin_only_;
    /// Releases left out by limit_releases_per_name: true when past the limit (reported by
    /// excluded()), false when a newer equivalent release stands for it (not reported).
    std::unordered_map<Id, bool> limited_;
    // Attribute keys of the release solvables (written to and read from .solv files).
    Id key_release_ = 0;
    Id key_version_ = 0;
    Id key_display_ = 0;
    Id key_date_ = 0;
    Id key_build_ = 0;
    /// The records the solvables stand for (release_records.hpp).
    std::unique_ptr<ReleaseRecords> records_;

    friend class PoolCache;
};

/// Releases of one name a resolution considers at most (docs/resolve.md).
inline constexpr std::size_t kMaxReleasesPerName = 4096;

} // namespace qplug::solver::solv
