// The English rendering of a simplified problem graph: one sentence per root cause, path and
// solution, and the proof (docs/resolve.md, "Explanations").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "solv/model_text.hpp"
#include "solv/problem_graph.hpp"

namespace qplug::solver::solv {

namespace {

const SolvableInfo* platform_info(const Model& model, SolvableInfo::Kind kind) {
    const SolvableInfo* found = nullptr;
    for (Id p = 2; p < model.pool()->nsolvables; ++p) {
        const SolvableInfo* i = model.info(p);
        if (i != nullptr && i->kind == kind) {
            found = i;
        }
    }
    return found;
}

const char* s_if_one(std::size_t n) {
    return n == 1 ? "s" : "";
}

std::string cause_text(const Cause& c, const ProblemRules& rules, const Model& model) {
    switch (c.kind) {
    case ProblemCause::Kind::platform: {
        const bool on_qgis = c.subject.rfind("QGIS", 0) == 0;
        const SolvableInfo* target =
            platform_info(model, on_qgis ? SolvableInfo::Kind::qgis : SolvableInfo::Kind::python);
        return fmt::format("{} require{} {}, but the target is {} {}", merged(model, c.sources),
                           s_if_one(c.sources.size()), c.subject, on_qgis ? "QGIS" : "Python",
                           target != nullptr ? target->version : "?");
    }
    case ProblemCause::Kind::missing:
    case ProblemCause::Kind::constraint:
        return fmt::format("{} require{} {}, {}", merged(model, c.sources),
                           s_if_one(c.sources.size()), c.subject,
                           c.because.empty() ? "which no repository offers" : c.because);
    case ProblemCause::Kind::module_conflict: {
        std::vector<Id> all = c.sources;
        all.insert(all.end(), c.others.begin(), c.others.end());
        return fmt::format(
            "the Python module '{}' may come from one backend only, but it would come from {}",
            c.subject, merged(model, all));
    }
    case ProblemCause::Kind::one_version: {
        std::vector<std::string> uses;
        for (const auto& [spec, sources] : c.required_as) {
            uses.push_back(fmt::format("{} by {}", spec.empty() ? "any version" : spec,
                                       merged(model, sources)));
        }
        std::vector<std::string> asked;
        std::vector<std::string> installed;
        for (const Id p : c.others) {
            const SolvableInfo* i = model.info(p);
            if (i != nullptr && i->installed) {
                installed.push_back(i->version);
            }
            if (rules.requested.count(p) != 0 && i != nullptr) {
                asked.push_back(i->version);
            }
        }
        if (!asked.empty()) {
            uses.push_back(fmt::format("{} by your request", fmt::join(asked, ", ")));
        }
        std::string line =
            fmt::format("{}: only one version can be installed, but it is {}", c.subject,
                        uses.empty() ? std::string("needed as ") + merged(model, c.others)
                                     : "required as " + fmt::format("{}", fmt::join(uses, "; ")));
        if (!installed.empty()) {
            line += fmt::format("; {} is installed", fmt::join(installed, ", "));
        }
        return line;
    }
    case ProblemCause::Kind::pin:
        return fmt::format("your pin {} excludes {}", c.subject, merged(model, c.sources));
    case ProblemCause::Kind::removal_needed:
        return fmt::format("{} requires {}, which you asked to remove",
                           label(model, c.sources.front()), c.subject);
    case ProblemCause::Kind::external: {
        const ReleaseRecord* r = model.record(c.sources.front());
        return fmt::format(
            "{} belongs to the target's Python environment{} and was not installed by qplug: "
            "qplug leaves it as it is",
            c.subject,
            r != nullptr && !r->release.path.empty()
                ? " (" + std::filesystem::path(r->release.path).parent_path().string() + ")"
                : std::string());
    }
    case ProblemCause::Kind::installed_kept: {
        const bool one = c.sources.size() == 1;
        return fmt::format(
            "{} {} installed and stay{} unless you allow downgrading (--allow-downgrade) or "
            "removing (--allow-uninstall)",
            merged(model, c.sources), one ? "is" : "are", one ? "s" : "");
    }
    case ProblemCause::Kind::not_downgraded: {
        const bool one = c.sources.size() == 1;
        return fmt::format("{} {} installed and {} not downgraded unless you allow downgrading "
                           "(--allow-downgrade)",
                           merged(model, c.sources), one ? "is" : "are", one ? "is" : "are");
    }
    case ProblemCause::Kind::not_installed:
    case ProblemCause::Kind::no_matching_version:
    case ProblemCause::Kind::unknown_package:
    case ProblemCause::Kind::left_out_by_policy: // worded where they are made (resolve.cpp)
    case ProblemCause::Kind::unknown:
        break;
    }
    return "the requested packages cannot be installed together";
}

/// The proof: for each problem, the rules libsolv found that cannot all hold together, in
/// qplug's words. Not libsolv 0.7.23's decision list (solver_get_decisionlist): for some
/// problems its proof walk calls abort() (an installed release whose requirement was unmet
/// before, a downgrade refused while uninstalling is allowed: scenario p07), and its
/// SOLVER_DECISIONLIST_SORTED form reads outside the pool when it compares two erase jobs'
/// flags as solvable ids (`qplug remove` of a plugin another installed plugin needs, q20).
std::vector<std::string> proof_text(const ProblemRules& rules, const Model& model) {
    std::vector<std::string> out;
    for (const auto& problem : rules.proof) {
        for (const auto& rule : problem) {
            std::string why;
            switch (rule.type & SOLVER_RULE_TYPEMASK) {
            case SOLVER_RULE_JOB:
                why = "your request (or the target's marks and pins)";
                break;
            case SOLVER_RULE_PKG:
                if (rule.type == SOLVER_RULE_PKG_REQUIRES ||
                    rule.type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP) {
                    why = fmt::format("{} requires {}", label(model, rule.from),
                                      describe_dependency(model, rule.dep));
                } else if (rule.type == SOLVER_RULE_PKG_CONFLICTS) {
                    why = fmt::format("{} conflicts with {}", label(model, rule.from),
                                      label(model, rule.to));
                } else if (rule.type == SOLVER_RULE_PKG_SAME_NAME) {
                    why = fmt::format("only one of {} and {}", label(model, rule.from),
                                      label(model, rule.to));
                } else {
                    why = "a package rule";
                }
                break;
            case SOLVER_RULE_UPDATE:
            case SOLVER_RULE_FEATURE:
                why = fmt::format("{} is installed and stays", label(model, rule.from));
                break;
            case SOLVER_RULE_LEARNT:
                why = "follows from the others";
                break;
            default:
                why = "a solver rule";
            }
            out.push_back(why);
        }
        if (!problem.empty()) {
            out.push_back("=> these cannot all hold");
        }
    }
    return out;
}

} // namespace

std::string merged(const Model& model, const std::vector<Id>& ids) {
    std::map<std::string, std::vector<std::string>> by_name;
    for (const Id p : ids) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr) {
            continue;
        }
        if (i->kind != SolvableInfo::Kind::release && i->kind != SolvableInfo::Kind::extra) {
            by_name[label(model, p)];
            continue;
        }
        auto& versions = by_name[fmt::format("{}\t{}", i->display, backend_name(i->backend))];
        // One entry per version; "[installed]" when the installed release is that version.
        auto same = std::find_if(versions.begin(), versions.end(), [&](const std::string& v) {
            return v == i->version || v == i->version + " [installed]";
        });
        if (same == versions.end()) {
            versions.push_back(i->version + (i->installed ? " [installed]" : ""));
        } else if (i->installed) {
            *same = i->version + " [installed]";
        }
    }
    std::vector<std::string> parts;
    for (const auto& [key, versions] : by_name) {
        const std::size_t tab = key.find('\t');
        if (versions.empty() || tab == std::string::npos) {
            parts.push_back(key);
        } else {
            parts.push_back(fmt::format("{} {} ({})", key.substr(0, tab), fmt::join(versions, ", "),
                                        key.substr(tab + 1)));
        }
    }
    return fmt::format("{}", fmt::join(parts, "; "));
}

