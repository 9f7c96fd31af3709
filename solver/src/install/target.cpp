// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/conda.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/solver/qgis_settings.hpp>
#include <qplug/solver/target.hpp>

#include "errors.hpp"
#include "index/dependency_json.hpp"
#include "install/installed_scan.hpp"

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = ".qplug-state.json";

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

fs::path absolute_clean(const fs::path& p) {
    std::error_code ec;
    fs::path a = fs::absolute(p, ec);
    if (ec) {
        a = p;
    }
    a = a.lexically_normal();
    if (!a.has_filename() && a.has_parent_path() && a != a.root_path()) {
        a = a.parent_path();
    }
    return a;
}

/// A profile given as a path rather than a name: it has a separator, or names a folder.
bool looks_like_path(const std::string& text) {
    std::error_code ec;
    return text.find('/') != std::string::npos || text == "." || text == ".." ||
           fs::is_directory(text, ec);
}

/// Whether `file` is in PATH; its full path.
std::optional<fs::path> find_on_path(std::string_view file) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) {
        return std::nullopt;
    }
    std::string_view rest(path);
    while (true) {
        const std::size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        if (!dir.empty()) {
            const fs::path candidate = fs::path(dir) / file;
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        rest.remove_prefix(colon + 1);
    }
}

Error state_error(const fs::path& file, std::string message) {
    Error e = failure(fmt::format("{}: {}", file.string(), message));
    e.file = file.string();
    return e;
}

/// The packages of a conda environment, from its conda-meta/*.json records.
void read_conda_meta(const fs::path& prefix, const TargetState& state,
                     std::vector<ReleaseRecord>& out,
                     const std::function<void(std::string)>& warn) {
    std::vector<fs::path> records;
    std::error_code ec;
    for (fs::directory_iterator it(prefix / "conda-meta", ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->path().extension() == ".json") {
            records.push_back(it->path());
        }
    }
    if (ec) {
        warn(fmt::format("{}: not a conda environment (no readable conda-meta folder)",
                         prefix.string()));
        return;
    }
    std::sort(records.begin(), records.end());
    for (const auto& path : records) {
        const auto text = read_text(path);
        const nlohmann::json j =
            text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
        if (j.is_discarded() || !j.is_object() || !j.contains("name") || !j.contains("version") ||
            !j["name"].is_string() || !j["version"].is_string()) {
            warn(fmt::format("{}: not a conda record: the package is left out", path.string()));
            continue;
        }
        ReleaseRecord r;
        r.repository = "installed";
        r.kind = "installed";
        r.backend = Backend::conda;
        r.package = j["name"].get<std::string>();
        r.display_name = r.package;
        r.release.version = j["version"].get<std::string>();
        r.release.build = j.value("build", std::string());
        r.release.path = path.string();
        r.release.owner = Backend::conda;
        for (const char* field : {"depends", "constrains"}) {
            if (!j.contains(field) || !j[field].is_array()) {
                continue;
            }
            for (const auto& d : j[field]) {
                if (!d.is_string()) {
                    continue;
                }
                auto spec = conda::parse_match_spec(d.get<std::string>());
                if (!spec) {
                    warn(fmt::format("{}: '{}' is not a match spec: {}", path.string(),
                                     d.get<std::string>(), spec.error().message));
                    continue;
                }
                Dependency dep;
                dep.kind = DependencyKind::conda;
                dep.target = spec->name;
                dep.spec = spec->version;
                if (!spec->build.empty()) {
                    dep.spec += (dep.spec.empty() ? "* " : " ") + spec->build;
                }
                dep.constraint = std::string_view(field) == "constrains";
                r.release.dependencies.push_back(std::move(dep));
            }
        }
        const std::string key = package_key(Backend::conda, r.package);
        r.release.external = state.environment_packages.count(key) == 0;
        auto mark = state.marks.find(key);
        r.release.automatic =
            !r.release.external && mark != state.marks.end() && mark->second == Mark::automatic;
        out.push_back(std::move(r));
    }
}

