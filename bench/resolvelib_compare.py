#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side-by-side resolution benchmark: qplug (bench_resolve --problems) and pip's resolver
(resolvelib, vendored in pip) on the same generated pip-only problems.

The index: N pip projects (default 2,000) with 5 to 15 releases each (about 10) and
Requires-Dist between them in DAG "stacks" of 200 projects (each release requires the projects
1, 2, 3 and 5 places further down its stack, ">=0.1", and on its newer releases sometimes
"<1", "<2" or "<3" as well), the shape of bench_resolve's generated index. The requests: the
first project of a few stacks, each a deep install of about 200 projects. Deterministic (seed).

Both resolvers prefer the newest release that fits; the script checks that both find a
solution and compares the versions they choose, then prints the times and the ratios.

Usage: bench/resolvelib_compare.py BUILD_DIR [--projects N] [--roots K] [--repeat R]
                                   [--seed S] [--json FILE]
"""
import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from pip._vendor import resolvelib
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.utils import canonicalize_name
from pip._vendor.packaging.version import Version

STACK = 200
OFFSETS = (1, 2, 3, 5)


def generate(projects, seed):
    """{name: [{"version", "requires": [[name, spec], ...]}, ...]} (oldest release first)."""
    rng = random.Random(seed)
    out = {}
    for j in range(projects):
        releases = 5 + rng.randrange(11)
        position = j % STACK
        rels = []
        for v in range(releases):
            requires = []
            for o in OFFSETS:
                if position + o >= STACK or j + o >= projects:
                    continue
                spec = ">=0.1"
                if v >= releases // 2 and rng.randrange(4) == 0:
                    spec += ",<%d" % (1 + rng.randrange(3))
                requires.append(["proj-%d" % (j + o), spec])
            rels.append({"version": "%d.%d.0" % (v // 3, v % 3), "requires": requires})
        out["proj-%d" % j] = rels
    return out


class Requirement:
    __slots__ = ("name", "specifier")

    def __init__(self, name, specifier):
        self.name = name
        self.specifier = specifier


class Candidate:
    __slots__ = ("name", "version", "raw")

    def __init__(self, name, version, raw):
        self.name = name
        self.version = version
        self.raw = raw


class Provider(resolvelib.AbstractProvider):
    """The index as pip's provider sees it: versions and Requires-Dist parsed when first looked
    at (pip reads a project's links and a candidate's metadata lazily too); get_preference as
    pip 23's PipProvider orders identifiers."""

    def __init__(self, index):
        self.index = index
        self.candidates = {}  # name -> [Candidate], newest first
        self.dependencies = {}  # (name, version) -> [Requirement]
        self.depths = {}
        self.requested = {}

    def identify(self, requirement_or_candidate):
        return requirement_or_candidate.name

    def get_preference(self, identifier, resolutions, candidates, information, backtrack_causes):
        # pip 23.0.1's PipProvider.get_preference without what needs links (direct URLs,
        # Requires-Python, setuptools): pinned, backtrack cause, inferred depth, requested
        # order, unfree, name.
        infos = list(information[identifier])
        operators = [s.operator for info in infos for s in info.requirement.specifier]
        pinned = any(op[:2] == "==" for op in operators)
        if identifier in self.requested:
            depth = 1.0
        else:
            depth = min(self.depths[p.name] if p is not None else 0.0 for _, p in infos) + 1.0
        self.depths[identifier] = depth
        backtrack_cause = any(identifier == c.requirement.name or
                              (c.parent is not None and identifier == c.parent.name)
                              for c in backtrack_causes)
        return (not pinned, not backtrack_cause, depth,
                self.requested.get(identifier, math.inf), not operators, identifier)

    def _candidates(self, name):
        found = self.candidates.get(name)
        if found is None:
            found = [Candidate(name, Version(r["version"]), r) for r in self.index.get(name, [])]
            found.sort(key=lambda c: c.version, reverse=True)
            self.candidates[name] = found
        return found

    def find_matches(self, identifier, requirements, incompatibilities):
        specs = [r.specifier for r in requirements[identifier]]
        bad = {c.version for c in incompatibilities[identifier]}
        return [c for c in self._candidates(identifier)
                if c.version not in bad and all(s.contains(c.version) for s in specs)]

    def is_satisfied_by(self, requirement, candidate):
        return requirement.specifier.contains(candidate.version)

    def get_dependencies(self, candidate):
        key = (candidate.name, candidate.version)
        deps = self.dependencies.get(key)
        if deps is None:
            deps = [Requirement(canonicalize_name(n), SpecifierSet(s))
                    for n, s in candidate.raw["requires"]]
            self.dependencies[key] = deps
        return deps


class Counter(resolvelib.BaseReporter):
    def __init__(self):
        self.rounds = self.backtracks = 0

    def starting_round(self, index):
        self.rounds += 1

    def backtracking(self, candidate):
        self.backtracks += 1


def resolvelib_resolve(provider, root, reporter=None):
    provider.depths = {}
    provider.requested = {root: 0}
    resolver = resolvelib.Resolver(provider, reporter or resolvelib.BaseReporter())
    result = resolver.resolve([Requirement(root, SpecifierSet(""))], max_rounds=200000)
    return {name: str(c.version) for name, c in result.mapping.items()}


