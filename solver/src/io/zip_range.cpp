// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/zip_range.hpp"

#include <fmt/format.h>

#include "errors.hpp"

namespace qplug::solver::detail {

namespace {

constexpr std::string_view kEnd = "PK\x05\x06";
constexpr std::string_view kEnd64 = "PK\x06\x06";
constexpr std::string_view kLocator64 = "PK\x06\x07";
constexpr std::string_view kCentral = "PK\x01\x02";
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kLocatorSize = 20;
constexpr std::size_t kCentralSize = 46;

std::uint64_t le(std::string_view bytes, std::size_t at, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = width; i-- > 0;) {
        v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    return v;
}

void put32(std::string& out, std::size_t at, std::uint64_t v) {
    for (std::size_t i = 0; i < 4; ++i) {
        out[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
}

void append(std::string& out, std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
}

Error zip_error(std::string message) {
    return failure("the wheel's end is not a ZIP's: " + std::move(message));
}

/// The ZIP64 end record before the locator at `locator` (its size field says where it
/// starts: normally 56 bytes before).
Expected<ZipEnd> zip64_end(std::string_view tail, std::size_t locator) {
    const std::uint64_t record_offset = le(tail, locator + 8, 8);
    for (std::size_t at = locator; at >= 56; --at) {
        const std::size_t p = at - 56;
        if (tail.substr(p, 4) != kEnd64) {
            continue;
        }
        const std::uint64_t size = le(tail, p + 4, 8);
        if (size < 44 || size != locator - p - 12) {
            continue;
        }
        if (record_offset < p) {
            return zip_error("the ZIP64 end record is not where its locator says");
        }
        ZipEnd end;
        end.entries = le(tail, p + 32, 8);
        end.directory_size = le(tail, p + 40, 8);
        end.directory_offset = le(tail, p + 48, 8);
        end.tail_offset = record_offset - p;
        if (end.directory_offset > record_offset ||
            end.directory_size > record_offset - end.directory_offset) {
            return zip_error("the central directory does not fit before the end record");
        }
        return end;
    }
    return zip_error("no ZIP64 end record before its locator");
}

} // namespace

Expected<ZipEnd> find_zip_end(std::string_view tail) {
    if (tail.size() < kEndSize) {
        return zip_error("too short");
    }
    // The record is 22 bytes and a comment of up to 65535 that must end the file.
    for (std::size_t p = tail.size() - kEndSize + 1; p-- > 0;) {
        if (tail.size() - p > kEndSize + 0xFFFF) {
            break;
        }
        if (tail.substr(p, 4) != kEnd || p + kEndSize + le(tail, p + 20, 2) != tail.size()) {
            continue;
        }
        const std::uint64_t entries = le(tail, p + 10, 2);
        const std::uint64_t size = le(tail, p + 12, 4);
        const std::uint64_t offset = le(tail, p + 16, 4);
        if (entries == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF) {
            if (p < kLocatorSize || tail.substr(p - kLocatorSize, 4) != kLocator64) {
                return zip_error("a ZIP64 archive without its locator");
            }
            return zip64_end(tail, p - kLocatorSize);
        }
        if (offset + size < p) {
            return zip_error("the central directory does not end before the end record");
        }
        ZipEnd end;
        end.entries = entries;
        end.directory_size = size;
        end.directory_offset = offset;
        end.tail_offset = offset + size - p;
        return end;
    }
    return zip_error("no end of central directory record");
}

Expected<std::vector<ZipEntry>> read_central_directory(std::string_view directory,
                                                       std::uint64_t count) {
    std::vector<ZipEntry> out;
    std::size_t at = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (directory.size() - at < kCentralSize || directory.substr(at, 4) != kCentral) {
            return zip_error(fmt::format("central directory entry {} is not one", i + 1));
        }
        const std::size_t name = le(directory, at + 28, 2);
        const std::size_t extra = le(directory, at + 30, 2);
        const std::size_t comment = le(directory, at + 32, 2);
        const std::size_t length = kCentralSize + name + extra + comment;
        if (directory.size() - at < length) {
            return zip_error(fmt::format("central directory entry {} is cut short", i + 1));
        }
        ZipEntry e;
        e.name = std::string(directory.substr(at + kCentralSize, name));
        e.local_offset = le(directory, at + 42, 4);
        const bool zip64 = le(directory, at + 20, 4) == 0xFFFFFFFF ||
                           le(directory, at + 24, 4) == 0xFFFFFFFF || e.local_offset == 0xFFFFFFFF;
        if (zip64) {
            return zip_error(fmt::format("'{}' has ZIP64 sizes", e.name));
        }
        e.record = std::string(directory.substr(at, length));
        out.push_back(std::move(e));
        at += length;
    }
    return out;
}

std::uint64_t local_end(const std::vector<ZipEntry>& entries, std::uint64_t directory_offset,
                        std::uint64_t offset) {
    if (offset >= directory_offset) {
        return 0;
    }
    std::uint64_t end = directory_offset;
    for (const auto& e : entries) {
        if (e.local_offset > offset && e.local_offset < end) {
            end = e.local_offset;
        }
    }
    return end;
}

std::string zip_of_entries(const std::vector<std::pair<const ZipEntry*, std::string_view>>& parts) {
    std::string out;
    std::vector<std::uint64_t> offsets;
    for (const auto& [entry, local] : parts) {
        offsets.push_back(out.size());
        out.append(local);
    }
    const std::uint64_t directory = out.size();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::size_t at = out.size();
        out.append(parts[i].first->record);
        put32(out, at + 42, offsets[i]);
    }
    const std::uint64_t size = out.size() - directory;
    out.append(kEnd);
    append(out, 0, 2); // this disk
    append(out, 0, 2); // the disk of the central directory
    append(out, parts.size(), 2);
    append(out, parts.size(), 2);
    append(out, size, 4);
    append(out, directory, 4);
    append(out, 0, 2); // no comment
    return out;
}

} // namespace qplug::solver::detail
