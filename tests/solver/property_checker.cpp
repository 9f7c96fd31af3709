// SPDX-License-Identifier: GPL-2.0-or-later
#include "property_checker.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace qplug::test::property {

using nlohmann::json;
using solver::Backend;
using solver::PlanStep;
using solver::Resolution;

namespace {

std::string strip(const std::string& text) {
    const auto b = text.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return "";
    }
    return text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return text;
}

/// PEP 503: runs of '-', '_' and '.' become '-', lower case.
std::string pep503(const std::string& name) {
    std::string out;
    for (const char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (out.empty() || out.back() != '-') {
                out.push_back('-');
            }
        } else {
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    return out;
}

std::string text_of(const json& j, const char* key) {
    return j.contains(key) ? j.at(key).get<std::string>() : std::string();
}

/// QGIS's reading of experimental/deprecated: "True" or "Yes" in any case.
bool flag(const json& metadata, const char* key) {
    const std::string v = lower(strip(text_of(metadata, key)));
    return v == "true" || v == "yes";
}

std::string backend_text(Backend b) {
    return std::string(solver::backend_name(b));
}

std::optional<Backend> backend_named(const std::string& text) {
    for (const Backend b : {Backend::legacy, Backend::pip, Backend::conda}) {
        if (text == backend_text(b)) {
            return b;
        }
    }
    return std::nullopt;
}

/// A pip or conda release's modules: as the scenario says, else the one its name suggests
/// (the normalized name with '_' for '-', as the scenario reader guesses).
std::vector<std::string> modules_of(const json& j, const std::string& key) {
    if (j.contains("modules")) {
        return j.at("modules").get<std::vector<std::string>>();
    }
    std::string guessed = pep503(key);
    std::replace(guessed.begin(), guessed.end(), '-', '_');
    return {guessed};
}

/// "VERSION[ BUILD]" of a conda match spec, split.
std::pair<std::string, std::string> conda_parts(const std::string& spec) {
    const std::string s = strip(spec);
    const std::size_t blank = s.find(' ');
    if (blank == std::string::npos) {
        return {s, ""};
    }
    return {s.substr(0, blank), strip(s.substr(blank + 1))};
}

} // namespace

const std::vector<FindingInfo>& findings() {
    static const std::vector<FindingInfo> all{
        {Finding::installed_extras, "f5", "installed pip releases' extras count as installed"},
        {Finding::automatic_in_the_way, "f7",
         "an automatic package nothing needs blocks the solve"},
        {Finding::extra_reinstalls, "f13",
         "NAME[extra] reinstalls an installed release that does not declare the extra"},
    };
    return all;
}

// ---- reading the scenario ------------------------------------------------------------------

Checker::Checker(const json& scenario, PipOracle& oracle) : scenario_(scenario) {
    read_elements(scenario);
    classify();
    compute_ranks(oracle);
    nodes_.resize(elements_.size());
    constrains_.resize(elements_.size());
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        build_nodes(i, oracle);
    }
    build_pins(oracle);
    build_requests(oracle);
    find_already_broken();
}

