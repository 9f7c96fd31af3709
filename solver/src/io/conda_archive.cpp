// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/conda_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "errors.hpp"

namespace qplug::solver::detail {

namespace {

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<archive, ArchiveFree>;

constexpr std::size_t kBlock = 64 * 1024;
constexpr int kErrnoMisc = -1; // (libarchive's ARCHIVE_ERRNO_MISC, in its private headers)

Error damaged(std::string_view what, archive* a, std::string_view fallback = "cannot be read") {
    const char* why = archive_error_string(a);
    Error e =
        failure(fmt::format("{}: not a readable conda package: {}", what, why ? why : fallback));
    e.kind = Error::Kind::parse;
    return e;
}

Error over(std::string_view what, std::string_view limit) {
    Error e = failure(fmt::format("{}: refused: the package is over the limit of {}", what, limit));
    e.kind = Error::Kind::refused;
    return e;
}

/// Counts what one reading has cost so far.
struct Budget {
    const CondaArchiveLimits& limits;
    std::uint64_t total = 0;
    std::uint64_t kept = 0;
};

std::string_view entry_name(archive_entry* entry) {
    const char* name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) {
        name = archive_entry_pathname(entry);
    }
    std::string_view out = name == nullptr ? std::string_view() : std::string_view(name);
    while (out.starts_with("./")) {
        out.remove_prefix(2);
    }
    return out;
}

/// Reads every entry of an opened tarball into `out` (site-packages files only).
Expected<void> read_tarball(archive* a, std::string_view what,
                            const std::function<bool(std::string_view)>& keep, Budget& budget,
                            CondaPayload& out) {
    std::size_t entries = 0;
    archive_entry* entry = nullptr;
    while (true) {
        const int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF) {
            return {};
        }
        if (r < ARCHIVE_WARN) {
            return damaged(what, a);
        }
        if (++entries > budget.limits.max_entries) {
            return over(what, fmt::format("{} entries", budget.limits.max_entries));
        }
        const std::string_view name = entry_name(entry);
        if (name.empty()) {
            return damaged(what, a, "an entry has no readable name");
        }
        std::optional<std::string> path = site_packages_path(name);
        CondaFile file;
        const auto type = archive_entry_filetype(entry);
        if (type == AE_IFDIR) {
            file.type = CondaFile::Type::directory;
        } else if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr ||
                   archive_entry_symlink(entry) != nullptr) {
            file.type = CondaFile::Type::other;
        }
        file.executable = (archive_entry_perm(entry) & 0111) != 0;
        const bool keeping = path && file.type == CondaFile::Type::file && keep(*path);
        std::string content;
        const void* block = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        while (true) {
            const int d = archive_read_data_block(a, &block, &size, &offset);
            if (d == ARCHIVE_EOF) {
                break;
            }
            if (d < ARCHIVE_WARN) {
                return damaged(what, a);
            }
            budget.total += size;
            if (budget.total > budget.limits.max_total) {
                return over(what, fmt::format("{} bytes decompressed", budget.limits.max_total));
            }
            if (!keeping) {
                continue;
            }
            // A sparse entry's hole counts as what it becomes in memory.
            if (offset < 0 || static_cast<std::uint64_t>(offset) < content.size()) {
                return damaged(what, a, "an entry's data goes backwards");
            }
            const std::uint64_t grows = static_cast<std::uint64_t>(offset) - content.size() + size;
            budget.kept += grows;
            if (budget.kept > budget.limits.max_kept) {
                return over(what, fmt::format("{} bytes of files read", budget.limits.max_kept));
            }
            content.resize(static_cast<std::size_t>(offset), '\0');
            content.append(static_cast<const char*>(block), size);
        }
        if (!path) {
            ++out.outside;
            continue;
        }
        file.path = std::move(*path);
        if (keeping) {
            file.content = std::move(content);
        }
        out.files.push_back(std::move(file));
    }
}

Archive new_tar_reader(CondaArchiveFormat format) {
    Archive a(archive_read_new());
    if (a) {
        archive_read_support_format_tar(a.get());
        if (format == CondaArchiveFormat::conda) {
            archive_read_support_filter_zstd(a.get());
        } else {
            archive_read_support_filter_bzip2(a.get());
        }
    }
    return a;
}

/// The inner tarball of a .conda, read straight from the outer ZIP's entry.
struct Inner {
    archive* outer = nullptr;
    std::uint64_t read = 0;
    std::uint64_t limit = 0;
};

la_ssize_t read_inner(archive* a, void* data, const void** buffer) {
    auto* inner = static_cast<Inner*>(data);
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    while (true) {
        const int r = archive_read_data_block(inner->outer, &block, &size, &offset);
        if (r == ARCHIVE_EOF) {
            return 0;
        }
        if (r < ARCHIVE_WARN) {
            const char* why = archive_error_string(inner->outer);
            archive_set_error(a, kErrnoMisc, "%s", why ? why : "the ZIP entry is damaged");
            return -1;
        }
        inner->read += size;
        if (inner->read > inner->limit) {
            archive_set_error(a, kErrnoMisc, "pkg-*.tar.zst is over %llu bytes",
                              static_cast<unsigned long long>(inner->limit));
            return -1;
        }
        if (size > 0) {
            *buffer = block;
            return static_cast<la_ssize_t>(size);
        }
    }
}

