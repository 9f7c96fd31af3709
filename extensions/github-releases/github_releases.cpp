// The "github-releases" repository kind, an extension library (docs/index-sources.md, "Kinds
// from extensions"): the repository's URL serves a GitHub-style releases listing
// ([{"tag_name", "prerelease", "draft", "published_at", "assets": [{"name",
// "browser_download_url", "size"}]}], as api.github.com/repos/OWNER/REPO/releases does), and
// each plugin ZIP among the assets becomes a release. It uses nothing of qplug but its C ABI:
// the listing and the ZIPs are fetched through the sync (qplug's limits, proxies and
// cancellation), each ZIP is checked with qplug_package_check as QGIS needs it, and handed
// to the index with qplug_source_sync_add_plugin_archive.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include <nlohmann/json.hpp>

#include <qplug.h>

namespace {

using json = nlohmann::json;

constexpr const char* kSchema = R"json({
  "include_prereleases": {"type": "boolean",
                          "summary": "also read releases marked prerelease, as experimental"},
  "asset_suffix": {"type": "string",
                   "summary": "the assets to read: names ending so (default .zip)"}
})json";

/// The body at `url`, or false after the sync was told why not.
bool fetch(qplug_source_sync* sync, const std::string& url, std::string& body) {
    char* data = nullptr;
    size_t size = 0;
    if (qplug_source_sync_fetch(&data, &size, sync, url.c_str()) != QPLUG_OK) {
        qplug_source_sync_fail(sync, qplug_error_last()->message);
        return false;
    }
    body.assign(data, size);
    qplug_free(data);
    return true;
}

/// The first error qplug_package_check found in the ZIP, or "" when QGIS would install it.
std::string refusal(const std::string& zip) {
    qplug_package_options options = QPLUG_PACKAGE_OPTIONS_INIT;
    options.profile = QPLUG_PROFILE_QGIS; // what QGIS's installer needs, not the site's rules
    qplug_package* package = nullptr;
    if (qplug_package_check(&package, zip.data(), zip.size(), &options) != QPLUG_OK) {
        return qplug_error_last()->message;
    }
    std::string why;
    const qplug_diagnostics* diagnostics = qplug_package_diagnostics(package);
    for (size_t i = 0; i < qplug_diagnostics_count(diagnostics) && why.empty(); ++i) {
        if (qplug_diagnostic_severity(diagnostics, i) == QPLUG_SEVERITY_ERROR) {
            why = std::string(qplug_diagnostic_message(diagnostics, i)) + " [" +
                  qplug_diagnostic_rule(diagnostics, i) + "]";
        }
    }
    qplug_package_free(package);
    return why;
}

std::string text(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int sync_releases(qplug_source_sync* sync, const char* url, const char* options_json) {
    const json options = json::parse(options_json); // (checked against kSchema by qplug)
    const bool prereleases = options.value("include_prereleases", false);
    const std::string suffix = options.value("asset_suffix", std::string(".zip"));
    std::string body;
    if (!fetch(sync, url, body)) {
        return 1;
    }
    const json listing = json::parse(body, nullptr, false);
    if (listing.is_discarded() || !listing.is_array()) {
        const std::string message =
            std::string(url) + ": not a releases listing (a JSON array of releases)";
        qplug_source_sync_fail(sync, message.c_str());
        return 1;
    }
    for (const auto& release : listing) {
        if (!release.is_object() || release.value("draft", false)) {
            continue;
        }
        const bool prerelease = release.value("prerelease", false);
        if (prerelease && !prereleases) {
            continue;
        }
        const auto assets = release.find("assets");
        if (assets == release.end() || !assets->is_array()) {
            continue;
        }
        for (const auto& asset : *assets) {
            const std::string name = asset.is_object() ? text(asset, "name") : "";
            const std::string download =
                asset.is_object() ? text(asset, "browser_download_url") : "";
            if (name.size() < suffix.size() ||
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
                download.empty()) {
                continue;
            }
            std::string zip;
            if (!fetch(sync, download, zip)) {
                return 1;
            }
            const auto size = asset.find("size");
            if (size != asset.end() && size->is_number_unsigned() &&
                size->get<std::uint64_t>() != zip.size()) {
                const std::string message = download + ": left out: the listing says " +
                                            size->dump() + " bytes, " + std::to_string(zip.size()) +
                                            " were served";
                qplug_source_sync_warn(sync, message.c_str());
                continue;
            }
            if (const std::string why = refusal(zip); !why.empty()) {
                qplug_source_sync_warn(sync, (download + ": left out: " + why).c_str());
                continue;
            }
            json given = {{"download_url", download},
                          {"file_name", name},
                          {"channel", prerelease ? "experimental" : "stable"}};
            if (const std::string date = text(release, "published_at"); !date.empty()) {
                given["update_date"] = date;
            }
            int accepted = 0;
            if (qplug_source_sync_add_plugin_archive(&accepted, sync, zip.data(), zip.size(),
                                                     given.dump().c_str()) != QPLUG_OK) {
                qplug_source_sync_fail(sync, qplug_error_last()->message);
                return 1;
            }
        }
    }
    return 0;
}

int sync_entry(void* /*user_data*/, qplug_source_sync* sync, const char* url,
               const char* options_json) {
    try { // nothing may cross back into qplug
        return sync_releases(sync, url, options_json);
    } catch (const std::exception& e) {
        qplug_source_sync_fail(sync, e.what());
    } catch (...) {
        qplug_source_sync_fail(sync, "github-releases: unexpected failure");
    }
    return 1;
}

} // namespace

// The one symbol an extension library exports (qplug.h, "Extension libraries").
extern "C" QPLUG_API int qplug_extension_init(const qplug_extension_host* host);

extern "C" QPLUG_API int qplug_extension_init(const qplug_extension_host* host) {
    if (host == nullptr || host->version < QPLUG_EXTENSION_HOST_VERSION) {
        return 1;
    }
    qplug_source_kind kind = QPLUG_SOURCE_KIND_INIT;
    kind.tag = "github-releases";
    kind.summary = "a GitHub-style releases listing (JSON) whose assets are plugin ZIPs";
    kind.settings_schema = kSchema;
    kind.sync = &sync_entry;
    return host->source_kind_register(&kind);
}
