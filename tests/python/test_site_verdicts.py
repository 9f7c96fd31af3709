# SPDX-License-Identifier: GPL-2.0-or-later
"""`qplug package check --profile site` against plugins.qgis.org's own validator: the verdicts the
site's validator.py gave on every ZIP of site_verdict_cases.py (recorded by
scripts/record-site-verdicts.py into tests/data/site-verdicts/verdicts.json) must be qplug's,
for an existing plugin and for a new one (--new), and when the site refuses, qplug's errors must
name the site's reason. The few ZIPs qplug refuses on purpose (docs/packages.md) are listed as
such and must be refused with their rule."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import site_verdict_cases

QPLUG = os.environ["QPLUG_CLI"]
DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
VERDICTS = os.path.join(DATA, "site-verdicts", "verdicts.json")

# The site's message (its first refusal) -> the qplug rules that say the same.
REASONS = [
    (r"^File is too big", {"PKG-TOO-BIG"}),
    (r"^Could not unzip file", {"PKG-NOT-ZIP"}),
    (r"cannot contain path information", {"PKG-PATH-TRAVERSAL", "PKG-ABSOLUTE-PATH"}),
    # a .pyc inside __pycache__ is reported once, as its folder
    (r"cannot contain \.pyc file", {"PKG-PYC", "PKG-FORBIDDEN-DIR"}),
    (r"cannot contain <strong> '", {"PKG-FORBIDDEN-DIR"}),
    (r"^Bad zip", {"PKG-CRC"}),
    (r"cannot contain backslashes", {"PKG-BACKSLASH"}),
    (r"cannot contain drive letters", {"PKG-DRIVE-LETTER"}),
    (r"^Cannot find a folder inside", {"PKG-NO-TOP-FOLDER"}),
    (r"must be PEP 8 compliant", {"PKG-FOLDER-NOT-IDENTIFIER"}),
    (r"^Cannot find __init__.py or metadata.txt", {"PKG-NO-INIT-NOR-METADATA"}),
    (r"^Cannot find __init__.py in plugin package", {"PKG-NO-INIT"}),
    (r"^Errors parsing", "META-PARSE-"),
    (r"^Cannot find valid metadata in", {"PKG-INIT-METADATA"}),
    (r"^Cannot find metadata <strong>", "META-REQ-|PKG-INIT-METADATA"),
    (r"must start with an ASCII letter", {"PKG-FOLDER-NAME"}),
    (r"^qgisMinimumVersion is set to less than", {"PKG-LEGACY-INIT", "PKG-INIT-UTF8"}),
    (r"^Please provide valid url link", "META-URL-|META-REQ-HOMEPAGE"),
    (r"^Cannot find LICENSE", {"PKG-NO-LICENSE"}),
    (r"^Author name cannot contain slashes", {"META-AUTHOR-SLASH"}),
]
# Exceptions the validator does not catch (the upload fails with a server error).
EXCEPTIONS = {"UnicodeDecodeError": {"PKG-INIT-UTF8"}, "RuntimeError": {"PKG-ENCRYPTED"},
              "NotImplementedError": {"PKG-COMPRESSION"}, "LZMAError": {"PKG-CRC"}}


def expected_rules(verdict):
    if "exception" in verdict:
        return EXCEPTIONS.get(verdict["exception"], set())
    for pattern, rules in REASONS:
        if re.search(pattern, verdict["message"]):
            return rules
    raise AssertionError("no qplug rule known for the site's message: " + verdict["message"])


def names_reason(errors, rules):
    if isinstance(rules, str):
        return any(re.match(rules, e) for e in errors)
    return bool(errors & rules)


class SiteVerdicts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(VERDICTS, encoding="utf-8") as fh:
            cls.recorded = {c["id"]: c for c in json.load(fh)["cases"]}
        cls.tmp = tempfile.mkdtemp()
        cls.cases = site_verdict_cases.cases(cls.tmp)
        cls.paths = {}
        for case_id, data, _ in cls.cases:
            path = os.path.join(cls.tmp, case_id.replace("/", "__") + ".zip")
            with open(path, "wb") as fh:
                fh.write(data)
            cls.paths[case_id] = path
        cls.qplug = {"existing": cls.check([]), "new": cls.check(["--new"])}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    @classmethod
    def check(cls, extra):
        by_path = {}
        paths = list(cls.paths.values())
        for start in range(0, len(paths), 400):
            r = subprocess.run([QPLUG, "package", "check", "--json", "--profile", "site", *extra,
                                *paths[start:start + 400]], capture_output=True, timeout=600)
            assert r.returncode in (0, 1), r.stderr.decode()
            for p in json.loads(r.stdout)["packages"]:
                by_path[p["file"]] = p
        return {case_id: by_path[path] for case_id, path in cls.paths.items()}

    def test_cases_are_the_recorded_bytes(self):
        self.assertEqual(sorted(self.recorded), sorted(c[0] for c in self.cases))
        for case_id, data, _ in self.cases:
            self.assertEqual(site_verdict_cases.sha256(data), self.recorded[case_id]["sha256"], case_id)

    def test_verdicts_agree(self):
        checked = agreed = 0
        disagreements = []
        for case_id, _, difference in self.cases:
            if difference:
                continue
            for mode in ("existing", "new"):
                site = self.recorded[case_id][mode]
                mine = self.qplug[mode][case_id]
                errors = {d["rule"] for d in mine["diagnostics"] if d["severity"] == "error"}
                checked += 1
                if site["accepted"] == mine["valid"]:
                    agreed += 1
                else:
                    disagreements.append((case_id, mode, site.get("message", "accepted")[:160], sorted(errors)))
        print(f"\nsite verdicts: {agreed} of {checked} agree")
        self.maxDiff = None
        self.assertEqual(disagreements, [])

    def test_refusals_name_the_sites_reason(self):
        missing = []
        for case_id, _, difference in self.cases:
            for mode in ("existing", "new"):
                site = self.recorded[case_id][mode]
                if site["accepted"] or difference:
                    continue
                mine = self.qplug[mode][case_id]
                errors = {d["rule"] for d in mine["diagnostics"] if d["severity"] == "error"}
                if not names_reason(errors, expected_rules(site)):
                    missing.append((case_id, mode, site["message"][:120], sorted(errors)))
        self.assertEqual(missing, [])

    def test_deliberate_differences(self):
        """docs/packages.md lists them: the site accepts, qplug refuses, with that rule."""
        differences = [(c[0], c[2]) for c in self.cases if c[2]]
        self.assertGreaterEqual(len(differences), 4)
        for case_id, rule in differences:
            with self.subTest(case=case_id):
                self.assertTrue(self.recorded[case_id]["existing"]["accepted"])
                mine = self.qplug["existing"][case_id]
                self.assertFalse(mine["valid"])
                self.assertIn(rule, {d["rule"] for d in mine["diagnostics"] if d["severity"] == "error"})

    def test_site_warnings_are_qplug_warnings(self):
        """What the site accepts with a warning (several top folders, supportsQt6) qplug warns about."""
        rules = {"multiple_parent_folders": "PKG-MULTIPLE-TOP-FOLDERS",
                 "supportsQt6_deprecated": "META-DEPRECATED-FIELD"}
        seen = 0
        for case_id, _, _ in self.cases:
            site = self.recorded[case_id]["existing"]
            if not site["accepted"]:
                continue
            mine = {d["rule"] for d in self.qplug["existing"][case_id]["diagnostics"] if d["severity"] == "warning"}
            for w in site.get("warnings", []):
                seen += 1
                self.assertIn(rules[w], mine, case_id)
        self.assertGreater(seen, 2)


if __name__ == "__main__":
    unittest.main()
