// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/zip_extract.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <zip.h>

#include <qplug/meta/zip_name.hpp>

#include "errors.hpp"

namespace qplug::solver::detail {

namespace {

using Archive = std::unique_ptr<zip_t, decltype(&zip_discard)>;

struct Entry {
    zip_uint64_t index = 0;
    std::string name;     ///< decoded
    std::string relative; ///< below the folder, "" for the folder itself
    bool directory = false;
    bool executable = false;
    std::uint64_t size = 0;
};

std::string errno_text() {
    return std::strerror(errno);
}

/// Creates every missing directory of `relative` below `root` with 0755; an existing part
/// must be a real directory (never a link: nothing may lead out of the destination).
Expected<void> make_dirs(const std::filesystem::path& root, std::string_view relative,
                         std::set<std::string>& made) {
    std::size_t start = 0;
    while (start < relative.size()) {
        std::size_t slash = relative.find('/', start);
        if (slash == std::string_view::npos) {
            slash = relative.size();
        }
        const std::string prefix(relative.substr(0, slash));
        start = slash + 1;
        if (made.count(prefix) != 0) {
            continue;
        }
        const std::filesystem::path path = root / prefix;
        if (::mkdir(path.c_str(), 0755) == 0) {
            if (::chmod(path.c_str(), 0755) != 0) { // whatever the umask says
                return io_failure(fmt::format("{}: {}", path.string(), errno_text()));
            }
        } else {
            const int saved = errno;
            struct stat st {};
            if (saved != EEXIST || ::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
                return io_failure(
                    fmt::format("{}: cannot create the directory: {}", path.string(),
                                saved == EEXIST ? "a file is in the way" : std::strerror(saved)));
            }
        }
        made.insert(prefix);
    }
    return {};
}

Expected<void> write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure(errno_text());
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

Expected<void> extract_file(zip_t* za, const Entry& e, const std::filesystem::path& path,
                            std::uint64_t& total, std::uint64_t max_total) {
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> in(zip_fopen_index(za, e.index, 0),
                                                          zip_fclose);
    if (!in) {
        return io_failure(fmt::format("{}: cannot be read: {}", e.name, zip_strerror(za)));
    }
    // O_EXCL: a duplicate (or a name folding onto another) never overwrites a file.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return io_failure(fmt::format("{}: cannot be created: {}", path.string(), errno_text()));
    }
    std::array<char, 65536> buffer{};
    std::uint64_t written = 0;
    Expected<void> result;
    while (true) {
        const zip_int64_t n = zip_fread(in.get(), buffer.data(), buffer.size());
        if (n < 0) {
            result = io_failure(fmt::format("{}: cannot be read (a CRC error?): {}", e.name,
                                            zip_file_strerror(in.get())));
            break;
        }
        if (n == 0) {
            break;
        }
        const auto got = static_cast<std::uint64_t>(n);
        written += got;
        total += got;
        if (written > e.size || total > max_total) {
            result = failure(fmt::format("{}: expands beyond {} bytes", e.name,
                                         written > e.size ? e.size : max_total));
            break;
        }
        if (auto w = write_all(fd, buffer.data(), static_cast<std::size_t>(got)); !w) {
            result = failure(fmt::format("{}: {}", path.string(), w.error().message));
            break;
        }
    }
    if (result && written != e.size) {
        result = failure(fmt::format("{}: {} bytes instead of {}", e.name, written, e.size));
    }
    if (result && ::fchmod(fd, e.executable ? 0755 : 0644) != 0) {
        result = io_failure(fmt::format("{}: {}", path.string(), errno_text()));
    }
    if (::close(fd) != 0 && result) {
        result = io_failure(fmt::format("{}: {}", path.string(), errno_text()));
    }
    return result;
}

} // namespace

std::string unsafe_entry_name(std::string_view name) {
    if (name.empty()) {
        return "an empty name";
    }
    if (name.front() == '/') {
        return "an absolute path";
    }
    if (name.find('\\') != std::string_view::npos) {
        return "a backslash";
    }
    if (name.size() >= 2 && name[1] == ':' &&
        ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) {
        return "a drive letter";
    }
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            return "a control character";
        }
    }
    // A directory entry ends with '/': its last, empty part is not a part.
    const std::string_view path = name.back() == '/' ? name.substr(0, name.size() - 1) : name;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        const std::string_view part =
            path.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (part.empty()) {
            return "an empty path part";
        }
        if (part == "." || part == "..") {
            return fmt::format("a '{}' part", part);
        }
        if (slash == std::string_view::npos) {
            return {};
        }
        start = slash + 1;
    }
}