/// A plugin folder that qplug installed from a wheel (or a conda package) is that package's
/// release: backend, name and version as recorded, its module the folder, and a requirement on
/// QGIS as every plugin package's release has (docs/install.md, "Plugins from wheels").
void as_plugin_package(const TargetState& state, ReleaseRecord& r) {
    const auto it = state.plugin_packages.find(r.package);
    if (it == state.plugin_packages.end()) {
        return;
    }
    const std::string& package = it->second.package;
    const std::size_t colon = package.find(':');
    const auto backend = backend_from_name(package.substr(0, colon));
    if (colon == std::string::npos || !backend || *backend == Backend::legacy) {
        return;
    }
    r.backend = *backend;
    r.package = package.substr(colon + 1);
    if (!it->second.version.empty()) {
        r.release.version = it->second.version;
    }
    for (const auto& d : it->second.requirements) {
        r.release.dependencies.push_back(d); // the wheel's own, beside metadata.txt's
    }
    r.release.owner = *backend;
    if (!is_plugin_release(r.backend, r.release)) {
        r.release.dependencies.push_back(*qgis_dependency(
            r.release.qgis_minimum.empty() ? std::string_view("2")
                                           : std::string_view(r.release.qgis_minimum),
            r.release.qgis_maximum));
    }
}

} // namespace

std::string_view mark_name(Mark mark) {
    return mark == Mark::requested ? "requested" : "automatic";
}

std::string package_key(Backend backend, std::string_view name) {
    return fmt::format("{}:{}", backend_name(backend), name);
}

std::string default_python_for_qgis() {
    if (auto qgis = find_on_path("qgis")) {
        std::error_code ec;
        const fs::path real = fs::canonical(*qgis, ec);
        for (const fs::path& dir : {qgis->parent_path(), ec ? fs::path() : real.parent_path()}) {
            if (dir.empty()) {
                continue;
            }
            const fs::path python = dir / "python3";
            if (::access(python.c_str(), X_OK) == 0) {
                return python.string();
            }
        }
    }
    return "python3";
}

fs::path Target::default_profiles_path() {
    if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data == '/') {
        return fs::path(data) / "QGIS" / "QGIS3";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "/") / ".local" / "share" / "QGIS" / "QGIS3";
}

std::string Target::default_profile_name(const fs::path& profiles_path) {
    // QgsUserProfileManager::defaultProfileName(): profiles.ini [core] defaultProfile.
    if (auto text = read_text(profiles_path / "profiles" / "profiles.ini")) {
        if (auto entries = read_qsettings_ini(*text, "profiles.ini")) {
            for (const auto& e : *entries) {
                if (e.key == "core/defaultProfile" && e.type == QSettingsEntry::Type::string &&
                    !e.text.empty()) {
                    return e.text;
                }
            }
        }
    }
    return "default";
}

Expected<Target> Target::open(const TargetOptions& options) {
    Target t;
    if (!options.plugins_dir.empty() && !options.profile.empty()) {
        Error e = failure("give a profile or a plugins folder, not both");
        e.kind = Error::Kind::parse;
        return e;
    }
    if (!options.plugins_dir.empty()) {
        t.kind_ = Kind::plugins_dir;
        t.root_ = absolute_clean(options.plugins_dir);
        t.plugins_dir_ = t.root_;
    } else {
        t.kind_ = Kind::profile;
        if (!options.profile.empty() && looks_like_path(options.profile)) {
            t.root_ = absolute_clean(options.profile);
            t.profile_name_ = t.root_.filename().string();
        } else {
            const fs::path profiles = options.profiles_path.empty()
                                          ? default_profiles_path()
                                          : absolute_clean(options.profiles_path);
            t.profile_name_ =
                options.profile.empty() ? default_profile_name(profiles) : options.profile;
            if (t.profile_name_.find_first_of("/\\") != std::string::npos ||
                t.profile_name_ == "." || t.profile_name_ == "..") {
                Error e = failure(fmt::format("'{}' is not a profile name", t.profile_name_));
                e.kind = Error::Kind::parse;
                return e;
            }
            t.root_ = profiles / "profiles" / t.profile_name_;
        }
        t.plugins_dir_ = t.root_ / "python" / "plugins";
    }
    t.python_exe_ = options.python.empty() ? default_python_for_qgis() : options.python;
    t.conda_prefix_ = options.conda_prefix.empty() ? std::string()
                                                   : absolute_clean(options.conda_prefix).string();
    return t;
}

