// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <fmt/format.h>

#include <qplug/meta/model.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

namespace qplug::meta {

namespace {

Flag make_flag(const std::optional<std::string>& raw) {
    Flag f;
    f.raw = raw;
    if (!raw) {
        return f;
    }
    const std::string upper = unicode::to_upper(unicode::strip(*raw));
    f.qgis = upper == "TRUE" || upper == "YES";
    const std::string lower = unicode::to_lower(*raw);
    f.site = lower == "true" || lower == "yes" || lower == "1";
    f.server = *raw == "True";
    return f;
}

} // namespace

Expected<std::vector<PluginDependency>> parse_plugin_dependencies(std::string_view value) {
    std::vector<PluginDependency> out;
    const std::string_view all = unicode::strip(value);
    std::size_t start = 0;
    while (start <= all.size()) {
        std::size_t comma = all.find(',', start);
        if (comma == std::string_view::npos) {
            comma = all.size();
        }
        const std::string_view item = all.substr(start, comma - start);
        PluginDependency d;
        const std::size_t eq = item.find("==");
        if (eq != std::string_view::npos && eq > 0) {
            // name, version_required = dep.split('=='): two parts, or a ValueError.
            if (const std::size_t again = item.find("==", eq + 2);
                again != std::string_view::npos) {
                Error e;
                e.what = "plugin_dependencies";
                e.input = std::string(all);
                e.offset = start + again;
                e.message = fmt::format("'{}' has two '==' (QGIS fails reading it)", item);
                return e;
            }
            d.name = std::string(item.substr(0, eq));
            d.version = std::string(item.substr(eq + 2));
        } else {
            d.name = std::string(item);
        }
        start = comma + 1;
        // result[name] = version: a repeated name keeps its place and takes the new pin.
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const PluginDependency& x) { return x.name == d.name; });
        if (same != out.end()) {
            same->version = std::move(d.version);
        } else {
            out.push_back(std::move(d));
        }
    }
    return out;
}

Metadata make_metadata(const Document& doc) {
    Metadata m;
    auto get = [&](std::string_view key) { return doc.get(key); };
    auto text = [&](std::string_view key) { return get(key).value_or(std::string()); };
    m.name = text("name");
    m.description = text("description");
    m.about = text("about");
    m.version = text("version");
    m.qgis_minimum_version = text("qgisMinimumVersion");
    if (auto max = get("qgisMaximumVersion"); max && !unicode::strip(*max).empty()) {
        m.qgis_maximum_version = *max;
    }
    m.author = get("author_name").value_or(text("author"));
    m.email = text("email");
    m.homepage = text("homepage");
    m.tracker = text("tracker");
    m.repository = text("repository");
    m.changelog = text("changelog");
    m.icon = text("icon");
    m.category = text("category");
    m.external_deps = text("external_deps");
    m.tags = text("tags");
    std::size_t start = 0;
    while (start <= m.tags.size()) {
        std::size_t comma = m.tags.find(',', start);
        if (comma == std::string::npos) {
            comma = m.tags.size();
        }
        const std::string tag = unicode::to_lower(
            unicode::strip(std::string_view(m.tags).substr(start, comma - start)));
        if (!tag.empty()) {
            m.tag_list.push_back(tag);
        }
        start = comma + 1;
    }
    m.experimental = make_flag(get("experimental"));
    m.deprecated = make_flag(get("deprecated"));
    m.server = make_flag(get("server"));
    m.has_processing_provider = make_flag(get("hasProcessingProvider"));
    if (auto deps = get("plugin_dependencies")) {
        if (auto parsed = parse_plugin_dependencies(*deps)) {
            m.plugin_dependencies = std::move(*parsed); // else QGIS fails too (META-DEPENDENCIES)
        }
    }
    for (const auto& item : doc.general_items()) {
        const Entry& e = *item.entry;
        const std::string value(item.value->value_or(e.raw_value));
        const std::size_t bracket = e.key.find('[');
        if (bracket != std::string::npos && bracket > 0 && e.key.back() == ']' &&
            find_field(e.key.substr(0, bracket), true) != nullptr) {
            m.translations.emplace_back(e.key, value);
        } else if (find_field(e.key, true) == nullptr) {
            m.extra.emplace_back(e.key, value);
        }
    }
    return m;
}

} // namespace qplug::meta