def violations(index, root, chosen):
    """What a solution breaks: a missing requirement or a version outside a specifier, for
    every chosen release's Requires-Dist (the installation must be closed and consistent)."""
    found = [] if root in chosen else ["%s missing" % root]
    releases = {name: {r["version"]: r for r in rels} for name, rels in index.items()}
    for name, version in chosen.items():
        release = releases[name].get(version)
        if release is None:
            found.append("%s %s not in the index" % (name, version))
            continue
        for dep, spec in release["requires"]:
            got = chosen.get(dep)
            if got is None or not SpecifierSet(spec).contains(Version(got)):
                found.append("%s %s requires %s%s, got %s" % (name, version, dep, spec, got))
    return found


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return (time.perf_counter() - t) * 1e3, value


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("--projects", type=int, default=2000)
    ap.add_argument("--roots", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20250401)
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args()

    index = generate(args.projects, args.seed)
    stacks = max(1, args.projects // STACK)
    step = max(1, stacks // args.roots)
    roots = ["proj-%d" % (s * STACK) for s in range(0, stacks, step)][: args.roots]
    releases = sum(len(r) for r in index.values())
    edges = sum(len(rel["requires"]) for r in index.values() for rel in r)

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"projects": index, "requests": roots, "python": "3.11",
                   "repeat": args.repeat}, fh)
        problems = fh.name
    try:
        binary = os.path.join(args.build, "bench", "bench_resolve")
        out = subprocess.run([binary, "--problems=" + problems], check=True,
                             stdout=subprocess.PIPE).stdout
        qplug = json.loads(out)
    finally:
        os.unlink(problems)

    rows = []
    valid_all = True
    for q in qplug["problems"]:
        root = q["request"]
        cold, warm = [], []
        counter = Counter()
        resolvelib_resolve(Provider(index), root, counter)
        for _ in range(args.repeat):
            provider = Provider(index)  # nothing parsed yet
            ms, chosen = timed(lambda: resolvelib_resolve(provider, root))
            cold.append(ms)
            ms, again = timed(lambda: resolvelib_resolve(provider, root))  # parsed already
            warm.append(ms)
            assert again == chosen
        same = sum(1 for n, v in chosen.items() if q["chosen"].get(n) == v)
        newer = sum(1 for n, v in chosen.items()
                    if n in q["chosen"] and Version(q["chosen"][n]) > Version(v))
        bad = violations(index, root, chosen) + (
            violations(index, root, q["chosen"]) if q["solved"] else ["qplug: not solved"])
        for b in bad:
            print("invalid solution for %s: %s" % (root, b), file=sys.stderr)
        valid_all = valid_all and not bad
        rows.append({"request": root, "qplug_solved": q["solved"], "installs": len(chosen),
                     "qplug_installs": len(q["chosen"]), "same_versions": same, "qplug_newer": newer,
                     "rounds": counter.rounds, "backtracks": counter.backtracks,
                     "callbacks": q["callbacks"],
                     "qplug_resolve_ms": q["resolve_ms"], "qplug_solve_ms": q["solve_ms"],
                     "resolvelib_ms": statistics.median(cold),
                     "resolvelib_parsed_ms": statistics.median(warm)})

    print("Index: %d projects, %d releases, %d Requires-Dist; %d deep requests; medians of %d; "
          "qplug pool from the records once: %.0f ms (JSON -> records: %.0f ms)"
          % (args.projects, releases, edges, len(roots), args.repeat, qplug["pool_ms"],
             qplug["load_ms"]))
    print()
    print("| request | installs | same versions | resolvelib rounds / backtracks "
          "| qplug callbacks | qplug resolve() | qplug solve | resolvelib | resolvelib, parsed "
          "| ratio resolve | ratio solve |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print("| %s | %d | %d/%d | %d / %d | %d | %.1f ms | %.2f ms | %.1f ms | %.1f ms "
              "| %.1fx | %.0fx |"
              % (r["request"], r["installs"], r["same_versions"], r["installs"], r["rounds"],
                 r["backtracks"], r["callbacks"],
                 r["qplug_resolve_ms"], r["qplug_solve_ms"], r["resolvelib_ms"],
                 r["resolvelib_parsed_ms"], r["resolvelib_ms"] / r["qplug_resolve_ms"],
                 r["resolvelib_parsed_ms"] / r["qplug_solve_ms"]))
    med = lambda key: statistics.median(r[key] for r in rows)
    print()
    print("Medians over the requests: qplug resolve() %.1f ms, solve %.2f ms; resolvelib %.1f ms, "
          "parsed %.1f ms; resolvelib / qplug: %.1fx end to end, %.0fx solve alone"
          % (med("qplug_resolve_ms"), med("qplug_solve_ms"), med("resolvelib_ms"),
             med("resolvelib_parsed_ms"), med("resolvelib_ms") / med("qplug_resolve_ms"),
             med("resolvelib_parsed_ms") / med("qplug_solve_ms")))
    print("qplug peak RSS: %.0f MB" % qplug["peak_rss_mb"])
    print("Both solved every request with a valid installation: %s; same versions: %d of %d, "
          "qplug newer on %d, resolvelib newer on %d"
          % (valid_all, sum(r["same_versions"] for r in rows), sum(r["installs"] for r in rows),
             sum(r["qplug_newer"] for r in rows),
             sum(r["installs"] - r["same_versions"] - r["qplug_newer"] for r in rows)))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"qplug": qplug, "rows": rows}, fh, indent=1)
    return 0 if valid_all else 1


if __name__ == "__main__":
    sys.exit(main())
