// The property test's checker: what a resolution of a scenario (tests/data/scenarios/README.md)
// must be, decided from the scenario's JSON with none of qplug's readers, version code or
// libsolv: pip versions, specifiers, requirements and markers by Debian's python3-packaging,
// plugin and conda versions by plain code over the generator's fixed sets, QGIS ranges as
// QGIS's installer checks them (property_reference.hpp).
//
// It enumerates every installation the policy can reach from the installed state (each
// package absent or one of its releases: no downgrade without allow_downgrade, no removal of
// a package the user installed without allow_uninstall, the environment's own packages as
// they are) and keeps those that satisfy every constraint; the plan is then held against
// them: its steps applied to the installed state give a valid installation, a dependency is
// installed before what needs it, each requested package gets the newest release any valid
// installation allows, nothing changes that no request needs, automatic packages nothing
// needs go, and "no solution" means there is none.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <qplug/solver/resolve.hpp>

#include "property_reference.hpp"

namespace qplug::test::property {

/// The most installations the search may try for one case.
constexpr std::size_t kMaxAssignments = 20000;

/// What a dependency of a release (or of one of its extras) needs: one of `by` in the
/// installation, and with it that release's `extra`.
struct Requirement {
    std::string text;
    std::vector<std::size_t> by;
    std::string extra;
    /// Of an installed release: nothing installed satisfied it before the request.
    bool broken_before = false;
    /// What qplug takes instead (finding f13), when it differs in principle.
    std::optional<std::vector<std::size_t>> by_qplug = std::nullopt;
};

/// What the resolver does differently from what docs/install.md and issue 17 ask, found by
/// this test; each has a minimal scenario in tests/data/scenarios/property-findings/. The
/// checker can model each (`Checker::model`), so that a case whose only differences are known
/// ones is told apart from a new one.
enum class Finding {
    installed_extras,     ///< f5: installed pip releases' extras count as installed
    automatic_in_the_way, ///< f7: an unneeded automatic package blocks the solve
    extra_reinstalls,     ///< f13: NAME[extra] reinstalls what is installed
};

struct FindingInfo {
    Finding id;
    const char* code; ///< "f4": its scenarios are property-findings/f4-*.json, f4b-*.json ...
    const char* name;
};

const std::vector<FindingInfo>& findings();

struct Element {
    solver::Backend backend = solver::Backend::legacy;
    std::string key;     ///< plugin folder, normalized pip name, conda name
    std::string display; ///< a plugin's metadata name, a pip project's name as published
    std::string version;
    int rank = 0; ///< its place in its backend's order
    std::int64_t id = 0;
    bool installed = false;
    bool automatic = false;
    bool external = false;
    bool experimental = false;
    bool deprecated = false;
    bool allowed = true;   ///< the policy lets it into the pool
    bool pin_only = false; ///< experimental, in only for an exact "==" pin
    std::string excluded_why;
    std::string qgis_minimum, qgis_maximum, requires_python;
    std::vector<std::string> modules;
    std::size_t group = 0;
    nlohmann::json source;
};

struct RequestModel {
    enum class Action { install, upgrade, upgrade_all, remove };
    Action action = Action::install;
    std::string text;
    std::optional<solver::Backend> backend;
    std::string name;
    std::string spec;
    std::vector<std::string> extras;     ///< "name[a,b]": pip extras, canonical names
    std::vector<std::size_t> candidates; ///< install, upgrade: what satisfies it
    /// Per extra asked for: the releases that give it (or are taken without it).
    std::vector<std::pair<std::string, std::vector<std::size_t>>> extra_providers;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> extra_providers_qplug; ///< f13
    std::vector<std::size_t> best;            ///< the newest candidates of each package
    std::vector<std::size_t> named_installed; ///< the installed releases of that name
};

/// One installation: per group, an element or kAbsent.
using Assignment = std::vector<long>;
constexpr long kAbsent = -1;

struct PlanVerdict {
    std::vector<std::string> problems;
    /// A remove of a package another installed package needs (the dependents' names).
    std::vector<std::string> dependents;
    bool searched_too_big = false;
    std::size_t valid_installations = 0;
};

class Checker {
public:
    /// Throws std::runtime_error for a scenario outside what it reads.
    Checker(const nlohmann::json& scenario, PipOracle& oracle);

    std::size_t size() const { return elements_.size(); }
    const Element& element(std::size_t i) const { return elements_[i]; }
    std::size_t groups() const { return group_names_.size(); }
    std::string label(std::size_t i) const;
    std::string describe(const Assignment& a) const;
    const std::vector<RequestModel>& requests() const { return requests_; }

