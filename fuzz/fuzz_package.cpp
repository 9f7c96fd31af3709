// Plugin ZIPs: check any bytes as a package, under every profile; never crash, never hang,
// never inflate more than the limits allow. What is checked does not restate valid(): every
// finding carries its rule's severity for the profile (spec/metadata.json, off never shows);
// bytes without a ZIP end-of-central-directory record are "not a ZIP"; the strict profile
// finds everything the site profile finds, at least as severely; and a package the site
// accepts has a top folder the site's pattern accepts.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <tuple>

#include <qplug/meta/package.hpp>
#include <qplug/meta/spec.hpp>

#include "fuzz_input.hpp"

using namespace qplug::meta;
using qplug::fuzz::require;

namespace {

bool has(const Diagnostics& ds, std::string_view rule) {
    return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) { return d.rule == rule; });
}

/// ^[A-Za-z][A-Za-z0-9-_]+$ (the site's PLUGIN_REQUIRED_PACKAGE_NAME_RE ... pattern).
bool site_folder_name(std::string_view s) {
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto other = [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
    };
    return s.size() >= 2 && letter(s[0]) && std::all_of(s.begin() + 1, s.end(), other);
}

PackageReport check(std::string_view bytes, Profile p) {
    PackageOptions po;
    po.profile = p;
    po.max_total_uncompressed = 50'000'000;
    PackageReport r = check_package(bytes, po, "fuzz.zip");
    for (const Diagnostic& d : r.diagnostics) {
        const RuleInfo* rule = find_rule(d.rule);
        require(rule != nullptr);
        require(d.severity != Severity::off && d.severity == rule->severity_in(p));
    }
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const PackageReport site = check(bytes, Profile::site);
    const PackageReport strict = check(bytes, Profile::strict);
    (void)check(bytes, Profile::qgis);
    if (bytes.find(std::string_view("PK\x05\x06", 4)) == std::string_view::npos) {
        require(has(site.diagnostics, "PKG-NOT-ZIP") && !site.valid());
    }
    for (const Diagnostic& d : site.diagnostics) {
        require(std::any_of(strict.diagnostics.begin(), strict.diagnostics.end(),
                            [&](const Diagnostic& s) {
                                return std::tie(s.rule, s.key, s.line, s.column, s.message) ==
                                           std::tie(d.rule, d.key, d.line, d.column, d.message) &&
                                       s.severity >= d.severity;
                            }));
    }
    if (strict.valid()) {
        require(site.valid());
    }
    if (site.valid()) {
        require(site_folder_name(site.package_name));
    }
    return 0;
}