std::optional<fs::path> Target::settings_file() const {
    if (kind_ != Kind::profile) {
        return std::nullopt;
    }
    return root_ / "QGIS" / "QGIS3.ini";
}

std::string Target::describe() const {
    return kind_ == Kind::profile ? fmt::format("profile '{}' ({})", profile_name_, root_.string())
                                  : fmt::format("plugins folder {}", root_.string());
}

const PythonInfo* Target::python() const {
    if (!python_probed_) {
        python_probed_ = true;
        if (python_exe_ != "none") {
            auto info = probe_python(python_exe_);
            if (info) {
                python_ = std::move(*info);
            } else {
                python_error_ = info.error().to_string();
            }
        }
    }
    return python_ ? &*python_ : nullptr;
}

fs::path Target::state_file() const {
    return plugins_dir_ / kStateFile;
}

Expected<TargetState> Target::load_state() const {
    TargetState state;
    const fs::path file = state_file();
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        return state;
    }
    const auto text = read_text(file);
    if (!text) {
        return state_error(file, "cannot be read");
    }
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return state_error(file, "is not qplug's state (not a JSON object); move it away to "
                                 "start afresh");
    }
    if (j.value("format", 0) != TargetState::kFormat) {
        return state_error(file, fmt::format("has format {}, this qplug reads format {}",
                                             j.value("format", 0), TargetState::kFormat));
    }
    try {
        const nlohmann::json marks = j.value("marks", nlohmann::json::object());
        const nlohmann::json packages = j.value("environment_packages", nlohmann::json::object());
        const nlohmann::json pins = j.value("pins", nlohmann::json::array());
        const nlohmann::json plugin_packages = j.value("plugin_packages", nlohmann::json::object());
        for (const auto& [key, value] : marks.items()) {
            const std::string m = value.get<std::string>();
            if (m != "requested" && m != "automatic") {
                return state_error(file, fmt::format("mark '{}' of {} is neither requested "
                                                     "nor automatic",
                                                     m, key));
            }
            state.marks[key] = m == "requested" ? Mark::requested : Mark::automatic;
        }
        for (const auto& [key, value] : packages.items()) {
            state.environment_packages[key] = value.get<std::string>();
        }
        for (const auto& [folder, value] : plugin_packages.items()) {
            TargetState::PluginPackage p;
            p.package = value.at("package").get<std::string>();
            p.version = value.at("version").get<std::string>();
            if (value.contains("requires")) {
                auto deps = dependencies_from_json(value.at("requires").dump());
                if (!deps) {
                    return state_error(file, "plugin_packages: " + deps.error().message);
                }
                p.requirements = std::move(*deps);
            }
            state.plugin_packages[folder] = std::move(p);
        }
        for (const auto& pin : pins) {
            state.pins.emplace_back(pin.at(0).get<std::string>(), pin.at(1).get<std::string>());
        }
    } catch (const nlohmann::json::exception& e) {
        return state_error(file, std::string("is not qplug's state: ") + e.what());
    }
    return state;
}

