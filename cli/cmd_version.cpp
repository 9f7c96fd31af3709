// qplug version compare|sort|normalize|satisfies|compatible
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/version/compat.hpp>
#include <qplug/version/scheme.hpp>

#include "choice.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;
using version::Scheme;

const std::map<std::string, Scheme> kSchemes = {{"qgis", Scheme::qgis},
                                                {"qgis-classic", Scheme::qgis_classic},
                                                {"pep440", Scheme::pep440},
                                                {"conda", Scheme::conda}};

struct VersionOptions : CommonOptions {
    Scheme scheme = version::kDefaultScheme;
};

void add_common(CLI::App* cmd, VersionOptions& o, bool with_scheme = true) {
    cmd->add_flag("--json", o.json, "Print JSON on stdout");
    if (with_scheme) {
        cmd->add_option("--scheme", o.scheme,
                        "Version scheme: qgis (QGIS >= 3.42, default), qgis-classic (QGIS <= "
                        "3.40), pep440 (pip), conda")
            ->transform(choice(kSchemes));
    }
}

std::string_view symbol(version::Ordering o) {
    return o == version::Ordering::less ? "<" : o == version::Ordering::greater ? ">" : "=";
}

int run_compare(const VersionOptions& o, const std::string& a, const std::string& b) {
    auto r = version::compare(o.scheme, a, b);
    if (!r) {
        return report_invalid(r.error(), o);
    }
    if (o.json) {
        print_json({{"scheme", version::scheme_name(o.scheme)},
                    {"a", a},
                    {"b", b},
                    {"result", symbol(*r)},
                    {"order", static_cast<int>(*r)}});
    } else {
        std::cout << symbol(*r) << '\n';
    }
    return exit_ok;
}

int run_sort(const VersionOptions& o, const std::vector<std::string>& arguments, bool reverse) {
    // Versions are views into the arguments or into stdin read whole: one buffer, no string
    // per line (sorting a million versions from a file stays small).
    std::string input;
    std::vector<std::string_view> versions(arguments.begin(), arguments.end());
    if (arguments.empty()) {
        input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        std::string_view rest = input;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (!line.empty()) {
                versions.push_back(line);
            }
        }
    }
    auto order = version::sort_order(o.scheme, versions);
    if (!order) {
        return report_invalid(order.error(), o);
    }
    if (reverse) {
        std::reverse(order->begin(), order->end());
    }
    if (o.json) {
        json sorted = json::array();
        for (const std::size_t i : *order) {
            sorted.push_back(versions[i]);
        }
        print_json({{"scheme", version::scheme_name(o.scheme)}, {"versions", std::move(sorted)}});
    } else {
        std::string out;
        out.reserve(input.size() + versions.size());
        for (const std::size_t i : *order) {
            out += versions[i];
            out += '\n';
        }
        std::cout << out;
    }
    return exit_ok;
}

int run_normalize(const VersionOptions& o, const std::string& v) {
    auto r = version::normalize(o.scheme, v);
    if (!r) {
        return report_invalid(r.error(), o);
    }
    if (o.json) {
        print_json({{"scheme", version::scheme_name(o.scheme)}, {"input", v}, {"normalized", *r}});
    } else {
        std::cout << *r << '\n';
    }
    return exit_ok;
}

int run_satisfies(const VersionOptions& o, const std::string& v, const std::string& spec,
                  std::optional<bool> pre, bool quiet) {
    auto r = version::satisfies(o.scheme, v, spec, pre);
    if (!r) {
        return report_invalid(r.error(), o);
    }
    if (o.json) {
        print_json({{"scheme", version::scheme_name(o.scheme)},
                    {"version", v},
                    {"spec", spec},
                    {"satisfies", *r}});
    } else if (!quiet) {
        std::cout << v << (*r ? " satisfies " : " does not satisfy ") << spec << '\n';
    }
    return *r ? exit_ok : exit_findings;
}

int run_compatible(const CommonOptions& o, const std::string& qgis, const std::string& min,
                   const std::string& max, const version::compat::Options& options, bool quiet) {
    auto r = version::compat::check(qgis, min, max, options);
    if (!r) {
        return report_invalid(r.error(), o);
    }
    const char* rules = options.rules == version::compat::Rules::installer ? "installer" : "loader";
    if (o.json) {
        print_json({{"compatible", r->compatible},
                    {"rules", rules},
                    {"qgis", r->qgis},
                    {"minimum", r->minimum},
                    {"maximum", r->maximum},
                    {"maximum_defaulted", max.empty()},
                    {"reason", r->reason}});
    } else if (!quiet) {
        if (r->compatible) {
            std::cout << "compatible: QGIS " << r->qgis << " is within " << r->minimum << " .. "
                      << r->maximum << (max.empty() ? " (default maximum)" : "") << " (" << rules
                      << " rules)\n";
        } else {
            std::cout << "incompatible: " << r->reason << " (" << rules << " rules)\n";
        }
    }
    return r->compatible ? exit_ok : exit_findings;
}

} // namespace

