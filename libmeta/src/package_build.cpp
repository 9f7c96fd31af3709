// A plugin folder zipped as the site expects, reproducibly: entries sorted by name, one date
// (SOURCE_DATE_EPOCH or 1980-01-01) written as DOS date and time in UTC, fixed Unix
// permissions, no extra fields; built in memory with libzip.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fnmatch.h>
#include <memory>
#include <sys/stat.h>

#include <fmt/format.h>
#include <zip.h>

#include <qplug/meta/package_build.hpp>
#include <qplug/unicode.hpp>

#include "file_bytes.hpp"

namespace qplug::meta {

namespace {

Error build_error(const std::filesystem::path& path, std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.what = "plugin folder";
    e.input = path.string();
    e.message = std::move(message);
    return e;
}

bool matches(const std::string& pattern, const std::string& name, const std::string& path) {
    if (pattern.find('/') == std::string::npos) {
        return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
    }
    std::string p = pattern;
    if (!p.empty() && p.front() == '/') {
        p.erase(0, 1); // anchored at the plugin folder, as in .gitignore
    }
    if (!p.empty() && p.back() == '/') {
        p.pop_back();
    }
    return fnmatch(p.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

bool any_match(const std::vector<std::string>& patterns, const std::string& name,
               const std::string& path) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return matches(p, name, path); });
}

/// DOS date and time (UTC) of a Unix time; 1980-01-01 00:00 for anything earlier.
std::pair<zip_uint16_t, zip_uint16_t> dos_date_time(std::int64_t seconds) {
    constexpr std::int64_t kDosEpoch = 315532800; // 1980-01-01T00:00:00Z
    std::time_t t = static_cast<std::time_t>(std::max(seconds, kDosEpoch));
    std::tm tm{};
    gmtime_r(&t, &tm);
    if (tm.tm_year + 1900 > 2107) {
        tm = std::tm{};
        tm.tm_year = 2107 - 1900;
        tm.tm_mon = 11;
        tm.tm_mday = 31;
        tm.tm_hour = 23;
        tm.tm_min = 59;
        tm.tm_sec = 58;
    }
    const auto date = static_cast<zip_uint16_t>(((tm.tm_year + 1900 - 1980) << 9) |
                                                ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    const auto time =
        static_cast<zip_uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    return {time, date};
}

std::int64_t build_time(const BuildOptions& options) {
    if (options.timestamp) {
        return *options.timestamp;
    }
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
        char* end = nullptr;
        const long long v = std::strtoll(epoch, &end, 10);
        if (end != nullptr && *end == '\0' && v >= 0) {
            return v;
        }
    }
    return 0; // the DOS epoch
}

struct Item {
    std::string name;             ///< the ZIP entry
    std::filesystem::path source; ///< empty for a folder
};

} // namespace

const std::vector<std::string>& default_build_excludes() {
    static const std::vector<std::string> patterns = {
        // version control
        ".git*", ".hg*", ".svn", ".bzr*", "CVS", "_darcs",
        // Python bytecode
        "__pycache__", "*.pyc", "*.pyo",
        // caches and build leftovers
        ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", ".eggs", "*.egg-info",
        ".cache", ".ipynb_checkpoints", ".coverage",
        // system files
        "__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini",
        // editors and IDEs
        ".idea", ".vscode", ".project", ".pydevproject", ".settings", "*.sublime-project",
        "*.sublime-workspace", "*.swp", "*.swo", "*~", ".#*", "#*#"};
    return patterns;
}

