# SPDX-License-Identifier: GPL-2.0-or-later
"""The qplug program as a user runs it: output, --json, exit codes, error messages."""
import json
import os
import subprocess
import unittest

QPLUG = os.environ["QPLUG_CLI"]


def run(*args, stdin=None):
    return subprocess.run([QPLUG, *args], input=stdin, capture_output=True, text=True, timeout=60)


class Basics(unittest.TestCase):
    def test_version_and_help(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^qplug \d+\.\d+\.\d+")
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("Exit codes: 0 success; 1 findings", r.stdout)
        self.assertIn("version", r.stdout)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("version", "compare", "1.0").returncode, 2)
        r = run("version", "compare", "--scheme", "semver", "1", "2")
        self.assertEqual(r.returncode, 2)
        self.assertIn("semver", r.stderr)


class Compare(unittest.TestCase):
    def test_text(self):
        self.assertEqual(run("version", "compare", "1.0", "1.0.0").stdout, "=\n")
        self.assertEqual(run("version", "compare", "--scheme", "qgis-classic", "1.0", "1.0.0").stdout, "<\n")
        self.assertEqual(run("version", "compare", "--scheme", "conda", "1.0.1a", "1.0.1").stdout, "<\n")
        self.assertEqual(run("version", "compare", "2.0", "10.0-custom").stdout, ">\n")

    def test_json(self):
        r = run("version", "compare", "--json", "--scheme", "pep440", "1.0a1", "1.0")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout),
                         {"scheme": "pep440", "a": "1.0a1", "b": "1.0", "result": "<", "order": -1})

    def test_invalid_version_names_input_and_column(self):
        r = run("version", "compare", "--scheme", "pep440", "1.0+", "1.0")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        self.assertIn("invalid PEP 440 version '1.0+': column 4", r.stderr)
        self.assertIn("    1.0+\n       ^", r.stderr)
        r = run("version", "compare", "--json", "--scheme", "pep440", "1.0+", "1.0")
        self.assertEqual(r.returncode, 2)
        err = json.loads(r.stdout)["error"]
        self.assertEqual((err["input"], err["column"], err["offset"]), ("1.0+", 4, 3))


class Sort(unittest.TestCase):
    def test_arguments_and_stdin(self):
        r = run("version", "sort", "--scheme", "pep440", "1.10", "1.9", "1.0rc1", "1.0")
        self.assertEqual(r.stdout.split(), ["1.0rc1", "1.0", "1.9", "1.10"])
        r = run("version", "sort", "--scheme", "pep440", stdin="1.10\r\n1.9\n\n1.0rc1\n")
        self.assertEqual(r.stdout.split(), ["1.0rc1", "1.9", "1.10"])
        r = run("version", "sort", "-r", "--json", "1.9", "1.10")
        self.assertEqual(json.loads(r.stdout), {"scheme": "qgis", "versions": ["1.10", "1.9"]})

    def test_invalid_line(self):
        r = run("version", "sort", "--scheme", "conda", stdin="1.0\n1..0\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'1..0'", r.stderr)


class NormalizeSatisfiesCompatible(unittest.TestCase):
    def test_normalize(self):
        self.assertEqual(run("version", "normalize", "ver. 1.0-rc1").stdout, "1.0-RC1\n")
        self.assertEqual(run("version", "normalize", "--scheme", "pep440", "1.0-RC1").stdout, "1.0rc1\n")
        self.assertEqual(run("version", "normalize", "--scheme", "conda", " 1.0-A ").stdout, "1.0_a\n")

    def test_satisfies(self):
        r = run("version", "satisfies", "--scheme", "pep440", "1.5", ">=1.0,<2")
        self.assertEqual((r.returncode, r.stdout), (0, "1.5 satisfies >=1.0,<2\n"))
        r = run("version", "satisfies", "--scheme", "pep440", "2.0a1", ">=1.0")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(run("version", "satisfies", "--pre", "--scheme", "pep440", "2.0a1", ">=1.0").returncode, 0)
        self.assertEqual(run("version", "satisfies", "-q", "1.2", ">=1.0,<2.0").stdout, "")
        r = run("version", "satisfies", "--json", "--scheme", "conda", "1.7.1", "1.7.*|>2")
        self.assertEqual(json.loads(r.stdout)["satisfies"], True)
        self.assertEqual(run("version", "satisfies", "--scheme", "pep440", "1.0", "=>1").returncode, 2)

    def test_compatible(self):
        r = run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22", "--max", "3.34")
        self.assertEqual(r.returncode, 0)
        self.assertIn("compatible: QGIS 3.34.5", r.stdout)
        r = run("version", "compatible", "--qgis", "4.0.0", "--min", "3.0")
        self.assertEqual(r.returncode, 1)
        self.assertIn("qgisMaximumVersion 3.99 (the default)", r.stdout)
        r = run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22beta", "--rules", "loader", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["rules"], "loader")
        self.assertEqual(run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22beta").returncode, 0)
        self.assertEqual(run("version", "compatible", "--qgis", "3.99.0", "--min", "4.0").returncode, 0)
        self.assertEqual(run("version", "compatible", "--no-dev-bump", "--qgis", "3.99.0", "--min", "4.0").returncode, 1)
        r = run("version", "compatible", "--qgis", "three", "--min", "3.0")
        self.assertEqual(r.returncode, 2)
        self.assertIn("invalid QGIS version 'three'", r.stderr)


if __name__ == "__main__":
    unittest.main()