void Checker::read_elements(const json& s) {
    if (s.contains("index") || s.contains("more_repositories")) {
        throw std::runtime_error("the property checker reads self-contained scenarios only");
    }
    qgis_ = s.value("qgis", std::string("3.40.0"));
    python_ = s.value("python", std::string("3.11"));
    const json policy = s.value("policy", json::object());
    allow_downgrade_ = policy.value("allow_downgrade", false);
    allow_uninstall_ = policy.value("allow_uninstall", false);
    allow_experimental_ = policy.value("allow_experimental", false);
    allow_deprecated_ = policy.value("allow_deprecated", false);
    if (policy.contains("exclude_newer")) {
        throw std::runtime_error("the property checker does not read exclude_newer");
    }
    for (const auto& name : policy.value("experimental_for", json::array())) {
        experimental_for_.push_back(name.get<std::string>());
    }
    for (const auto& pin : policy.value("pins", json::array())) {
        pin_specs_.emplace_back(pin.at(0).get<std::string>(), pin.at(1).get<std::string>());
    }
    std::int64_t id = 0;
    auto add = [&](const json& j, Backend backend, bool installed) {
        Element e;
        e.backend = backend;
        e.id = ++id;
        e.installed = installed;
        e.source = j;
        switch (backend) {
        case Backend::legacy: {
            if (j.contains("requirements_txt")) {
                throw std::runtime_error("the property checker does not read requirements.txt");
            }
            const json& m = j.at("metadata");
            e.key = j.at("key").get<std::string>();
            e.display = strip(text_of(m, "name"));
            e.version = strip(text_of(m, "version"));
            e.experimental = flag(m, "experimental");
            e.deprecated = flag(m, "deprecated");
            e.qgis_minimum = strip(text_of(m, "qgisMinimumVersion"));
            e.qgis_maximum = strip(text_of(m, "qgisMaximumVersion"));
            e.modules = {e.key}; // QGIS imports a plugin by its folder name
            break;
        }
        case Backend::pip:
            e.display = j.at("name").get<std::string>();
            e.key = pep503(e.display);
            e.version = j.at("version").get<std::string>();
            e.requires_python = strip(text_of(j, "requires_python"));
            e.modules = modules_of(j, e.key);
            break;
        case Backend::conda:
            e.key = j.at("name").get<std::string>();
            e.display = e.key;
            e.version = j.at("version").get<std::string>();
            e.modules = modules_of(j, e.key);
            break;
        }
        if (j.contains("deprecated")) {
            e.deprecated = j.at("deprecated").get<bool>();
        }
        if (installed) {
            e.automatic = j.value("auto", false);
            e.external = j.value("external", false);
        }
        elements_.push_back(std::move(e));
    };
    for (const auto& repo : s.value("repositories", json::array())) {
        const auto backend = backend_named(repo.at("backend").get<std::string>());
        if (!backend) {
            throw std::runtime_error("unknown backend");
        }
        for (const auto& r : repo.at("releases")) {
            add(r, *backend, false);
        }
    }
    for (const auto& r : s.value("installed", json::array())) {
        add(r, *backend_named(r.at("backend").get<std::string>()), true);
    }
    // A pip release's extras: its Provides-Extra, else (as the scenario format has it, and as
    // every wheel builder writes them) those its markers name as extra == "...".
    declared_extras_.assign(elements_.size(), {});
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        const json& j = elements_[i].source;
        if (elements_[i].backend != Backend::pip) {
            continue;
        }
        std::set<std::string> extras;
        if (j.contains("provides_extra")) {
            for (const auto& x : j.at("provides_extra")) {
                extras.insert(pep503(x.get<std::string>()));
            }
        } else {
            for (const auto& item : j.value("requires_dist", json::array())) {
                const std::string line = item.get<std::string>();
                for (std::size_t at = line.find("extra == \""); at != std::string::npos;
                     at = line.find("extra == \"", at + 1)) {
                    const std::size_t start = at + 10;
                    extras.insert(pep503(line.substr(start, line.find('"', start) - start)));
                }
            }
        }
        declared_extras_[i].assign(extras.begin(), extras.end());
    }
    // Requests, read as docs/resolve.md writes them: "[backend:]name[spec]"; for conda a
    // blank also ends the name.
    for (const auto& item : s.at("requests")) {
        const std::string text = item.get<std::string>();
        const std::size_t blank = text.find(' ');
        const std::string verb = text.substr(0, blank);
        std::string rest = blank == std::string::npos ? "" : strip(text.substr(blank + 1));
        RequestModel q;
        q.text = text;
        q.action = verb == "install"   ? RequestModel::Action::install
                   : verb == "upgrade" ? RequestModel::Action::upgrade
                   : verb == "remove"  ? RequestModel::Action::remove
                                       : throw std::runtime_error("unknown verb " + verb);
        if (const std::size_t colon = rest.find(':'); colon != std::string::npos) {
            if (auto b = backend_named(rest.substr(0, colon))) {
                q.backend = b;
                rest = strip(rest.substr(colon + 1));
            }
        }
        std::size_t cut = rest.find_first_of("=<>!~");
        if (q.backend == Backend::conda) {
            cut = std::min(cut, rest.find(' '));
        }
        q.name = strip(rest.substr(0, cut));
        q.spec = cut == std::string::npos ? "" : strip(rest.substr(cut));
        // "name[a, b]": pip extras (PEP 508), names compared as PEP 685 says.
        if (const std::size_t bracket = q.name.find('[');
            bracket != std::string::npos && q.name.back() == ']') {
            const std::string list = q.name.substr(bracket + 1, q.name.size() - bracket - 2);
            std::size_t start = 0;
            while (start <= list.size()) {
                const std::size_t comma = std::min(list.find(',', start), list.size());
                const std::string extra = pep503(strip(list.substr(start, comma - start)));
                if (!extra.empty()) {
                    q.extras.push_back(extra);
                }
                start = comma + 1;
            }
            q.name = strip(q.name.substr(0, bracket));
            if (!q.backend) {
                q.backend = Backend::pip; // only pip releases have extras
            }
        }
        if (q.action == RequestModel::Action::upgrade && q.name.empty()) {
            q.action = RequestModel::Action::upgrade_all;
        }
        requests_.push_back(std::move(q));
    }
}

void Checker::classify() {
    // A plugin_dependencies "Name==V" or a request "name==V" equal to an experimental version
    // selects that release (qgis-facts 5.2, docs/resolve.md).
    std::set<std::pair<std::string, std::string>> exact;
    for (const Element& e : elements_) {
        if (e.backend != Backend::legacy) {
            continue;
        }
        for (const auto& [name, spec] : [&] {
                 std::vector<std::pair<std::string, std::string>> deps;
                 const std::string text = text_of(e.source.at("metadata"), "plugin_dependencies");
                 std::size_t start = 0;
                 while (start <= text.size() && !text.empty()) {
                     const std::size_t comma = std::min(text.find(',', start), text.size());
                     const std::string item = text.substr(start, comma - start);
                     const std::size_t eq = item.find("==");
                     deps.emplace_back(strip(item.substr(0, eq)),
                                       eq == std::string::npos ? "" : strip(item.substr(eq + 2)));
                     start = comma + 1;
                 }
                 return deps;
             }()) {
            if (!spec.empty()) {
                exact.emplace(name, spec);
            }
        }
    }
    for (const auto& q : requests_) {
        if (q.spec.rfind("==", 0) == 0) {
            exact.emplace(q.name, q.spec.substr(2));
        }
    }
    std::map<std::pair<Backend, std::string>, std::size_t> groups;
    auto listed = [&](const Element& e) {
        return std::find(experimental_for_.begin(), experimental_for_.end(), e.key) !=
                   experimental_for_.end() ||
               std::find(experimental_for_.begin(), experimental_for_.end(), e.display) !=
                   experimental_for_.end();
    };
    for (Element& e : elements_) {
        const bool experimental_ok = !e.experimental || allow_experimental_ || listed(e);
        const bool pinned =
            exact.count({e.display, e.version}) != 0 || exact.count({e.key, e.version}) != 0;
        if (!e.installed) {
            if (e.deprecated && !allow_deprecated_) {
                e.excluded_why = "deprecated";
            } else if (!experimental_ok && !pinned) {
                e.excluded_why = "experimental";
            }
        }
        e.allowed = e.excluded_why.empty();
        e.pin_only = !e.installed && e.allowed && !experimental_ok;
        auto [it, added] = groups.try_emplace({e.backend, e.key}, group_names_.size());
        if (added) {
            group_names_.push_back(fmt::format("{}:{}", backend_text(e.backend), e.key));
        }
        e.group = it->second;
    }
    installed_state_.assign(group_names_.size(), kAbsent);
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (elements_[i].installed) {
            if (installed_state_[elements_[i].group] != kAbsent) {
                throw std::runtime_error("two installed releases of " +
                                         group_names_[elements_[i].group]);
            }
            installed_state_[elements_[i].group] = static_cast<long>(i);
        }
    }
}

