// Canonical metadata.txt, JSON, and plugins.xml entries.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <nlohmann/json.hpp>

#include <qplug/meta/serialize.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

namespace qplug::meta {

namespace {

using json = nlohmann::ordered_json;

std::string base_key(std::string_view key) {
    const std::size_t bracket = key.find('[');
    return std::string(bracket != std::string_view::npos && bracket > 0 && key.back() == ']'
                           ? key.substr(0, bracket)
                           : key);
}

void write_entry(std::string& out, const Entry& e, std::string_view key) {
    for (const auto& c : e.comments) {
        out += c;
        out += '\n';
    }
    out += key;
    out += '=';
    std::size_t start = 0;
    bool first = true;
    while (true) {
        const std::size_t nl = e.raw_value.find('\n', start);
        const std::string_view piece =
            std::string_view(e.raw_value)
                .substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (!first && !piece.empty()) {
            out += "    "; // deeper than the key: a continuation line
        }
        out += piece;
        out += '\n';
        first = false;
        if (nl == std::string::npos) {
            break;
        }
        start = nl + 1;
    }
}

void write_section(std::string& out, const Section& s,
                   const std::vector<std::pair<const Entry*, std::string>>& entries) {
    for (const auto& c : s.comments) {
        out += c;
        out += '\n';
    }
    out += '[';
    out += s.name;
    out += "]\n";
    for (const auto& [e, key] : entries) {
        write_entry(out, *e, key);
    }
}

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
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
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::string cdata(std::string_view s) {
    // "]]>" cannot appear inside CDATA: close and reopen around it.
    std::string out = "<![CDATA[";
    std::size_t start = 0;
    for (std::size_t p = s.find("]]>"); p != std::string_view::npos; p = s.find("]]>", start)) {
        out += s.substr(start, p - start);
        out += "]]]]><![CDATA[>";
        start = p + 3;
    }
    out += s.substr(start);
    out += "]]>";
    return out;
}

/// The site stores QGIS versions with three parts ("3.0" -> "3.0.0").
std::string three_parts(std::string_view v) {
    std::string out(unicode::strip(v));
    const auto dots = std::count(out.begin(), out.end(), '.');
    for (auto i = dots; i < 2; ++i) {
        out += ".0";
    }
    return out;
}

} // namespace

std::string format_metadata(const Document& doc) {
    std::string out;
    const Section* general = doc.general();
    bool first_section = true;
    auto separator = [&] {
        if (!first_section) {
            out += '\n';
        }
        first_section = false;
    };
    if (general != nullptr) {
        std::vector<std::pair<const Entry*, std::string>> ordered;
        std::vector<bool> used(general->entries.size(), false);
        for (const FieldInfo& f : fields()) {
            // The key itself, then its translations.
            for (int pass = 0; pass < 2; ++pass) {
                for (std::size_t i = 0; i < general->entries.size(); ++i) {
                    const Entry& e = general->entries[i];
                    if (used[i]) {
                        continue;
                    }
                    const std::string base = base_key(e.key);
                    const bool translated = base.size() != e.key.size();
                    if ((pass == 0) == translated) {
                        continue;
                    }
                    const FieldInfo* match = find_field(base, true);
                    if (match != &f) {
                        continue;
                    }
                    std::string key(e.key);
                    if (doc.keys == KeyMode::qgis) {
                        std::string canonical(f.key);
                        for (auto a : f.aliases) {
                            if (unicode::to_lower(a) == unicode::to_lower(base)) {
                                canonical = std::string(a);
                            }
                        }
                        key = canonical;
                        key += e.key.substr(base.size());
                    }
                    ordered.emplace_back(&e, key);
                    used[i] = true;
                }
            }
        }
        for (std::size_t i = 0; i < general->entries.size(); ++i) {
            if (!used[i]) {
                ordered.emplace_back(&general->entries[i], std::string(general->entries[i].key));
            }
        }
        separator();
        write_section(out, *general, ordered);
    }
    for (const Section& s : doc.sections) {
        if (&s == general) {
            continue;
        }
        std::vector<std::pair<const Entry*, std::string>> entries;
        for (const auto& e : s.entries) {
            entries.emplace_back(&e, std::string(e.key));
        }
        separator();
        write_section(out, s, entries);
    }
    if (!doc.trailing_comments.empty()) {
        out += '\n';
        for (const auto& c : doc.trailing_comments) {
            out += c;
            out += '\n';
        }
    }
    return out;
}

std::string document_json(const Document& doc) {
    json j;
    j["file"] = doc.file;
    j["keys"] = key_mode_name(doc.keys);
    j["ok"] = doc.ok;
    json sections = json::array();
    for (const auto& s : doc.sections) {
        json entries = json::array();
        for (const auto& e : s.entries) {
            entries.push_back({{"key", e.key},
                               {"name", e.name},
                               {"raw_value", e.raw_value},
                               {"value", e.value ? json(*e.value) : json(nullptr)},
                               {"line", e.key_position.line},
                               {"column", e.key_position.column},
                               {"offset", e.key_position.offset},
                               {"last_line", e.last_line}});
        }
        sections.push_back({{"name", s.name}, {"line", s.position.line}, {"entries", entries}});
    }
    j["sections"] = sections;
    if (doc.general() != nullptr && (doc.ok || doc.lenient)) {
        const Metadata m = make_metadata(doc);
        auto flag = [](const Flag& f) {
            return json{{"raw", f.raw ? json(*f.raw) : json(nullptr)},
                        {"qgis", f.qgis},
                        {"site", f.site},
                        {"server", f.server}};
        };
        json deps = json::array();
        for (const auto& d : m.plugin_dependencies) {
            deps.push_back(
                {{"name", d.name}, {"version", d.version ? json(*d.version) : json(nullptr)}});
        }
        json translations = json::object();
        for (const auto& [k, v] : m.translations) {
            translations[k] = v;
        }
        json extra = json::object();
        for (const auto& [k, v] : m.extra) {
            extra[k] = v;
        }
        j["plugin"] = {{"name", m.name},
                       {"description", m.description},
                       {"about", m.about},
                       {"version", m.version},
                       {"qgis_minimum_version", m.qgis_minimum_version},
                       {"qgis_maximum_version",
                        m.qgis_maximum_version ? json(*m.qgis_maximum_version) : json(nullptr)},
                       {"author", m.author},
                       {"email", m.email},
                       {"homepage", m.homepage},
                       {"tracker", m.tracker},
                       {"repository", m.repository},
                       {"changelog", m.changelog},
                       {"icon", m.icon},
                       {"category", m.category},
                       {"external_deps", m.external_deps},
                       {"tags", m.tag_list},
                       {"experimental", flag(m.experimental)},
                       {"deprecated", flag(m.deprecated)},
                       {"server", flag(m.server)},
                       {"has_processing_provider", flag(m.has_processing_provider)},
                       {"plugin_dependencies", deps},
                       {"translations", translations},
                       {"extra", extra}};
    } else {
        j["plugin"] = nullptr;
    }
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string plugins_xml_entry(const Metadata& m, const ReleaseInfo& r) {
    auto bool_text = [](bool b) { return b ? "True" : "False"; };
    std::string maximum;
    if (m.qgis_maximum_version) {
        maximum = three_parts(*m.qgis_maximum_version);
    } else {
        // The site's default: <major>.99
        const std::string min = three_parts(m.qgis_minimum_version);
        maximum = min.substr(0, min.find('.')) + ".99.0";
    }
    std::string out;
    out += "  <pyqgis_plugin name=\"" + xml_escape(m.name) + "\" version=\"" +
           xml_escape(m.version) + "\"";
    if (!r.plugin_id.empty()) {
        out += " plugin_id=\"" + xml_escape(r.plugin_id) + "\"";
    }
    out += ">\n";
    auto element = [&](std::string_view name, const std::string& content) {
        out += "    <" + std::string(name) + ">" + content + "</" + std::string(name) + ">\n";
    };
    element("description", cdata(m.description));
    element("about", m.about.empty() ? std::string() : cdata(m.about));
    element("trusted", bool_text(r.trusted));
    element("qgis_minimum_version", xml_escape(three_parts(m.qgis_minimum_version)));
    element("qgis_maximum_version", xml_escape(maximum));
    element("homepage", cdata(m.homepage));
    element("file_name", xml_escape(r.package_name + "." + m.version + ".zip"));
    element("icon", xml_escape(m.icon));
    element("author_name", cdata(m.author));
    element("download_url", xml_escape(r.download_url));
    element("uploaded_by", cdata(r.uploaded_by));
    element("create_date", xml_escape(r.create_date));
    element("update_date", xml_escape(r.update_date));
    element("experimental", bool_text(m.experimental.site));
    element("deprecated", bool_text(m.deprecated.site));
    element("tracker", cdata(m.tracker));
    element("repository", cdata(m.repository));
    std::string tags;
    for (const auto& t : m.tag_list) {
        tags += (tags.empty() ? "" : ",") + t;
    }
    element("tags", cdata(tags));
    element("external_dependencies", xml_escape(m.external_deps));
    element("server", bool_text(m.server.site));
    if (!m.plugin_dependencies.empty()) {
        std::string deps;
        for (const auto& d : m.plugin_dependencies) {
            deps += (deps.empty() ? "" : ",") + d.name + (d.version ? "==" + *d.version : "");
        }
        element("plugin_dependencies", xml_escape(deps));
    }
    out += "  </pyqgis_plugin>\n";
    return out;
}

} // namespace qplug::meta
