// The .solv cache of the available releases (docs/resolve.md, "The .solv cache"): one file
// per repo of the pool, in a folder named by a key of everything the available part of the
// pool depends on, beside the index. Written whole into a temporary folder and renamed into
// place, so that a reader sees a complete cache or none.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "solv/model.hpp"

extern "C" {
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>
}

namespace qplug::solver::solv {

namespace fs = std::filesystem;

namespace {

/// Bump when what the cache holds changes meaning.
constexpr const char* kFormat = "qplug-solv-3"; // 3: pip extras as pip 23 reads markers

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

struct File {
    std::FILE* fp = nullptr;
    explicit File(const fs::path& path, const char* mode) : fp(std::fopen(path.c_str(), mode)) {}
    ~File() {
        if (fp != nullptr) {
            std::fclose(fp);
        }
    }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
};

} // namespace

class PoolCache {
public:
    /// `<index>.solv-cache`: beside the index, removed with it.
    static fs::path folder(const Index& index) {
        fs::path p = index.path();
        p += ".solv-cache";
        return p;
    }

    /// Everything the available part of the pool depends on: the enabled repositories'
    /// contents (revision), names and priorities, the target Python and platform (markers are
    /// evaluated when the pool is built), libsolv's version and the cache format.
    static std::string key(const Index& index, const Policy& policy) {
        std::string text = fmt::format("{}\n{}\n{}\n{}\n", kFormat, LIBSOLV_VERSION_STRING,
                                       policy.python_version, policy.platform);
        for (const auto& r : index.repositories()) {
            if (r.enabled && r.kind != "installed") {
                text += fmt::format("{}\t{}\t{}\t{}\t{}\n", r.id, r.name, r.priority, r.revision,
                                    r.kind);
            }
        }
        return fmt::format("{:016x}", fnv1a(text));
    }

    static bool load(Model& m, const fs::path& dir) {
        std::ifstream in(dir / "manifest.json");
        if (!in) {
            return false;
        }
        const auto manifest = nlohmann::json::parse(in, nullptr, false);
        if (manifest.is_discarded() || manifest.value("format", "") != kFormat) {
            return false;
        }
        try {
            for (const auto& entry : manifest.at("repos")) {
                File file(dir / entry.at("file").get<std::string>(), "rb");
                if (file.fp == nullptr) {
                    return false;
                }
                const std::string name = entry.at("repository").get<std::string>();
                Repo* repo = repo_create(m.pool_, name.c_str());
                repo->priority = entry.at("priority").get<int>();
                if (repo_add_solv(repo, file.fp, 0) != 0) {
                    return false;
                }
                m.channels_[repo->repoid] = RepoChannel{name, entry.at("experimental").get<bool>(),
                                                        entry.at("deprecated").get<bool>()};
            }
            for (const auto& pin : manifest.at("exact_pins")) {
                m.exact_.emplace(pin.at(0).get<std::string>(), pin.at(1).get<std::string>());
            }
        } catch (const nlohmann::json::exception&) {
            return false;
        }
        return true;
    }

    /// Writes the pool's repos (before anything installed is added); false when it cannot.
    static bool write(const Model& m, const fs::path& dir) {
        std::error_code ec;
        const fs::path parent = dir.parent_path();
        fs::create_directories(parent, ec);
        // Unique per process and per write: two threads of a host (two resolutions on one
        // index) must not share a temporary folder.
        static std::atomic<unsigned> writes{0};
        const fs::path tmp = parent / fmt::format("tmp-{}-{}-{}", dir.filename().string(),
                                                  static_cast<long>(::getpid()), writes++);
        fs::remove_all(tmp, ec);
        if (!fs::create_directory(tmp, ec)) {
            return false;
        }
        nlohmann::json repos = nlohmann::json::array();
        for (const auto& [repoid, channel] : m.channels_) {
            Repo* repo = pool_id2repo(m.pool_, repoid);
            const std::string file = fmt::format("repo-{}.solv", repoid);
            File out(tmp / file, "wb");
            if (out.fp == nullptr || repo_write(repo, out.fp) != 0) {
                fs::remove_all(tmp, ec);
                return false;
            }
            repos.push_back({{"file", file},
                             {"repository", channel.repository},
                             {"priority", repo->priority},
                             {"experimental", channel.experimental},
                             {"deprecated", channel.deprecated}});
        }
        nlohmann::json pins = nlohmann::json::array();
        for (const auto& [name, version] : m.exact_) {
            pins.push_back({name, version});
        }
        {
            std::ofstream manifest(tmp / "manifest.json");
            manifest << nlohmann::json{{"format", kFormat}, {"repos", repos}, {"exact_pins", pins}}
                            .dump();
            if (!manifest) {
                fs::remove_all(tmp, ec);
                return false;
            }
        }
        fs::remove_all(dir, ec);
        fs::rename(tmp, dir, ec);
        if (ec) {
            fs::remove_all(tmp, ec);
            return false;
        }
        // Caches of earlier keys are of no further use.
        for (const auto& entry : fs::directory_iterator(parent, ec)) {
            if (entry.path() != dir && entry.path().filename().string().rfind("tmp-", 0) != 0) {
                fs::remove_all(entry.path(), ec);
            }
        }
        return true;
    }
};

Expected<std::unique_ptr<Model>> Model::build(const Index& index,
                                              const std::vector<ReleaseRecord>& installed,
                                              const std::vector<Request>& requests,
                                              const Policy& policy, CacheUse* cache_use) {
    const fs::path dir = PoolCache::folder(index) / PoolCache::key(index, policy);
    CacheUse use;
    use.path = dir.string();
    std::unique_ptr<Model> m(new Model());
    QPLUG_TRY(m->init(policy));
    m->records_ = std::make_unique<ReleaseRecords>(&index);
    if (!PoolCache::load(*m, dir)) {
        // Stale, missing or unreadable: build from the index, and write it for next time.
        m.reset(new Model());
        QPLUG_TRY(m->init(policy));
        m->records_ = std::make_unique<ReleaseRecords>(&index);
        m->add_available(m->records_->own_available());
        use.written = policy.write_caches && PoolCache::write(*m, dir);
    } else {
        use.loaded = true;
    }
    m->finish(installed, requests);
    if (cache_use != nullptr) {
        *cache_use = use;
    }
    return m;
}

} // namespace qplug::solver::solv
