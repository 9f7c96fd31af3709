// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/pypi.hpp>
#include <qplug/solver/python_env.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep508.hpp>

#include "errors.hpp"
#include "io/subprocess.hpp"

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;

// What the interpreter is asked; printed as one JSON object. EXTERNALLY-MANAGED sits in
// the stdlib folder (PEP 668).
constexpr const char* kProbe = R"(import json, os, platform, sys, sysconfig
stdlib = sysconfig.get_path("stdlib") or ""
print(json.dumps({"version": platform.python_version(), "platform": sys.platform,
    "path": [p for p in sys.path if p], "prefix": sys.prefix,
    "externally_managed": os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED"))}))
)";

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

std::string first_line(std::string_view text) {
    return std::string(unicode::strip(text.substr(0, text.find_first_of("\r\n"))));
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        out.emplace_back(line);
        pos = end + 1;
    }
    return out;
}

/// Name and Version from the headers when the metadata is not strict core metadata (old
/// PKG-INFO files, a missing Metadata-Version).
pypi::CoreMetadata loose_metadata(std::string_view text) {
    pypi::CoreMetadata m;
    for (const auto& line : lines_of(text)) {
        if (line.empty()) {
            break;
        }
        const auto value = [&](std::string_view header) -> std::optional<std::string> {
            if (line.size() > header.size() && line.compare(0, header.size(), header) == 0) {
                return std::string(unicode::strip(std::string_view(line).substr(header.size())));
            }
            return std::nullopt;
        };
        if (auto v = value("Name:"); v && m.name.empty()) {
            m.name = *v;
        } else if (auto w = value("Version:"); w && m.version.empty()) {
            m.version = *w;
        } else if (auto r = value("Requires-Dist:")) {
            m.requires_dist.push_back(*r);
        } else if (auto p = value("Requires-Python:")) {
            m.requires_python = *p;
        }
    }
    return m;
}

/// "name-1.0.dist-info" -> ("name", "1.0").
std::pair<std::string, std::string> name_version_of(const fs::path& metadata_dir) {
    const std::string stem = metadata_dir.stem().string();
    const std::size_t dash = stem.find('-');
    return {stem.substr(0, dash), dash == std::string::npos ? "" : stem.substr(dash + 1)};
}

std::vector<std::string> record_first_fields(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& row : lines_of(text)) {
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
            field = row.substr(0, row.find(','));
        }
        if (!field.empty()) {
            out.push_back(std::move(field));
        }
    }
    return out;
}