Expected<Extracted> extract_folder(const std::filesystem::path& zip, std::string_view folder,
                                   const std::filesystem::path& destination,
                                   std::uint64_t max_total) {
    if (!unsafe_entry_name(folder).empty() || folder.find('/') != std::string_view::npos) {
        return failure(fmt::format("'{}' cannot be a plugin folder", folder));
    }
    int code = 0;
    zip_t* raw = zip_open(zip.c_str(), ZIP_RDONLY, &code);
    if (raw == nullptr) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        return failure(fmt::format("{}: cannot be read as a ZIP file: {}", zip.string(), why));
    }
    Archive za(raw, zip_discard);
    const std::string prefix = std::string(folder) + "/";

    // First every entry, so that a bad one anywhere fails before anything is written.
    std::vector<Entry> entries;
    Extracted out;
    std::set<std::string> names;
    const zip_int64_t count = zip_get_num_entries(za.get(), 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        Entry e;
        e.index = static_cast<zip_uint64_t>(i);
        const char* raw_name = zip_get_name(za.get(), e.index, ZIP_FL_ENC_RAW);
        if (raw_name == nullptr) {
            return failure(fmt::format("{}: entry {} has no readable name", zip.string(), i));
        }
        // Python's zipfile: UTF-8 when the entry says so, else CP437 (the package check
        // reads the same names).
        e.name = meta::zip_entry_name(raw_name, zip_get_name(za.get(), e.index, ZIP_FL_ENC_STRICT));
        if (auto why = unsafe_entry_name(raw_name); why == "a control character") {
            return failure(fmt::format("{}: entry '{}' has {}", zip.string(), e.name, why));
        }
        if (auto why = unsafe_entry_name(e.name); !why.empty()) {
            return failure(fmt::format("{}: entry '{}' has {}: it would be written outside "
                                       "the plugin folder",
                                       zip.string(), e.name, why));
        }
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za.get(), e.index, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
            return failure(fmt::format("{}: entry '{}' cannot be read", zip.string(), e.name));
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
            return failure(fmt::format("{}: entry '{}' is encrypted", zip.string(), e.name));
        }
        e.size = st.size;
        e.directory = e.name.back() == '/';
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        if (zip_file_get_external_attributes(za.get(), e.index, 0, &opsys, &attributes) == 0 &&
            opsys == ZIP_OPSYS_UNIX) {
            const zip_uint32_t mode = attributes >> 16;
            const zip_uint32_t type = mode & 0170000u;
            if (type == 0120000u) {
                return failure(
                    fmt::format("{}: entry '{}' is a symbolic link", zip.string(), e.name));
            }
            if (type != 0 && type != 0100000u && type != 0040000u) {
                return failure(
                    fmt::format("{}: entry '{}' is a special file", zip.string(), e.name));
            }
            e.executable = !e.directory && (mode & 0111u) != 0;
        }
        if (!names.insert(e.name).second) {
            return failure(fmt::format("{}: entry '{}' appears twice", zip.string(), e.name));
        }
        if (e.name == folder) {
            return failure(fmt::format("{}: entry '{}' is a file where the plugin folder "
                                       "should be",
                                       zip.string(), e.name));
        }
        if (e.name.compare(0, prefix.size(), prefix) != 0) {
            out.skipped.push_back(e.name);
            continue;
        }
        e.relative = e.name.substr(prefix.size());
        if (e.directory && !e.relative.empty()) {
            e.relative.pop_back();
        }
        entries.push_back(std::move(e));
    }

    const std::filesystem::path root = destination / std::string(folder);
    std::set<std::string> made;
    if (::mkdir(root.c_str(), 0755) != 0 || ::chmod(root.c_str(), 0755) != 0) {
        return io_failure(
            fmt::format("{}: cannot create the directory: {}", root.string(), errno_text()));
    }
    std::uint64_t total = 0;
    for (const auto& e : entries) {
        if (e.directory) {
            if (!e.relative.empty()) {
                QPLUG_TRY(make_dirs(root, e.relative, made));
                ++out.directories;
            }
            continue;
        }
        const std::size_t slash = e.relative.rfind('/');
        if (slash != std::string::npos) {
            QPLUG_TRY(make_dirs(root, std::string_view(e.relative).substr(0, slash), made));
        }
        if (made.count(e.relative) != 0) {
            return failure(
                fmt::format("{}: entry '{}' is both a file and a directory", zip.string(), e.name));
        }
        QPLUG_TRY(extract_file(za.get(), e, root / e.relative, total, max_total));
        ++out.files;
    }
    return out;
}

} // namespace qplug::solver::detail
