// The legacy installer: QGIS plugin folders replaced by renames recorded in a journal, so
// that a failure or a kill at any point leaves the plugins folder as it was, or, once the
// journal says "commit", as the plan wants it (docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include <qplug/meta/package.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/plugin_install.hpp>

#include "errors.hpp"
#include "install/plugin_install_hook.hpp"
#include "io/conda_plugin.hpp"
#include "io/system_text.hpp"
#include "io/zip_extract.hpp"

namespace qplug::solver {

namespace fs = std::filesystem;

namespace detail {
namespace {
InstallHook& hook_slot() {
    static InstallHook hook;
    return hook;
}
} // namespace
bool& exchange_allowed();
bool& exchange_allowed() {
    static bool allowed = true;
    return allowed;
}
void set_install_hook(InstallHook hook) {
    hook_slot() = std::move(hook);
}
void set_rename_exchange(bool allowed) {
    exchange_allowed() = allowed;
}
} // namespace detail

std::string_view action_name(InstallStep::Action action) {
    switch (action) {
    case InstallStep::install:
        return "install";
    case InstallStep::upgrade:
        return "upgrade";
    case InstallStep::downgrade:
        return "downgrade";
    case InstallStep::remove:
        return "remove";
    }
    return "unknown";
}

namespace {

constexpr std::string_view kAreaPrefix = ".qplug-tmp-";
constexpr const char* kJournal = "journal";
constexpr std::string_view kJournalHeader = "qplug-install-journal 2";
/// Journals of qplug before "swap" lines; read the same way.
constexpr std::string_view kJournalHeaderV1 = "qplug-install-journal 1";

/// The test hook; false: fail here.
Expected<void> hook(std::string_view point, std::string_view key = {}) {
    const auto& h = detail::hook_slot();
    if (h && !h(point, key)) {
        return failure(fmt::format("injected failure at '{}'{}", point,
                                   key.empty() ? std::string() : fmt::format(" ({})", key)));
    }
    return {};
}

/// Device and inode of a path itself (a link is not followed); nullopt when it does not exist.
struct Identity {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    bool operator==(const Identity& o) const { return dev == o.dev && ino == o.ino; }
};

Expected<std::optional<Identity>> identity_of(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            return std::optional<Identity>();
        }
        return io_failure(fmt::format("{}: {}", path.string(), errno_text(errno)));
    }
    return std::optional<Identity>(
        Identity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
}

/// rename() that never replaces what is at `to` (a rename onto an empty directory would).
Expected<void> rename_noreplace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return {};
    }
    int error = errno;
    if (error == EINVAL || error == ENOSYS) {
        // The file system cannot do RENAME_NOREPLACE: check, then rename (we hold the lock;
        // only a program that does not take it could slip in between).
        struct stat st {};
        if (::lstat(to.c_str(), &st) == 0) {
            error = EEXIST;
        } else if (::rename(from.c_str(), to.c_str()) == 0) {
            return {};
        } else {
            error = errno;
        }
    }
    return io_failure(
        fmt::format("cannot rename {} to {}: {}", from.string(), to.string(), errno_text(error)));
}

/// Exchanges two paths atomically (renameat2 RENAME_EXCHANGE): the plugin folder is never
/// missing, even for a moment. nullopt when the file system cannot (the caller then falls back
/// to two renames); an error for any other failure.
Expected<bool> rename_exchange(const fs::path& a, const fs::path& b) {
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) {
        return true;
    }
    const int error = errno;
    if (error == EINVAL || error == ENOSYS || error == ENOTSUP) {
        return false;
    }
    return io_failure(
        fmt::format("cannot exchange {} and {}: {}", a.string(), b.string(), errno_text(error)));
}

Expected<void> fsync_path(const fs::path& path, bool directory) {
    const int fd =
        ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        return io_failure(fmt::format("{}: {}", path.string(), errno_text(errno)));
    }
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (rc != 0 && error != EINVAL) { // some file systems cannot sync a directory
        return io_failure(fmt::format("{}: cannot sync: {}", path.string(), errno_text(error)));
    }
    return {};
}

