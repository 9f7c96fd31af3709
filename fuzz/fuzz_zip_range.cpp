// A wheel's METADATA read from byte ranges (solver/src/io/zip_range.hpp): arbitrary bytes, taken
// as the last bytes of a ZIP, are read without crashing; what is read is rebuilt into a small
// ZIP whose own end record says what was put in, and which libzip opens.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_input.hpp"
#include "io/zip_member.hpp"
#include "io/zip_range.hpp"

using namespace qplug::solver::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto end = find_zip_end(bytes);
    if (!end || end->directory_offset < end->tail_offset) {
        return 0;
    }
    const std::uint64_t at = end->directory_offset - end->tail_offset;
    if (at > bytes.size() || end->directory_size > bytes.size() - at) {
        return 0;
    }
    auto entries = read_central_directory(bytes.substr(at, end->directory_size), end->entries);
    if (!entries) {
        return 0;
    }
    // Each entry's local bytes run to the next entry's, as the reader cuts them.
    std::vector<std::pair<const ZipEntry*, std::string_view>> parts;
    for (const auto& e : *entries) {
        const std::uint64_t next = local_end(*entries, end->directory_offset, e.local_offset);
        if (next == 0) {
            continue; // (regression-entry-after-directory: the reader once read past its list)
        }
        qplug::fuzz::require(next > e.local_offset && next <= end->directory_offset);
        if (e.local_offset < end->tail_offset) {
            continue;
        }
        parts.emplace_back(&e,
                           bytes.substr(e.local_offset - end->tail_offset, next - e.local_offset));
    }
    const std::string zip = zip_of_entries(parts);
    auto again = find_zip_end(zip);
    qplug::fuzz::require(again.has_value() && again->tail_offset == 0 &&
                         again->entries == parts.size());
    (void)zip_member(std::string_view(zip), [](std::string_view) { return true; });
    return 0;
}