void register_version_commands(CLI::App& app, RunState& state) {
    auto* group = app.add_subcommand("version", "Compare, sort, normalize and match versions");
    group->require_subcommand(1);

    {
        auto o = std::make_shared<VersionOptions>();
        auto a = std::make_shared<std::string>();
        auto b = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand("compare", "Print <, = or > as A is older than, equal "
                                                     "to or newer than B");
        cmd->add_option("A", *a, "First version")->required();
        cmd->add_option("B", *b, "Second version")->required();
        add_common(cmd, *o);
        cmd->callback([&state, o, a, b] { state.exit_code = run_compare(*o, *a, *b); });
    }
    {
        auto o = std::make_shared<VersionOptions>();
        auto versions = std::make_shared<std::vector<std::string>>();
        auto reverse = std::make_shared<bool>(false);
        auto* cmd = group->add_subcommand(
            "sort", "Print versions in ascending order (from the arguments, else one per line "
                    "on stdin)");
        cmd->add_option("VERSION", *versions, "Versions to sort");
        cmd->add_flag("-r,--reverse", *reverse, "Newest first");
        add_common(cmd, *o);
        cmd->callback([&state, o, versions, reverse] {
            state.exit_code = run_sort(*o, *versions, *reverse);
        });
    }
    {
        auto o = std::make_shared<VersionOptions>();
        auto v = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand("normalize", "Print the scheme's normalized form");
        cmd->add_option("VERSION", *v, "Version")->required();
        add_common(cmd, *o);
        cmd->callback([&state, o, v] { state.exit_code = run_normalize(*o, *v); });
    }
    {
        auto o = std::make_shared<VersionOptions>();
        auto v = std::make_shared<std::string>();
        auto spec = std::make_shared<std::string>();
        auto pre = std::make_shared<bool>(false);
        auto no_pre = std::make_shared<bool>(false);
        auto quiet = std::make_shared<bool>(false);
        auto* cmd = group->add_subcommand(
            "satisfies", "Exit 0 when VERSION satisfies SPEC, 1 when not. SPEC: pep440 a "
                         "specifier set (>=1.0,<2); conda a version spec (1.2.*|>=2); qgis and "
                         "qgis-classic clauses OP VERSION (== != < <= > >=) joined by commas");
        cmd->add_option("VERSION", *v, "Version")->required();
        cmd->add_option("SPEC", *spec, "Specifier")->required();
        auto* pre_flag = cmd->add_flag("--pre", *pre, "Accept pre-releases (pep440)");
        cmd->add_flag("--no-pre", *no_pre, "Refuse pre-releases (pep440)")->excludes(pre_flag);
        cmd->add_flag("-q,--quiet", *quiet, "Print nothing; only the exit code tells");
        add_common(cmd, *o);
        cmd->callback([&state, o, v, spec, pre, no_pre, quiet] {
            std::optional<bool> p;
            if (*pre) {
                p = true;
            } else if (*no_pre) {
                p = false;
            }
            state.exit_code = run_satisfies(*o, *v, *spec, p, *quiet);
        });
    }
    {
        auto o = std::make_shared<VersionOptions>();
        auto qgis = std::make_shared<std::string>();
        auto min = std::make_shared<std::string>();
        auto max = std::make_shared<std::string>();
        auto rules = std::make_shared<version::compat::Rules>(version::compat::Rules::installer);
        auto no_bump = std::make_shared<bool>(false);
        auto installed = std::make_shared<bool>(false);
        auto quiet = std::make_shared<bool>(false);
        auto* cmd = group->add_subcommand(
            "compatible", "Exit 0 when a plugin's qgisMinimumVersion/qgisMaximumVersion admit "
                          "the QGIS version, 1 when not");
        cmd->add_option("--qgis", *qgis, "QGIS version, e.g. 3.34.5")->required();
        cmd->add_option("--min", *min, "qgisMinimumVersion")->required();
        cmd->add_option("--max", *max, "qgisMaximumVersion (default: as QGIS defaults it)");
        const std::map<std::string, version::compat::Rules> rule_names = {
            {"installer", version::compat::Rules::installer},
            {"loader", version::compat::Rules::loader}};
        cmd->add_option("--rules", *rules,
                        "installer (the plugin manager, default) or loader (QGIS at start-up)")
            ->transform(choice(rule_names));
        cmd->add_flag("--no-dev-bump", *no_bump,
                      "Do not treat QGIS X.99 as (X+1).0.0 (2025/26 development trees)");
        cmd->add_flag("--installed", *installed,
                      "Installer rules for an installed plugin (a missing minimum means 0, not 2)");
        cmd->add_flag("-q,--quiet", *quiet, "Print nothing; only the exit code tells");
        add_common(cmd, *o, false);
        cmd->callback([&state, o, qgis, min, max, rules, no_bump, installed, quiet] {
            version::compat::Options options;
            options.rules = *rules;
            options.bump_dev_major = !*no_bump;
            options.installed_plugin = *installed;
            state.exit_code = run_compatible(*o, *qgis, *min, *max, options, *quiet);
        });
    }
}

} // namespace qplug::cli