/// remove_all that also deletes trees with read-only directories (a user's old plugin may
/// have them): on failure, gives the owner rwx on every directory and tries again.
Expected<void> remove_tree(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (!ec) {
        return {};
    }
    std::error_code walk;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        ::chmod(path.c_str(), (st.st_mode & 07777) | S_IRWXU);
        for (auto it = fs::recursive_directory_iterator(path, walk);
             !walk && it != fs::recursive_directory_iterator(); it.increment(walk)) {
            if (::lstat(it->path().c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
                ::chmod(it->path().c_str(), (st.st_mode & 07777) | S_IRWXU);
            }
        }
    }
    ec.clear();
    fs::remove_all(path, ec);
    if (ec) {
        return io_failure(fmt::format("{}: cannot delete: {}", path.string(), ec.message()));
    }
    return {};
}

/// Deletes a temporary area once the plugins folder is in a final state (as before the run,
/// or as the plan wants it): the journal first, so that a kill during the deletion leaves an
/// area without a journal, which the next run simply deletes (nothing in it matters any more).
Expected<void> delete_area(const fs::path& area) {
    if (::unlink((area / kJournal).c_str()) == 0) {
        if (auto r = fsync_path(area, true); !r) {
            return r;
        }
    } else if (errno != ENOENT) {
        return io_failure(
            fmt::format("{}: cannot delete: {}", (area / kJournal).string(), errno_text(errno)));
    }
    return remove_tree(area);
}

// ---------------------------------------------------------------------------------------
// The journal: "qplug-install-journal 1", "pid <pid>", then one line per rename, written and
// synced before the rename it announces, then "commit". Only complete lines count.

struct Move {
    /// backup: plugins/<key> -> area/<o>; put: area/<n> -> plugins/<key>; swap: area/<n> and
    /// plugins/<key> exchanged (the identity is the new folder's).
    enum Kind { backup, put, swap };
    Kind kind = backup;
    Identity id;           ///< of what is moved
    std::string temp_name; ///< its name in the temporary area
    std::string key;       ///< the plugin folder
};

struct JournalState {
    long pid = 0;
    std::vector<Move> moves;
    bool committed = false;
};

std::string_view move_name(Move::Kind kind) {
    return kind == Move::backup ? "backup" : kind == Move::put ? "put" : "swap";
}

std::string journal_line(const Move& m) {
    return fmt::format("{} {}:{} {} {}\n", move_name(m.kind), m.id.dev, m.id.ino, m.temp_name,
                       m.key);
}

class JournalWriter {
public:
    static Expected<JournalWriter> create(const fs::path& path) {
        const int fd =
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            return io_failure(
                fmt::format("{}: cannot create: {}", path.string(), errno_text(errno)));
        }
        JournalWriter w(path, fd);
        QPLUG_TRY(w.append(fmt::format("{}\npid {}\n", kJournalHeader, ::getpid())));
        // The journal's name must be durable before any rename it announces.
        QPLUG_TRY(fsync_path(path.parent_path(), true));
        return w;
    }
    JournalWriter(JournalWriter&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) {
        o.fd_ = -1;
    }
    JournalWriter& operator=(JournalWriter&&) = delete;
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;
    ~JournalWriter() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    /// The journal's size, to take back a line whose fate is unknown.
    off_t size() const { return ::lseek(fd_, 0, SEEK_END); }
    Expected<void> truncate(off_t size) {
        if (::ftruncate(fd_, size) != 0 || ::fsync(fd_) != 0) {
            return io_failure(
                fmt::format("{}: cannot truncate: {}", path_.string(), errno_text(errno)));
        }
        return {};
    }

    Expected<void> append(const std::string& text) {
        const char* data = text.data();
        std::size_t size = text.size();
        while (size > 0) {
            const ssize_t n = ::write(fd_, data, size);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return io_failure(
                    fmt::format("{}: cannot write: {}", path_.string(), errno_text(errno)));
            }
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        if (::fsync(fd_) != 0) {
            return io_failure(
                fmt::format("{}: cannot sync: {}", path_.string(), errno_text(errno)));
        }
        return {};
    }

private:
    JournalWriter(fs::path path, int fd) : path_(std::move(path)), fd_(fd) {}
    fs::path path_;
    int fd_ = -1;
};