Expected<BuiltPackage> build_package(const std::filesystem::path& folder,
                                     const BuildOptions& options) {
    std::error_code ec;
    const std::filesystem::path root = std::filesystem::absolute(folder, ec).lexically_normal();
    if (ec || !std::filesystem::is_directory(root, ec)) {
        return build_error(folder, "is not a folder");
    }
    BuiltPackage built;
    built.folder = (root.has_filename() ? root : root.parent_path()).filename().string();
    if (built.folder.empty()) {
        return build_error(folder, "has no name to give the ZIP's top folder");
    }
    if (unicode::find_invalid_utf8(built.folder) != unicode::npos) {
        return build_error(folder, "its name is not UTF-8");
    }
    const std::filesystem::path base = root.has_filename() ? root : root.parent_path();
    std::optional<std::filesystem::path> skip;
    if (options.skip) {
        skip = std::filesystem::weakly_canonical(*options.skip, ec);
    }

    // Walk the folder, children sorted by name so that the order does not depend on the file
    // system.
    std::vector<Item> items{{built.folder + "/", {}}};
    std::deque<std::pair<std::filesystem::path, std::string>> pending{{base, ""}};
    while (!pending.empty()) {
        const auto [dir, relative] = pending.front();
        pending.pop_front();
        std::vector<std::filesystem::directory_entry> children;
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end;
             it.increment(ec)) {
            children.push_back(*it);
        }
        if (ec) {
            return build_error(dir, "cannot be read: " + ec.message());
        }
        std::sort(children.begin(), children.end(), [](const auto& a, const auto& b) {
            return a.path().filename().string() < b.path().filename().string();
        });
        std::vector<std::pair<std::filesystem::path, std::string>> subfolders;
        for (const auto& child : children) {
            const std::string name = child.path().filename().string();
            const std::string path = relative.empty() ? name : relative + "/" + name;
            if (unicode::find_invalid_utf8(name) != unicode::npos) {
                return build_error(child.path(), "its name is not UTF-8");
            }
            const bool by_default = options.default_excludes &&
                                    any_match(default_build_excludes(), name, path) &&
                                    !any_match(options.include, name, path);
            if (by_default || any_match(options.exclude, name, path)) {
                built.left_out.push_back(path);
                continue;
            }
            if (skip && std::filesystem::weakly_canonical(child.path(), ec) == *skip) {
                built.left_out.push_back(path);
                continue;
            }
            const auto link = child.symlink_status(ec);
            const auto target = child.status(ec);
            if (std::filesystem::is_directory(target)) {
                if (std::filesystem::is_symlink(link)) {
                    built.skipped.push_back(path + ": a symbolic link to a folder");
                    continue;
                }
                subfolders.emplace_back(child.path(), path);
                items.push_back({built.folder + "/" + path + "/", {}});
            } else if (std::filesystem::is_regular_file(target)) {
                items.push_back({built.folder + "/" + path, child.path()});
            } else {
                built.skipped.push_back(path + (std::filesystem::is_symlink(link)
                                                    ? ": a symbolic link to nothing"
                                                    : ": not a regular file"));
            }
        }
        for (auto it = subfolders.rbegin(); it != subfolders.rend(); ++it) {
            pending.push_front(*it); // depth first, in name order
        }
    }
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.name < b.name; });

    // Read every file first: libzip reads the buffers only when the archive is closed.
    std::vector<std::string> contents;
    contents.reserve(items.size());
    for (const auto& item : items) {
        if (item.source.empty()) {
            contents.emplace_back();
            continue;
        }
        auto bytes = detail::read_file_bytes(item.source);
        if (!bytes) {
            return build_error(item.source, bytes.error().message);
        }
        contents.push_back(std::move(*bytes));
    }

    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (out == nullptr) {
        return build_error(folder, zip_error_strerror(&error));
    }
    zip_t* za = zip_open_from_source(out, ZIP_TRUNCATE, &error);
    if (za == nullptr) {
        zip_source_free(out);
        return build_error(folder, zip_error_strerror(&error));
    }
    zip_source_keep(out);
    const auto [dos_time, dos_date] = dos_date_time(build_time(options));
    auto fail = [&](const std::string& why) {
        zip_discard(za);
        zip_source_free(out);
        return build_error(folder, why);
    };
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = items[i];
        const bool is_folder = item.source.empty();
        zip_int64_t index = -1;
        if (is_folder) {
            index = zip_dir_add(za, item.name.c_str(), ZIP_FL_ENC_UTF_8);
        } else {
            zip_source_t* src = zip_source_buffer(za, contents[i].data(), contents[i].size(), 0);
            if (src == nullptr) {
                return fail(zip_strerror(za));
            }
            index = zip_file_add(za, item.name.c_str(), src, ZIP_FL_ENC_UTF_8);
            if (index < 0) {
                zip_source_free(src);
            }
        }
        if (index < 0) {
            return fail(fmt::format("{}: {}", item.name, zip_strerror(za)));
        }
        const auto at = static_cast<zip_uint64_t>(index);
        const zip_uint32_t mode = is_folder ? (S_IFDIR | 0755u) : (S_IFREG | 0644u);
        if (zip_file_set_dostime(za, at, dos_time, dos_date, 0) != 0 ||
            zip_file_set_external_attributes(za, at, 0, ZIP_OPSYS_UNIX,
                                             (mode << 16) | (is_folder ? 0x10u : 0u)) != 0 ||
            (!is_folder && zip_set_file_compression(za, at, ZIP_CM_DEFLATE, 9) != 0)) {
            return fail(fmt::format("{}: {}", item.name, zip_strerror(za)));
        }
        built.entries.push_back(item.name);
    }
    if (zip_close(za) != 0) {
        const std::string why = zip_strerror(za);
        zip_discard(za);
        zip_source_free(out);
        return build_error(folder, why);
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(out, &st) != 0 || zip_source_open(out) != 0) {
        zip_source_free(out);
        return build_error(folder, "cannot read the ZIP back");
    }
    built.zip.resize(static_cast<std::size_t>(st.size));
    const zip_int64_t n = zip_source_read(out, built.zip.data(), st.size);
    zip_source_close(out);
    zip_source_free(out);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) {
        return build_error(folder, "cannot read the ZIP back");
    }
    return built;
}

} // namespace qplug::meta
