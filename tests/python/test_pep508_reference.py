# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: qplug's PEP 508 requirements and markers (libversion, driven through the
test-only helper tests/version/helpers/pep508_helper) against Debian's python3-packaging 23.0:
validity, packaging's error message and position, str() of requirements and markers, the
parts of a requirement, and Marker.evaluate() in CPython 3.8 ... 3.13 on linux, win32 and
darwin, with and without extras. Cases: tens of thousands of generated strings, every
Requires-Dist of this machine's installed distributions, and hand-picked vectors."""
import importlib.metadata
import json
import os
import platform
import sys
import types
import unittest
import warnings

import exits
from packaging._tokenizer import ParserSyntaxError
from packaging.markers import Marker, default_environment, format_full_version
from packaging.requirements import Requirement

import generate_pep508

SCALE = int(os.environ.get("QPLUG_DIFF_SCALE", "1"))  # more cases: QPLUG_DIFF_SCALE=10
BINARY_DIR = os.environ.get("QPLUG_BINARY_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE_DIR = os.environ.get("QPLUG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
HELPER = os.path.join(BINARY_DIR, "tests", "version", "pep508_helper")

PYTHONS = ["3.8.10", "3.9.18", "3.10.12", "3.11.2", "3.12.4", "3.13.0rc1"]
PLATFORMS = ["linux", "win32", "darwin"]
EXTRAS_ALL = ["", "test", "Test_Extra", "dev.tools", "security", "1.0"]
EXTRAS_FEW = ["", "Test_Extra", "1.0"]

def quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def evaluate(marker, environments, extras):
    rows = []
    for env in environments:
        row = []
        for extra in extras:
            try:
                row.append(quiet(marker.evaluate, dict(env, extra=extra)))
            except Exception:  # KeyError, InvalidVersion, UndefinedComparison, ...
                row.append(None)
        rows.append(row)
    return rows


def reference(kind, text, environments, extras):
    """What packaging 23.0 makes of `text`, in the helper's answer format."""
    try:
        parsed = quiet(Requirement if kind == "requirement" else Marker, text)
    except Exception as e:  # InvalidRequirement/Marker, InvalidSpecifier, ValueError, SyntaxError
        cause = e.__cause__
        if isinstance(cause, ParserSyntaxError):
            return {"ok": False, "message": cause.message,
                    "offset": len(text[:cause.span[1]].encode("utf-8"))}
        return {"ok": False}
    if kind == "marker":
        return {"ok": True, "str": str(parsed), "evaluate": evaluate(parsed, environments, extras)}
    out = {"ok": True, "str": str(parsed), "name": parsed.name, "extras": sorted(parsed.extras),
           "specifier": str(parsed.specifier), "url": parsed.url or "", "marker": None}
    if parsed.marker is not None:
        out["marker"] = str(parsed.marker)
        out["evaluate"] = evaluate(parsed.marker, environments, extras)
    return out


def helper(requests):
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    done = exits.run([HELPER], 0, input=lines.encode("utf-8"), capture_output=True, timeout=600)
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").split("\n")[:-1]]
    assert len(answers) == len(requests)
    return answers


def environments(pythons=PYTHONS, platforms=PLATFORMS):
    asks = [{"environment": [v, p, ""]} for v in pythons for p in platforms]
    return [a["environment"] for a in helper(asks)]


class Pep508AgainstPackaging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.envs = environments()
        cls.few_envs = environments(["3.8.10", "3.11.2", "3.13.0rc1"], PLATFORMS)

    def compare(self, cases, envs, extras):
        """cases: [(kind, text)]. Returns (valid, invalid) counts."""
        requests = [{"environments": envs, "extras": extras}]
        requests += [{kind: text} for kind, text in cases]
        answers = helper(requests)[1:]
        counts = [0, 0]
        for (kind, text), got in zip(cases, answers):
            expected = reference(kind, text, envs, extras)
            counts[0 if expected["ok"] else 1] += 1
            if not expected["ok"]:
                if "message" not in expected:
                    got = {"ok": got["ok"]}
                else:
                    got = {k: got.get(k) for k in ("ok", "message", "offset")}
            with self.subTest(kind=kind, text=text):
                self.assertEqual(got, expected, f"{kind} {text!r}")
        return counts

    def test_vectors(self):
        self.compare(generate_pep508.VECTORS, self.envs, EXTRAS_ALL)

    def test_requires_dist_of_installed_distributions_and_pypi_spellings(self):
        found = set(generate_pep508.REAL)
        for dist in importlib.metadata.distributions():
            found.update(dist.requires or [])
        cases = [("requirement", r) for r in sorted(found)]
        valid, _ = self.compare(cases, self.envs, EXTRAS_ALL)
        self.assertGreater(valid, 40)
        print(f"\n{len(cases)} Requires-Dist lines", file=sys.stderr)

    def test_generated_requirements(self):
        cases = [("requirement", s) for s in generate_pep508.requirements(seed=508, count=30000 * SCALE)]
        valid, invalid = self.compare(cases, self.few_envs, EXTRAS_ALL)
        self.assertGreater(valid, 10000)
        self.assertGreater(invalid, 10000)
        print(f"\n{len(cases)} requirements: {valid} valid, {invalid} invalid", file=sys.stderr)

    def test_generated_markers(self):
        cases = [("marker", s) for s in generate_pep508.markers(seed=509, count=10000 * SCALE)]
        valid, invalid = self.compare(cases, self.envs, EXTRAS_FEW)
        self.assertGreater(valid, 3000)
        self.assertGreater(invalid, 500)
        print(f"\n{len(cases)} markers: {valid} valid, {invalid} invalid, each evaluated in "
              f"{len(self.envs) * len(EXTRAS_FEW)} environments", file=sys.stderr)

    def test_default_environment_is_this_python(self):
        [env] = environments([platform.python_version()], ["linux"])
        here = default_environment()
        for key in ("platform_release", "platform_version", "platform_machine"):
            del env[key], here[key]
        self.assertEqual(env, here)

    def test_default_environment_versions(self):
        for version, info in [("3.13.0rc1", (3, 13, 0, "candidate", 1)), ("3.14.0a3", (3, 14, 0, "alpha", 3)),
                              ("3.12.0b4", (3, 12, 0, "beta", 4)), ("3.9.18", (3, 9, 18, "final", 0)),
                              ("3.12", (3, 12, 0, "final", 0))]:
            [env] = environments([version], ["linux"])
            fake = types.SimpleNamespace(major=info[0], minor=info[1], micro=info[2],
                                         releaselevel=info[3], serial=info[4])
            self.assertEqual(env["implementation_version"], format_full_version(fake), version)
            self.assertEqual(env["python_version"], f"{info[0]}.{info[1]}")
        bad = helper([{"environment": [v, p, ""]} for v, p in
                      [("3", "linux"), ("3.x", "linux"), ("03.8", "linux"), ("3.8.1c1", "linux"),
                       ("3.8", "cygwin"), ("", "linux"), ("3.8.", "linux")]])
        self.assertEqual([a["ok"] for a in bad], [False] * 7)

    def test_tables_current(self):
        script = os.path.join(SOURCE_DIR, "tests", "python", "gen_pep508_tables.py")
        exits.run([sys.executable, script, "--check"], 0)

    def test_decided_divergences(self):
        """Where qplug refuses what packaging 23.0 accepts (docs/versions.md)."""
        deep = "(" * 201 + 'os_name == "a"' + ")" * 201
        ok = "(" * 200 + 'os_name == "a"' + ")" * 200
        texts = ["os_name == '\\N{BULLET}'", "os_name == '\\ud800'", "os_name == '\\U0000dfff'", deep]
        answers = helper([{"marker": t} for t in texts] + [{"marker": ok}])
        for text, got in zip(texts, answers):
            quiet(Marker, text)  # packaging accepts
            self.assertFalse(got["ok"], text)
        self.assertEqual(answers[-1]["str"], 'os_name == "a"')


if __name__ == "__main__":
    unittest.main()
