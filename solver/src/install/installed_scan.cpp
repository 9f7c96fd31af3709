// SPDX-License-Identifier: GPL-2.0-or-later
#include "install/installed_scan.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/python_env.hpp>

namespace qplug::solver::detail {

namespace {

namespace fs = std::filesystem;

/// "/a/b/../c/" -> "/a/c": one spelling per folder, so paths from RECORDs can be matched.
fs::path clean(const fs::path& path) {
    fs::path p = path.lexically_normal();
    if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) {
        p = p.parent_path();
    }
    return p;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) {
        return std::nullopt;
    }
    return std::move(out).str();
}

/// Adds a file's size and modification time to the digest (or that it is absent).
void add_stat(Hasher& digest, const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
        digest.add(fmt::format("{}\n-\n", path.string()));
        return;
    }
    const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
    digest.add(fmt::format("{}\n{}\n{}\n", path.string(), size, time));
}

struct Candidate {
    std::string name;
    fs::path folder;
    bool has_init = false;
};

struct Root {
    fs::path path;
    bool is_profile = false;
    std::vector<Candidate> candidates;
    std::vector<fs::path> dist_infos;
    fs::path prefix;                     ///< the conda environment, "" when none
    std::vector<fs::path> conda_records; ///< <prefix>/conda-meta/*.json
};

/// Who installed a folder, and under which distribution name.
struct Evidence {
    Backend owner = Backend::legacy;
    std::string dist_name, dist_version;
    std::string conda_name, conda_version;
};

/// What a file inside an existing folder reports: absent, present, or unreadable (why).
enum class Presence { absent, present, unreadable };

Presence presence(const fs::path& path, std::error_code& ec) {
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) {
        ec.clear();
        return Presence::absent;
    }
    return ec ? Presence::unreadable : Presence::present;
}

/// The first field of each RECORD row (CSV: a quoted field doubles its quotes).
std::vector<std::string> record_paths(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view row = text.substr(pos, end - pos);
        pos = end + 1;
        if (!row.empty() && row.back() == '\r') {
            row.remove_suffix(1);
        }
        std::string field;
        if (!row.empty() && row.front() == '"') {
            for (std::size_t i = 1; i < row.size(); ++i) {
                if (row[i] == '"') {
                    if (i + 1 < row.size() && row[i + 1] == '"') {
                        field.push_back('"');
                        ++i;
                        continue;
                    }
                    break;
                }
                field.push_back(row[i]);
            }
        } else {
            field = std::string(row.substr(0, row.find(',')));
        }
        if (!field.empty()) {
            out.push_back(std::move(field));
        }
    }
    return out;
}

/// Name and Version of a dist-info's METADATA (email headers up to the first blank line);
/// the folder's name ("name-version.dist-info") when they are missing.
std::pair<std::string, std::string> dist_name_version(const fs::path& dist_info) {
    std::string name, version;
    if (auto text = read_text(dist_info / "METADATA")) {
        std::istringstream in(*text);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.empty()) {
                break;
            }
            const auto value = [&](std::string_view header) -> std::optional<std::string> {
                if (line.size() > header.size() && line.compare(0, header.size(), header) == 0) {
                    const std::size_t b = line.find_first_not_of(" \t", header.size());
                    return b == std::string::npos ? std::string() : line.substr(b);
                }
                return std::nullopt;
            };
            if (auto v = value("Name:"); v && name.empty()) {
                name = *v;
            } else if (auto w = value("Version:"); w && version.empty()) {
                version = *w;
            }
        }
    }
    if (name.empty() || version.empty()) {
        const std::string stem = dist_info.stem().string();
        const std::size_t dash = stem.find('-');
        if (name.empty()) {
            name = stem.substr(0, dash);
        }
        if (version.empty() && dash != std::string::npos) {
            version = stem.substr(dash + 1);
        }
    }
    return {name, version};
}

/// Collects warnings for the scan.
struct Sink {
    const std::function<void(std::string)>& warn_;
    void warn(std::string message) const {
        if (warn_) {
            warn_(std::move(message));
        }
    }
};

class Scanner {
public:
    explicit Scanner(const InstalledScanConfig& config) : config_(config) {}

    std::vector<Root> roots() const {
        std::vector<Root> roots;
        {
            Root profile;
            profile.path = clean(config_.plugins_dir);
            profile.is_profile = true;
            roots.push_back(std::move(profile));
        }
        for (const auto& sp : config_.site_packages) {
            Root root;
            root.path = clean(sp);
            roots.push_back(std::move(root));
        }
        return roots;
    }