/// A temporary name we made ("n3", "o12"), nothing that could lead elsewhere.
bool valid_temp_name(std::string_view name) {
    if (name.size() < 2 || (name[0] != 'n' && name[0] != 'o')) {
        return false;
    }
    return std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string unsafe_key(std::string_view key) {
    if (auto why = detail::unsafe_entry_name(key); !why.empty()) {
        return why;
    }
    if (key.find('/') != std::string_view::npos) {
        return "a slash";
    }
    if (key.front() == '.') {
        return "a leading dot";
    }
    if (key == "__pycache__") {
        return "QGIS never lists a folder of that name as a plugin";
    }
    return {};
}

/// Parses a journal; fails for a file that is not one (the caller refuses to guess). A journal
/// cut inside its header (killed while creating it) has no moves.
Expected<JournalState> read_journal(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return failure(fmt::format("{}: cannot be read", path.string()));
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    JournalState state;
    std::size_t start = 0;
    std::size_t number = 0;
    const auto bad = [&](std::string_view why) {
        return failure(fmt::format("{}:{}: {}", path.string(), number, why));
    };
    // A line without its line break was being written when the run died: the rename it
    // would have announced never started, so it is ignored.
    while (true) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            break;
        }
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (number == 1) {
            if (line != kJournalHeader && line != kJournalHeaderV1) {
                return bad("not a qplug install journal (or a newer format)");
            }
            continue;
        }
        if (state.committed) {
            return bad("a line after 'commit'");
        }
        if (line == "commit") {
            state.committed = true;
            continue;
        }
        if (line.rfind("pid ", 0) == 0) {
            state.pid = std::strtol(line.c_str() + 4, nullptr, 10);
            continue;
        }
        Move m;
        std::string rest;
        if (line.rfind("backup ", 0) == 0) {
            m.kind = Move::backup;
            rest = line.substr(7);
        } else if (line.rfind("put ", 0) == 0) {
            m.kind = Move::put;
            rest = line.substr(4);
        } else if (line.rfind("swap ", 0) == 0) {
            m.kind = Move::swap;
            rest = line.substr(5);
        } else {
            return bad(fmt::format("unknown line '{}'", line));
        }
        unsigned long long dev = 0;
        unsigned long long ino = 0;
        int used = 0;
        if (std::sscanf(rest.c_str(), "%llu:%llu %n", &dev, &ino, &used) != 2 || used <= 0) {
            return bad(fmt::format("malformed line '{}'", line));
        }
        rest = rest.substr(static_cast<std::size_t>(used));
        const std::size_t space = rest.find(' ');
        if (space == std::string::npos) {
            return bad(fmt::format("malformed line '{}'", line));
        }
        m.id.dev = dev;
        m.id.ino = ino;
        m.temp_name = rest.substr(0, space);
        m.key = rest.substr(space + 1);
        if (!valid_temp_name(m.temp_name) || !unsafe_key(m.key).empty()) {
            return bad(fmt::format("malformed line '{}'", line));
        }
        state.moves.push_back(std::move(m));
    }
    return state;
}

