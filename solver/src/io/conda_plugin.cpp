// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/conda_plugin.hpp"

#include <memory>

#include <fmt/format.h>
#include <zip.h>

#include "errors.hpp"

namespace qplug::solver::detail {

namespace {

namespace fs = std::filesystem;

/// The paths find_plugin_module reads: a directory with its trailing slash.
std::vector<std::string> module_entries(const CondaPayload& payload) {
    std::vector<std::string> out;
    out.reserve(payload.files.size());
    for (const auto& f : payload.files) {
        out.push_back(f.type == CondaFile::Type::directory ? f.path + "/" : f.path);
    }
    return out;
}

bool is_compiled_cache(std::string_view path) {
    return path.ends_with(".pyc") || path.ends_with("/__pycache__") ||
           path.find("/__pycache__/") != std::string_view::npos;
}

Error refused(std::string message) {
    Error e = failure(std::move(message));
    e.kind = Error::Kind::refused;
    return e;
}

} // namespace

Expected<CondaPlugin> read_conda_plugin(const fs::path& package, const CondaArchiveLimits& limits) {
    // Only a top-level module's metadata.txt is kept ("x/metadata.txt").
    auto payload = read_conda_package(
        package,
        [](std::string_view path) {
            const std::size_t slash = path.find('/');
            return slash != std::string_view::npos && path.substr(slash + 1) == "metadata.txt";
        },
        limits);
    QPLUG_RETURN_IF_ERROR(payload);
    CondaPlugin out;
    out.module = find_plugin_module(module_entries(*payload));
    if (out.module.kind == PluginModule::Kind::plugin) {
        for (const auto& f : payload->files) {
            if (f.path == out.module.key + "/metadata.txt" && f.content) {
                out.metadata_txt = *f.content;
            }
        }
    }
    return out;
}

Expected<CondaPluginZip> write_conda_plugin_zip(const fs::path& package, const std::string& key,
                                                const fs::path& zip,
                                                const CondaArchiveLimits& limits) {
    const std::string prefix = key + "/";
    auto payload = read_conda_package(
        package, [&](std::string_view path) { return path.starts_with(prefix); }, limits);
    QPLUG_RETURN_IF_ERROR(payload);
    const PluginModule module = find_plugin_module(module_entries(*payload));
    if (module.kind != PluginModule::Kind::plugin) {
        return refused(fmt::format(
            "{}: {}", package.filename().string(),
            module.kind == PluginModule::Kind::none
                ? "not a QGIS plugin: no top-level module under site-packages has a metadata.txt"
                : module.why));
    }
    if (module.key != key) {
        return refused(fmt::format("{}: its plugin module is {}/, not {}/",
                                   package.filename().string(), module.key, key));
    }
    CondaPluginZip out;
    std::vector<std::string> caches;
    std::size_t outside = payload->outside;
    int error = 0;
    zip_t* za = zip_open(zip.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
    if (za == nullptr) {
        zip_error_t e;
        zip_error_init_with_code(&e, error);
        Error failed = io_failure(fmt::format("{}: {}", zip.string(), zip_error_strerror(&e)));
        zip_error_fini(&e);
        return failed;
    }
    std::unique_ptr<zip_t, decltype(&zip_discard)> guard(za, zip_discard);
    for (const auto& f : payload->files) {
        if (!f.path.starts_with(prefix)) {
            ++outside;
            continue;
        }
        if (is_compiled_cache(f.path)) {
            caches.push_back(f.path);
            continue;
        }
        if (f.type == CondaFile::Type::other) {
            return refused(fmt::format("{}: {} is a link or a special file, which a plugin "
                                       "folder must not hold",
                                       package.filename().string(), f.path));
        }
        const bool folder = f.type == CondaFile::Type::directory;
        zip_int64_t index = -1;
        if (folder) {
            index = zip_dir_add(za, f.path.c_str(), ZIP_FL_ENC_UTF_8);
        } else {
            const std::string& content = *f.content;
            zip_source_t* source = zip_source_buffer(za, content.data(), content.size(), 0);
            if (source != nullptr) {
                index = zip_file_add(za, f.path.c_str(), source, ZIP_FL_ENC_UTF_8);
                if (index < 0) {
                    zip_source_free(source);
                }
            }
        }
        if (index < 0) {
            return refused(fmt::format("{}: {} cannot be packed: {}", package.filename().string(),
                                       f.path, zip_strerror(za)));
        }
        const zip_uint32_t mode =
            folder ? (0040000u | 0755u) : (0100000u | (f.executable ? 0755u : 0644u));
        if (zip_file_set_external_attributes(za, static_cast<zip_uint64_t>(index), 0,
                                             ZIP_OPSYS_UNIX,
                                             (mode << 16) | (folder ? 0x10u : 0u)) != 0 ||
            (!folder && zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE,
                                                 0) != 0)) {
            return refused(
                fmt::format("{}: {}: {}", package.filename().string(), f.path, zip_strerror(za)));
        }
        if (!folder) {
            ++out.files;
        }
    }
    if (zip_close(za) != 0) {
        return io_failure(fmt::format("{}: {}", zip.string(), zip_strerror(za)));
    }
    guard.release();
    if (!caches.empty()) {
        out.notes.push_back(fmt::format("{} compiled caches left out (Python writes its own): {}",
                                        caches.size(), fmt::join(caches, ", ")));
    }
    if (outside > 0) {
        out.notes.push_back(fmt::format("{} entries of the conda package outside the folder {} "
                                        "left out (conda's records, the distribution's own)",
                                        outside, prefix));
    }
    return out;
}

} // namespace qplug::solver::detail
