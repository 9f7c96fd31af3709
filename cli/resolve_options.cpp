// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve_options.hpp"

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/qgis_program.hpp>
#include <qplug/solver/source.hpp>

#include "output.hpp"

namespace qplug::cli {

using json = nlohmann::ordered_json;

solver::Policy ResolveOptions::policy() const {
    solver::Policy p;
    p.qgis_version = qgis;
    p.python_version = python;
    p.platform = platform;
    p.allow_experimental = allow_experimental;
    p.experimental_for.insert(experimental_for.begin(), experimental_for.end());
    p.allow_deprecated = allow_deprecated;
    p.allow_downgrade = allow_downgrade;
    p.allow_uninstall = allow_uninstall;
    p.exclude_newer = exclude_newer;
    for (const auto& text : pins) {
        // A pin is written as a request: "pip:numpy<2", "Common Lib==1.0".
        if (auto r = solver::parse_request(text, solver::Request::Action::install)) {
            std::string target = r->name;
            if (r->backend) {
                target = std::string(solver::backend_name(*r->backend)) + ":" + target;
            }
            p.pins.emplace_back(target, r->spec);
        }
    }
    return p;
}

void add_resolve_options(CLI::App* cmd, ResolveOptions& o, bool with_lock) {
    add_index_options(cmd, o);
    add_download_options(cmd, o);
    cmd->add_option("--qgis", o.qgis,
                    "Target QGIS version X.Y.Z (default: $QPLUG_QGIS_VERSION, else `qgis "
                    "--version`, else 3.40.0)");
    cmd->add_option("--python", o.python, "Target Python version (Requires-Python, markers)")
        ->capture_default_str();
    cmd->add_option("--platform", o.platform, "linux, win32 or darwin (for markers)")
        ->check(CLI::IsMember({"linux", "win32", "darwin"}))
        ->capture_default_str();
    cmd->add_flag("--allow-experimental", o.allow_experimental,
                  "Consider experimental plugin releases");
    cmd->add_option("--experimental-for", o.experimental_for,
                    "Consider experimental releases of this plugin (repeatable)");
    cmd->add_flag("--allow-deprecated", o.allow_deprecated, "Consider deprecated releases");
    cmd->add_flag("--allow-downgrade", o.allow_downgrade,
                  "An installed release may be replaced by an older one");
    cmd->add_flag("--allow-uninstall", o.allow_uninstall,
                  "Installed releases may be removed to make room");
    cmd->add_option("--exclude-newer", o.exclude_newer,
                    "Leave out releases updated after this date (YYYY-MM-DD)");
    cmd->add_option("--pin", o.pins,
                    "Keep a package within a spec for this run, e.g. 'pip:numpy<2' "
                    "(repeatable; `qplug pin` records pins)");
    cmd->add_flag("--proof", o.proof, "With an explanation, print the full derivation too");
    if (with_lock) {
        cmd->add_option("--lock-file", o.lock_file,
                        "Resolve towards this lock file and update it (docs/resolve.md)");
        cmd->add_flag("--locked", o.locked, "Fail (exit 1) when the lock file would change");
        cmd->add_flag("--offline", o.offline,
                      "Use no network: only local files and file: URLs are fetched");
        cmd->add_flag("--frozen", o.frozen, "--locked and --offline");
    }
}

std::string detect_qgis_version(const std::string& given, std::vector<std::string>* notes) {
    if (!given.empty()) {
        return given;
    }
    if (const char* env = std::getenv("QPLUG_QGIS_VERSION"); env != nullptr && *env != '\0') {
        return env;
    }
    if (auto installed = solver::installed_qgis_version()) {
        if (notes != nullptr) {
            notes->push_back(fmt::format("target QGIS {} (from `qgis --version`)", *installed));
        }
        return *installed;
    }
    const std::string fallback = solver::default_qgis_version();
    if (notes != nullptr) {
        notes->push_back(fmt::format("target QGIS {} (the default; give --qgis X.Y.Z)", fallback));
    }
    return fallback;
}

Expected<std::vector<solver::Request>> parse_requests(const std::vector<std::string>& texts,
                                                      solver::Request::Action action) {
    std::vector<solver::Request> out;
    for (const auto& t : texts) {
        auto r = solver::parse_request(t, action);
        if (!r) {
            return std::move(r).error();
        }
        out.push_back(std::move(*r));
    }
    return out;
}

namespace {

std::string step_line(const solver::PlanStep& s) {
    std::string version = s.from_version.empty() ? s.version : s.from_version + " -> " + s.version;
    std::string where = std::string(solver::backend_name(s.backend));
    if (!s.repository.empty() && s.action != solver::PlanStep::Action::remove &&
        s.action != solver::PlanStep::Action::keep) {
        where += ", " + s.repository;
    }
    return fmt::format("  {:<9} {} {} ({})\n            {}\n", solver::action_name(s.action),
                       s.display_name, version, where, s.reason);
}

} // namespace

int print_resolution(const solver::Resolution& r, const ResolveOptions& o,
                     const std::string& qgis_version) {
    if (o.json) {
        std::cout << solver::resolution_json(r, o.proof) << '\n';
        return r.solved ? exit_ok : exit_findings;
    }
    for (const auto& w : r.plan.warnings) {
        std::cerr << "qplug: warning: " << w << '\n';
    }
    if (!r.solved) {
        const auto& e = r.explanation;
        std::cerr << fmt::format("qplug: no installation satisfies the request (QGIS {}, "
                                 "Python {}):\n",
                                 qgis_version, o.python);
        for (const auto& line : e.summary) {
            std::cerr << "  - " << line << '\n';
        }
        if (!e.paths.empty()) {
            std::cerr << "How the request leads there:\n";
            for (const auto& line : e.paths) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (!e.solutions.empty()) {
            std::cerr << "What would solve it:\n";
            for (const auto& line : e.solutions) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (o.proof && !e.proof.empty()) {
            std::cerr << "Proof:\n";
            for (const auto& line : e.proof) {
                std::cerr << "  " << line << '\n';
            }
        } else if (!e.proof.empty()) {
            std::cerr << "(--proof shows the full derivation)\n";
        }
        return exit_findings;
    }
    std::size_t changes = 0;
    for (const auto& s : r.plan.steps) {
        changes += s.action == solver::PlanStep::Action::keep ? 0 : 1;
    }
    if (changes == 0) {
        std::cout << fmt::format("Nothing to do for QGIS {}, Python {}.\n", qgis_version, o.python);
    } else {
        std::cout << fmt::format("Plan for QGIS {}, Python {} ({} change{}):\n", qgis_version,
                                 o.python, changes, changes == 1 ? "" : "s");
    }
    for (const auto& s : r.plan.steps) {
        std::cout << step_line(s);
    }
    if (!r.plan.load_order.empty()) {
        std::cout << "QGIS loads the plugins in this order: "
                  << fmt::format("{}", fmt::join(r.plan.load_order, ", ")) << '\n';
    }
    return exit_ok;
}

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
            auto backend = solver::backend_from_name(p.at("backend").get<std::string>());
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

Expected<void> write_lock_file(const std::string& path, const LockFile& lock) {
    json packages = json::array();
    for (const auto& p : lock.packages) {
        packages.push_back({{"backend", solver::backend_name(p.backend)},
                            {"name", p.name},
                            {"display_name", p.display_name},
                            {"version", p.version},
                            {"repository", p.repository},
                            {"download_url", solver::redact_url(p.download_url)},
                            {"hash", p.hash}});
    }
    const json j = {{"lock_version", LockFile::kVersion},
                    {"generated_by", "qplug"},
                    {"qgis", lock.qgis},
                    {"python", lock.python},
                    {"platform", lock.platform},
                    {"requests", lock.requests},
                    {"packages", packages}};
    // Written beside and renamed into place: a reader never sees half a lock file.
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << j.dump(2) << '\n';
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

std::vector<LockedPackage> resulting_packages(const solver::Resolution& resolution) {
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

} // namespace qplug::cli
