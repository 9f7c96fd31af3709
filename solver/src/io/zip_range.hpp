// Reading a few entries of a remote ZIP (a wheel's METADATA) from byte ranges, as pip's lazy
// wheel does: the end of central directory and the central directory from the file's last
// bytes, then only the entries wanted. Pure functions over bytes; fetching is the caller's.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

/// Where a ZIP's central directory is, read from the last bytes of the file.
struct ZipEnd {
    std::uint64_t directory_offset = 0; ///< absolute offset of the central directory
    std::uint64_t directory_size = 0;
    std::uint64_t entries = 0;
    /// Absolute offset of the first byte of `tail` (so tail[i] is byte tail_offset + i).
    std::uint64_t tail_offset = 0;
};

/// Finds the end of central directory record (ZIP64 too) in `tail`, the file's last bytes.
/// The central directory is taken to end where that record (or the ZIP64 one) starts, as
/// every writer puts it; an error when no consistent record is found.
Expected<ZipEnd> find_zip_end(std::string_view tail);

/// One central directory entry.
struct ZipEntry {
    std::string name;
    std::uint64_t local_offset = 0;
    std::string record; ///< the entry's central directory record, as written
};

/// The entries of a central directory (exactly `directory` bytes, `count` entries). Entries
/// whose sizes or offset are in a ZIP64 extra field are an error (no wheel's METADATA needs
/// them).
Expected<std::vector<ZipEntry>> read_central_directory(std::string_view directory,
                                                       std::uint64_t count);

/// Where the local bytes of the entry at `offset` end: at the next entry's local header, or at
/// the central directory. 0 when the entry does not start before the directory (a damaged or
/// hostile archive).
std::uint64_t local_end(const std::vector<ZipEntry>& entries, std::uint64_t directory_offset,
                        std::uint64_t offset);

/// A ZIP of a few entries: each one's local bytes (its local header up to the next entry's)
/// followed by their central directory records with the offsets changed, and an end record.
/// What libzip reads to decompress them.
std::string zip_of_entries(const std::vector<std::pair<const ZipEntry*, std::string_view>>& parts);

} // namespace qplug::solver::detail
