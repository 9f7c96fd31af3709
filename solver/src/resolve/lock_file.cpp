// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/lock_file.hpp>

namespace qplug::solver {

using json = nlohmann::ordered_json;

Expected<LockFile> read_lock_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        Error e;
        e.what = "lock file";
        e.input = path;
        e.message = "cannot be read";
        return e;
    }
    const json j = json::parse(in, nullptr, false);
    auto bad = [&](const std::string& message) {
        Error e;
        e.kind = Error::Kind::invalid;
        e.what = "lock file";
        e.input = path;
        e.file = path;
        e.message = message;
        return e;
    };
    if (j.is_discarded() || !j.is_object()) {
        return bad("is not a JSON object");
    }
    if (j.value("lock_version", 0) != LockFile::kVersion) {
        return bad(fmt::format("has lock_version {}, this qplug reads version {}",
                               j.value("lock_version", 0), LockFile::kVersion));
    }
    try {
        LockFile lock;
        lock.qgis = j.at("qgis").get<std::string>();
        lock.python = j.at("python").get<std::string>();
        lock.platform = j.value("platform", std::string("linux"));
        lock.requests = j.at("requests").get<std::vector<std::string>>();
        for (const auto& p : j.at("packages")) {
            LockedPackage l;
            auto backend = backend_from_name(p.at("backend").get<std::string>());
            if (!backend) {
                return bad("names an unknown backend '" + p.at("backend").get<std::string>() + "'");
            }
            l.backend = *backend;
            l.name = p.at("name").get<std::string>();
            l.display_name = p.value("display_name", l.name);
            l.version = p.at("version").get<std::string>();
            l.repository = p.value("repository", std::string());
            l.download_url = p.value("download_url", std::string());
            l.hash = p.value("hash", std::string());
            lock.packages.push_back(std::move(l));
        }
        return lock;
    } catch (const json::exception& ex) {
        return bad(ex.what());
    }
}

namespace {

Error io_error(const std::string& path, std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.message = path + ": " + std::move(message);
    return e;
}

} // namespace

std::string lock_file_json(const LockFile& lock) {
    json packages = json::array();
    for (const auto& p : lock.packages) {
        packages.push_back({{"backend", backend_name(p.backend)},
                            {"name", p.name},
                            {"display_name", p.display_name},
                            {"version", p.version},
                            {"repository", p.repository},
                            {"download_url", redact_url(p.download_url)},
                            {"hash", p.hash}});
    }
    const json j = {{"lock_version", LockFile::kVersion},
                    {"generated_by", "qplug"},
                    {"qgis", lock.qgis},
                    {"python", lock.python},
                    {"platform", lock.platform},
                    {"requests", lock.requests},
                    {"packages", packages}};
    return j.dump(2);
}

Expected<void> write_lock_file(const std::string& path, const LockFile& lock) {
    // Written beside and renamed into place: a reader never sees half a lock file.
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << lock_file_json(lock) << '\n';
        if (!out) {
            return io_error(path, "cannot be written");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        return io_error(path, "cannot be written: " + ec.message());
    }
    return {};
}

std::vector<LockedPackage> resulting_packages(const Resolution& resolution) {
    std::vector<LockedPackage> out;
    for (const auto& s : resolution.installation) {
        LockedPackage p;
        p.backend = s.backend;
        p.name = s.name;
        p.display_name = s.display_name;
        p.version = s.version;
        p.repository = s.repository;
        p.download_url = s.download_url;
        p.hash = s.hash;
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace qplug::solver