std::string action_text(const Action& a, const Model& model) {
    switch (a.kind) {
    case SolutionAction::Kind::drop_request:
        return "drop your request for " + merged(model, a.solvables);
    case SolutionAction::Kind::drop_pin:
        return "drop your pin " + a.subject;
    case SolutionAction::Kind::remove:
        return "remove " + label(model, a.solvables.front()) + (a.too ? " too" : "");
    case SolutionAction::Kind::replace:
        return fmt::format("replace {} with {}", label(model, a.solvables[0]),
                           label(model, a.solvables[1]));
    case SolutionAction::Kind::change_external:
        return fmt::format("change {} in the Python environment yourself (qplug changes only "
                           "what it installed)",
                           label(model, a.solvables.front()));
    case SolutionAction::Kind::retarget:
        return "target another QGIS or Python version";
    case SolutionAction::Kind::accept_older:
        return "accept an older release than the newest";
    case SolutionAction::Kind::change_request:
    case SolutionAction::Kind::change_policy: // worded where they are made (resolve.cpp)
    case SolutionAction::Kind::add_repository:
        break;
    }
    return "add and sync a repository that offers what is missing, or ask the plugin's authors "
           "to update its dependencies";
}

Explanation render_sentences(const ProblemRules& rules, const Simplified& simplified,
                             const Model& model) {
    Explanation out;
    for (const Cause& c : simplified.causes) {
        out.summary.push_back(cause_text(c, rules, model));
    }
    for (const auto& chain : simplified.paths) {
        std::vector<std::string> labels;
        for (const Id p : chain) {
            labels.push_back(label(model, p));
        }
        out.paths.push_back(fmt::format("{}", fmt::join(labels, " -> ")));
    }
    for (const auto& actions : simplified.solutions) {
        std::vector<std::string> texts;
        for (const Action& a : actions) {
            texts.push_back(action_text(a, model));
        }
        out.solutions.push_back(fmt::format("{}", fmt::join(texts, ", and ")));
    }
    out.proof = proof_text(rules, model);
    return out;
}

} // namespace qplug::solver::solv