Expected<void> Target::save_state(const TargetState& state) const {
    nlohmann::ordered_json j;
    j["format"] = TargetState::kFormat;
    j["generated_by"] = "qplug";
    j["marks"] = nlohmann::ordered_json::object();
    for (const auto& [key, mark] : state.marks) {
        j["marks"][key] = mark_name(mark);
    }
    j["environment_packages"] = nlohmann::ordered_json::object();
    for (const auto& [key, version] : state.environment_packages) {
        j["environment_packages"][key] = version;
    }
    if (!state.plugin_packages.empty()) {
        j["plugin_packages"] = nlohmann::ordered_json::object();
        for (const auto& [folder, package] : state.plugin_packages) {
            j["plugin_packages"][folder] = {
                {"package", package.package},
                {"version", package.version},
                {"requires",
                 nlohmann::ordered_json::parse(dependencies_to_json(package.requirements))}};
        }
    }
    j["pins"] = nlohmann::ordered_json::array();
    for (const auto& [target, spec] : state.pins) {
        j["pins"].push_back({target, spec});
    }
    const fs::path file = state_file();
    std::error_code ec;
    fs::create_directories(plugins_dir_, ec);
    const fs::path temporary = plugins_dir_ / (std::string(kStateFile) + ".tmp");
    const std::string text = j.dump(1) + "\n";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return state_error(file, "cannot be written");
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fsync(fd) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
    if (!ok || std::rename(temporary.c_str(), file.c_str()) != 0) {
        ::unlink(temporary.c_str());
        return state_error(file, "cannot be written");
    }
    return {};
}

Expected<std::vector<ReleaseRecord>> Target::installed(std::vector<std::string>* warnings) const {
    auto state = load_state();
    QPLUG_RETURN_IF_ERROR(state);
    const auto warn = [&](std::string w) {
        if (warnings != nullptr) {
            warnings->push_back(std::move(w));
        }
    };
    std::vector<ReleaseRecord> out;
    const auto mark_of = [&](Backend backend, const std::string& name) {
        auto it = state->marks.find(package_key(backend, name));
        return it == state->marks.end() ? Mark::requested : it->second;
    };
    // Plugin folders.
    detail::InstalledScanConfig config;
    config.plugins_dir = plugins_dir_;
    config.owner = describe();
    std::error_code ec;
    if (fs::is_directory(plugins_dir_, ec)) {
        const auto scan = detail::scan_installed(config, warn);
        for (const auto& p : scan.packages) {
            for (const auto& release : p.releases) {
                ReleaseRecord r;
                r.repository = "installed";
                r.kind = "installed";
                r.backend = Backend::legacy;
                r.package = p.name;
                r.display_name = p.display_name;
                r.summary = p.summary;
                r.release = release;
                as_plugin_package(*state, r);
                r.release.automatic = mark_of(r.backend, r.package) == Mark::automatic;
                out.push_back(std::move(r));
            }
        }
    }
    // The Python environment's distributions: those qplug installed for this target carry
    // their marks; the others are the host's and stay as they are.
    if (const PythonInfo* py = python()) {
        std::set<std::string> plugin_keys;
        for (const auto& r : out) {
            plugin_keys.insert(r.package);
        }
        for (auto& d : scan_distributions(py->site_dirs, warnings)) {
            ReleaseRecord r;
            r.repository = "installed";
            r.kind = "installed";
            r.backend = Backend::pip;
            r.package = normalize_pip_name(d.name);
            r.display_name = d.name;
            r.release.version = d.version;
            r.release.dependencies = std::move(d.dependencies);
            r.release.modules = std::move(d.modules);
            r.release.path = d.metadata_dir.string();
            r.release.owner = Backend::pip;
            const std::string key = package_key(Backend::pip, r.package);
            r.release.external = state->environment_packages.count(key) == 0;
            r.release.automatic =
                !r.release.external && mark_of(Backend::pip, r.package) == Mark::automatic;
            r.release.metadata_json = nlohmann::json{
                {"installer", d.installer},
                {"location",
                 d.location.string()}}.dump();
            out.push_back(std::move(r));
        }
    } else if (!python_error_.empty()) {
        warn("the target's Python environment is not taken into account: " + python_error_);
    }
    if (!conda_prefix_.empty()) {
        read_conda_meta(fs::path(conda_prefix_), *state, out, warn);
    }
    // Ids of their own, below the index's (which are positive).
    std::int64_t id = 0;
    for (auto& r : out) {
        r.id = --id;
    }
    return out;
}

} // namespace qplug::solver