void Checker::compute_ranks(PipOracle& oracle) {
    std::vector<std::string> conda;
    for (const Element& e : elements_) {
        if (e.backend == Backend::conda) {
            conda.push_back(e.version);
        }
    }
    std::sort(conda.begin(), conda.end(),
              [](const std::string& a, const std::string& b) { return conda_compare(a, b) < 0; });
    for (Element& e : elements_) {
        switch (e.backend) {
        case Backend::legacy:
            e.rank = legacy_rank(e.version);
            break;
        case Backend::pip:
            e.rank = oracle.rank(e.version);
            break;
        case Backend::conda: {
            int rank = 0;
            for (std::size_t k = 0; k < conda.size(); ++k) {
                if (k > 0 && conda_compare(conda[k - 1], conda[k]) < 0) {
                    ++rank;
                }
                if (conda_compare(conda[k], e.version) == 0) {
                    break;
                }
            }
            e.rank = rank;
            break;
        }
        }
    }
}

bool Checker::meets(std::size_t i, const std::string& spec, PipOracle& oracle) const {
    const Element& e = elements_[i];
    // An experimental release in only for an exact pin meets nothing but "==".
    if (e.pin_only && spec.rfind("==", 0) != 0) {
        return false;
    }
    switch (e.backend) {
    case Backend::legacy:
        return legacy_meets(e.version, spec);
    case Backend::pip:
        // packaging with its pre-release rule: an empty set admits no pre-release.
        return oracle.contains(e.version, spec, false);
    case Backend::conda: {
        const auto [version, build] = conda_parts(spec);
        if (!build.empty() && build != "*" && build != e.source.value("build", std::string("0"))) {
            return false;
        }
        return conda_meets(e.version, version);
    }
    }
    return false;
}

bool Checker::python_ok(std::size_t i, PipOracle& oracle) const {
    const Element& e = elements_[i];
    return e.requires_python.empty() || oracle.contains(python_, e.requires_python, true);
}

template <class Contains>
std::vector<std::size_t> Checker::pip_choose(const std::vector<std::size_t>& candidates,
                                             Contains contains, PipOracle& oracle) const {
    // pip's finder: pre-releases only when the spec names one, or when no final release that
    // the target Python can install satisfies it (solver-design.md section 2).
    std::vector<std::size_t> plain, with_pre;
    bool installable = false;
    for (const std::size_t i : candidates) {
        const bool ok = contains(elements_[i].version, false);
        const bool pre = contains(elements_[i].version, true);
        const bool py = python_ok(i, oracle);
        if (ok) {
            plain.push_back(i);
            installable = installable || py;
        }
        if (pre) {
            with_pre.push_back(i);
        }
    }
    return installable ? plain : with_pre;
}

bool Checker::declares(std::size_t i, const std::string& extra) const {
    const auto& declared = declared_extras_[i];
    return std::find(declared.begin(), declared.end(), extra) != declared.end();
}

const std::vector<Requirement>* Checker::node(std::size_t i, const std::string& extra) const {
    for (const auto& [name, reqs] : nodes_[i]) {
        if (name == extra) {
            return &reqs;
        }
    }
    return nullptr;
}

