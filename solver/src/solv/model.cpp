// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/model.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/compat.hpp>
#include <qplug/version/scheme.hpp>

#include "errors.hpp"
#include "solv/names.hpp"

namespace qplug::solver::solv {

namespace {

/// EVR characters libsolv's testcases and rpm's vercmp take as they are.
std::string sanitized(std::string_view version) {
    std::string out;
    for (const char c : version) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '_' || c == '~';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "_" : out;
}

bool glob_match(std::string_view pattern, std::string_view text) {
    // '*' matches any run, as conda's build-string globs.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == text[t] || pattern[p] == '?')) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

} // namespace

Model::~Model() {
    if (pool_ != nullptr) {
        // libsolv's pool_free leaves the considered map to its owner.
        if (pool_->considered != nullptr) {
            map_free(pool_->considered);
            pool_->considered = static_cast<Map*>(solv_free(pool_->considered));
        }
        pool_free(pool_);
    }
}

const SolvableInfo* Model::info(Id p) const {
    if (auto it = infos_.find(p); it != infos_.end()) {
        return &it->second;
    }
    if (p < 2 || p >= pool_->nsolvables) {
        return nullptr;
    }
    const Solvable* s = pool_id2solvable(pool_, p);
    if (s->repo == nullptr) {
        return nullptr;
    }
    // A release or an extra: "<backend>:<key>" with its attributes.
    const char* version = solvable_lookup_str(const_cast<Solvable*>(s), key_version_);
    if (version == nullptr) {
        return nullptr;
    }
    const std::string name = pool_id2str(pool_, s->name);
    const std::size_t colon = name.find(':');
    SolvableInfo i;
    i.backend = backend_from_name(name.substr(0, colon)).value_or(Backend::legacy);
    i.name = decode_name(name.substr(colon + 1));
    i.kind = i.name.find('[') != std::string::npos && i.name.back() == ']'
                 ? SolvableInfo::Kind::extra
                 : SolvableInfo::Kind::release;
    const char* display = solvable_lookup_str(const_cast<Solvable*>(s), key_display_);
    i.display = i.kind == SolvableInfo::Kind::extra || display == nullptr ? i.name : display;
    i.version = version;
    if (const char* build = solvable_lookup_str(const_cast<Solvable*>(s), key_build_)) {
        i.build = build;
    }
    i.release_id =
        static_cast<std::int64_t>(solvable_lookup_num(const_cast<Solvable*>(s), key_release_, 0));
    i.installed = s->repo == pool_->installed;
    i.pin_only = pin_only_.count(p) != 0;
    return &infos_.emplace(p, std::move(i)).first->second;
}

const ReleaseRecord* Model::record(Id p) const {
    const SolvableInfo* i = info(p);
    if (i == nullptr || i->release_id == 0) {
        return nullptr;
    }
    return records_->find(i->release_id);
}

bool Model::considered(Id p) const {
    const Map* m = pool_->considered;
    if (m == nullptr || p < 0 || p >= pool_->nsolvables) {
        return true;
    }
    const auto bit = static_cast<unsigned>(p);
    return (m->map[bit >> 3] & (1U << (bit & 7U))) != 0;
}

Id Model::namespace_dep(const std::string& text) {
    return pool_rel2id(pool_, pool_str2id(pool_, text.c_str(), 1), ID_EMPTY, REL_NAMESPACE, 1);
}

Expected<void> Model::init(const Policy& policy) {
    if (!version::compat::qgis_api_version(policy.qgis_version)) {
        return failure(fmt::format("'{}' is not a QGIS version", policy.qgis_version));
    }
    auto env = version::pep508::default_environment(policy.python_version, policy.platform);
    if (!env) {
        return failure(fmt::format("Python {} on {}: {}", policy.python_version, policy.platform,
                                   env.error().message));
    }
    policy_ = policy;
    environment_ = std::move(*env);
    pool_ = pool_create();
    pool_setdisttype(pool_, DISTTYPE_RPM); // Debian's default is DEB (solver-design G1)
    pool_set_flag(pool_, POOL_FLAG_FORBIDSELFCONFLICTS, 0);
    pool_setnamespacecallback(pool_, &Model::callback, this);
    key_release_ = pool_str2id(pool_, "qplug:release", 1);
    key_version_ = pool_str2id(pool_, "qplug:version", 1);
    key_display_ = pool_str2id(pool_, "qplug:display", 1);
    key_date_ = pool_str2id(pool_, "qplug:date", 1);
    key_build_ = pool_str2id(pool_, "qplug:build", 1);
    return {};
}

Expected<std::unique_ptr<Model>> Model::build(const std::vector<ReleaseRecord>& available,
                                              const std::vector<ReleaseRecord>& installed,
                                              const std::vector<Request>& requests,
                                              const Policy& policy) {
    std::unique_ptr<Model> m(new Model());
    QPLUG_TRY(m->init(policy));
    m->records_ = std::make_unique<ReleaseRecords>();
    m->records_->refer(available);
    m->add_available(available);
    m->finish(installed, requests);
    return m;
}

void Model::add_available(const std::vector<ReleaseRecord>& available) {
    // Ranks: per solvable name, the distinct versions of every available release in the
    // backend's order (solver-design section 2); installed versions are placed among them
    // later, so that the available part does not depend on what is installed (.solv cache).
    std::map<std::string, std::pair<Backend, std::vector<std::string>>> versions;
    for (const auto& r : available) {
        auto& entry = versions[solvable_name(r.backend, r.package)];
        entry.first = r.backend;
        entry.second.push_back(r.release.version);
    }
    std::map<std::string, std::map<std::string, int>> ranks;
    for (auto& [name, entry] : versions) {
        auto& [backend, list] = entry;
        sort_versions(backend, list);
        auto& ranked = ranks[name];
        int rank = 0;
        const std::string* previous = nullptr;
        for (const auto& v : list) {
            // Equal versions ("1.0" and "1.0.0" in PEP 440) share a rank.
            if (previous == nullptr || version_less(backend, *previous, v)) {
                ++rank;
            }
            ranked.emplace(v, rank);
            previous = &v;
        }
    }
    // One repo per repository and channel: experimental and deprecated releases apart, so
    // that the policy can leave them out by repo.
    std::map<std::tuple<std::int64_t, bool, bool>, Repo*> repos;
    for (const auto& r : available) {
        for (const auto& d : r.release.dependencies) {
            if (d.kind == DependencyKind::plugin && d.spec.rfind("==", 0) == 0) {
                exact_.emplace(d.target, d.spec.substr(2));
            }
        }
        const bool experimental = r.release.channel == Channel::experimental;
        const bool deprecated = r.release.deprecated;
        Repo*& repo = repos[{r.repository_id, experimental, deprecated}];
        if (repo == nullptr) {
            repo = repo_create(pool_, r.repository.c_str());
            repo->priority = r.priority;
            repo_add_repodata(repo, 0);
            channels_[repo->repoid] = RepoChannel{r.repository, experimental, deprecated};
        }
        const std::string name = solvable_name(r.backend, r.package);
        add_release(
            repo, r,
            fmt::format("{}-{}", ranks[name][r.release.version], sanitized(r.release.version)));
    }
    for (auto& [key, repo] : repos) {
        repo_internalize(repo);
    }
}

std::string Model::installed_evr(const ReleaseRecord& r,
                                 const std::map<Id, std::vector<Id>>& available_by_name) const {
    // Equal to an available version: its rank; between two: "<lower rank>.5"; below all:
    // "0.5". rpm's vercmp orders "3" < "3.5" < "4".
    const Id name_id = pool_str2id(pool_, solvable_name(r.backend, r.package).c_str(), 0);
    std::string best_below;
    std::string rank_below = "0";
    if (auto it = available_by_name.find(name_id); it != available_by_name.end()) {
        for (const Id p : it->second) {
            const SolvableInfo* i = info(p);
            if (i == nullptr) {
                continue;
            }
            const std::string evr = pool_id2str(pool_, pool_id2solvable(pool_, p)->evr);
            const std::string rank = evr.substr(0, evr.find('-'));
            if (!version_less(r.backend, i->version, r.release.version) &&
                !version_less(r.backend, r.release.version, i->version)) {
                return rank + "-" + sanitized(r.release.version);
            }
            if (version_less(r.backend, i->version, r.release.version) &&
                (best_below.empty() || version_less(r.backend, best_below, i->version))) {
                best_below = i->version;
                rank_below = rank;
            }
        }
    }
    return rank_below + ".5-" + sanitized(r.release.version);
}

void Model::finish(const std::vector<ReleaseRecord>& installed,
                   const std::vector<Request>& requests) {
    // The available releases of the names that are installed, for their ranks.
    std::set<Id> installed_names;
    records_->refer(installed);
    for (const auto& r : installed) {
        const Id id = pool_str2id(pool_, solvable_name(r.backend, r.package).c_str(), 0);
        if (id != 0) {
            installed_names.insert(id);
        }
    }
    std::map<Id, std::vector<Id>> available_by_name;
    if (!installed_names.empty()) {
        for (Id p = 2; p < pool_->nsolvables; ++p) {
            const Solvable* s = pool_id2solvable(pool_, p);
            if (s->repo != nullptr && installed_names.count(s->name) != 0) {
                available_by_name[s->name].push_back(p);
            }
        }
    }
    Repo* system = repo_create(pool_, "@System");
    repo_add_repodata(system, 0);
    for (const auto& r : installed) {
        for (const auto& d : r.release.dependencies) {
            if (d.kind == DependencyKind::plugin && d.spec.rfind("==", 0) == 0) {
                exact_.emplace(d.target, d.spec.substr(2));
            }
        }
        add_release(system, r, installed_evr(r, available_by_name));
    }
    add_platform(system);
    repo_internalize(system);
    // Pins live in a repo of their own that the jobs install: libsolv does not enforce
    // conflicts between two installed solvables, so a pin in @System would not hold against
    // an installed release outside it.
    Repo* pins = repo_create(pool_, "@pins");
    add_pins(pins);
    repo_internalize(pins);
    pool_set_installed(pool_, system);
    apply_policy(requests);
    pool_addfileprovides(pool_);
    pool_createwhatprovides(pool_);
    if (limit_releases_per_name(requests)) {
        pool_createwhatprovides(pool_); // without what was left out
    }
}

void Model::set_attributes(Repo* repo, Id p, const ReleaseRecord& r) {
    Repodata* data = repo_last_repodata(repo);
    repodata_set_num(data, p, key_release_, static_cast<unsigned long long>(r.id));
    repodata_set_str(data, p, key_version_, r.release.version.c_str());
    if (!r.display_name.empty() && r.display_name != r.package) {
        repodata_set_str(data, p, key_display_, r.display_name.c_str());
    }
    if (!r.release.update_date.empty()) {
        repodata_set_str(data, p, key_date_, r.release.update_date.c_str());
    }
    if (!r.release.build.empty()) {
        repodata_set_str(data, p, key_build_, r.release.build.c_str());
    }
}

void Model::add_release(Repo* repo, const ReleaseRecord& r, const std::string& evr) {
    const std::string name = solvable_name(r.backend, r.package);
    const Id p = repo_add_solvable(repo);
    Solvable* s = pool_id2solvable(pool_, p);
    s->name = pool_str2id(pool_, name.c_str(), 1);
    s->evr = pool_str2id(pool_, evr.c_str(), 1);
    s->arch = ARCH_NOARCH; // must be set, else not installable (G6)
    s->provides = repo_addid_dep(repo, s->provides, s->name, 0); // unversioned self (G6, G7)
    if (is_plugin_release(r.backend, r.release)) {
        // A plugin by its name, whichever backend distributes it (a wheel or conda package of
        // one plugin module is one: docs/index-sources.md).
        const std::string plugin =
            std::string(kPlugin) + encode_name(r.display_name.empty() ? r.package : r.display_name);
        s->provides = repo_addid_dep(repo, s->provides, pool_str2id(pool_, plugin.c_str(), 1), 0);
    }
    for (const auto& module : r.release.modules) {
        const std::string provided = std::string(kModule) + encode_name(module);
        s->provides = repo_addid_dep(repo, s->provides, pool_str2id(pool_, provided.c_str(), 1), 0);
        // A module from one backend only (solver-design section 4, variant A).
        s->conflicts = repo_addid_dep(
            repo, s->conflicts,
            namespace_dep(provided + "#other:" + std::string(backend_prefix(r.backend))), 0);
    }
    add_requirements(repo, s, r, "");
    set_attributes(repo, p, r);
    // pip extras: one solvable per extra the release has, requiring this very release.
    if (r.backend == Backend::pip) {
        for (const auto& e : pip::release_extras(r.release)) {
            add_extra(repo, p, r, e);
        }
    }
}

void Model::add_extra(Repo* repo, Id base, const ReleaseRecord& r, const std::string& extra) {
    const std::string name = solvable_name(r.backend, r.package + "[" + extra + "]");
    const Id p = repo_add_solvable(repo);
    Solvable* s = pool_id2solvable(pool_, p);
    const Solvable* b = pool_id2solvable(pool_, base);
    s->name = pool_str2id(pool_, name.c_str(), 1);
    s->evr = b->evr;
    s->arch = ARCH_NOARCH;
    s->provides = repo_addid_dep(repo, s->provides, s->name, 0);
    // The base release by name and EVR (not by solvable id: ids change when a pool is read
    // from a .solv file).
    s->requires_ = repo_addid_dep(repo, s->requires_,
                                  namespace_dep(std::string(kExact) + pool_id2str(pool_, b->name) +
                                                "@" + pool_id2str(pool_, b->evr) + "#"),
                                  0);
    add_requirements(repo, s, r, extra);
    set_attributes(repo, p, r);
}

bool Model::applies(const Dependency& d, const std::string& only_extra) const {
    // As pip 23 (its importlib metadata backend, PEP 685 names): the release itself needs
    // what has no marker or a marker that holds with extra == ""; its extra E needs what holds
    // with extra == E, whatever else the marker combines that with ("or", parentheses). What
    // the release needs anyway is left out of the extra (which requires the release).
    if (pip::is_declared_extra(d)) {
        return false;
    }
    if (d.markers.empty()) {
        return only_extra.empty() || d.kind == DependencyKind::python;
    }
    auto marker = version::pep508::Marker::parse(d.markers);
    auto holds = [&](const std::string& extra) {
        auto ok = marker ? marker->evaluate(environment_, extra) : Expected<bool>(marker.error());
        return ok && *ok; // an error counts as false, as pip does
    };
    if (only_extra.empty()) {
        return holds("");
    }
    return d.markers.find("extra") != std::string::npos && holds(only_extra) && !holds("");
}

void Model::add_requirements(Repo* repo, Solvable* s, const ReleaseRecord& r,
                             const std::string& only_extra) {
    for (const auto& d : r.release.dependencies) {
        if (!applies(d, only_extra)) {
            continue;
        }
        std::vector<std::string> deps;
        switch (d.kind) {
        case DependencyKind::plugin:
            deps.push_back(std::string(kPlugin) + encode_name(d.target) + "#" + d.spec);
            break;
        case DependencyKind::pip: {
            const std::size_t bracket = d.target.find('[');
            if (bracket == std::string::npos) {
                deps.push_back("pip:" + encode_name(d.target) + "#" + d.spec);
                break;
            }
            // requests[socks,use-chardet] needs each extra's solvable.
            const std::string base = d.target.substr(0, bracket);
            std::string_view list(d.target);
            list = list.substr(bracket + 1, list.size() - bracket - 2);
            std::size_t start = 0;
            while (start <= list.size()) {
                std::size_t comma = list.find(',', start);
                if (comma == std::string_view::npos) {
                    comma = list.size();
                }
                deps.push_back(
                    "pip:" +
                    encode_name(base + "[" + std::string(list.substr(start, comma - start)) + "]") +
                    "#" + d.spec);
                start = comma + 1;
            }
            break;
        }
        case DependencyKind::conda:
            if (d.target == "python") {
                // The environment's interpreter is the target Python (docs/resolve.md).
                deps.push_back("condapython#" + d.spec);
            } else if (d.target.rfind("__", 0) == 0) {
                continue; // virtual packages (__glibc, __unix ...): the system's, not checked
            } else {
                deps.push_back("conda:" + encode_name(d.target) + "#" + d.spec);
            }
            break;
        case DependencyKind::qgis:
            deps.push_back("qgis#" + d.spec);
            break;
        case DependencyKind::python:
            deps.push_back("python#" + d.spec);
            break;
        }
        for (const auto& text : deps) {
            if (d.constraint) {
                // conda "constrains": conflict with the target's releases outside the spec.
                const std::string target = text.substr(0, text.find('#'));
                s->conflicts =
                    repo_addid_dep(repo, s->conflicts,
                                   namespace_dep(std::string(kPinNot) + target + "#" + d.spec), 0);
            } else {
                s->requires_ = repo_addid_dep(repo, s->requires_, namespace_dep(text), 0);
            }
        }
    }
}

void Model::add_platform(Repo* system) {
    auto add = [&](const char* name, const std::string& version, SolvableInfo::Kind kind) {
        const Id p = repo_add_solvable(system);
        Solvable* s = pool_id2solvable(pool_, p);
        s->name = pool_str2id(pool_, name, 1);
        s->evr = pool_str2id(pool_, ("0-" + sanitized(version)).c_str(), 1);
        s->arch = ARCH_NOARCH;
        s->provides = repo_addid_dep(system, s->provides, s->name, 0);
        SolvableInfo info;
        info.kind = kind;
        info.name = name;
        info.display = name;
        info.version = version;
        info.installed = true;
        infos_[p] = std::move(info);
        return p;
    };
    qgis_ = add("qgis", policy_.qgis_version, SolvableInfo::Kind::qgis);
    python_ = add("python", policy_.python_version, SolvableInfo::Kind::python);
}

void Model::add_pins(Repo* repo) {
    for (const auto& [target, spec] : policy_.pins) {
        std::optional<Backend> backend;
        std::string name = target;
        if (const std::size_t colon = target.find(':'); colon != std::string::npos) {
            backend = backend_from_name(target.substr(0, colon));
            if (backend) {
                name = target.substr(colon + 1);
            }
        }
        const Id p = repo_add_solvable(repo);
        Solvable* s = pool_id2solvable(pool_, p);
        // One name per pin: two pins on one package are two constraints, not two versions
        // of one package of which libsolv would install only one.
        s->name = pool_str2id(
            pool_, fmt::format("pin:{}/{}", encode_name(target), pins_.size()).c_str(), 1);
        s->evr = pool_str2id(pool_, "0-0", 1);
        s->arch = ARCH_NOARCH;
        s->provides = repo_addid_dep(repo, s->provides, s->name, 0);
        std::vector<std::string> targets;
        for (const Backend b : {Backend::legacy, Backend::pip, Backend::conda}) {
            if (backend && *backend != b) {
                continue;
            }
            const std::string key = b == Backend::pip     ? normalize_pip_name(name)
                                    : b == Backend::conda ? unicode::to_lower(name)
                                                          : name;
            targets.push_back(solvable_name(b, key));
        }
        // A plugin is pinned by its key or by its name, as requests name it, whichever backend
        // distributes it; a pin that names a backend also keeps the plugin's releases of the
        // other backends out ("qplug pin pip:Name": docs/resolve.md).
        const std::string plugin = std::string(kPlugin) + encode_name(name);
        targets.push_back(plugin);
        for (const auto& t : targets) {
            s->conflicts = repo_addid_dep(repo, s->conflicts,
                                          namespace_dep(std::string(kPinNot) + t + "#" + spec), 0);
        }
        if (backend) {
            s->conflicts = repo_addid_dep(
                repo, s->conflicts,
                namespace_dep(plugin + "#other:" + std::string(backend_prefix(*backend))), 0);
        }
        SolvableInfo info;
        info.kind = SolvableInfo::Kind::pin;
        info.name = target;
        info.display = target + " " + spec;
        info.installed = false;
        infos_[p] = std::move(info);
        pins_.push_back(p);
    }
}

std::vector<Id> Model::providers_unfiltered(const std::string& name) const {
    const Id id = pool_str2id(pool_, name.c_str(), 0);
    return id == 0 ? std::vector<Id>{} : whatprovides(pool_, id);
}

std::vector<Id> Model::providers(const std::string& name) const {
    // What the policy leaves out is not there for matching.
    std::vector<Id> out = providers_unfiltered(name);
    out.erase(std::remove_if(out.begin(), out.end(), [&](Id p) { return !considered(p); }),
              out.end());
    return out;
}

bool Model::matches(Id p, const std::string& spec) const {
    const SolvableInfo* i = info(p);
    if (i == nullptr) {
        return false;
    }
    if (i->pin_only && spec.rfind("==", 0) != 0) {
        return false;
    }
    if (spec.empty() && i->backend != Backend::pip) {
        return true; // (pip: an empty specifier set still leaves pre-releases out)
    }
    const version::Scheme scheme = scheme_of(i->backend);
    if (i->backend == Backend::conda) {
        // "VERSION[ BUILD]": conda's version spec and a build-string glob.
        const std::size_t space = spec.find(' ');
        const std::string version_spec = spec.substr(0, space);
        if (version_spec != "*" && !version_spec.empty()) {
            auto ok = version::satisfies(scheme, i->version, version_spec);
            if (!ok || !*ok) {
                return false;
            }
        }
        if (space != std::string::npos) {
            const std::string build =
                std::string(unicode::strip(std::string_view(spec).substr(space + 1)));
            if (!build.empty() && !glob_match(build, i->build)) {
                return false;
            }
        }
        return true;
    }
    if (i->backend == Backend::legacy) {
        // plugin_dependencies pins "==V" (and requests "op V"): QGIS's compareVersions.
        auto ok = version::satisfies(scheme, i->version, spec);
        return ok && *ok;
    }
    auto ok = version::satisfies(scheme, i->version, spec);
    return ok && *ok;
}

Id Model::answer(Id name_id) const {
    const std::string text = pool_id2str(pool_, name_id);
    const std::size_t hash = text.find('#');
    const std::string target = text.substr(0, hash);
    const std::string spec = hash == std::string::npos ? std::string() : text.substr(hash + 1);
    QueueOwner q;
    auto finish = [&]() -> Id {
        // G2: 0 is "nothing"; an empty queue would read as "provided by the system".
        return q.count() > 0 ? pool_queuetowhatprovides(pool_, q.get()) : 0;
    };
    if (target == "qgis") {
        const std::size_t dots = spec.find("..");
        const std::string min = spec.substr(0, dots);
        const std::string max = dots == std::string::npos ? std::string() : spec.substr(dots + 2);
        auto c = version::compat::check(policy_.qgis_version, min, max);
        if (c && c->compatible) {
            q.push(qgis_);
        }
        return finish();
    }
    if (target == "python") {
        auto ok = version::satisfies(version::Scheme::pep440, policy_.python_version, spec, true);
        if (ok && *ok) {
            q.push(python_);
        }
        return finish();
    }
    if (target == "condapython") {
        const std::string version_spec = spec.substr(0, spec.find(' '));
        auto ok =
            version_spec.empty() || version_spec == "*"
                ? Expected<bool>(true)
                : version::satisfies(version::Scheme::conda, policy_.python_version, version_spec);
        if (ok && *ok) {
            q.push(python_);
        }
        return finish();
    }
    if (target.rfind(kExact, 0) == 0) {
        // exact:<solvable name>@<evr>: that very release (an extra's base)
        const std::string rest = target.substr(kExact.size());
        const std::size_t at = rest.rfind('@');
        const Id evr = pool_str2id(pool_, rest.substr(at + 1).c_str(), 0);
        for (const Id p : providers(rest.substr(0, at))) {
            if (pool_id2solvable(pool_, p)->evr == evr) {
                q.push(p);
            }
        }
        return finish();
    }
    if (target.rfind(kModule, 0) == 0) {
        // pymodule:M#other:B -> providers of M from another backend than B
        const std::string other = spec.substr(spec.find(':') + 1);
        for (const Id p : providers(target)) {
            const SolvableInfo* i = info(p);
            if (i != nullptr && backend_prefix(i->backend) != other) {
                q.push(p);
            }
        }
        return finish();
    }
    if (target.rfind(kPlugin, 0) == 0 && spec.rfind("other:", 0) == 0) {
        // plugin:N#other:B -> releases of the plugin N from another backend than B (a pin
        // that names the backend)
        const std::string other = spec.substr(spec.find(':') + 1);
        for (const Id p : providers(target)) {
            const SolvableInfo* i = info(p);
            if (i != nullptr && backend_prefix(i->backend) != other) {
                q.push(p);
            }
        }
        return finish();
    }
    if (target.rfind(kPinNot, 0) == 0) {
        for (const Id p : providers(target.substr(kPinNot.size()))) {
            if (!matches(p, spec)) {
                q.push(p);
            }
        }
        return finish();
    }
    for (const Id p : matching(target, spec)) {
        q.push(p);
    }
    return finish();
}

std::vector<Id> Model::matching(const std::string& target, const std::string& spec) const {
    const bool pip = target.rfind("pip:", 0) == 0;
    const std::vector<Id> candidates =
        pip && target.back() == ']' ? extra_providers(target) : providers(target);
    std::vector<Id> out;
    for (const Id p : candidates) {
        if (matches(p, spec)) {
            out.push_back(p);
        }
    }
    if (pip && std::none_of(out.begin(), out.end(), [&](Id p) { return python_ok(p); })) {
        // pip takes pre-releases when no final release that the target Python can install
        // satisfies the requirement.
        for (const Id p : candidates) {
            const SolvableInfo* i = info(p);
            if (i == nullptr || std::find(out.begin(), out.end(), p) != out.end()) {
                continue;
            }
            auto ok = version::satisfies(version::Scheme::pep440, i->version, spec, true);
            if (ok && *ok) {
                out.push_back(p);
            }
        }
    }
    return out;
}

std::vector<Id> Model::extra_providers(const std::string& target) const {
    // "pip:name[extra]": the releases' solvables for that extra, and, as pip 23 takes them
    // with a warning, the releases that do not have the extra at all (an installed release's
    // extras are not known: it is not one of those).
    std::vector<Id> out = providers(target);
    std::set<std::pair<Repo*, Id>> with_extra;
    for (const Id p : providers_unfiltered(target)) {
        const Solvable* s = pool_id2solvable(pool_, p);
        with_extra.emplace(s->repo, s->evr);
    }
    for (const Id p : providers(target.substr(0, target.rfind('[')))) {
        const Solvable* s = pool_id2solvable(pool_, p);
        const SolvableInfo* i = info(p);
        if (i != nullptr && i->kind == SolvableInfo::Kind::release && !i->installed &&
            with_extra.count({s->repo, s->evr}) == 0) {
            out.push_back(p);
        }
    }
    return out;
}

std::optional<std::string> Model::requested_extra(Id dep) const {
    if (!is_reldep(dep)) {
        return std::nullopt;
    }
    const std::string_view text = pool_id2str(pool_, get_reldep(pool_, dep)->name);
    const std::string_view target = text.substr(0, text.find('#'));
    if (target.rfind("pip:", 0) != 0 || target.empty() || target.back() != ']') {
        return std::nullopt;
    }
    const std::size_t bracket = target.rfind('[');
    return decode_name(target.substr(bracket + 1, target.size() - bracket - 2));
}

bool Model::python_ok(Id p) const {
    // Without whatprovides: this runs inside the namespace callback.
    const Solvable* s = pool_id2solvable(pool_, p);
    if (s->repo == nullptr || s->requires_ == 0) {
        return true;
    }
    for (const Id* dp = s->repo->idarraydata + s->requires_; *dp != 0; ++dp) {
        if (!is_reldep(*dp)) {
            continue;
        }
        const std::string_view text = pool_id2str(pool_, get_reldep(pool_, *dp)->name);
        if (text.rfind("python#", 0) == 0) {
            auto ok = version::satisfies(version::Scheme::pep440, policy_.python_version,
                                         text.substr(7), true);
            if (!ok || !*ok) {
                return false;
            }
        }
    }
    return true;
}

Id Model::callback(Pool*, void* data, Id name, Id) {
    return static_cast<const Model*>(data)->answer(name);
}

std::vector<Id> Model::candidates(const Request& request) const {
    std::vector<Id> found;
    std::set<Id> seen;  // (a release can be found by its key and by its display name)
    bool named = false; // some release has the name as written, whatever its version
    auto add_matching = [&](const std::vector<Id>& ids) {
        for (const Id p : ids) {
            const SolvableInfo* i = info(p);
            if (i == nullptr || i->kind == SolvableInfo::Kind::pin ||
                (request.backend && i->backend != *request.backend)) {
                continue;
            }
            named = true;
            if (matches(p, request.spec) && seen.insert(p).second) {
                found.push_back(p);
            }
        }
    };
    if (!request.extras.empty() && !request.backend) {
        Request pip = request; // only pip releases have extras
        pip.backend = Backend::pip;
        return candidates(pip);
    }
    const std::string& n = request.name;
    add_matching(providers(solvable_name(Backend::legacy, n)));
    add_matching(providers(std::string(kPlugin) + encode_name(n)));
    add_matching(providers(solvable_name(Backend::pip, normalize_pip_name(n))));
    add_matching(providers(solvable_name(Backend::conda, unicode::to_lower(n))));
    const bool pip_final_installable = std::any_of(found.begin(), found.end(), [&](Id p) {
        const SolvableInfo* i = info(p);
        return i != nullptr && i->backend == Backend::pip && python_ok(p);
    });
    if (!pip_final_installable && (!request.backend || *request.backend == Backend::pip)) {
        // As pip: pre-releases when no final release that the target Python can install
        // satisfies the request.
        for (const Id p : providers(solvable_name(Backend::pip, normalize_pip_name(n)))) {
            if (std::find(found.begin(), found.end(), p) != found.end()) {
                continue;
            }
            const SolvableInfo* i = info(p);
            auto ok = i == nullptr ? Expected<bool>(false)
                                   : version::satisfies(version::Scheme::pep440, i->version,
                                                        request.spec, true);
            if (ok && *ok) {
                found.push_back(p);
            }
        }
    }
    if (!request.backend || *request.backend == Backend::pip) {
        // As pip's resolver: the installed release is a candidate when the specifier admits
        // it with pre-releases allowed (an installed 2.0b1 stays beside an offered 1.0).
        for (const Id p : providers(solvable_name(Backend::pip, normalize_pip_name(n)))) {
            const SolvableInfo* i = info(p);
            if (i == nullptr || !i->installed || i->kind != SolvableInfo::Kind::release ||
                std::find(found.begin(), found.end(), p) != found.end()) {
                continue;
            }
            auto ok = request.spec.empty() ? Expected<bool>(true)
                                           : version::satisfies(version::Scheme::pep440, i->version,
                                                                request.spec, true);
            if (ok && *ok) {
                found.push_back(p);
            }
        }
    }
    if (!named) {
        // Plugin names are matched exactly by QGIS; a user typing another case still means it
        // (only when nothing has the name as written: not when its releases miss the spec).
        const std::string lowered = unicode::to_lower(n);
        for (Id p = 2; p < pool_->nsolvables; ++p) {
            const Solvable* s = pool_id2solvable(pool_, p);
            if (s->repo == nullptr ||
                std::string_view(pool_id2str(pool_, s->name)).rfind("legacy:", 0) != 0) {
                continue;
            }
            const SolvableInfo* i = info(p);
            if (i != nullptr && i->kind == SolvableInfo::Kind::release && considered(p) &&
                (unicode::to_lower(i->display) == lowered ||
                 unicode::to_lower(i->name) == lowered)) {
                add_matching({p});
            }
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<Id> Model::extra_candidates(const Request& request, const std::string& extra) const {
    return matching(solvable_name(Backend::pip, normalize_pip_name(request.name) + "[" +
                                                    normalize_pip_name(extra) + "]"),
                    request.spec);
}

std::vector<Id> Model::installed_named(const Request& request) const {
    std::vector<Id> out;
    for (const Id p : candidates(Request{request.action, request.backend, request.name, "", ""})) {
        const SolvableInfo* i = info(p);
        if (i != nullptr && i->installed) {
            out.push_back(p);
        }
    }
    return out;
}

std::vector<std::pair<Id, std::vector<Id>>> Model::requirements(Id p) const {
    std::vector<std::pair<Id, std::vector<Id>>> out;
    const Solvable* s = pool_id2solvable(pool_, p);
    if (s->repo == nullptr || s->requires_ == 0) {
        return out;
    }
    for (const Id* dp = s->repo->idarraydata + s->requires_; *dp != 0; ++dp) {
        if (*dp == SOLVABLE_PREREQMARKER) {
            continue;
        }
        out.emplace_back(*dp, whatprovides(pool_, *dp));
    }
    return out;
}

} // namespace qplug::solver::solv
