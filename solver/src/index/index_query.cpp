// Reading the index: search, releases by name, installed releases.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/versions.hpp>

#include "index/dependency_json.hpp"
#include "index/index_impl.hpp"
#include "index/shared_metadata.hpp"

namespace qplug::solver {

namespace {

std::string like_pattern(std::string_view text) {
    std::string out = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    out.push_back('%');
    return out;
}

Backend backend_of(std::string_view repository_backend, std::string_view owner) {
    if (auto b = backend_from_name(repository_backend)) {
        return *b;
    }
    return backend_from_name(owner).value_or(Backend::legacy);
}

constexpr std::string_view kReleaseColumns =
    "r.id, r.repository_id, repo.name, repo.kind, repo.priority, repo.backend, r.owner, p.name, "
    "p.display_name, "
    "p.summary, r.version, r.channel, r.deprecated, r.trusted, r.qgis_minimum, r.qgis_maximum, "
    "r.requires_python, r.download_url, r.file_name, r.size, r.hash, r.build, r.build_number, "
    "r.subdir, r.update_date, r.metadata, r.dependencies_known, r.path, r.dependencies_json, "
    "r.metadata_shared, p.metadata, r.modules_json";

/// A release's metadata from its row: whole, or its patch over its package's (schema 5).
std::string release_metadata(std::string_view stored, bool shared, std::string_view base) {
    if (!shared) {
        return std::string(stored);
    }
    // The releases of a package are mostly read one after another: its metadata is split
    // into members once for all of them.
    thread_local std::string cached_base;
    thread_local std::vector<JsonMember> cached_members;
    if (cached_base != base || (cached_members.empty() && base != "{}")) {
        cached_base.assign(base);
        auto members = object_members(cached_base);
        cached_members = members ? std::move(*members) : std::vector<JsonMember>{};
    }
    return apply_metadata_patch(cached_members, stored);
}

ReleaseRecord read_release(const sql::Statement& st) {
    ReleaseRecord rec;
    rec.id = st.integer(0);
    rec.repository_id = st.integer(1);
    rec.repository = st.text(2);
    rec.kind = st.text(3);
    rec.priority = static_cast<int>(st.integer(4));
    rec.backend = backend_of(st.text(5), st.text(6));
    rec.package = st.text(7);
    rec.display_name = st.text(8);
    rec.summary = st.text(9);
    Release& r = rec.release;
    r.version = st.text(10);
    r.channel = st.text(11) == "experimental" ? Channel::experimental : Channel::stable;
    r.deprecated = st.integer(12) != 0;
    r.trusted = st.integer(13) != 0;
    r.qgis_minimum = st.text(14);
    r.qgis_maximum = st.text(15);
    r.requires_python = st.text(16);
    r.download_url = st.text(17);
    r.file_name = st.text(18);
    if (auto size = st.optional_integer(19)) {
        r.size = static_cast<std::uint64_t>(*size);
    }
    r.hash = st.text(20);
    r.build = st.text(21);
    r.build_number = st.optional_integer(22);
    r.subdir = st.text(23);
    r.update_date = st.text(24);
    r.metadata_json = release_metadata(st.text(25), st.integer(29) != 0, st.text(30));
    r.dependencies_known = st.integer(26) != 0;
    r.path = st.text(27);
    if (auto dependencies = dependencies_from_json(st.text(28))) {
        r.dependencies = std::move(*dependencies);
    } else {
        r.dependencies_known = false; // a damaged list: as if never read, so it is read again
    }
    if (auto modules = modules_from_json(st.text(31))) {
        r.modules = std::move(*modules);
    } else {
        r.dependencies_known = false; // read again with the dependencies
    }
    r.owner = backend_from_name(st.text(6)).value_or(Backend::legacy);
    return rec;
}

std::vector<ReleaseRecord> query_releases(const sql::Database& db, const std::string& where,
                                          std::string_view argument) {
    std::vector<ReleaseRecord> out;
    auto st = db.query(
        fmt::format("SELECT {} FROM releases r JOIN packages p ON p.id = r.package_id "
                    "JOIN repositories repo ON repo.id = r.repository_id WHERE {} ORDER BY r.id",
                    kReleaseColumns, where));
    if (!argument.empty()) {
        st.bind(1, argument);
    }
    while (st.next_row("the releases")) {
        out.push_back(read_release(st));
    }
    return out;
}

} // namespace

std::vector<PackageSummary> Index::search(std::string_view text) const {
    std::vector<PackageSummary> out;
    auto st = impl_->db.query(
        "SELECT p.id, repo.name, repo.kind, repo.backend, p.name, p.display_name, p.summary, "
        "(SELECT group_concat(version, char(31)) FROM releases WHERE package_id = p.id), "
        "(SELECT min(owner) FROM releases WHERE package_id = p.id) "
        "FROM packages p JOIN repositories repo ON repo.id = p.repository_id "
        "WHERE repo.enabled AND (?1 = '%%' OR p.name LIKE ?1 ESCAPE '\\' OR p.display_name LIKE "
        "?1 ESCAPE '\\' OR p.summary LIKE ?1 ESCAPE '\\' OR p.keywords LIKE ?1 ESCAPE '\\') "
        "ORDER BY p.display_name COLLATE NOCASE, repo.priority DESC, repo.name");
    st.bind(1, like_pattern(text));
    while (st.next_row("the packages")) {
        PackageSummary s;
        s.id = st.integer(0);
        s.repository = st.text(1);
        s.kind = st.text(2);
        s.backend = backend_of(st.text(3), st.text(8));
        s.name = st.text(4);
        s.display_name = st.text(5);
        s.summary = st.text(6);
        std::string_view all = st.text(7);
        while (!all.empty()) {
            const std::size_t sep = all.find('\x1f');
            s.versions.emplace_back(all.substr(0, sep));
            all.remove_prefix(sep == std::string_view::npos ? all.size() : sep + 1);
        }
        s.release_count = s.versions.size();
        sort_versions(s.backend, s.versions);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<ReleaseRecord> Index::releases_named(std::string_view name) const {
    return query_releases(impl_->db,
                          "repo.enabled AND (p.name = ?1 COLLATE NOCASE OR p.display_name = ?1 "
                          "COLLATE NOCASE)",
                          name);
}

std::optional<ReleaseRecord> Index::release(std::int64_t id) const {
    auto found = query_releases(impl_->db, "r.id = ?1", std::to_string(id));
    if (found.empty()) {
        return std::nullopt;
    }
    return std::move(found.front());
}

std::vector<ReleaseRecord> Index::available() const {
    std::vector<ReleaseRecord> out;
    auto st = impl_->db.query(
        fmt::format("SELECT {} FROM releases r JOIN packages p ON p.id = r.package_id "
                    "JOIN repositories repo ON repo.id = r.repository_id "
                    "WHERE repo.enabled AND repo.kind != 'installed' ORDER BY r.id",
                    kReleaseColumns));
    while (st.next_row("the releases")) {
        out.push_back(read_release(st));
    }
    return out;
}

std::vector<ReleaseRecord> Index::installed() const {
    return query_releases(impl_->db, "repo.kind = 'installed' AND repo.enabled", {});
}

std::vector<std::string> Index::listing_unread(std::string_view pip_name) const {
    std::vector<std::string> out;
    auto st = impl_->db.query(
        "SELECT repo.name FROM packages p JOIN repositories repo ON repo.id = p.repository_id "
        "WHERE p.name = ?1 COLLATE NOCASE AND repo.enabled AND repo.kind = 'pip' AND NOT EXISTS "
        "(SELECT 1 FROM releases r WHERE r.package_id = p.id) ORDER BY repo.priority DESC, "
        "repo.name");
    st.bind(1, pip_name);
    while (st.next_row("the pip listings")) {
        out.emplace_back(st.text(0));
    }
    return out;
}

} // namespace qplug::solver
