// SPDX-License-Identifier: GPL-2.0-or-later
#include "static_repository.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/meta/model.hpp>
#include <qplug/meta/package.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/qgis.hpp>

#include "diagnostics_output.hpp"

namespace qplug::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr std::string_view kRecord = ".qplug-repository.json";
constexpr int kRecordVersion = 1;

Error repo_error(const fs::path& path, std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.what = "repository";
    e.input = path.string();
    e.message = std::move(message);
    return e;
}

/// django.utils.html.escape, which the site's template applies to every value.
std::string html_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#x27;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

/// How the site stores a QGIS version (QGVersionZeroForcedField): padded to three parts with
/// zeros, cut to three, leading zeros of each part dropped.
std::string stored_qgis_version(std::string_view v) {
    if (v.empty()) {
        return {};
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = v.find('.', start);
        parts.emplace_back(v.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    while (parts.size() < 3) {
        parts.emplace_back("0");
    }
    parts.resize(3);
    std::string out;
    for (auto& p : parts) {
        if (p.empty()) {
            continue; // vjust's "###", which to_python drops with its dot
        }
        std::size_t zeros = 0;
        while (zeros + 1 < p.size() && p[zeros] == '0' && p[zeros + 1] != '-') {
            ++zeros;
        }
        out += (out.empty() ? "" : ".") + p.substr(zeros);
    }
    return out;
}

/// The site's clean_version: what follows the last space after the first character.
std::string stored_version(std::string_view v) {
    const std::size_t space = v.rfind(' ');
    return std::string(space != std::string_view::npos && space > 0 ? v.substr(space + 1) : v);
}

std::string iso_date(std::int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string file_url(const fs::path& folder) {
    std::string out = "file://";
    for (const char c : fs::absolute(folder).lexically_normal().string()) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", b);
        }
    }
    return out;
}

/// What plugins.xml says of one release, taken from its ZIP once and kept in the record.
json release_of(const meta::PackageReport& report, const std::string& sha256, std::uint64_t size,
                std::int64_t date) {
    const meta::Metadata m = meta::make_metadata(*report.metadata);
    const auto get = [&](std::string_view key) {
        const auto v = report.metadata->get(key);
        return v ? std::string(unicode::strip(*v)) : std::string();
    };
    std::string tags;
    std::set<std::string> seen;
    for (const auto& t : m.tag_list) {
        if (seen.insert(t).second) {
            tags += (tags.empty() ? "" : ",") + t;
        }
    }
    std::string maximum = stored_qgis_version(m.qgis_maximum_version.value_or(""));
    if (maximum.empty()) {
        // The site's default: the minimum's first part, then .99
        const std::string min(m.qgis_minimum_version);
        maximum = stored_qgis_version(min.substr(0, min.find('.')) + ".99");
    }
    return {{"package", report.package_name},
            {"name", get("name")},
            {"version", stored_version(get("version"))},
            {"description", get("description")},
            {"about", get("about")},
            {"qgis_minimum_version", stored_qgis_version(m.qgis_minimum_version)},
            {"qgis_maximum_version", maximum},
            {"homepage", get("homepage")},
            {"author_name", get("author")},
            {"experimental", m.experimental.site},
            {"deprecated", m.deprecated.site},
            {"server", m.server.site},
            {"tracker", get("tracker")},
            {"repository", get("repository")},
            {"tags", tags},
            {"plugin_dependencies", get("plugin_dependencies")},
            {"icon", m.icon},
            {"date", date},
            {"sha256", sha256},
            {"size", size}};
}

/// The icon's file in OUTDIR: icons/<the ZIP's sha256, 16 digits>.<extension>.
std::string icon_file(const json& release) {
    std::string icon = release["icon"].get<std::string>();
    const std::size_t slash = icon.rfind('/');
    const std::size_t dot = icon.rfind('.');
    std::string ext = dot != std::string::npos && (slash == std::string::npos || dot > slash)
                          ? icon.substr(dot + 1)
                          : std::string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    if (ext.empty() || ext.size() > 5 || !std::all_of(ext.begin(), ext.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        })) {
        ext = "img";
    }
    return "icons/" + release["sha256"].get<std::string>().substr(0, 16) + "." + ext;
}

std::string file_name_of(const json& release) {
    return release["package"].get<std::string>() + "." + release["version"].get<std::string>() +
           ".zip";
}