/// Undoes the moves of an uncommitted run, last first, checking that every path is what the
/// journal says (same inode) before touching it. With `simulate`, only checks and reports.
/// Returns the keys put back as they were.
Expected<std::vector<std::string>> roll_back(const fs::path& plugins, const fs::path& area,
                                             const std::vector<Move>& moves, bool simulate) {
    std::vector<std::string> restored;
    std::vector<std::string> vacated; // simulate: keys whose "put" would have been undone
    const auto cannot_explain = [&](const Move& m, std::string_view what) {
        return failure(
            fmt::format("cannot recover {}: {} ({}); the temporary folder is left in place, see "
                        "docs/install.md",
                        area.string(), what, m.key));
    };
    for (auto it = moves.rbegin(); it != moves.rend(); ++it) {
        const Move& m = *it;
        const fs::path target = plugins / m.key;
        const fs::path temp = area / m.temp_name;
        auto at_target = identity_of(target);
        QPLUG_RETURN_IF_ERROR(at_target);
        auto at_temp = identity_of(temp);
        QPLUG_RETURN_IF_ERROR(at_temp);
        const bool target_vacated =
            simulate && std::find(vacated.begin(), vacated.end(), m.key) != vacated.end();
        const bool target_is_ours = at_target->has_value() && **at_target == m.id;
        const bool temp_is_ours = at_temp->has_value() && **at_temp == m.id;
        if (m.kind == Move::swap) {
            // Announced: area/<n> <-> plugins/<key>. Done when the new folder is at the key;
            // undone by exchanging again.
            if (temp_is_ours && !target_vacated) {
                continue; // never happened
            }
            if (!target_is_ours || target_vacated || !at_temp->has_value()) {
                return cannot_explain(m, fmt::format("the new folder is neither at {} nor at {}, "
                                                     "or the old one is gone",
                                                     target.string(), temp.string()));
            }
            if (!simulate) {
                auto r = rename_exchange(target, temp);
                QPLUG_RETURN_IF_ERROR(r);
                if (!*r) {
                    return cannot_explain(m, "the file system no longer exchanges folders");
                }
            }
            restored.push_back(m.key);
        } else if (m.kind == Move::put) {
            // Announced: area/<n> -> plugins/<key>.
            if (temp_is_ours) {
                continue; // never happened
            }
            if (!target_is_ours || target_vacated) {
                return cannot_explain(m, fmt::format("the new folder is neither at {} nor at {}",
                                                     target.string(), temp.string()));
            }
            if (simulate) {
                vacated.push_back(m.key);
            } else
                QPLUG_TRY(rename_noreplace(target, temp));
        } else {
            // Announced: plugins/<key> -> area/<o>.
            if (!temp_is_ours) {
                if (target_is_ours && !target_vacated) {
                    continue; // never happened
                }
                return cannot_explain(m, fmt::format("the old folder is neither at {} nor at {}",
                                                     target.string(), temp.string()));
            }
            if (at_target->has_value() && !target_vacated) {
                return cannot_explain(
                    m, fmt::format("{} was created by something else meanwhile", target.string()));
            }
            if (!simulate) {
                QPLUG_TRY(rename_noreplace(temp, target));
            } else {
                vacated.erase(std::remove(vacated.begin(), vacated.end(), m.key), vacated.end());
            }
            restored.push_back(m.key);
        }
    }
    if (!simulate && !moves.empty()) {
        QPLUG_TRY(fsync_path(plugins, true));
    }
    std::reverse(restored.begin(), restored.end());
    return restored;
}

