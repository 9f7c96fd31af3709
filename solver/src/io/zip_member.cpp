// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/zip_member.hpp"

#include <memory>

#include <fmt/format.h>
#include <zip.h>

#include "errors.hpp"

namespace qplug::solver::detail {

namespace {

using Archive = std::unique_ptr<zip_t, decltype(&zip_discard)>;

Expected<Archive> open_source(zip_source_t* source, zip_error_t& error, std::string_view what) {
    if (source == nullptr) {
        std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        return failure(fmt::format("{}: {}", what, why));
    }
    zip_t* za = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (za == nullptr) {
        std::string why = zip_error_strerror(&error);
        zip_source_free(source);
        zip_error_fini(&error);
        return failure(fmt::format("{}: not a ZIP file: {}", what, why));
    }
    zip_error_fini(&error);
    return Archive(za, zip_discard);
}

Expected<Archive> open_path(const std::filesystem::path& path) {
    zip_error_t error;
    zip_error_init(&error);
    return open_source(zip_source_file_create(path.c_str(), 0, -1, &error), error, path.string());
}

Expected<Archive> open_bytes(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    return open_source(zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error), error,
                       "archive");
}

Expected<std::string> member(zip_t* za, const std::function<bool(std::string_view)>& wanted,
                             std::size_t limit, std::string_view what) {
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const auto index = static_cast<zip_uint64_t>(i);
        const char* name = zip_get_name(za, index, ZIP_FL_ENC_RAW);
        if (name == nullptr || !wanted(name)) {
            continue;
        }
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, index, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
            return failure(fmt::format("{}: {} cannot be read", what, name));
        }
        if (st.size > limit) {
            return failure(fmt::format("{}: {} is bigger than {} bytes", what, name, limit));
        }
        std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(za, index, 0),
                                                                zip_fclose);
        if (!file) {
            return failure(fmt::format("{}: {} cannot be opened", what, name));
        }
        std::string out(static_cast<std::size_t>(st.size), '\0');
        if (zip_fread(file.get(), out.data(), st.size) != static_cast<zip_int64_t>(st.size)) {
            return failure(fmt::format("{}: {} cannot be read (a CRC error?)", what, name));
        }
        return out;
    }
    return failure(fmt::format("{}: the file it needs is not in it", what));
}

} // namespace

Expected<std::vector<std::string>> zip_entries(const std::filesystem::path& path) {
    auto za = open_path(path);
    QPLUG_RETURN_IF_ERROR(za);
    std::vector<std::string> out;
    const zip_int64_t n = zip_get_num_entries(za->get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        if (const char* name =
                zip_get_name(za->get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW)) {
            out.emplace_back(name);
        }
    }
    return out;
}

Expected<std::string> zip_member(const std::filesystem::path& path,
                                 const std::function<bool(std::string_view)>& wanted,
                                 std::size_t limit) {
    auto za = open_path(path);
    QPLUG_RETURN_IF_ERROR(za);
    return member(za->get(), wanted, limit, path.string());
}

Expected<std::string> zip_member(std::string_view zip_bytes,
                                 const std::function<bool(std::string_view)>& wanted,
                                 std::size_t limit) {
    auto za = open_bytes(zip_bytes);
    QPLUG_RETURN_IF_ERROR(za);
    return member(za->get(), wanted, limit, "archive");
}

} // namespace qplug::solver::detail