/// One <pyqgis_plugin> as the site's template (plugins/templates/plugins/plugins.xml) writes
/// it, without plugin_id (see docs/packages.md), then qplug's extra elements.
std::string plugin_element(const json& r, const std::string& base_url, bool has_icon,
                           std::int64_t created) {
    auto text = [&](const char* key) { return html_escape(r[key].get<std::string>()); };
    auto flag = [&](const char* key) { return r[key].get<bool>() ? "True" : "False"; };
    std::string out;
    out += "<pyqgis_plugin name=\"" + text("name") + "\" version=\"" + text("version") + "\">\n";
    out += "        <description><![CDATA[" + text("description") + "]]></description>\n";
    out += "        <about>" +
           (r["about"].get<std::string>().empty() ? "" : "<![CDATA[" + text("about") + "]]>") +
           "</about>\n";
    out += "        <trusted>False</trusted>\n";
    out += "        <qgis_minimum_version>" + text("qgis_minimum_version") +
           "</qgis_minimum_version>\n";
    out += "        <qgis_maximum_version>" + text("qgis_maximum_version") +
           "</qgis_maximum_version>\n";
    out += "        <homepage><![CDATA[" + text("homepage") + "]]></homepage>\n";
    out += "        <file_name>" + html_escape(file_name_of(r)) + "</file_name>\n";
    out += "        <icon>" + (has_icon ? html_escape(base_url + icon_file(r)) : "") + "</icon>\n";
    out += "        <author_name><![CDATA[" + text("author_name") + "]]></author_name>\n";
    out += "        <download_url>" + html_escape(base_url + file_name_of(r)) + "</download_url>\n";
    out += "        <uploaded_by><![CDATA[]]></uploaded_by>\n";
    out += "        <create_date>" + iso_date(created) + "</create_date>\n";
    out += "        <update_date>" + iso_date(r["date"].get<std::int64_t>()) + "</update_date>\n";
    out += std::string("        <experimental>") + flag("experimental") + "</experimental>\n";
    out += std::string("        <deprecated>") + flag("deprecated") + "</deprecated>\n";
    out += "        <tracker><![CDATA[" + text("tracker") + "]]></tracker>\n";
    out += "        <repository><![CDATA[" + text("repository") + "]]></repository>\n";
    out += "        <tags><![CDATA[" + text("tags") + "]]></tags>\n";
    out += "        <downloads>0</downloads>\n";
    out += "        <average_vote>0.0</average_vote>\n";
    out += "        <rating_votes>0</rating_votes>\n";
    out += "        <external_dependencies></external_dependencies>\n";
    out += std::string("        <server>") + flag("server") + "</server>\n";
    out +=
        "        <plugin_dependencies>" + text("plugin_dependencies") + "</plugin_dependencies>\n";
    out +=
        "        <file_size>" + std::to_string(r["size"].get<std::uint64_t>()) + "</file_size>\n";
    out += "        <file_sha256>" + text("sha256") + "</file_sha256>\n";
    out += "    </pyqgis_plugin>";
    return out;
}

/// Writes through a temporary file and a rename; unchanged content is not rewritten.
Expected<bool> write_if_changed(const fs::path& path, std::string_view content) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == content.size()) {
        std::ifstream in(path, std::ios::binary);
        std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (old == content) {
            return false;
        }
    }
    const fs::path tmp = path.string() + ".qplug-tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out || !out.write(content.data(), static_cast<std::streamsize>(content.size())) ||
            !out.flush()) {
            fs::remove(tmp, ec);
            return repo_error(path, "cannot be written");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return repo_error(path, "cannot be written: " + ec.message());
    }
    return true;
}

Expected<void> copy_into(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    const fs::path tmp = to.string() + ".qplug-tmp";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) {
        fs::permissions(tmp,
                        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read,
                        ec);
    }
    if (!ec) {
        fs::rename(tmp, to, ec);
    }
    if (ec) {
        fs::remove(tmp, ec);
        return repo_error(to, "cannot be written: " + ec.message());
    }
    return {};
}

std::int64_t mtime_ns(const fs::path& p) {
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    return ec ? 0
              : static_cast<std::int64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch())
                        .count());
}

} // namespace

