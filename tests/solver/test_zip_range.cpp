// A wheel's METADATA from byte ranges (solver/src/io/zip_range.hpp): the end record and central
// directory found in a ZIP's last bytes (with a comment, ZIP64), the wanted entries rebuilt
// into a small ZIP that libzip reads, and damaged ends refused.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zip.h>

#include "io/zip_member.hpp"
#include "io/zip_range.hpp"

namespace {

using namespace qplug::solver::detail;

/// A ZIP written by libzip: (name, content) entries, deflated, and a comment.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files,
                     const std::string& comment = "") {
    const auto path = std::filesystem::path(testing::TempDir()) / "qplug-zip-range.zip";
    std::filesystem::remove(path);
    int error = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    EXPECT_NE(z, nullptr);
    for (const auto& [name, content] : files) {
        zip_source_t* s = zip_source_buffer(z, content.data(), content.size(), 0);
        EXPECT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8), 0);
    }
    if (!comment.empty()) {
        zip_set_archive_comment(z, comment.data(), static_cast<zip_uint16_t>(comment.size()));
    }
    EXPECT_EQ(zip_close(z), 0);
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// What the ranged reader does with the last `tail` bytes of `zip`: the named entry's content.
std::string read_from_tail(const std::string& zip, std::size_t tail, const std::string& wanted) {
    const std::string_view last =
        std::string_view(zip).substr(zip.size() - std::min(tail, zip.size()));
    auto end = find_zip_end(last);
    EXPECT_TRUE(end) << end.error().message;
    if (!end) {
        return {};
    }
    EXPECT_EQ(end->tail_offset, zip.size() - last.size());
    // The directory and the entry come from the whole file, as further ranges would.
    auto entries = read_central_directory(
        std::string_view(zip).substr(end->directory_offset, end->directory_size), end->entries);
    EXPECT_TRUE(entries);
    for (const auto& e : *entries) {
        if (e.name != wanted) {
            continue;
        }
        const auto next = local_end(*entries, end->directory_offset, e.local_offset);
        EXPECT_GT(next, e.local_offset);
        const std::string small = zip_of_entries(
            {{&e, std::string_view(zip).substr(e.local_offset, next - e.local_offset)}});
        auto content =
            zip_member(std::string_view(small), [&](std::string_view n) { return n == wanted; });
        EXPECT_TRUE(content) << content.error().message;
        return content ? *content : std::string();
    }
    ADD_FAILURE() << wanted << " is not in the central directory";
    return {};
}

const std::string kMetadata = "Metadata-Version: 2.1\nName: a\nVersion: 1.0\n\n";

TEST(ZipRange, ReadsTheMetadataOfAWheelFromItsEnd) {
    std::string big(300000, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 7919U) >> 3); // poorly compressible
    }
    const std::string wheel = make_zip({{"a/__init__.py", big},
                                        {"a-1.0.dist-info/METADATA", kMetadata},
                                        {"a-1.0.dist-info/RECORD", ""}});
    EXPECT_EQ(read_from_tail(wheel, 4096, "a-1.0.dist-info/METADATA"), kMetadata);
    EXPECT_EQ(read_from_tail(wheel, wheel.size(), "a/__init__.py"), big);
}

TEST(ZipRange, FindsTheEndRecordBeforeAComment) {
    const std::string wheel =
        make_zip({{"a-1.0.dist-info/METADATA", kMetadata}}, std::string(1000, 'c'));
    EXPECT_EQ(read_from_tail(wheel, 1200, "a-1.0.dist-info/METADATA"), kMetadata);
}

TEST(ZipRange, ReadsZip64EndRecords) {
    // More than 65535 entries: libzip writes the ZIP64 end record and its locator.
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < 65600; ++i) {
        files.emplace_back("a/" + std::to_string(i), "");
    }
    files.emplace_back("a-1.0.dist-info/METADATA", kMetadata);
    const std::string wheel = make_zip(files);
    auto end = find_zip_end(std::string_view(wheel).substr(wheel.size() - 200));
    ASSERT_TRUE(end) << end.error().message;
    EXPECT_EQ(end->entries, 65601U);
    EXPECT_EQ(read_from_tail(wheel, 200, "a-1.0.dist-info/METADATA"), kMetadata);
}

TEST(ZipRange, RefusesWhatIsNotTheEndOfAZip) {
    const std::string wheel = make_zip({{"a-1.0.dist-info/METADATA", kMetadata}});
    EXPECT_FALSE(find_zip_end("not a zip at all, just text"));
    EXPECT_FALSE(find_zip_end(wheel.substr(0, wheel.size() - 1))); // the record cut short
    std::string lying = wheel; // a directory that would end before the bytes given start
    std::fill(lying.end() - 10, lying.end() - 2, '\0');
    EXPECT_FALSE(find_zip_end(lying));
    auto end = find_zip_end(wheel);
    ASSERT_TRUE(end);
    EXPECT_FALSE(read_central_directory(
        std::string_view(wheel).substr(end->directory_offset, end->directory_size - 1), 1));
    EXPECT_FALSE(read_central_directory("PK\x01\x02 too short", 1));
}

TEST(ZipRange, AnEntryThatDoesNotStartBeforeTheDirectoryHasNoBytes) {
    // (fuzz_zip_range's regression-entry-after-directory: the ranged reader looked past the
    // end of its list of entry offsets.)
    std::vector<ZipEntry> entries(2);
    entries[0].local_offset = 0;
    entries[1].local_offset = 500;
    EXPECT_EQ(local_end(entries, 300, 0), 300U);
    EXPECT_EQ(local_end(entries, 600, 0), 500U);
    EXPECT_EQ(local_end(entries, 300, 500), 0U);
    EXPECT_EQ(local_end(entries, 300, 300), 0U);
}

} // namespace
