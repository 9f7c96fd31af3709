# SPDX-License-Identifier: GPL-2.0-or-later
"""The pip answers of the resolver's property test (tests/solver/test_resolve_property.cpp),
from Debian's python3-packaging rather than qplug's own PEP 440 and PEP 508 code.

One run answers every question of a test run: a JSON object on stdin, a JSON object on
stdout, the answers in the order of the questions.

  {"versions": ["1.0", ...],                      the order of pip versions
   "contains": [["1.0", ">=1,<2", null], ...],    SpecifierSet(spec).contains(v, prereleases)
   "requirements": ["name[x]>=1; marker", ...],   Requirement(line) and its marker ...
   "environments": [["3.11", "linux"], ...],      ... evaluated for each target Python/platform
   "extras": ["fast", ...]}                       ... with extra == "" and each of these

  {"ranks": [0, 1, ...],          per version: its place among the distinct versions (equal
                                  versions share one; -1 for an invalid version)
   "contains": [true, ...],       null when the version or the specifier is invalid
   "requirements": [{"name", "extras", "specifier", "marker_extras",
                     "applies": [[for "" and each of "extras": bool], per environment],
                     "contains": [[prereleases None, True], per version of "versions"]}
                    or {"error": "..."}]}

A requirement's own specifier is matched against every version asked about, so that the
checker needs no second round.
"""
import json
import sys

from packaging.markers import Marker, Variable, Value, default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def environment(python, platform):
    """The marker environment of a target Python ("3.12.3" or "3.11") and platform."""
    env = dict(default_environment())
    parts = python.split(".")
    env["python_version"] = ".".join(parts[:2])
    env["python_full_version"] = ".".join((parts + ["0", "0"])[:3])
    env["sys_platform"] = platform
    env["platform_system"] = {"linux": "Linux", "win32": "Windows", "darwin": "Darwin"}[platform]
    env["os_name"] = "nt" if platform == "win32" else "posix"
    env["implementation_name"] = "cpython"
    env["platform_python_implementation"] = "CPython"
    return env


def marker_extras(markers):
    """The extra names a marker compares `extra` with."""
    found = []
    for item in markers:
        if isinstance(item, list):
            found += marker_extras(item)
        elif isinstance(item, tuple):
            lhs, _, rhs = item
            if isinstance(lhs, Variable) and lhs.value == "extra" and isinstance(rhs, Value):
                found.append(canonicalize_name(rhs.value))
            elif isinstance(rhs, Variable) and rhs.value == "extra" and isinstance(lhs, Value):
                found.append(canonicalize_name(lhs.value))
    return found


def evaluate(marker, env, extra):
    try:
        return bool(marker.evaluate(dict(env, extra=extra)))
    except Exception:  # pip takes a marker it cannot evaluate as false
        return False


def requirement(line, environments, versions, asked_extras):
    try:
        req = Requirement(line)
    except InvalidRequirement as e:
        return {"error": str(e)}
    extras = sorted({canonicalize_name(e) for e in req.extras})
    answer = {"name": canonicalize_name(req.name), "extras": extras,
              "specifier": str(req.specifier), "marker_extras": [], "applies": [],
              "contains": [[contains(v, str(req.specifier), None),
                            contains(v, str(req.specifier), True)] for v in versions]}
    if req.marker is None:
        answer["applies"] = [[True] * (1 + len(asked_extras)) for _ in environments]
        return answer
    answer["marker_extras"] = sorted(set(marker_extras(req.marker._markers)))
    answer["applies"] = [[evaluate(req.marker, env, extra) for extra in [""] + asked_extras]
                         for env in environments]
    return answer


def contains(version, spec, prereleases):
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=prereleases)
    except (InvalidSpecifier, InvalidVersion):
        return None


def ranks(versions):
    parsed = []
    for v in versions:
        try:
            parsed.append(Version(v))
        except InvalidVersion:
            parsed.append(None)
    distinct = sorted({v for v in parsed if v is not None})
    place = {v: i for i, v in enumerate(distinct)}
    return [-1 if v is None else place[v] for v in parsed]


def main():
    questions = json.load(sys.stdin)
    environments = [environment(python, platform)
                    for python, platform in questions.get("environments", [])]
    versions = questions.get("versions", [])
    json.dump({"ranks": ranks(versions),
               "contains": [contains(v, s, p) for v, s, p in questions.get("contains", [])],
               "requirements": [requirement(line, environments, versions,
                                            questions.get("extras", []))
                                for line in questions.get("requirements", [])]},
              sys.stdout)


if __name__ == "__main__":
    main()