void Checker::build_nodes(std::size_t i, PipOracle& oracle) {
    const Element& e = elements_[i];
    auto& nodes = nodes_[i];
    nodes.emplace_back("", std::vector<Requirement>{});
    auto base = [&]() -> std::vector<Requirement>& { return nodes.front().second; };
    auto pool = [&](Backend backend, const std::string& key) {
        std::vector<std::size_t> out;
        for (std::size_t k = 0; k < elements_.size(); ++k) {
            if (elements_[k].allowed && elements_[k].backend == backend &&
                (key.empty() || elements_[k].key == key)) {
                out.push_back(k);
            }
        }
        return out;
    };
    switch (e.backend) {
    case Backend::legacy: {
        const json& m = e.source.at("metadata");
        if (!(e.qgis_minimum.empty() && e.qgis_maximum.empty()) &&
            !qgis_compatible(qgis_, e.qgis_minimum, e.qgis_maximum)) {
            base().push_back({fmt::format("QGIS {}..{}", e.qgis_minimum, e.qgis_maximum), {}, ""});
        }
        // plugin_dependencies: "Name" or "Name==V", names stripped, the last of a name wins.
        std::vector<std::pair<std::string, std::string>> deps;
        const std::string text = text_of(m, "plugin_dependencies");
        std::size_t start = 0;
        while (!text.empty() && start <= text.size()) {
            const std::size_t comma = std::min(text.find(',', start), text.size());
            const std::string item = text.substr(start, comma - start);
            start = comma + 1;
            const std::size_t eq = item.find("==");
            const std::string name = strip(item.substr(0, eq));
            if (name.empty()) {
                continue;
            }
            const std::string spec =
                eq == std::string::npos ? "" : "==" + strip(item.substr(eq + 2));
            auto same = std::find_if(deps.begin(), deps.end(),
                                     [&](const auto& d) { return d.first == name; });
            if (same != deps.end()) {
                same->second = spec;
            } else {
                deps.emplace_back(name, spec);
            }
        }
        for (const auto& [name, spec] : deps) {
            Requirement q{fmt::format("the plugin '{}' {}", name, spec), {}, ""};
            for (const std::size_t p : pool(Backend::legacy, "")) {
                if (elements_[p].display == name && meets(p, spec, oracle)) {
                    q.by.push_back(p);
                }
            }
            base().push_back(std::move(q));
        }
        break;
    }
    case Backend::pip: {
        if (!python_ok(i, oracle)) {
            base().push_back({"Python " + e.requires_python, {}, ""});
        }
        // Its extras (declared, else named by its markers) are nodes of their own, even empty.
        for (const auto& extra : declared_extras_[i]) {
            nodes.emplace_back(extra, std::vector<Requirement>{});
        }
        for (const auto& item : e.source.value("requires_dist", json::array())) {
            const std::string line = item.get<std::string>();
            const PipRequirement r = oracle.requirement(line);
            // As pip 23: the release needs what holds with extra == "", its extra E what
            // holds with extra == E and not without.
            std::vector<std::string> belongs;
            if (oracle.applies(line, python_, "linux", "")) {
                belongs.emplace_back();
            } else {
                for (const auto& extra : declared_extras_[i]) {
                    if (oracle.applies(line, python_, "linux", extra)) {
                        belongs.push_back(extra);
                    }
                }
            }
            if (!r.error.empty()) {
                continue; // a placeholder (the scenario reader rejects an invalid line)
            }
            if (belongs.empty()) {
                continue; // not for this environment
            }
            std::vector<std::string> wanted = r.extras;
            if (wanted.empty()) {
                wanted.emplace_back();
            }
            std::vector<Requirement> reqs;
            for (const auto& want : wanted) {
                // name[E]: the releases that declare E, and (taken without it, as pip does)
                // those that do not. qplug does not take an installed one that does not
                // (f13: it does not know an installed release's extras).
                std::vector<std::size_t> candidates, qplug;
                for (const std::size_t p : pool(Backend::pip, r.name)) {
                    candidates.push_back(p);
                    if (want.empty() || !elements_[p].installed || declares(p, want)) {
                        qplug.push_back(p);
                    }
                }
                const auto own_spec = [&](const std::string& v, bool pre) {
                    return oracle.requirement_contains(line, v, pre);
                };
                Requirement q{fmt::format("{}{} {} (pip)", r.name,
                                          want.empty() ? "" : "[" + want + "]", r.specifier),
                              pip_choose(candidates, own_spec, oracle), want};
                q.by_qplug = pip_choose(qplug, own_spec, oracle);
                reqs.push_back(std::move(q));
            }
            for (const auto& extra : belongs) {
                auto* target = const_cast<std::vector<Requirement>*>(node(i, extra));
                target->insert(target->end(), reqs.begin(), reqs.end());
            }
        }
        break;
    }
    case Backend::conda: {
        for (const char* group : {"depends", "constrains"}) {
            const bool constraint = std::string(group) == "constrains";
            for (const auto& item : e.source.value(group, json::array())) {
                const std::string text = strip(item.get<std::string>());
                const std::size_t blank = text.find(' ');
                const std::string name = text.substr(0, blank);
                const std::string spec =
                    blank == std::string::npos ? "" : strip(text.substr(blank + 1));
                if (name.rfind("__", 0) == 0) {
                    continue; // virtual packages: the system's
                }
                if (name == "python") {
                    // The environment's interpreter is the target Python.
                    const std::string v = conda_parts(spec).first;
                    if (!constraint && !v.empty() && v != "*" && !conda_meets(python_, v)) {
                        base().push_back({"python " + spec + " (conda)", {}, ""});
                    }
                    continue;
                }
                std::vector<std::size_t> good, bad;
                for (const std::size_t p : pool(Backend::conda, name)) {
                    (meets(p, spec, oracle) ? good : bad).push_back(p);
                }
                if (constraint) {
                    constrains_[i].emplace_back(name + " " + spec, std::move(bad));
                } else {
                    base().push_back({name + " " + spec + " (conda)", std::move(good), ""});
                }
            }
        }
        break;
    }
    }
}

void Checker::build_pins(PipOracle& oracle) {
    // Every release of the target (a name with an optional "backend:") must meet the spec;
    // the model reads a pin as a plain spec (no pre-release fallback).
    for (const auto& [target, spec] : pin_specs_) {
        std::optional<Backend> only;
        std::string name = target;
        if (const std::size_t colon = target.find(':'); colon != std::string::npos) {
            only = backend_named(target.substr(0, colon));
            if (only) {
                name = target.substr(colon + 1);
            }
        }
        std::vector<std::size_t> bad;
        for (std::size_t i = 0; i < elements_.size(); ++i) {
            const Element& e = elements_[i];
            if (!e.allowed || (only && *only != e.backend)) {
                continue;
            }
            const bool is_named = e.backend == Backend::pip ? e.key == pep503(name)
                                  : e.backend == Backend::conda
                                      ? e.key == lower(name)
                                      : e.key == name || e.display == name;
            if (is_named && !meets(i, spec, oracle)) {
                bad.push_back(i);
            }
        }
        pins_.emplace_back(target + " " + spec, std::move(bad));
    }
}

