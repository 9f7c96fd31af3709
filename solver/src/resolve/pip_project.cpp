// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/version/pep508.hpp>

#include "formats/flat_json.hpp"

namespace qplug::solver::pip {

namespace {

using version::pep508::Marker;

/// The extra of a marker whose top-level "and" chain holds `extra == "x"`: the requirement
/// then belongs to that extra.
std::string gating_extra(const Marker& marker) {
    const auto& nodes = marker.nodes();
    for (const auto& n : nodes) {
        if (n.kind == Marker::Node::Kind::op_or) {
            return {}; // "... or ...": not a plain gate
        }
    }
    for (const auto& n : nodes) {
        if (n.kind != Marker::Node::Kind::item || n.item.op != Marker::Op::equal) {
            continue;
        }
        const auto& [lhs, op, rhs] = n.item;
        if (lhs.variable && lhs.text == "extra" && !rhs.variable) {
            return normalize_pip_name(rhs.text);
        }
        if (rhs.variable && rhs.text == "extra" && !lhs.variable) {
            return normalize_pip_name(lhs.text);
        }
    }
    return {};
}

/// How much pip on Linux x86_64 would want a file: pure-Python wheel 3, a Linux x86_64 wheel
/// 2, an sdist 1, anything else 0.
int preference(const std::string& filename) {
    if (auto wheel = pypi::parse_wheel_filename(filename)) {
        const auto has = [](const std::vector<std::string>& tags, auto&& predicate) {
            return std::any_of(tags.begin(), tags.end(), predicate);
        };
        const bool any = has(wheel->platform_tags, [](const std::string& t) { return t == "any"; });
        const bool py3 = has(wheel->python_tags, [](const std::string& t) {
            return t == "py3" || t.rfind("py3", 0) == 0;
        });
        if (any && py3) {
            return 3;
        }
        const bool linux = has(wheel->platform_tags, [](const std::string& t) {
            return (t.find("linux") != std::string::npos) && t.find("x86_64") != std::string::npos;
        });
        return linux ? 2 : 0;
    }
    if (pypi::parse_sdist_filename(filename)) {
        return 1;
    }
    return 0;
}

std::string version_of(const std::string& filename) {
    if (auto wheel = pypi::parse_wheel_filename(filename)) {
        return wheel->version;
    }
    if (auto sdist = pypi::parse_sdist_filename(filename)) {
        return sdist->version;
    }
    return {};
}

} // namespace

bool metadata_matches(const pypi::CoreMetadata& metadata, std::string_view project,
                      std::string_view version) {
    return normalize_pip_name(metadata.name) == normalize_pip_name(project) &&
           !version_less(Backend::pip, metadata.version, version) &&
           !version_less(Backend::pip, version, metadata.version);
}

Dependency declared_extra(std::string extra) {
    Dependency d;
    d.kind = DependencyKind::pip;
    d.extra = std::move(extra);
    return d;
}

bool is_declared_extra(const Dependency& dependency) {
    return dependency.kind == DependencyKind::pip && dependency.target.empty() &&
           !dependency.extra.empty();
}

std::vector<std::string> release_extras(const Release& release) {
    std::set<std::string> declared;
    std::set<std::string> gating;
    for (const auto& d : release.dependencies) {
        if (is_declared_extra(d)) {
            declared.insert(d.extra);
        } else if (d.kind == DependencyKind::pip && !d.extra.empty()) {
            gating.insert(normalize_pip_name(d.extra));
        }
    }
    const auto& extras = declared.empty() ? gating : declared;
    return {extras.begin(), extras.end()};
}

std::string guessed_module(std::string_view project) {
    std::string m = normalize_pip_name(project);
    std::replace(m.begin(), m.end(), '-', '_');
    return m;
}

std::vector<std::string> wheel_modules(const std::vector<std::string>& entries,
                                       std::string_view top_level_txt) {
    std::set<std::string> out;
    if (!top_level_txt.empty()) {
        std::size_t start = 0;
        while (start < top_level_txt.size()) {
            std::size_t nl = top_level_txt.find('\n', start);
            if (nl == std::string_view::npos) {
                nl = top_level_txt.size();
            }
            std::string_view line = top_level_txt.substr(start, nl - start);
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
                line.remove_suffix(1);
            }
            if (!line.empty()) {
                out.emplace(line.substr(0, line.find('/')));
            }
            start = nl + 1;
        }
        return {out.begin(), out.end()};
    }
    for (const auto& e : entries) {
        const std::string_view first = std::string_view(e).substr(0, e.find('/'));
        if (first.ends_with(".dist-info") || first.ends_with(".data") || first.empty()) {
            continue;
        }
        if (e.find('/') == std::string::npos) {
            if (first.ends_with(".py")) {
                out.emplace(first.substr(0, first.size() - 3)); // a single-module distribution
            } else if (first.ends_with(".so") || first.ends_with(".pyd")) {
                out.emplace(first.substr(0, first.find('.')));
            }
            continue;
        }
        out.emplace(first);
    }
    return {out.begin(), out.end()};
}

