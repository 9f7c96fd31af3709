// SPDX-License-Identifier: GPL-2.0-or-later
#include "file_bytes.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace qplug::meta::detail {

namespace {

Error unreadable(const std::filesystem::path& path, int error_number) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.what = "file";
    e.input = path.string();
    e.message = std::string("cannot be read: ") + std::strerror(error_number);
    return e;
}

} // namespace

Expected<std::string> read_file_bytes(const std::filesystem::path& path) {
    // stdio rather than ifstream: opening a directory succeeds with ifstream and then reads
    // nothing, which would be taken for an empty file.
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file) {
        return unreadable(path, errno);
    }
    std::string bytes;
    char buffer[1 << 16];
    for (;;) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        bytes.append(buffer, n);
        if (n < sizeof buffer) {
            if (std::ferror(file.get()) != 0) {
                return unreadable(path, errno != 0 ? errno : EIO);
            }
            break;
        }
    }
    return bytes;
}

Expected<std::uint64_t> regular_file_size(const std::filesystem::path& path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file) {
        return unreadable(path, errno);
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return unreadable(path, EISDIR);
    }
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        return unreadable(path, ec.value());
    }
    return static_cast<std::uint64_t>(size);
}

} // namespace qplug::meta::detail