Expected<StaticRepositoryReport> build_static_repository(const StaticRepositoryOptions& o) {
    std::error_code ec;
    if (!fs::is_directory(o.source, ec)) {
        return repo_error(o.source, "is not a folder");
    }
    fs::create_directories(o.output / "icons", ec);
    if (ec) {
        return repo_error(o.output, "cannot be created: " + ec.message());
    }
    std::string base = o.base_url.empty() ? file_url(o.output) : o.base_url;
    if (base.back() != '/') {
        base += '/';
    }

    // The previous run's record: per source ZIP its size, time and what was learnt from it.
    json record = json::object();
    {
        std::ifstream in(o.output / kRecord);
        if (in) {
            record = json::parse(in, nullptr, false);
        }
        if (!record.is_object() || record.value("version", 0) != kRecordVersion ||
            record.value("profile", "") != meta::profile_name(o.profile)) {
            record = json::object(); // unknown or made under another profile: read all again
        }
    }
    const json previous = record.value("zips", json::object());
    const std::vector<std::string> previously_written =
        record.value("written", std::vector<std::string>{});

    std::vector<fs::path> zips;
    for (fs::directory_iterator it(o.source, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".zip") {
            zips.push_back(it->path());
        }
    }
    if (ec) {
        return repo_error(o.source, "cannot be read: " + ec.message());
    }
    std::sort(zips.begin(), zips.end());

    StaticRepositoryReport report;
    json current = json::object();
    std::vector<std::pair<json, fs::path>> releases; // accepted ones
    for (const auto& zip : zips) {
        const std::string name = zip.filename().string();
        const auto size = fs::file_size(zip, ec);
        const std::int64_t mtime = mtime_ns(zip);
        json entry;
        if (previous.contains(name) && previous[name].value("size", std::uint64_t{0}) == size &&
            previous[name].value("mtime_ns", std::int64_t{0}) == mtime) {
            entry = previous[name];
            ++report.reused;
        } else {
            ++report.read;
            entry = {{"size", size}, {"mtime_ns", mtime}};
            meta::PackageOptions po;
            po.profile = o.profile;
            auto checked = meta::check_package_file(zip, po);
            if (!checked) {
                entry["refused"] = checked.error().message;
            } else if (!checked->valid() || !checked->metadata ||
                       checked->metadata->general() == nullptr) {
                entry["refused"] = "";
                entry["diagnostics"] = diagnostics_json(checked->diagnostics);
            } else {
                auto sha = solver::file_digest_hex(zip, solver::DigestAlgorithm::sha256);
                if (!sha) {
                    entry["refused"] = sha.error().message;
                } else {
                    json release = release_of(*checked, *sha, size,
                                              meta::newest_entry_time(zip).value_or(315532800));
                    const std::string pkg = release["package"];
                    const std::string version = release["version"];
                    if (pkg.find('.') != std::string::npos) {
                        entry["refused"] = "its folder name '" + pkg +
                                           "' has a '.': QGIS takes the plugin's folder from "
                                           "the file name up to the first '.'";
                    } else if (version.empty() ||
                               version.find_first_of("/\\") != std::string::npos) {
                        entry["refused"] =
                            "its version '" + version + "' cannot be part of a file name";
                    } else {
                        entry["release"] = std::move(release);
                        // The icon, when the ZIP has it (the site ignores a missing one too).
                        std::string icon = entry["release"]["icon"];
                        if (icon.starts_with("./")) {
                            icon.erase(0, 2);
                        }
                        if (!icon.empty()) {
                            auto bytes = meta::read_package_entry(zip, pkg + "/" + icon);
                            entry["has_icon"] = bytes.has_value();
                        } else {
                            entry["has_icon"] = false;
                        }
                    }
                }
            }
        }
        current[name] = entry;
        if (entry.contains("refused")) {
            RefusedPackage r{name, entry["refused"].get<std::string>(), {}};
            if (entry.contains("diagnostics")) {
                for (const auto& d : entry["diagnostics"]) {
                    meta::Diagnostic diag;
                    if (const auto* rule = meta::find_rule(d["rule"].get<std::string>())) {
                        diag.rule = rule->id;
                        diag.hint = rule->hint;
                    }
                    const std::string severity = d["severity"];
                    diag.severity = severity == "error"     ? meta::Severity::error
                                    : severity == "warning" ? meta::Severity::warning
                                                            : meta::Severity::info;
                    diag.file = d["file"];
                    diag.line = d["line"];
                    diag.column = d["column"];
                    diag.message = d["message"];
                    r.diagnostics.push_back(std::move(diag));
                }
            }
            report.refused.push_back(std::move(r));
            continue;
        }
        releases.emplace_back(entry["release"], zip);
    }

    // One release per plugin folder and version: the first ZIP (in name order) wins.
    std::map<std::string, std::string> taken; // file name -> ZIP
    std::vector<std::pair<json, fs::path>> unique;
    for (auto& [release, zip] : releases) {
        const std::string file = file_name_of(release);
        if (auto [it, fresh] = taken.emplace(file, zip.filename().string()); !fresh) {
            report.refused.push_back({zip.filename().string(),
                                      "the same plugin folder and version as " + it->second,
                                      {}});
            continue;
        }
        unique.emplace_back(std::move(release), zip);
    }
    // Each plugin's releases together, oldest first: QGIS keeps the last compatible stable and
    // experimental entry of a plugin in document order.
    std::sort(unique.begin(), unique.end(), [](const auto& a, const auto& b) {
        const std::string pa = a.first["package"], pb = b.first["package"];
        if (pa != pb) {
            return pa < pb;
        }
        const std::string ka =
            version::qgis::sort_key(a.first["version"].template get<std::string>());
        const std::string kb =
            version::qgis::sort_key(b.first["version"].template get<std::string>());
        return ka != kb ? ka < kb : file_name_of(a.first) < file_name_of(b.first);
    });
    std::map<std::string, std::int64_t> created; // per plugin: its oldest release's date
    for (const auto& [release, zip] : unique) {
        const std::string pkg = release["package"];
        const std::int64_t date = release["date"];
        if (auto it = created.find(pkg); it == created.end() || date < it->second) {
            created[pkg] = date;
        }
    }

    // The files: ZIPs and icons beside plugins.xml, copied only when new or changed.
    std::vector<std::string> written;
    std::string xml = "<?xml version = '1.0' encoding = 'UTF-8'?>\n<plugins>\n    ";
    for (std::size_t i = 0; i < unique.size(); ++i) {
        const auto& [release, zip] = unique[i];
        const std::string file = file_name_of(release);
        const std::string name = zip.filename().string();
        const bool has_icon = current[name].value("has_icon", false);
        const fs::path target = o.output / file;
        const auto digest =
            fs::is_regular_file(target, ec) && fs::file_size(target, ec) == release["size"]
                ? solver::file_digest_hex(target, solver::DigestAlgorithm::sha256)
                : Expected<std::string>(std::string());
        if (!digest || *digest != release["sha256"]) {
            if (auto ok = copy_into(zip, target); !ok) {
                return ok.error();
            }
        }
        written.push_back(file);
        if (has_icon) {
            const std::string icon_name = icon_file(release);
            const fs::path icon_path = o.output / icon_name;
            if (!fs::is_regular_file(icon_path, ec)) {
                std::string icon = release["icon"];
                if (icon.starts_with("./")) {
                    icon.erase(0, 2);
                }
                auto bytes = meta::read_package_entry(zip, release["package"].get<std::string>() +
                                                               "/" + icon);
                if (bytes) {
                    if (auto ok = write_if_changed(icon_path, *bytes); !ok) {
                        return ok.error();
                    }
                }
            }
            written.push_back(icon_name);
        }
        xml += plugin_element(release, base, has_icon, created[release["package"]]);
        report.listed.push_back(file);
    }
    xml += "\n</plugins>\n";
    auto changed = write_if_changed(o.output / "plugins.xml", xml);
    if (!changed) {
        return changed.error();
    }
    report.changed = *changed;

    // What an earlier run wrote and this one does not: removed (and nothing else).
    const std::set<std::string> keep(written.begin(), written.end());
    for (const auto& old : previously_written) {
        if (keep.count(old) == 0 && old.find("..") == std::string::npos) {
            fs::remove(o.output / old, ec);
        }
    }
    json next = {{"version", kRecordVersion},
                 {"profile", meta::profile_name(o.profile)},
                 {"written", written},
                 {"zips", current}};
    if (auto ok = write_if_changed(o.output / kRecord, next.dump(1) + "\n"); !ok) {
        return ok.error();
    }
    return report;
}

} // namespace qplug::cli