std::vector<Dependency> dependencies_from_metadata(const pypi::CoreMetadata& metadata,
                                                   std::vector<std::string>* warnings) {
    std::vector<Dependency> out;
    // The extras the release declares (Provides-Extra): an extra it does not declare is one
    // pip ignores, with a warning. Canonical names (PEP 685), each once.
    std::set<std::string> declared;
    for (const auto& e : metadata.provides_extra) {
        declared.insert(normalize_pip_name(e));
    }
    declared.erase("");
    for (const auto& line : metadata.requires_dist) {
        auto req = version::pep508::parse_requirement(line);
        if (!req) {
            if (warnings != nullptr) {
                warnings->push_back(fmt::format("{} {}: Requires-Dist '{}' is not PEP 508: {}",
                                                metadata.name, metadata.version, line,
                                                req.error().message));
            }
            continue;
        }
        Dependency d;
        d.kind = DependencyKind::pip;
        d.target = normalize_pip_name(req->name);
        if (!req->extras.empty()) {
            std::string extras;
            for (const auto& e : req->extras) {
                extras += (extras.empty() ? "" : ",") + normalize_pip_name(e);
            }
            d.target += "[" + extras + "]";
        }
        d.spec = req->specifier;
        if (req->marker) {
            d.markers = req->marker->to_string();
            d.extra = gating_extra(*req->marker);
            if (declared.count(d.extra) == 0) {
                d.extra.clear(); // (an index without declarations reads `extra` as declared)
            }
        }
        out.push_back(std::move(d));
    }
    for (const auto& name : declared) {
        out.push_back(declared_extra(name));
    }
    if (!metadata.requires_python.empty()) {
        out.push_back({DependencyKind::python, "python", metadata.requires_python, "", "", false});
    }
    return out;
}

Package package_from_page(const pypi::ProjectPage& page, std::vector<std::string>* warnings) {
    Package p;
    p.name = normalize_pip_name(page.name);
    p.display_name = page.name;
    // version -> index of the preferred file so far
    std::map<std::string, std::size_t> best;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < page.files.size(); ++i) {
        const auto& f = page.files[i];
        if (f.yanked) {
            continue;
        }
        const std::string v = version_of(f.filename);
        if (v.empty() || preference(f.filename) == 0) {
            continue;
        }
        auto [it, added] = best.try_emplace(v, i);
        if (added) {
            order.push_back(v);
        } else if (preference(f.filename) > preference(page.files[it->second].filename)) {
            it->second = i;
        }
    }
    for (const auto& v : order) {
        const auto& f = page.files[best[v]];
        Release r;
        r.version = v;
        r.requires_python = f.requires_python;
        r.download_url = f.url;
        r.file_name = f.filename;
        r.size = f.size;
        r.update_date = f.upload_time;
        if (auto it = f.hashes.find("sha256"); it != f.hashes.end()) {
            r.hash = "sha256:" + it->second;
        } else if (auto md5 = f.hashes.find("md5"); md5 != f.hashes.end()) {
            r.hash = "md5:" + md5->second;
        }
        r.dependencies_known = false;
        if (!f.requires_python.empty()) {
            r.dependencies.push_back(
                {DependencyKind::python, "python", f.requires_python, "", "", false});
        }
        r.modules.push_back(guessed_module(page.name));
        FlatJson j;
        j.add("filename", f.filename).add_bool("core_metadata", f.core_metadata);
        r.metadata_json = std::move(j).str();
        p.releases.push_back(std::move(r));
    }
    if (p.releases.empty() && warnings != nullptr && !page.files.empty()) {
        warnings->push_back(
            fmt::format("{}: no file pip would install on Linux x86_64", page.name));
    }
    return p;
}

} // namespace qplug::solver::pip