std::vector<std::size_t> Checker::named(const std::optional<Backend>& backend, const std::string& n,
                                        bool any_case) const {
    // A plugin by its folder or its name, a pip project by its normalized name, a conda
    // package in lower case; `any_case`: a plugin by another case.
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        const Element& e = elements_[i];
        if (!e.allowed || (backend && *backend != e.backend)) {
            continue;
        }
        const bool hit = any_case ? e.backend == Backend::legacy &&
                                        (lower(e.display) == lower(n) || lower(e.key) == lower(n))
                         : e.backend == Backend::legacy ? e.key == n || e.display == n
                         : e.backend == Backend::pip    ? e.key == pep503(n)
                                                        : e.key == lower(n);
        if (hit) {
            out.push_back(i);
        }
    }
    return out;
}

void Checker::build_requests(PipOracle& oracle) {
    // What an upgrade of each package may choose: its releases an "install NAME" without a
    // spec would take (no pip pre-release unless nothing else fits, no release that is in
    // only for an exact pin).
    upgrade_candidates_.assign(group_names_.size(), {});
    for (std::size_t g = 0; g < group_names_.size(); ++g) {
        std::vector<std::size_t> pip;
        for (std::size_t i = 0; i < elements_.size(); ++i) {
            if (elements_[i].group != g || !elements_[i].allowed) {
                continue;
            }
            if (elements_[i].backend == Backend::pip) {
                pip.push_back(i);
            } else if (meets(i, "", oracle)) {
                upgrade_candidates_[g].push_back(i);
            }
        }
        const auto contains = [&](const std::string& v, bool pre) {
            return oracle.contains(v, "", pre);
        };
        for (const std::size_t i : pip_choose(pip, contains, oracle)) {
            upgrade_candidates_[g].push_back(i);
        }
    }
    for (auto& q : requests_) {
        if (q.action == RequestModel::Action::upgrade_all) {
            continue;
        }
        // A plugin by another case only when nothing has the name as written.
        const std::vector<std::size_t> exact = named(q.backend, q.name, false);
        const std::vector<std::size_t> all = exact.empty() ? named(q.backend, q.name, true) : exact;
        for (const std::size_t i : all) {
            if (elements_[i].installed) {
                q.named_installed.push_back(i);
            }
        }
        if (q.action == RequestModel::Action::remove) {
            continue;
        }
        // What satisfies the request: the named releases that meet the spec; for pip, as
        // pip's finder chooses (pre-releases as a fallback).
        const auto satisfying = [&](const std::vector<std::size_t>& releases) {
            std::vector<std::size_t> out, pip;
            for (const std::size_t i : releases) {
                if (elements_[i].backend == Backend::pip) {
                    pip.push_back(i);
                } else if (meets(i, q.spec, oracle)) {
                    out.push_back(i);
                }
            }
            const auto contains = [&](const std::string& v, bool pre) {
                return oracle.contains(v, q.spec, pre);
            };
            for (const std::size_t i : pip_choose(pip, contains, oracle)) {
                out.push_back(i);
            }
            // pip's resolver also offers the installed release when the specifier admits it
            // with pre-releases allowed (factory.py, _iter_found_candidates).
            for (const std::size_t i : pip) {
                if (elements_[i].installed && contains(elements_[i].version, true) &&
                    std::find(out.begin(), out.end(), i) == out.end()) {
                    out.push_back(i);
                }
            }
            std::sort(out.begin(), out.end());
            return out;
        };
        q.candidates = satisfying(all);
        // Each extra asked for: a release of the name that declares it, or (taken without it)
        // one that does not; for qplug not an installed one that does not (f13).
        for (const auto& extra : q.extras) {
            std::vector<std::size_t> with, qplug;
            for (const std::size_t i : all) {
                if (elements_[i].backend != Backend::pip) {
                    continue;
                }
                with.push_back(i);
                if (!elements_[i].installed || declares(i, extra)) {
                    qplug.push_back(i);
                }
            }
            q.extra_providers.emplace_back(extra, satisfying(with));
            q.extra_providers_qplug.emplace_back(extra, satisfying(qplug));
        }
        for (const std::size_t i : q.candidates) {
            if (std::none_of(q.candidates.begin(), q.candidates.end(), [&](std::size_t o) {
                    return elements_[o].group == elements_[i].group &&
                           elements_[o].rank > elements_[i].rank;
                })) {
                q.best.push_back(i);
            }
        }
    }
    compute_remove_targets();
}

void Checker::compute_remove_targets() {
    remove_target_.assign(group_names_.size(), false);
    for (const auto& q : requests_) {
        if (q.action == RequestModel::Action::remove) {
            for (const std::size_t i : q.named_installed) {
                remove_target_[elements_[i].group] = true;
            }
        }
    }
}

bool Checker::modeled(Finding f) const {
    return std::find(modeled_.begin(), modeled_.end(), f) != modeled_.end();
}

void Checker::model(Finding finding) {
    modeled_.push_back(finding);
    if (finding == Finding::extra_reinstalls) {
        for (auto& element_nodes : nodes_) {
            for (auto& [extra, reqs] : element_nodes) {
                for (Requirement& q : reqs) {
                    if (q.by_qplug) {
                        q.by = *q.by_qplug;
                    }
                }
            }
        }
        for (auto& q : requests_) {
            q.extra_providers = q.extra_providers_qplug;
        }
        find_already_broken();
    }
}

std::vector<std::string> Checker::extras_of(std::size_t i) const {
    std::vector<std::string> out;
    for (const auto& [extra, reqs] : nodes_[i]) {
        if (!extra.empty()) {
            out.push_back(extra);
        }
    }
    return out;
}