std::optional<InstalledDistribution> read_distribution(const fs::path& location,
                                                       const fs::path& metadata_dir,
                                                       std::vector<std::string>* warnings) {
    const bool egg = metadata_dir.extension() == ".egg-info";
    std::error_code ec;
    const bool is_folder = fs::is_directory(metadata_dir, ec);
    // An egg-info may be a single file: the PKG-INFO itself.
    const fs::path metadata_file = !is_folder ? metadata_dir
                                   : egg      ? metadata_dir / "PKG-INFO"
                                              : metadata_dir / "METADATA";
    const auto text = read_text(metadata_file);
    if (!text) {
        if (warnings != nullptr) {
            warnings->push_back(fmt::format("{}: cannot be read: the distribution is left out",
                                            metadata_file.string()));
        }
        return std::nullopt;
    }
    pypi::CoreMetadata metadata;
    if (auto strict = pypi::parse_core_metadata(*text)) {
        metadata = std::move(*strict);
    } else {
        metadata = loose_metadata(*text);
    }
    if (metadata.name.empty() || metadata.version.empty()) {
        auto [name, version] = name_version_of(metadata_dir);
        if (metadata.name.empty()) {
            metadata.name = name;
        }
        if (metadata.version.empty()) {
            metadata.version = version;
        }
    }
    if (metadata.name.empty() || metadata.version.empty()) {
        if (warnings != nullptr) {
            warnings->push_back(fmt::format("{}: no name or version: the distribution is left out",
                                            metadata_dir.string()));
        }
        return std::nullopt;
    }
    if (egg && is_folder) {
        if (auto requires_txt = read_text(metadata_dir / "requires.txt")) {
            metadata.requires_dist = egg_requirements(*requires_txt);
        }
    }
    InstalledDistribution d;
    d.name = metadata.name;
    d.version = metadata.version;
    d.metadata_dir = metadata_dir;
    d.location = location;
    std::vector<std::string> problems;
    d.dependencies = pip::dependencies_from_metadata(metadata, &problems);
    if (warnings != nullptr) {
        for (auto& p : problems) {
            warnings->push_back(fmt::format("{}: {}", metadata_dir.string(), p));
        }
    }
    if (is_folder) {
        if (auto installer = read_text(metadata_dir / "INSTALLER")) {
            d.installer = first_line(*installer);
        }
        d.requested = fs::exists(metadata_dir / "REQUESTED", ec);
        std::string top_level = read_text(metadata_dir / "top_level.txt").value_or("");
        std::vector<std::string> files;
        if (auto record = read_text(metadata_dir / (egg ? "installed-files.txt" : "RECORD"))) {
            files = record_first_fields(*record);
        }
        if (egg) {
            // installed-files.txt is relative to the egg-info folder: "../pkg/__init__.py".
            for (auto& f : files) {
                if (f.rfind("../", 0) == 0) {
                    f = f.substr(3);
                }
            }
        }
        d.modules = pip::wheel_modules(files, top_level);
    }
    if (d.modules.empty()) {
        d.modules.push_back(pip::guessed_module(d.name));
    }
    return d;
}

} // namespace

Expected<PythonInfo> probe_python(const std::string& executable) {
    detail::RunOptions options;
    options.capture_stdout = true;
    options.max_stdout = std::size_t{1} << 20;
    options.timeout = std::chrono::seconds(20);
    options.kill_grace = std::chrono::milliseconds(500);
    auto result = detail::run({executable, "-c", kProbe}, options);
    QPLUG_RETURN_IF_ERROR(result);
    if (!result->succeeded()) {
        return failure(fmt::format("the Python interpreter '{}' cannot be asked for its "
                                   "environment: {}{}",
                                   executable, result->status(),
                                   result->tail.empty() ? "" : "\n" + result->tail));
    }
    const nlohmann::json j = nlohmann::json::parse(result->out, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("version") || !j.contains("path")) {
        return failure(fmt::format("the Python interpreter '{}' gave an answer qplug cannot "
                                   "read: {}",
                                   executable, first_line(result->out)));
    }
    PythonInfo info;
    info.executable = executable;
    try {
        info.version = j.at("version").get<std::string>();
        info.platform = j.at("platform").get<std::string>();
        info.prefix = j.at("prefix").get<std::string>();
        info.externally_managed = j.value("externally_managed", false);
        std::set<std::string> seen;
        for (const auto& p : j.at("path")) {
            const fs::path folder = fs::path(p.get<std::string>()).lexically_normal();
            std::error_code ec;
            if (!seen.insert(folder.string()).second || !fs::is_directory(folder, ec)) {
                continue; // zip files, missing folders
            }
            info.path.push_back(folder);
        }
    } catch (const nlohmann::json::exception& e) {
        return failure(fmt::format("the Python interpreter '{}' gave an answer qplug cannot "
                                   "read: {}",
                                   executable, e.what()));
    }
    for (const auto& folder : info.path) {
        std::error_code ec;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const auto ext = it->path().extension();
            if (ext == ".dist-info" || ext == ".egg-info") {
                info.site_dirs.push_back(folder);
                break;
            }
        }
    }
    return info;
}