/// Recovers (or, with `simulate`, describes) every temporary area in the plugins folder.
/// The caller holds the lock, so no area belongs to a running qplug.
Expected<RecoveryReport> recover_areas(const fs::path& plugins, bool simulate) {
    RecoveryReport report;
    std::vector<fs::path> areas;
    std::error_code ec;
    if (!fs::exists(plugins, ec)) {
        return report; // nothing installed, nothing interrupted (a first dry run)
    }
    for (auto it = fs::directory_iterator(plugins, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code type_ec;
        if (name.rfind(kAreaPrefix, 0) == 0 && it->is_directory(type_ec) &&
            !it->is_symlink(type_ec)) {
            areas.push_back(it->path());
        }
    }
    if (ec) {
        return io_failure(fmt::format("{}: cannot list: {}", plugins.string(), ec.message()));
    }
    std::sort(areas.begin(), areas.end());
    for (const auto& area : areas) {
        RecoveryReport::Area a;
        a.path = area.string();
        const fs::path journal = area / kJournal;
        struct stat st {};
        if (::lstat(journal.c_str(), &st) != 0) {
            if (errno != ENOENT) {
                return io_failure(fmt::format("{}: {}", journal.string(), errno_text(errno)));
            }
            a.outcome = RecoveryReport::Area::Outcome::removed;
        } else {
            auto state = read_journal(journal);
            if (!state) {
                return failure(
                    fmt::format("cannot recover {}: {}", area.string(), state.error().message));
            }
            if (state->committed) {
                a.outcome = RecoveryReport::Area::Outcome::finished;
            } else {
                auto keys = roll_back(plugins, area, state->moves, simulate);
                QPLUG_RETURN_IF_ERROR(keys);
                a.outcome = RecoveryReport::Area::Outcome::rolled_back;
                a.keys = std::move(*keys);
            }
        }
        if (!simulate) {
            if (auto r = delete_area(area); !r) {
                // What mattered is done; the next run deletes the rest.
                report.notes.push_back(r.error().message);
            }
        }
        report.areas.push_back(std::move(a));
    }
    return report;
}

Expected<fs::path> make_area(const fs::path& plugins) {
    std::string pattern = (plugins / (std::string(kAreaPrefix) + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return io_failure(fmt::format("{}: cannot create a temporary folder: {}", plugins.string(),
                                      errno_text(errno)));
    }
    return fs::path(pattern);
}

std::string step_name(const InstallStep& s) {
    return s.version.empty() ? s.key : fmt::format("{} {}", s.key, s.version);
}

/// The version in a plugin folder's metadata.txt, "" when it cannot be read.
std::string folder_version(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        return {};
    }
    meta::ParseOptions options;
    options.file_name = (folder / "metadata.txt").string();
    auto document = meta::parse_file(folder / "metadata.txt", options);
    if (!document || !document->ok) {
        return {};
    }
    return document->get("version").value_or("");
}

/// What one install step stages: the new folder as `area/n<i>`.
Expected<void> stage(const InstallStep& step, std::size_t index, const fs::path& area,
                     DownloadCache& downloads, const InstallOptions& options, StepReport& report) {
    const std::string name = step_name(step);
    const std::string shown =
        step.file_name.empty() ? redact_url(step.download_url) : step.file_name;
    if (step.download_url.empty()) {
        return failure(fmt::format("{}: no download URL", name));
    }
    Download download;
    download.url = step.download_url;
    download.credentials = step.credentials;
    download.hash = step.hash;
    download.size = step.size;
    download.name = name;
    download.file_name = step.file_name;
    download.cancel = options.cancel;
    ProgressCallback progress;
    if (options.progress) {
        progress = [&options, index](std::uint64_t done, std::uint64_t total) {
            options.progress(index, done, total);
        };
    }
    // Verified (size, digest) by the cache; a download the resolution already read is reused.
    auto file = downloads.get(download, progress);
    QPLUG_RETURN_IF_ERROR(file);
    report.download_size = file->size;
    report.sha256 = file->sha256;
    // A conda package's plugin folder becomes a plugin ZIP: the same check and extraction.
    fs::path zip = file->path;
    if (step.conda) {
        zip = area / fmt::format("c{}.zip", index);
        auto packed = detail::write_conda_plugin_zip(file->path, step.key, zip);
        if (!packed) {
            Error e = std::move(packed).error();
            e.message = fmt::format("{}: {}", name, e.message);
            return e;
        }
        report.notes.insert(report.notes.end(), packed->notes.begin(), packed->notes.end());
    }
    std::string bytes;
    {
        std::ifstream in(zip, std::ios::binary);
        std::ostringstream all;
        all << in.rdbuf();
        if (!in) {
            Error e = io_failure(fmt::format("{}: cannot read {}", name, zip.string()));
            e.kind = Error::Kind::io;
            return e;
        }
        bytes = std::move(all).str();
    }

    meta::PackageOptions check_options;
    check_options.profile = meta::Profile::qgis; // what QGIS needs to load it
    check_options.wheel = step.wheel;
    const meta::PackageReport checked = meta::check_package(bytes, check_options, shown);
    std::vector<std::string> errors;
    for (const auto& d : checked.diagnostics) {
        if (d.severity == meta::Severity::error) {
            errors.push_back(d.file.empty() || d.file == shown
                                 ? fmt::format("{} {}", d.rule, d.message)
                                 : fmt::format("{} {}: {}", d.rule, d.file, d.message));
        } else if (d.severity != meta::Severity::off) {
            report.warnings.push_back(d);
        }
    }
    if (!errors.empty() || checked.package_name.empty()) {
        if (errors.empty()) {
            errors.emplace_back("PKG-NO-TOP-FOLDER no plugin folder in the package");
        }
        Error e = failure(fmt::format("{}: the package check refused {}: {}", name, shown,
                                      fmt::join(errors, "; ")));
        e.kind = Error::Kind::refused;
        return e;
    }
    if (checked.metadata) {
        report.package_version = checked.metadata->get("version").value_or("");
    }
    if (!step.version.empty() && !report.package_version.empty() &&
        report.package_version != step.version) {
        report.notes.push_back(fmt::format("the package's metadata.txt says version {}, the "
                                           "repository {}",
                                           report.package_version, step.version));
    }

    const fs::path unpack = area / fmt::format("x{}", index);
    if (::mkdir(unpack.c_str(), 0755) != 0) {
        return io_failure(fmt::format("{}: {}", unpack.string(), errno_text(errno)));
    }
    auto extracted = detail::extract_folder(zip, checked.package_name, unpack,
                                            check_options.max_total_uncompressed);
    if (!extracted) {
        return failure(
            fmt::format("{}: cannot unpack {}: {}", name, shown, extracted.error().to_string()));
    }
    report.files = extracted->files;
    if (!extracted->skipped.empty()) {
        report.notes.push_back(fmt::format("{} entries outside the folder {}/ left out: {}",
                                           extracted->skipped.size(), checked.package_name,
                                           fmt::join(extracted->skipped, ", ")));
    }
    // QGIS needs the folder to be named as the key. QGIS's own repository install does not
    // rename: it extracts the ZIP as it is into the plugins folder and, when <plugins>/<key>
    // does not exist afterwards, reports "Plugin has disappeared ... Probably the plugin
    // package contained a wrong named directory", leaving the plugin under the ZIP's name,
    // untracked (/work/shared/reference/qgis-facts.md §6.4; python/pyplugin_installer/
    // installer.py installPlugin). We install under the key instead, so the folder is the
    // one the repository, the index and later upgrades know, and say so in a note.
    if (checked.package_name != step.key) {
        report.notes.push_back(fmt::format("the package's folder is {}/: installed as {}/, "
                                           "the repository's key (QGIS loads a plugin by its "
                                           "folder name)",
                                           checked.package_name, step.key));
    }
    if (auto r = rename_noreplace(unpack / checked.package_name, area / fmt::format("n{}", index));
        !r) {
        return failure(fmt::format("{}: {}", name, r.error().message));
    }
    std::error_code ec;
    fs::remove(unpack, ec);
    if (step.conda) {
        fs::remove(zip, ec);
    }
    return {};
}

/// Deletes the area when a run fails before its journal exists.
class AreaGuard {
public:
    explicit AreaGuard(fs::path area) : area_(std::move(area)) {}
    AreaGuard(const AreaGuard&) = delete;
    AreaGuard& operator=(const AreaGuard&) = delete;
    ~AreaGuard() {
        if (!area_.empty()) {
            (void)delete_area(area_);
        }
    }
    void dismiss() { area_.clear(); }

private:
    fs::path area_;
};

/// A run on `plugins`, under its lock (a dry run: without, and with its temporary area in the
/// system's temporary folder, so that it writes nothing into the plugins folder).
Expected<InstallReport> apply_locked(const fs::path& plugins, const std::vector<InstallStep>& steps,
                                     Fetcher& fetcher, const InstallOptions& options) {
    InstallReport report;
    report.dry_run = options.dry_run;
    std::unique_ptr<DownloadCache> own_downloads;
    DownloadCache* downloads = options.downloads;
    if (downloads == nullptr) {
        own_downloads = std::make_unique<DownloadCache>("", fetcher);
        downloads = own_downloads.get();
    }

    auto recovery = recover_areas(plugins, options.dry_run);
    QPLUG_RETURN_IF_ERROR(recovery);
    report.recovery = std::move(*recovery);
    if (options.dry_run && !report.recovery.areas.empty()) {
        report.notes.push_back(
            fmt::format("{} interrupted run(s) would be recovered first (not done: dry run)",
                        report.recovery.areas.size()));
    }

    // The plan itself: safe keys, each at most once.
    std::vector<std::string> keys;
    for (const auto& step : steps) {
        if (step.key.empty() || !unsafe_key(step.key).empty()) {
            Error e = failure(fmt::format("'{}' cannot be a plugin folder: {}", step.key,
                                          step.key.empty() ? "empty" : unsafe_key(step.key)));
            e.kind = Error::Kind::refused; // what the repository offers, refused: exit 1
            return e;
        }
        if (std::find(keys.begin(), keys.end(), step.key) != keys.end()) {
            return failure(fmt::format("{} appears twice in the plan", step.key));
        }
        keys.push_back(step.key);
    }
    if (steps.empty()) {
        return report;
    }

    std::error_code temp_ec;
    auto made = make_area(options.dry_run ? fs::temp_directory_path(temp_ec) : plugins);
    QPLUG_RETURN_IF_ERROR(made);
    const fs::path area = *made;
    AreaGuard guard(area);

    // 1. Everything that can fail without touching the plugins folder.
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const InstallStep& step = steps[i];
        StepReport r;
        r.action = step.action;
        r.key = step.key;
        r.version = step.version;
        r.path = (plugins / step.key).string();
        auto present = identity_of(plugins / step.key);
        QPLUG_RETURN_IF_ERROR(present);
        if (present->has_value()) {
            r.replaced = true;
            r.previous_version = folder_version(plugins / step.key);
            if (step.action == InstallStep::install) {
                r.notes.push_back(fmt::format(
                    "{} already exists{}: replaced", r.path,
                    r.previous_version.empty() ? std::string()
                                               : fmt::format(" (version {})", r.previous_version)));
            }
        } else if (step.action == InstallStep::remove) {
            return failure(fmt::format("cannot remove {}: {} does not exist", step.key, r.path));
        } else if (step.action != InstallStep::install) {
            r.notes.push_back(fmt::format("{} did not exist: installed", r.path));
        }
        if (step.action != InstallStep::remove) {
            QPLUG_TRY(stage(step, i, area, *downloads, options, r));
        }
        report.steps.push_back(std::move(r));
        if (cancelled(options.cancel)) {
            return cancelled_error("installing plugins"); // the guard deletes the area
        }
    }
    QPLUG_TRY(hook("staged"));
    if (options.dry_run) {
        return report; // the guard deletes the area
    }
    // The last point where stopping leaves the plugins folder untouched.
    if (cancelled(options.cancel)) {
        return cancelled_error("installing plugins");
    }

    // 2. The swap: each rename announced in the journal first.
    auto journal = JournalWriter::create(area / kJournal);
    QPLUG_RETURN_IF_ERROR(journal);
    std::vector<Move> moves;
    const auto undo = [&](Error error) -> Error {
        auto rolled = roll_back(plugins, area, moves, false);
        if (!rolled) {
            guard.dismiss(); // keep the journal: the next run retries
            error.message += fmt::format("; rolling back failed too: {}", rolled.error().message);
            return error;
        }
        return error; // the guard deletes the area
    };
    const auto move = [&](Move::Kind kind, const fs::path& from, std::string temp_name,
                          const std::string& key) -> Expected<void> {
        auto id = identity_of(from);
        QPLUG_RETURN_IF_ERROR(id);
        if (!id->has_value()) {
            return failure(fmt::format("{} disappeared", from.string()));
        }
        Move m{kind, **id, std::move(temp_name), key};
        if (auto r = journal->append(journal_line(m)); !r) {
            return r;
        }
        moves.push_back(m);
        if (auto h = hook(move_name(kind), key); !h) {
            return h;
        }
        const fs::path temp = area / m.temp_name;
        if (kind == Move::swap) {
            auto swapped = rename_exchange(temp, plugins / key);
            QPLUG_RETURN_IF_ERROR(swapped);
            if (!*swapped) {
                return failure("the file system cannot exchange folders");
            }
            return hook("swapped", key);
        }
        auto r = kind == Move::backup ? rename_noreplace(from, temp)
                                      : rename_noreplace(temp, plugins / key);
        if (!r) {
            return r;
        }
        return hook(kind == Move::backup ? "backed-up" : "placed", key);
    };
    // Whether the file system can exchange two folders in one step: tried once on two
    // scratch folders of the area (where nothing can be lost).
    bool can_exchange = false;
    {
        const fs::path a = area / "xa";
        const fs::path b = area / "xb";
        if (detail::exchange_allowed() && ::mkdir(a.c_str(), 0700) == 0 &&
            ::mkdir(b.c_str(), 0700) == 0) {
            auto probe = rename_exchange(a, b);
            can_exchange = probe && *probe;
        }
        std::error_code ec;
        fs::remove(a, ec);
        fs::remove(b, ec);
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const InstallStep& step = steps[i];
        const fs::path target = plugins / step.key;
        auto present = identity_of(target);
        if (!present) {
            return undo(std::move(present).error());
        }
        if (present->has_value() && step.action != InstallStep::remove && can_exchange) {
            // An upgrade in one atomic step: the old folder ends up as area/n<i>.
            if (auto r =
                    move(Move::swap, area / fmt::format("n{}", i), fmt::format("n{}", i), step.key);
                !r) {
                return undo(std::move(r).error());
            }
            continue;
        }
        if (present->has_value()) {
            if (auto r = move(Move::backup, target, fmt::format("o{}", i), step.key); !r) {
                return undo(std::move(r).error());
            }
        }
        if (step.action != InstallStep::remove) {
            if (auto r =
                    move(Move::put, area / fmt::format("n{}", i), fmt::format("n{}", i), step.key);
                !r) {
                return undo(std::move(r).error());
            }
        }
    }
    // Both folders the renames changed are durable before the commit says so.
    for (const fs::path& changed : {plugins, area}) {
        if (auto r = fsync_path(changed, true); !r) {
            return undo(std::move(r).error());
        }
    }
    if (auto h = hook("commit"); !h) {
        return undo(std::move(h).error());
    }
    const off_t before_commit = journal->size();
    if (auto r = journal->append("commit\n"); !r) {
        // Whether "commit" reached the disk is unknown: take it back before rolling back, or a
        // kill during the rollback would let the next run "finish" a half-undone swap.
        if (before_commit < 0) {
            guard.dismiss();
            return failure(fmt::format("{}; the journal's state is unknown: the next run "
                                       "decides from it",
                                       r.error().message));
        }
        if (auto t = journal->truncate(before_commit); !t) {
            guard.dismiss();
            return failure(fmt::format("{}; {}: the next run decides from the journal",
                                       r.error().message, t.error().message));
        }
        return undo(std::move(r).error());
    }
    for (auto& s : report.steps) {
        s.applied = true;
    }
    if (auto h = hook("committed"); !h) {
        // A kill here: the next run finishes. A hook failure here only skips the cleanup.
        guard.dismiss();
        report.notes.push_back(
            fmt::format("{} was not deleted: {}", area.string(), h.error().message));
        return report;
    }
    guard.dismiss();
    if (auto r = delete_area(area); !r) {
        report.notes.push_back(fmt::format("{} (the next run deletes it)", r.error().message));
    }
    return report;
}

} // namespace