    std::string digest_of(std::vector<Root>& roots, const Sink& sink) {
        Hasher digest(DigestAlgorithm::sha256);
        for (auto& root : roots) {
            scan(root, sink, digest);
        }
        return digest.hex();
    }

    std::vector<Package> read(const std::vector<Root>& roots, const Sink& sink) {
        std::map<std::string, const Candidate*> by_folder;
        for (const auto& root : roots) {
            for (const auto& c : root.candidates) {
                by_folder.emplace(c.folder.string(), &c);
            }
        }
        std::map<const Candidate*, Evidence> evidence;
        for (const auto& root : roots) {
            read_dist_infos(root, by_folder, evidence, sink);
        }
        for (const auto& root : roots) {
            read_conda_records(root, by_folder, evidence, sink);
        }
        std::map<std::string, Package> packages;
        for (const auto& root : roots) {
            for (const auto& c : root.candidates) {
                const auto ev = evidence.find(&c);
                Package p = package_of(c, ev == evidence.end() ? nullptr : &ev->second, sink);
                auto [it, added] = packages.try_emplace(p.name, p);
                if (!added) {
                    sink.warn(fmt::format("{} is installed twice: {} and {}", p.name,
                                          it->second.releases.front().path, c.folder.string()));
                    it->second.releases.push_back(std::move(p.releases.front()));
                }
            }
        }
        std::vector<Package> out;
        for (auto& [name, p] : packages) {
            out.push_back(std::move(p));
        }
        return out;
    }

private:
    /// Lists the folders directly under a root (symbolic links to folders count, as for
    /// QGIS, but nothing is entered deeper: no loop is possible).
    void scan(Root& root, const Sink& sink, Hasher& digest) {
        digest.add(root.path.string() + (root.is_profile ? "\nprofile\n" : "\nsite-packages\n"));
        std::error_code ec;
        if (!fs::is_directory(root.path, ec)) {
            if (root.is_profile) {
                sink.warn(fmt::format("{} is not a folder: no plugins are installed in {}",
                                      root.path.string(), config_.owner));
            } else {
                sink.warn(fmt::format("{} is not a folder", root.path.string()));
            }
            return;
        }
        std::vector<fs::path> folders;
        fs::directory_iterator it(root.path, ec);
        for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
            folders.push_back(it->path());
        }
        if (ec) {
            sink.warn(fmt::format("{} cannot be read: {}", root.path.string(), ec.message()));
            return;
        }
        std::sort(folders.begin(), folders.end());
        for (const auto& folder : folders) {
            const std::string name = folder.filename().string();
            if (name.empty() || name.front() == '.' || name == "__pycache__") {
                continue; // QGIS lists no hidden folders
            }
            const fs::file_status st = fs::status(folder, ec);
            if (ec && st.type() != fs::file_type::not_found) {
                sink.warn(fmt::format("{} cannot be read: {}", folder.string(), ec.message()));
                continue;
            }
            if (st.type() != fs::file_type::directory) {
                continue; // a file, or a dangling link
            }
            if (ends_with(name, ".dist-info")) {
                root.dist_infos.push_back(folder);
                add_stat(digest, folder / "RECORD");
                add_stat(digest, folder / "INSTALLER");
                continue;
            }
            if (ends_with(name, ".egg-info")) {
                continue;
            }
            const fs::path metadata = folder / "metadata.txt";
            const Presence meta = presence(metadata, ec);
            const Presence init = meta == Presence::unreadable
                                      ? Presence::unreadable
                                      : presence(folder / "__init__.py", ec);
            if (meta == Presence::unreadable || init == Presence::unreadable) {
                sink.warn(fmt::format("{} cannot be read: {}", folder.string(), ec.message()));
                continue;
            }
            digest.add(fmt::format("{}\n{}\n", name, init == Presence::present));
            if (meta == Presence::present && (root.is_profile || init == Presence::present)) {
                add_stat(digest, metadata);
                add_stat(digest, folder / "requirements.txt");
                root.candidates.push_back({name, clean(folder), init == Presence::present});
            } else if (root.is_profile && init == Presence::present) {
                // QGIS 3 only loads plugins with a metadata.txt; its manager says "broken".
                sink.warn(fmt::format("{}: broken: missing metadata.txt", folder.string()));
            } else if (root.is_profile) {
                sink.warn(fmt::format("{}: not a plugin: no metadata.txt, no __init__.py",
                                      folder.string()));
            }
        }
        if (!root.is_profile && !root.candidates.empty()) {
            find_conda_records(root, digest);
        }
    }

    /// A site-packages folder is <prefix>/lib/pythonX.Y/site-packages (<prefix>/Lib/
    /// site-packages on Windows); a conda environment has <prefix>/conda-meta.
    static void find_conda_records(Root& root, Hasher& digest) {
        std::error_code ec;
        for (const fs::path& prefix : {root.path.parent_path().parent_path().parent_path(),
                                       root.path.parent_path().parent_path()}) {
            if (prefix.empty() || !fs::is_directory(prefix / "conda-meta", ec)) {
                continue;
            }
            root.prefix = prefix;
            fs::directory_iterator it(prefix / "conda-meta", ec);
            for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
                if (it->path().extension() == ".json") {
                    root.conda_records.push_back(it->path());
                }
            }
            std::sort(root.conda_records.begin(), root.conda_records.end());
            for (const auto& record : root.conda_records) {
                add_stat(digest, record);
            }
            return;
        }
    }

    /// The candidate folder a listed file is in, or nullptr.
    static const Candidate* owner_folder(const std::map<std::string, const Candidate*>& by_folder,
                                         const fs::path& file) {
        const fs::path root = file.root_path();
        for (fs::path cur = file.parent_path(); !cur.empty() && cur != root;
             cur = cur.parent_path()) {
            if (auto it = by_folder.find(cur.string()); it != by_folder.end()) {
                return it->second;
            }
        }
        return nullptr;
    }

    static void read_dist_infos(const Root& root,
                                const std::map<std::string, const Candidate*>& by_folder,
                                std::map<const Candidate*, Evidence>& evidence, const Sink& sink) {
        for (const auto& dist_info : root.dist_infos) {
            const auto record = read_text(dist_info / "RECORD");
            if (!record) {
                continue; // pip writes one; without it pip cannot uninstall either
            }
            std::vector<const Candidate*> owned;
            for (const auto& entry : record_paths(*record)) {
                fs::path file(entry);
                file = clean(file.is_absolute() ? file : root.path / file);
                const Candidate* c = owner_folder(by_folder, file);
                if (c != nullptr && std::find(owned.begin(), owned.end(), c) == owned.end()) {
                    owned.push_back(c);
                }
            }
            if (owned.empty()) {
                continue;
            }
            // conda packages of Python projects carry a dist-info too; they say so here.
            const auto installer = read_text(dist_info / "INSTALLER");
            const bool by_conda =
                installer && installer->substr(0, installer->find_first_of("\r\n")) == "conda";
            auto [name, version] = dist_name_version(dist_info);
            for (const Candidate* c : owned) {
                Evidence& e = evidence[c];
                if (!e.dist_name.empty() && e.dist_name != name) {
                    sink.warn(fmt::format("{} is listed by two distributions: {} and {}",
                                          c->folder.string(), e.dist_name, name));
                }
                e.dist_name = name;
                e.dist_version = version;
                if (e.owner == Backend::legacy || by_conda) {
                    e.owner = by_conda ? Backend::conda : Backend::pip;
                }
            }
        }
    }

    static void read_conda_records(const Root& root,
                                   const std::map<std::string, const Candidate*>& by_folder,
                                   std::map<const Candidate*, Evidence>& evidence,
                                   const Sink& sink) {
        if (root.prefix.empty()) {
            return;
        }
        // Records are large (every file of the package): only parse those that name one of
        // the plugin folders.
        std::vector<std::string> needles;
        for (const auto& c : root.candidates) {
            needles.push_back("site-packages/" + c.name + "/");
        }
        for (const auto& path : root.conda_records) {
            const auto text = read_text(path);
            if (!text) {
                sink.warn(fmt::format("{} cannot be read", path.string()));
                continue;
            }
            if (std::none_of(needles.begin(), needles.end(), [&](const std::string& n) {
                    return text->find(n) != std::string::npos;
                })) {
                continue;
            }
            const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
            if (j.is_discarded() || !j.is_object() || !j.contains("files") ||
                !j["files"].is_array()) {
                sink.warn(
                    fmt::format("{} is not a conda record (no \"files\" list)", path.string()));
                continue;
            }
            const auto text_of = [&](const char* key) {
                const auto it = j.find(key);
                return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
            };
            for (const auto& f : j["files"]) {
                if (!f.is_string()) {
                    continue;
                }
                const Candidate* c =
                    owner_folder(by_folder, clean(root.prefix / f.get<std::string>()));
                if (c == nullptr) {
                    continue;
                }
                Evidence& e = evidence[c];
                e.owner = Backend::conda; // conda's record wins over the dist-info it ships
                e.conda_name = text_of("name");
                e.conda_version = text_of("version");
            }
        }
    }

    /// The package of a plugin folder; a broken one as QGIS's plugin manager lists it: its
    /// folder name, no version when none can be read, "broken" with the manager's reason.
    static Package package_of(const Candidate& c, const Evidence* evidence, const Sink& sink) {
        const fs::path metadata = c.folder / "metadata.txt";
        meta::ParseOptions options;
        options.keys = meta::KeyMode::qgis;
        options.lenient = false;
        options.file_name = metadata.string();
        auto document = meta::parse_file(metadata, options);
        Package p;
        std::string broken;
        const auto unreadable = [&](const std::string& why) {
            broken = "Error reading metadata: " + why;
            p.name = c.name;
            p.releases.emplace_back();
            p.releases.back().modules.push_back(c.name);
        };
        if (!document) {
            unreadable(document.error().to_string());
        } else if (!document->ok) {
            // configparser raised: QGIS reads nothing from the file.
            const auto& ds = document->diagnostics;
            const auto first = std::find_if(ds.begin(), ds.end(), [](const meta::Diagnostic& d) {
                return d.severity == meta::Severity::error;
            });
            unreadable(first == ds.end() ? std::string("configparser cannot read it")
                                         : fmt::format("line {}: {}", first->line, first->message));
        } else {
            std::vector<std::string> warnings;
            p = plugin_package_from_metadata(*document, c.name, &warnings);
            for (const auto& w : warnings) {
                sink.warn(fmt::format("{}: {}", metadata.string(), w));
            }
            if (p.releases.front().version.empty()) {
                broken = version_error(*document);
            }
        }
        if (broken.empty() && !c.has_init) {
            broken = "Missing __init__.py";
        }
        Release& r = p.releases.front();
        // The plugin's Python requirements, by the requirements.txt convention (qpip).
        if (auto requirements = read_text(c.folder / "requirements.txt")) {
            std::vector<std::string> warnings;
            for (auto& d : requirements_txt_dependencies(*requirements, &warnings)) {
                r.dependencies.push_back(std::move(d));
            }
            for (const auto& w : warnings) {
                sink.warn(fmt::format("{}: {}", c.folder.string(), w));
            }
        }
        r.path = c.folder.string();
        r.owner = evidence != nullptr ? evidence->owner : Backend::legacy;
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(
            r.metadata_json.empty() ? std::string("{}") : r.metadata_json, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            j = nlohmann::ordered_json::object();
        }
        if (evidence != nullptr && !evidence->dist_name.empty()) {
            j["dist_name"] = evidence->dist_name;
            j["dist_version"] = evidence->dist_version;
        }
        if (evidence != nullptr && !evidence->conda_name.empty()) {
            j["conda_name"] = evidence->conda_name;
            j["conda_version"] = evidence->conda_version;
        }
        if (!broken.empty()) {
            j["broken"] = broken;
            sink.warn(fmt::format("{}: broken: {}", c.folder.string(), broken));
        }
        r.metadata_json = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        return p;
    }

    /// QGIS's "Error reading metadata: <first problem>" for a version it cannot read.
    static std::string version_error(const meta::Document& document) {
        for (const auto& d : document.diagnostics) {
            if (d.key == "version" && d.severity == meta::Severity::error) {
                return "Error reading metadata: " + d.message;
            }
        }
        if (document.find("version") == nullptr) {
            return "Error reading metadata: No option 'version' in section: 'general'";
        }
        return "Error reading metadata";
    }

    const InstalledScanConfig& config_;
};

} // namespace

InstalledScan scan_installed(const InstalledScanConfig& config,
                             const std::function<void(std::string)>& warn) {
    const Sink sink{warn};
    Scanner scanner(config);
    auto roots = scanner.roots();
    InstalledScan scan;
    scan.digest = scanner.digest_of(roots, sink);
    scan.packages = scanner.read(roots, sink);
    return scan;
}

std::string installed_digest(const InstalledScanConfig& config) {
    const std::function<void(std::string)> none;
    const Sink sink{none};
    Scanner scanner(config);
    auto roots = scanner.roots();
    return scanner.digest_of(roots, sink);
}

} // namespace qplug::solver::detail