std::vector<InstalledDistribution> scan_distributions(const std::vector<fs::path>& folders,
                                                      std::vector<std::string>* warnings) {
    std::vector<InstalledDistribution> out;
    std::set<std::string> seen; // normalized names: the first on the path wins
    for (const auto& folder : folders) {
        std::vector<fs::path> entries;
        std::error_code ec;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const auto ext = it->path().extension();
            if (ext == ".dist-info" || ext == ".egg-info") {
                entries.push_back(it->path());
            }
        }
        if (ec && warnings != nullptr) {
            warnings->push_back(
                fmt::format("{} cannot be read: {}", folder.string(), ec.message()));
        }
        std::sort(entries.begin(), entries.end());
        for (const auto& e : entries) {
            auto d = read_distribution(folder, e, warnings);
            if (!d || !seen.insert(normalize_pip_name(d->name)).second) {
                continue;
            }
            out.push_back(std::move(*d));
        }
    }
    return out;
}

std::vector<std::string> egg_requirements(std::string_view requires_txt) {
    std::vector<std::string> out;
    std::string extra, marker;
    for (const auto& raw : lines_of(requires_txt)) {
        const std::string line(unicode::strip(raw));
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.front() == '[' && line.back() == ']') {
            const std::string section = line.substr(1, line.size() - 2);
            const std::size_t colon = section.find(':');
            extra = std::string(unicode::strip(std::string_view(section).substr(0, colon)));
            marker = colon == std::string::npos
                         ? std::string()
                         : std::string(unicode::strip(std::string_view(section).substr(colon + 1)));
            continue;
        }
        std::string conditions;
        if (!marker.empty()) {
            conditions = "(" + marker + ")";
        }
        if (!extra.empty()) {
            conditions +=
                (conditions.empty() ? "" : " and ") + fmt::format("extra == \"{}\"", extra);
        }
        out.push_back(conditions.empty() ? line : line + "; " + conditions);
    }
    return out;
}

std::vector<Dependency> requirements_txt_dependencies(std::string_view text,
                                                      std::vector<std::string>* warnings) {
    // Joined continuation lines ("\" at the end), then comments removed: pip's order.
    std::vector<std::pair<std::size_t, std::string>> logical;
    {
        std::string current;
        std::size_t start = 0;
        const auto lines = lines_of(text);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::string line = lines[i];
            if (i == 0 && line.rfind("\xEF\xBB\xBF", 0) == 0) {
                line.erase(0, 3);
            }
            if (current.empty()) {
                start = i + 1;
            }
            if (!line.empty() && line.back() == '\\') {
                current += line.substr(0, line.size() - 1);
                continue;
            }
            current += line;
            logical.emplace_back(start, std::move(current));
            current.clear();
        }
        if (!current.empty()) {
            logical.emplace_back(start, std::move(current));
        }
    }
    pypi::CoreMetadata metadata;
    metadata.name = "requirements.txt";
    for (auto& [number, line] : logical) {
        // pip: a comment starts at '#' at the start or after whitespace.
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
                line.erase(i);
                break;
            }
        }
        const std::string_view req = unicode::strip(line);
        if (req.empty()) {
            continue;
        }
        const auto skip = [&, n = number](std::string_view why) {
            if (warnings != nullptr) {
                warnings->push_back(
                    fmt::format("requirements.txt line {}: '{}' is left out ({})", n, req, why));
            }
        };
        if (req.front() == '-') {
            skip("an option: qplug installs from the pip repositories of its index");
            continue;
        }
        auto parsed = version::pep508::parse_requirement(req);
        if (!parsed) {
            skip(req.find("://") != std::string_view::npos ||
                         req.find('/') != std::string_view::npos
                     ? "a URL or a path, not a requirement on a repository's package"
                     : "not a PEP 508 requirement: " + parsed.error().message);
            continue;
        }
        if (!parsed->url.empty()) {
            skip("a direct URL reference");
            continue;
        }
        metadata.requires_dist.emplace_back(req);
    }
    return pip::dependencies_from_metadata(metadata, warnings);
}

} // namespace qplug::solver