bool Checker::loses_phantom_extras(const Assignment& a) const {
    if (!modeled(Finding::installed_extras)) {
        return false;
    }
    for (std::size_t g = 0; g < a.size(); ++g) {
        const long was = installed_state_[g];
        if (was != kAbsent && a[g] != was &&
            phantom_extras(a, g).size() != extras_of(static_cast<std::size_t>(was)).size()) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> Checker::phantom_extras(const Assignment& a, std::size_t g) const {
    // qplug puts an installed pip release's extras into the installed state as if they were
    // installed: they stay with the release, or go to its replacement that has them.
    const long was = installed_state_[g];
    if (!modeled(Finding::installed_extras) || was == kAbsent || a[g] == kAbsent) {
        return {};
    }
    std::vector<std::string> out;
    for (const auto& extra : extras_of(static_cast<std::size_t>(was))) {
        if (node(static_cast<std::size_t>(a[g]), extra) != nullptr) {
            out.push_back(extra);
        }
    }
    return out;
}

void Checker::find_already_broken() {
    // A requirement of an installed release that nothing installed satisfied before the
    // request stays unmet (libsolv's "dontfix", docs/resolve.md: qplug repairs what the
    // request touches); one that was satisfied holds.
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (!elements_[i].installed) {
            continue;
        }
        for (auto& [extra, reqs] : nodes_[i]) {
            for (Requirement& q : reqs) {
                q.broken_before = std::none_of(q.by.begin(), q.by.end(), [&](std::size_t p) {
                    return elements_[p].installed;
                });
            }
        }
    }
}

bool Checker::hopeless(std::size_t i) const {
    if (!elements_[i].allowed) {
        return true;
    }
    const auto& base = nodes_[i].front().second;
    return std::any_of(base.begin(), base.end(),
                       [](const Requirement& q) { return q.by.empty() && !q.broken_before; });
}

std::string Checker::label(std::size_t i) const {
    const Element& e = elements_[i];
    return fmt::format("{}:{} {}{}{}", backend_text(e.backend), e.key, e.version,
                       e.installed ? " (installed" : "",
                       e.installed ? (e.external    ? ", external)"
                                      : e.automatic ? ", auto)"
                                                    : ")")
                                   : "");
}

std::string Checker::describe(const Assignment& a) const {
    std::vector<std::string> labels;
    for (const long m : a) {
        if (m != kAbsent) {
            labels.push_back(label(static_cast<std::size_t>(m)));
        }
    }
    return labels.empty() ? "(nothing)" : fmt::format("{}", fmt::join(labels, ", "));
}

// ---- one installation ----------------------------------------------------------------------

std::optional<std::string> Checker::check(const Assignment& a, bool with_removes) const {
    std::vector<char> present(elements_.size(), 0);
    std::vector<std::size_t> members;
    for (const long m : a) {
        if (m != kAbsent) {
            present[static_cast<std::size_t>(m)] = 1;
            members.push_back(static_cast<std::size_t>(m));
        }
    }
    for (const std::size_t m : members) {
        if (!elements_[m].allowed) {
            return label(m) + " is " + elements_[m].excluded_why + ", which the policy leaves out";
        }
    }
    // Requirements, following the extras they ask for.
    std::vector<std::pair<std::size_t, std::string>> todo, done;
    for (const std::size_t m : members) {
        todo.emplace_back(m, "");
        for (const auto& extra : phantom_extras(a, elements_[m].group)) {
            todo.emplace_back(m, extra);
        }
    }
    // A request's extras are requirements of the request's own.
    for (const auto& q : requests_) {
        for (const auto& [extra, by] : q.extra_providers) {
            if (by.empty()) {
                continue; // only installed releases: their extras are not known
            }
            const auto present_by =
                std::find_if(by.begin(), by.end(), [&](std::size_t p) { return present[p] != 0; });
            if (present_by == by.end()) {
                return "nothing in the installation satisfies the request " + q.text + " [" +
                       extra + "]";
            }
            todo.emplace_back(*present_by, extra);
        }
    }
    while (!todo.empty()) {
        auto current = std::move(todo.back());
        todo.pop_back();
        if (std::find(done.begin(), done.end(), current) != done.end()) {
            continue;
        }
        done.push_back(current);
        const auto& [i, extra] = current;
        const std::vector<Requirement>* reqs = node(i, extra);
        if (reqs == nullptr) {
            continue; // a release without the extra: pip takes it without (and warns)
        }
        for (const Requirement& q : *reqs) {
            if (q.broken_before) {
                continue; // unmet before, left as it was
            }
            auto by = std::find_if(q.by.begin(), q.by.end(),
                                   [&](std::size_t p) { return present[p] != 0; });
            if (by == q.by.end()) {
                return fmt::format("{}{} requires {}: nothing in the installation satisfies it",
                                   label(i), extra.empty() ? "" : " [" + extra + "]", q.text);
            }
            if (!q.extra.empty()) {
                todo.emplace_back(*by, q.extra);
            }
        }
    }
    for (const std::size_t m : members) {
        for (const auto& [text, bad] : constrains_[m]) {
            for (const std::size_t b : bad) {
                if (present[b] != 0 && !(elements_[m].installed && elements_[b].installed)) {
                    return fmt::format("{} constrains {}, which {} breaks", label(m), text,
                                       label(b));
                }
            }
        }
    }
    for (const auto& [text, bad] : pins_) {
        for (const std::size_t b : bad) {
            if (present[b] != 0) {
                return fmt::format("the pin {} does not hold for {}", text, label(b));
            }
        }
    }
    for (std::size_t x = 0; x < members.size(); ++x) {
        for (std::size_t y = x + 1; y < members.size(); ++y) {
            const Element& ex = elements_[members[x]];
            const Element& ey = elements_[members[y]];
            if (ex.backend == ey.backend || (ex.installed && ey.installed)) {
                continue;
            }
            for (const auto& module : ex.modules) {
                if (std::find(ey.modules.begin(), ey.modules.end(), module) != ey.modules.end()) {
                    return fmt::format("the module '{}' comes from both {} and {}", module,
                                       label(members[x]), label(members[y]));
                }
            }
        }
    }
    for (const auto& q : requests_) {
        if (q.action == RequestModel::Action::install ||
            q.action == RequestModel::Action::upgrade) {
            const auto& by = q.candidates;
            if (std::none_of(by.begin(), by.end(),
                             [&](std::size_t p) { return present[p] != 0; })) {
                return "nothing in the installation satisfies the request " + q.text;
            }
        }
    }
    for (std::size_t g = 0; g < a.size() && with_removes; ++g) {
        if (remove_target_[g] && a[g] != kAbsent) {
            return "the request removes " + group_names_[g] + ", but it is there";
        }
    }
    return std::nullopt;
}

bool Checker::refused_for_dependents() const {
    // What goes with the removed packages: the installed releases a requirement of which
    // only they satisfied, and so on. When the rest is valid and the policy reaches it but
    // for those removals, the remove was refused for their sake.
    Assignment rest = installed_state_;
    std::vector<bool> dependent(rest.size(), false);
    for (std::size_t g = 0; g < rest.size(); ++g) {
        if (remove_target_[g]) {
            rest[g] = kAbsent;
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t g = 0; g < rest.size(); ++g) {
            if (rest[g] == kAbsent) {
                continue;
            }
            for (const Requirement& q : nodes_[static_cast<std::size_t>(rest[g])].front().second) {
                if (!q.broken_before && std::none_of(q.by.begin(), q.by.end(), [&](std::size_t p) {
                        return rest[elements_[p].group] == static_cast<long>(p);
                    })) {
                    rest[g] = kAbsent;
                    dependent[g] = true;
                    changed = true;
                    break;
                }
            }
        }
    }
    if (check(rest, false)) {
        return false;
    }
    return !reachable(rest, &dependent);
}

std::optional<std::string> Checker::reachable(const Assignment& a,
                                              const std::vector<bool>* may_go) const {
    for (std::size_t g = 0; g < a.size(); ++g) {
        const long was = installed_state_[g];
        if (was == kAbsent || a[g] == was || (may_go != nullptr && (*may_go)[g])) {
            continue;
        }
        const Element& i = elements_[static_cast<std::size_t>(was)];
        if (i.external) {
            return label(static_cast<std::size_t>(was)) +
                   " is the environment's own package, which qplug never changes";
        }
        if (modeled(Finding::installed_extras) && !allow_uninstall_ &&
            phantom_extras(a, g).size() != extras_of(static_cast<std::size_t>(was)).size()) {
            return label(static_cast<std::size_t>(was)) + "'s extras would go";
        }
        if (a[g] == kAbsent) {
            // A package the user installed goes only when asked to or when uninstalling is
            // allowed; an automatic one when nothing needs it (then nothing present requires
            // it, which check() holds).
            if (!remove_target_[g] && !allow_uninstall_ && !i.automatic) {
                return label(static_cast<std::size_t>(was)) +
                       " would be removed, which needs allow_uninstall";
            }
            if (!remove_target_[g] && !allow_uninstall_ && modeled(Finding::automatic_in_the_way)) {
                Assignment restored = a;
                restored[g] = was;
                if (check(restored)) {
                    return label(static_cast<std::size_t>(was)) +
                           " is in the way, and the solve may not remove it";
                }
            }
            continue;
        }
        const Element& e = elements_[static_cast<std::size_t>(a[g])];
        if (e.rank == i.rank &&
            !(e.backend == Backend::pip && modeled(Finding::extra_reinstalls))) {
            return label(static_cast<std::size_t>(a[g])) + " replaces the same version of " +
                   label(static_cast<std::size_t>(was));
        }
        if (e.rank < i.rank && !allow_downgrade_) {
            return label(static_cast<std::size_t>(a[g])) + " downgrades " +
                   label(static_cast<std::size_t>(was)) + ", which needs allow_downgrade";
        }
    }
    return std::nullopt;
}

std::optional<std::vector<Assignment>> Checker::valid_installations(std::size_t* tried) const {
    std::vector<std::vector<long>> options(group_names_.size());
    for (std::size_t g = 0; g < options.size(); ++g) {
        const long was = installed_state_[g];
        if (was != kAbsent && elements_[static_cast<std::size_t>(was)].external) {
            options[g] = {was};
            continue;
        }
        if (remove_target_[g]) {
            options[g] = {kAbsent};
            continue;
        }
        if (was == kAbsent || allow_uninstall_ ||
            elements_[static_cast<std::size_t>(was)].automatic) {
            options[g].push_back(kAbsent);
        }
        if (was != kAbsent) {
            options[g].push_back(was);
        }
    }
    for (std::size_t i = 0; i < elements_.size(); ++i) {
        const Element& e = elements_[i];
        if (e.installed || hopeless(i)) {
            continue;
        }
        const long was = installed_state_[e.group];
        if (was != kAbsent) {
            const Element& w = elements_[static_cast<std::size_t>(was)];
            const bool reinstall = e.rank == w.rank && !(e.backend == Backend::pip &&
                                                         modeled(Finding::extra_reinstalls));
            if (w.external || remove_target_[e.group] || reinstall ||
                (e.rank < w.rank && !allow_downgrade_)) {
                continue;
            }
        } else if (remove_target_[e.group]) {
            continue;
        }
        options[e.group].push_back(static_cast<long>(i));
    }
    std::size_t total = 1;
    for (const auto& o : options) {
        total *= std::max<std::size_t>(o.size(), 1);
        if (o.empty() || total > kMaxAssignments) {
            if (o.empty()) {
                *tried = 0;
                return std::vector<Assignment>{};
            }
            return std::nullopt;
        }
    }
    std::vector<Assignment> valid;
    std::vector<std::size_t> choice(options.size(), 0);
    Assignment a(options.size(), kAbsent);
    *tried = 0;
    for (;;) {
        for (std::size_t g = 0; g < options.size(); ++g) {
            a[g] = options[g][choice[g]];
        }
        ++*tried;
        // (What the options leave to check: the known findings' own limits.)
        if (!check(a) && (modeled_.empty() || !reachable(a))) {
            valid.push_back(a);
        }
        std::size_t g = 0;
        while (g < options.size() && ++choice[g] >= options[g].size()) {
            choice[g] = 0;
            ++g;
        }
        if (g == options.size()) {
            return valid;
        }
    }
}

std::vector<std::vector<std::size_t>> Checker::needs(const Assignment& a,
                                                     bool with_phantoms) const {
    std::vector<char> present(elements_.size(), 0);
    for (const long m : a) {
        if (m != kAbsent) {
            present[static_cast<std::size_t>(m)] = 1;
        }
    }
    std::vector<std::vector<std::size_t>> out(elements_.size());
    for (const long m : a) {
        if (m == kAbsent) {
            continue;
        }
        const auto e = static_cast<std::size_t>(m);
        std::vector<std::pair<std::size_t, std::string>> todo{{e, ""}}, done;
        if (with_phantoms) {
            for (const auto& extra : phantom_extras(a, elements_[e].group)) {
                todo.emplace_back(e, extra);
            }
        }
        while (!todo.empty()) {
            auto current = std::move(todo.back());
            todo.pop_back();
            if (std::find(done.begin(), done.end(), current) != done.end()) {
                continue;
            }
            done.push_back(current);
            const std::vector<Requirement>* reqs = node(current.first, current.second);
            if (reqs == nullptr) {
                continue;
            }
            for (const Requirement& q : *reqs) {
                for (const std::size_t p : q.by) {
                    if (present[p] == 0) {
                        continue;
                    }
                    if (p != e && std::find(out[e].begin(), out[e].end(), p) == out[e].end()) {
                        out[e].push_back(p);
                    }
                    if (!q.extra.empty()) {
                        todo.emplace_back(p, q.extra);
                    }
                }
            }
        }
    }
    return out;
}

std::vector<std::size_t> Checker::node_needs(const Assignment& a, std::size_t e,
                                             const std::string& extra) const {
    std::vector<std::size_t> out;
    std::vector<std::pair<std::size_t, std::string>> todo{{e, extra}}, done;
    while (!todo.empty()) {
        auto current = std::move(todo.back());
        todo.pop_back();
        if (std::find(done.begin(), done.end(), current) != done.end()) {
            continue;
        }
        done.push_back(current);
        const std::vector<Requirement>* reqs = node(current.first, current.second);
        if (reqs == nullptr) {
            continue;
        }
        for (const Requirement& q : *reqs) {
            for (const std::size_t p : q.by) {
                if (a[elements_[p].group] != static_cast<long>(p)) {
                    continue;
                }
                if (std::find(out.begin(), out.end(), p) == out.end()) {
                    out.push_back(p);
                }
                if (!q.extra.empty()) {
                    todo.emplace_back(p, q.extra);
                }
            }
        }
    }
    return out;
}

std::vector<bool> Checker::needed(const Assignment& a) const {
    std::set<std::size_t> candidates;
    for (const auto& q : requests_) {
        candidates.insert(q.candidates.begin(), q.candidates.end());
    }
    // The extras qplug takes as installed (f5) are solvables of their own: what they need
    // counts only for a package the user installed (they are then the user's too).
    const auto need = needs(a, false);
    const auto need_with_extras = needs(a, true);
    std::vector<bool> users(elements_.size(), false);
    std::vector<bool> reached(elements_.size(), false);
    std::vector<std::size_t> todo;
    for (std::size_t g = 0; g < a.size(); ++g) {
        if (a[g] == kAbsent) {
            continue;
        }
        const auto e = static_cast<std::size_t>(a[g]);
        const long was = installed_state_[g];
        // What the user asked for: the requests, what the user installed (or the
        // environment has) and what replaces it.
        const bool user = candidates.count(e) != 0 ||
                          (was != kAbsent && (!elements_[static_cast<std::size_t>(was)].automatic ||
                                              elements_[static_cast<std::size_t>(was)].external));
        if (user) {
            reached[e] = true;
            todo.push_back(e);
        }
        users[e] = was != kAbsent && (!elements_[static_cast<std::size_t>(was)].automatic ||
                                      elements_[static_cast<std::size_t>(was)].external);
    }
    // The extras a request asks for are the request's own: what they need is reached too.
    for (const auto& q : requests_) {
        for (const auto& [extra, by] : q.extra_providers) {
            for (const std::size_t p : by) {
                if (a[elements_[p].group] != static_cast<long>(p)) {
                    continue;
                }
                for (const std::size_t r : node_needs(a, p, extra)) {
                    if (!reached[r]) {
                        reached[r] = true;
                        todo.push_back(r);
                    }
                }
            }
        }
    }
    while (!todo.empty()) {
        const std::size_t e = todo.back();
        todo.pop_back();
        for (const std::size_t p : users[e] ? need_with_extras[e] : need[e]) {
            if (!reached[p]) {
                reached[p] = true;
                todo.push_back(p);
            }
        }
    }
    std::vector<bool> out(a.size(), false);
    for (std::size_t g = 0; g < a.size(); ++g) {
        out[g] = a[g] != kAbsent && reached[static_cast<std::size_t>(a[g])];
    }
    return out;
}

} // namespace qplug::test::property