Expected<InstallReport> apply_plugin_steps(const ProfileLock& lock,
                                           const std::vector<InstallStep>& steps, Fetcher& fetcher,
                                           const InstallOptions& options) {
    return apply_locked(lock.plugins_dir(), steps, fetcher, options);
}

Expected<InstallReport> apply_plugin_steps(const fs::path& plugins_dir,
                                           const std::vector<InstallStep>& steps, Fetcher& fetcher,
                                           const InstallOptions& options) {
    if (options.dry_run) {
        return apply_locked(plugins_dir, steps, fetcher, options);
    }
    auto lock = ProfileLock::acquire(plugins_dir, options.lock_wait);
    QPLUG_RETURN_IF_ERROR(lock);
    return apply_locked(lock->plugins_dir(), steps, fetcher, options);
}

Expected<RecoveryReport> recover_interrupted(const ProfileLock& lock) {
    return recover_areas(lock.plugins_dir(), false);
}

Expected<RecoveryReport> recover_interrupted(const fs::path& plugins_dir,
                                             std::chrono::milliseconds lock_wait) {
    std::error_code ec;
    if (!fs::is_directory(plugins_dir, ec)) {
        return RecoveryReport{}; // nothing was ever installed there
    }
    auto lock = ProfileLock::acquire(plugins_dir, lock_wait);
    QPLUG_RETURN_IF_ERROR(lock);
    return recover_areas(plugins_dir, false);
}

} // namespace qplug::solver