/// A .conda: the ZIP's pkg-*.tar.zst holds the files (info-*.tar.zst only conda's records).
Expected<void> read_dot_conda(archive* outer, std::string_view what,
                              const std::function<bool(std::string_view)>& keep, Budget& budget,
                              CondaPayload& out) {
    std::size_t entries = 0;
    bool found = false;
    archive_entry* entry = nullptr;
    while (true) {
        const int r = archive_read_next_header(outer, &entry);
        if (r == ARCHIVE_EOF) {
            break;
        }
        if (r < ARCHIVE_WARN) {
            return damaged(what, outer);
        }
        if (++entries > budget.limits.max_entries) {
            return over(what, fmt::format("{} entries", budget.limits.max_entries));
        }
        const std::string_view name = entry_name(entry);
        if (!(name.starts_with("pkg-") && name.ends_with(".tar.zst") &&
              name.find('/') == std::string_view::npos)) {
            continue; // (libarchive skips its data at the next header)
        }
        if (found) {
            return damaged(what, outer, "it holds two pkg-*.tar.zst");
        }
        found = true;
        Archive tar = new_tar_reader(CondaArchiveFormat::conda);
        if (!tar) {
            return failure(fmt::format("{}: out of memory", what));
        }
        Inner inner{outer, 0, budget.limits.max_total};
        if (archive_read_open(tar.get(), &inner, nullptr, read_inner, nullptr) != ARCHIVE_OK) {
            return damaged(fmt::format("{}!/{}", what, name), tar.get());
        }
        if (auto r2 = read_tarball(tar.get(), fmt::format("{}!/{}", what, name), keep, budget, out);
            !r2) {
            return r2;
        }
    }
    if (!found) {
        return damaged(what, outer, "no pkg-*.tar.zst in it");
    }
    return {};
}

Expected<CondaPayload> read_opened(archive* a, CondaArchiveFormat format, std::string_view what,
                                   const std::function<bool(std::string_view)>& keep,
                                   const CondaArchiveLimits& limits) {
    CondaPayload out;
    Budget budget{limits};
    auto r = format == CondaArchiveFormat::conda ? read_dot_conda(a, what, keep, budget, out)
                                                 : read_tarball(a, what, keep, budget, out);
    QPLUG_RETURN_IF_ERROR(r);
    return out;
}

Archive new_reader(CondaArchiveFormat format) {
    if (format == CondaArchiveFormat::tar_bz2) {
        return new_tar_reader(format);
    }
    Archive a(archive_read_new());
    if (a) {
        archive_read_support_format_zip(a.get());
    }
    return a;
}

} // namespace

std::optional<CondaArchiveFormat> conda_archive_format(std::string_view file_name) {
    if (file_name.ends_with(".conda")) {
        return CondaArchiveFormat::conda;
    }
    if (file_name.ends_with(".tar.bz2")) {
        return CondaArchiveFormat::tar_bz2;
    }
    return std::nullopt;
}

std::optional<CondaArchiveFormat>
conda_archive_format_of_content(const std::filesystem::path& file) {
    char magic[4] = {};
    std::ifstream in(file, std::ios::binary);
    in.read(magic, sizeof magic);
    const std::string_view read(magic, static_cast<std::size_t>(in.gcount()));
    if (read == std::string_view("PK\x03\x04", 4)) {
        return CondaArchiveFormat::conda; // a .conda is a ZIP
    }
    if (read.starts_with("BZh")) {
        return CondaArchiveFormat::tar_bz2;
    }
    return std::nullopt;
}

std::optional<std::string> site_packages_path(std::string_view entry) {
    constexpr std::string_view kSite = "site-packages/";
    std::string_view rest;
    if (entry.starts_with(kSite)) {
        rest = entry.substr(kSite.size());
    } else if (entry.starts_with("Lib/site-packages/")) {
        rest = entry.substr(std::string_view("Lib/").size() + kSite.size());
    } else if (entry.starts_with("lib/python")) {
        const std::size_t slash = entry.find('/', 4);
        if (slash == std::string_view::npos || !entry.substr(slash + 1).starts_with(kSite)) {
            return std::nullopt;
        }
        rest = entry.substr(slash + 1 + kSite.size());
    } else {
        return std::nullopt;
    }
    while (rest.ends_with('/')) {
        rest.remove_suffix(1); // (a directory entry)
    }
    if (rest.empty()) {
        return std::nullopt;
    }
    return std::string(rest);
}

Expected<CondaPayload> read_conda_package(const std::filesystem::path& file,
                                          const std::function<bool(std::string_view)>& keep,
                                          const CondaArchiveLimits& limits) {
    auto format = conda_archive_format(file.filename().string());
    if (!format) {
        format = conda_archive_format_of_content(file);
    }
    if (!format) {
        return failure(fmt::format("{}: not a conda package (.conda or .tar.bz2)", file.string()));
    }
    Archive a = new_reader(*format);
    if (!a) {
        return failure(fmt::format("{}: out of memory", file.string()));
    }
    if (archive_read_open_filename(a.get(), file.c_str(), kBlock) != ARCHIVE_OK) {
        Error e = damaged(file.string(), a.get());
        const int error = archive_errno(a.get());
        if (error == ENOENT || error == EACCES || error == EISDIR || error == EIO ||
            error == EPERM) {
            e.kind = Error::Kind::io;
        }
        return e;
    }
    return read_opened(a.get(), *format, file.string(), keep, limits);
}

Expected<CondaPayload> read_conda_package(std::string_view bytes, CondaArchiveFormat format,
                                          const std::function<bool(std::string_view)>& keep,
                                          const CondaArchiveLimits& limits) {
    Archive a = new_reader(format);
    if (!a) {
        return failure("conda package: out of memory");
    }
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        return damaged("conda package", a.get());
    }
    return read_opened(a.get(), format, "conda package", keep, limits);
}

} // namespace qplug::solver::detail