    /// The installed state.
    Assignment installed_state() const { return installed_state_; }
    /// Why the installation breaks a constraint (or a request), or nullopt.
    std::optional<std::string> check(const Assignment& a, bool with_removes = true) const;
    /// Whether the policy lets the installed state become `a` (no downgrade, removal of what
    /// the user installed, change of the environment's own packages it does not allow).
    /// `may_go`: groups whose removal is taken as allowed.
    std::optional<std::string> reachable(const Assignment& a,
                                         const std::vector<bool>* may_go = nullptr) const;
    /// Every valid installation the policy reaches; nullopt when there are too many to try.
    std::optional<std::vector<Assignment>> valid_installations(std::size_t* tried) const;

    /// Holds a resolution against the checker: every problem found.
    PlanVerdict verdict(const Expected<solver::Resolution>& result) const;

    /// From now on, expects what qplug does in the case of a known finding.
    void model(Finding finding);

private:
    void read_elements(const nlohmann::json& scenario);
    void classify();
    void compute_ranks(PipOracle& oracle);
    void build_nodes(std::size_t i, PipOracle& oracle);
    void build_pins(PipOracle& oracle);
    void build_requests(PipOracle& oracle);
    void find_already_broken();

    bool meets(std::size_t i, const std::string& spec, PipOracle& oracle) const;
    bool python_ok(std::size_t i, PipOracle& oracle) const;
    /// `contains(version, prereleases)`: the spec's answer (packaging's).
    template <class Contains>
    std::vector<std::size_t> pip_choose(const std::vector<std::size_t>& candidates,
                                        Contains contains, PipOracle& oracle) const;
    /// Whether pip release i declares the extra (Provides-Extra, or its markers').
    bool declares(std::size_t i, const std::string& extra) const;
    bool hopeless(std::size_t i) const;
    std::vector<std::size_t> named(const std::optional<solver::Backend>& backend,
                                   const std::string& name, bool any_case) const;

    bool modeled(Finding f) const;
    /// Whether a refused remove is refused because installed packages need what it removes.
    bool refused_for_dependents() const;
    /// The extras of `a`'s release of group g that qplug takes as installed (finding f5).
    std::vector<std::string> phantom_extras(const Assignment& a, std::size_t g) const;
    /// Whether `a` replaces or removes an installed release whose extras qplug takes as
    /// installed, and loses one (which libsolv avoids where it can).
    bool loses_phantom_extras(const Assignment& a) const;
    std::vector<std::string> extras_of(std::size_t i) const;
    void compute_remove_targets();

    /// The releases of `a` each present release needs (through the extras it asks for).
    std::vector<std::vector<std::size_t>> needs(const Assignment& a,
                                                bool with_phantoms = true) const;
    /// What node (e, extra) needs in `a`, through the extras it asks for.
    std::vector<std::size_t> node_needs(const Assignment& a, std::size_t e,
                                        const std::string& extra) const;
    /// The groups of `a` that what the user asked for reaches (docs/install.md: automatic
    /// packages that nothing reached needs go).
    std::vector<bool> needed(const Assignment& a) const;

    std::optional<Assignment> apply(const solver::Resolution& r, std::vector<std::string>& problems,
                                    std::vector<long>& step_of_group) const;
    void check_order(const solver::Resolution& r, const Assignment& result,
                     const std::vector<long>& step_of_group,
                     std::vector<std::string>& problems) const;
    void check_choices(const Assignment& result, const std::vector<Assignment>& valid,
                       std::vector<std::string>& problems) const;

    std::vector<Finding> modeled_;
    nlohmann::json scenario_;
    std::string qgis_, python_;
    bool allow_downgrade_ = false, allow_uninstall_ = false;
    bool allow_experimental_ = false, allow_deprecated_ = false;
    std::vector<std::string> experimental_for_;
    std::vector<std::pair<std::string, std::string>> pin_specs_;
    std::vector<Element> elements_;
    std::vector<std::string> group_names_;
    Assignment installed_state_;
    std::vector<RequestModel> requests_;
    std::vector<std::vector<std::string>> declared_extras_;    ///< pip releases' extras
    std::vector<bool> remove_target_;                          ///< per group
    std::vector<std::vector<std::size_t>> upgrade_candidates_; ///< per group
    /// (element, extra) -> requirements; index: nodes_[i] is a list of (extra, reqs).
    std::vector<std::vector<std::pair<std::string, std::vector<Requirement>>>> nodes_;
    std::vector<std::vector<std::pair<std::string, std::vector<std::size_t>>>> constrains_;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> pins_;

    const std::vector<Requirement>* node(std::size_t i, const std::string& extra) const;
};

} // namespace qplug::test::property
