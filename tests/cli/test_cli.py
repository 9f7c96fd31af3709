# SPDX-License-Identifier: GPL-2.0-or-later
"""The qplug program as a user runs it: output, --json, exit codes, error messages."""
import json
import os
import shutil
import tempfile
import unittest
import zipfile

import exits

QPLUG = os.environ["QPLUG_CLI"]


def run(*args, stdin=None, expect=0):
    """Runs qplug; fails unless it exits with exactly `expect` (never by a signal)."""
    return exits.run([QPLUG, *args], expect, input=stdin, capture_output=True, text=True,
                     timeout=60)


class Basics(unittest.TestCase):
    def test_version_and_help(self):
        r = run("--version", expect=0)
        self.assertRegex(r.stdout, r"^qplug \d+\.\d+\.\d+")
        r = run("--help", expect=0)
        self.assertIn("Exit codes: 0 success; 1 findings", r.stdout)
        self.assertIn("version", r.stdout)

    def test_usage_errors_exit_2(self):
        run(expect=2)
        run("frobnicate", expect=2)
        run("version", "compare", "1.0", expect=2)
        r = run("version", "compare", "--scheme", "semver", "1", "2", expect=2)
        self.assertIn("semver", r.stderr)


class Compare(unittest.TestCase):
    def test_text(self):
        self.assertEqual(run("version", "compare", "1.0", "1.0.0").stdout, "=\n")
        self.assertEqual(run("version", "compare", "--scheme", "qgis-classic", "1.0", "1.0.0").stdout, "<\n")
        self.assertEqual(run("version", "compare", "--scheme", "conda", "1.0.1a", "1.0.1").stdout, "<\n")
        self.assertEqual(run("version", "compare", "2.0", "10.0-custom").stdout, ">\n")

    def test_json(self):
        r = run("version", "compare", "--json", "--scheme", "pep440", "1.0a1", "1.0", expect=0)
        self.assertEqual(json.loads(r.stdout),
                         {"scheme": "pep440", "a": "1.0a1", "b": "1.0", "result": "<", "order": -1})

    def test_invalid_version_names_input_and_column(self):
        r = run("version", "compare", "--scheme", "pep440", "1.0+", "1.0", expect=2)
        self.assertEqual(r.stdout, "")
        self.assertIn("invalid PEP 440 version '1.0+': column 4", r.stderr)
        self.assertIn("    1.0+\n       ^", r.stderr)
        r = run("version", "compare", "--json", "--scheme", "pep440", "1.0+", "1.0", expect=2)
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
        r = run("version", "sort", "--scheme", "conda", stdin="1.0\n1..0\n", expect=2)
        self.assertIn("'1..0'", r.stderr)


class NormalizeSatisfiesCompatible(unittest.TestCase):
    def test_normalize(self):
        self.assertEqual(run("version", "normalize", "ver. 1.0-rc1").stdout, "1.0-RC1\n")
        self.assertEqual(run("version", "normalize", "--scheme", "pep440", "1.0-RC1").stdout, "1.0rc1\n")
        self.assertEqual(run("version", "normalize", "--scheme", "conda", " 1.0-A ").stdout, "1.0_a\n")

    def test_satisfies(self):
        r = run("version", "satisfies", "--scheme", "pep440", "1.5", ">=1.0,<2")
        self.assertEqual(r.stdout, "1.5 satisfies >=1.0,<2\n")
        r = run("version", "satisfies", "--scheme", "pep440", "2.0a1", ">=1.0", expect=1)
        run("version", "satisfies", "--pre", "--scheme", "pep440", "2.0a1", ">=1.0", expect=0)
        self.assertEqual(run("version", "satisfies", "-q", "1.2", ">=1.0,<2.0").stdout, "")
        r = run("version", "satisfies", "--json", "--scheme", "conda", "1.7.1", "1.7.*|>2")
        self.assertEqual(json.loads(r.stdout)["satisfies"], True)
        run("version", "satisfies", "--scheme", "pep440", "1.0", "=>1", expect=2)

    def test_compatible(self):
        r = run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22", "--max", "3.34", expect=0)
        self.assertIn("compatible: QGIS 3.34.5", r.stdout)
        r = run("version", "compatible", "--qgis", "4.0.0", "--min", "3.0", expect=1)
        self.assertIn("qgisMaximumVersion 3.99 (the default)", r.stdout)
        r = run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22beta", "--rules", "loader", "--json", expect=1)
        self.assertEqual(json.loads(r.stdout)["rules"], "loader")
        run("version", "compatible", "--qgis", "3.34.5", "--min", "3.22beta", expect=0)
        run("version", "compatible", "--qgis", "3.99.0", "--min", "4.0", expect=0)
        run("version", "compatible", "--no-dev-bump", "--qgis", "3.99.0", "--min", "4.0", expect=1)
        r = run("version", "compatible", "--qgis", "three", "--min", "3.0", expect=2)
        self.assertIn("invalid QGIS version 'three'", r.stderr)


GOOD = (b"[general]\nname=My Plugin\nqgisMinimumVersion=3.22\nqgisMaximumVersion=4.99\n"
        b"description=Does things\nversion=1.0\nauthor=Jane\nemail=jane@example.org\n"
        b"about=Long text\n  second line\nrepository=https://example.org/repo\n"
        b"tracker=https://example.org/issues\nhomepage = https://example.org\ntags=a, b\n")


class TempDir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, content):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(content)
        return path

    def read(self, path):
        with open(path, "rb") as fh:
            return fh.read()


class Meta(TempDir):
    def test_show_prints_general_as_configparser_reads_it(self):
        path = self.write("myplugin/metadata.txt", GOOD)
        r = run("meta", "show", path, expect=0)
        self.assertIn("qgisminimumversion = 3.22\n", r.stdout)  # QGIS lower-cases keys
        self.assertIn("about = Long text\n    second line\n", r.stdout)
        r = run("meta", "show", "--keys", "site", path)
        self.assertIn("qgisMinimumVersion = 3.22\n", r.stdout)

    def test_parse_errors_name_file_line_and_column(self):
        path = self.write("dup.txt", b"[general]\nname=x\nname=y\n")
        for command in ("show", "check"):
            r = run("meta", command, path, expect=1)
            self.assertIn(path + ":3:1: error: key 'name' appears a second time", r.stdout + r.stderr)
            self.assertIn("[META-PARSE-DUPLICATE-KEY]", r.stdout + r.stderr)
        r = run("meta", "show", "--json", path, expect=1)
        out = json.loads(r.stdout)
        self.assertFalse(out["ok"])
        d = out["diagnostics"][0]
        self.assertEqual((d["rule"], d["line"], d["column"], d["offset"]), ("META-PARSE-DUPLICATE-KEY", 3, 1, 17))

    def test_lenient_reads_a_bom_and_says_so(self):
        path = self.write("bom.txt", b"\xef\xbb\xbf[general]\nname=x\n")
        r = run("meta", "show", path, expect=1)
        self.assertIn("META-PARSE-BOM", r.stderr)
        # Read, but configparser itself would not read it: a finding, exit 1.
        r = run("meta", "show", "--lenient", path, expect=1)
        self.assertEqual(r.stdout, "name = x\n")
        self.assertIn("META-LENIENT-BOM", r.stderr)

    def test_check_profiles_and_exit_codes(self):
        good = self.write("good/metadata.txt", GOOD)
        bad = self.write("bad/metadata.txt", GOOD.replace(b"author=Jane", b"author=Jane/Doe"))
        run("meta", "check", good, expect=0)
        run("meta", "check", bad, expect=0)  # QGIS does not care
        r = run("meta", "check", "--profile", "site", good, bad, expect=1)
        self.assertIn(bad + ":7:8: error:", r.stdout)
        self.assertIn("[META-AUTHOR-SLASH]", r.stdout)
        self.assertIn("2 files checked with the site profile: 1 error", r.stdout)
        out = json.loads(run("meta", "check", "--json", "--profile", "site", good, bad, expect=1).stdout)
        self.assertEqual([f["valid"] for f in out["files"]], [True, False])

    def test_unreadable_files_exit_3_with_the_reason(self):
        good = self.write("good/metadata.txt", GOOD)
        r = run("meta", "check", good, os.path.join(self.tmp, "missing.txt"), self.tmp, expect=3)
        self.assertIn("missing.txt: cannot be read: No such file or directory", r.stderr)
        self.assertIn(self.tmp + ": cannot be read: Is a directory", r.stderr)
        self.assertIn("1 file checked with the qgis profile: 0 errors, 0 warnings; 2 files could not be read",
                      r.stdout)
        r = run("meta", "show", self.tmp, expect=3)

    def test_fmt_check_and_in_place(self):
        path = self.write("myplugin/metadata.txt", GOOD)
        canonical = run("meta", "fmt", path, expect=0)
        self.assertTrue(canonical.stdout.startswith("[general]\nname=My Plugin\nqgisMinimumVersion=3.22\n"))
        self.assertIn("homepage=https://example.org\n", canonical.stdout)
        run("meta", "fmt", "--check", path, expect=1)
        self.assertEqual(self.read(path), GOOD)  # --check writes nothing
        run("meta", "fmt", "-i", path, expect=0)
        self.assertEqual(self.read(path).decode(), canonical.stdout)
        run("meta", "fmt", "--check", path, expect=0)
        # A file configparser cannot read is left alone.
        broken = self.write("dup.txt", b"[general]\nname=x\nname=y\n")
        run("meta", "fmt", "-i", broken, expect=1)
        self.assertEqual(self.read(broken), b"[general]\nname=x\nname=y\n")

    def test_export_json_and_plugins_xml(self):
        path = self.write("myplugin/metadata.txt", GOOD)
        out = json.loads(run("meta", "export", path).stdout)
        self.assertTrue(out["ok"])
        entry = out["sections"][0]["entries"][0]
        self.assertEqual((entry["key"], entry["value"], entry["line"], entry["column"]), ("name", "My Plugin", 2, 1))
        r = run("meta", "export", "--format", "plugins-xml", "--download-url", "https://example.org/p.zip", path, expect=0)
        self.assertIn('<pyqgis_plugin name="My Plugin" version="1.0">', r.stdout)
        self.assertIn("<qgis_minimum_version>3.22.0</qgis_minimum_version>", r.stdout)
        self.assertIn("<file_name>myplugin.1.0.zip</file_name>", r.stdout)
        self.assertIn("<download_url>https://example.org/p.zip</download_url>", r.stdout)

    def test_spec(self):
        spec = json.loads(run("meta", "spec", "--json").stdout)
        self.assertIn("qgisMinimumVersion", {f["key"] for f in spec["fields"]})
        with open(os.path.join("..", "..", "docs", "metadata.md"), encoding="utf-8") as fh:
            self.assertEqual(run("meta", "spec").stdout, fh.read())


class Package(TempDir):
    def zip(self, name, files):
        path = os.path.join(self.tmp, name)
        with zipfile.ZipFile(path, "w") as z:
            for entry, content in files.items():
                z.writestr(entry, content)
        return path

    def test_valid_and_invalid_packages(self):
        good = self.zip("good.zip", {"myplugin/__init__.py": b"def classFactory(iface):\n    pass\n",
                                     "myplugin/metadata.txt": GOOD, "myplugin/LICENSE": b"GPL"})
        bad = self.zip("bad.zip", {"myplugin/__init__.py": b"x", "myplugin/metadata.txt": GOOD})
        r = run("package", "check", good)
        self.assertEqual(r.stdout, good + ": valid for the site profile (0 errors, 0 warnings)\n")
        r = run("package", "check", bad, good, expect=1)
        self.assertIn(bad + ": error: myplugin/LICENSE is missing [PKG-NO-LICENSE]", r.stdout)
        out = json.loads(run("package", "check", "--json", bad, good, expect=1).stdout)
        self.assertEqual([(p["package"], p["valid"]) for p in out["packages"]], [("myplugin", False), ("myplugin", True)])
        run("package", "check", "--profile", "qgis", bad, expect=0)

    def test_not_a_zip_and_unreadable(self):
        empty = self.write("empty.zip", b"")
        r = run("package", "check", empty, expect=1)
        self.assertIn("the file is not a ZIP archive: the file is empty [PKG-NOT-ZIP]", r.stdout)
        r = run("package", "check", os.path.join(self.tmp, "missing.zip"), expect=3)
        self.assertIn("missing.zip: cannot be read: No such file or directory", r.stderr)
        # A folder is a plugin's source folder, checked as the ZIP built from it would be.
        r = run("package", "check", self.tmp, expect=1)
        self.assertIn("[PKG-NO-INIT-NOR-METADATA]", r.stdout)


# A profile's QGIS3.ini as QGIS on Windows writes it (CRLF, QSettings escapes).
QGIS3_INI = (
    b"[General]\r\nshowTips330=false\r\n\r\n[app]\r\n"
    b"plugin_installer\\checkOnStartLastDate=@Variant(\\0\\0\\0\\xe\\0%\\x8c\\xd5)\r\n"
    b"plugin_repositories\\QGIS%20Official%20Plugin%20Repository\\authcfg=\r\n"
    b"plugin_repositories\\QGIS%20Official%20Plugin%20Repository\\enabled=true\r\n"
    b"plugin_repositories\\QGIS%20Official%20Plugin%20Repository\\url=https://plugins.qgis.org/plugins/plugins.xml\r\n"
    b"plugin_repositories\\QGIS%20Official%20Plugin%20Repository\\valid=true\r\n"
    b"plugin_repositories\\Team%20repo\\authcfg=ab12cd3\r\n"
    b"plugin_repositories\\Team%20repo\\enabled=false\r\n"
    b"plugin_repositories\\Team%20repo\\url=\"https://team.example.org/plugins.xml?a=1,b=2\"\r\n"
    b"plugin_repositories\\Team%20repo\\valid=true\r\n"
)


class RepoImportQgis(TempDir):
    def setUp(self):
        super().setUp()
        self.profile = os.path.join(self.tmp, "profiles", "work")
        self.index = os.path.join(self.tmp, "index.sqlite")
        self.write("profiles/work/QGIS/QGIS3.ini", QGIS3_INI)
        self.write("profiles/work/python/plugins/myplugin/metadata.txt",
                   GOOD + b"plugin_dependencies=Other Plugin==2.0\n")
        self.write("profiles/work/python/plugins/myplugin/__init__.py", b"")
        self.write("profiles/work/python/plugins/broken/metadata.txt", b"[general]\nname=x\nname=y\n")
        self.write("profiles/work/python/plugins/broken/__init__.py", b"")

    def qplug(self, *args, expect=0):
        return run(*args, "--index", self.index, expect=expect)

    def test_import_then_list_and_sync(self):
        r = self.qplug("repo", "import-qgis", "--dry-run", self.profile, expect=0)
        self.assertIn("would add Team repo (legacy, https://team.example.org/plugins.xml?a=1,b=2, disabled)",
                      r.stdout)
        self.assertFalse(os.path.exists(self.index))  # a dry run writes nothing

        r = self.qplug("repo", "import-qgis", self.profile + "/", expect=0)
        self.assertEqual(r.stdout.splitlines(), [
            "added QGIS Official Plugin Repository (legacy, https://plugins.qgis.org/plugins/plugins.xml)",
            "added Team repo (legacy, https://team.example.org/plugins.xml?a=1,b=2, disabled)",
            "2 repositories added; run `qplug repo sync` to read them",
        ])
        self.assertIn("'Team repo' uses the QGIS authentication configuration 'ab12cd3'", r.stderr)

        repos = {x["name"]: x for x in json.loads(self.qplug("repo", "list", "--json").stdout)["repositories"]}
        self.assertEqual(set(repos), {"QGIS Official Plugin Repository", "Team repo"})
        team = repos["Team repo"]
        self.assertEqual((team["kind"], team["enabled"], team["priority"], team["credentials"]),
                         ("legacy", False, 0, ""))
        self.assertEqual(team["options"], {"qgis_authcfg": "ab12cd3"})
        self.assertTrue(repos["QGIS Official Plugin Repository"]["enabled"])

        # Again: every name is there already.
        out = json.loads(self.qplug("repo", "import-qgis", "--json", self.profile).stdout)
        self.assertEqual(out["added"], [])
        self.assertEqual([s["name"] for s in out["skipped"]],
                         ["QGIS Official Plugin Repository", "Team repo"])

        # The profile's plugins: read from the profile itself, as QGIS's manager lists them.
        r = self.qplug("list", "--installed", "--json", "--profile", self.profile, "--qgis",
                       "3.34.0", "--python-exe", "none", expect=0)
        self.assertIn("broken: Error reading metadata", r.stderr)
        listing = json.loads(r.stdout)
        by_name = {p["name"]: p for p in listing["installed"]}
        self.assertEqual(set(by_name), {"myplugin", "broken"})
        mine = by_name["myplugin"]
        self.assertEqual((mine["display_name"], mine["version"], mine["backend"],
                          mine["requested"], mine["broken"]),
                         ("My Plugin", "1.0", "legacy", True, None))
        self.assertEqual(mine["path"], os.path.join(self.profile, "python", "plugins", "myplugin"))
        self.assertEqual(by_name["broken"]["version"], "")
        self.assertTrue(by_name["broken"]["broken"].startswith("Error reading metadata"))

    def test_settings_qgis_cannot_have_written(self):
        self.write("profiles/work/QGIS/QGIS3.ini", QGIS3_INI + b"not a key\r\n")
        r = self.qplug("repo", "import-qgis", self.profile, expect=1)
        ini = os.path.join(self.profile, "QGIS", "QGIS3.ini")
        self.assertIn(ini + ":14:1: 'not a key' is neither a section header", r.stderr)
        self.assertFalse(os.path.exists(self.index))
        r = self.qplug("repo", "import-qgis", os.path.join(self.tmp, "nowhere"), expect=3)
        self.assertIn("is not a folder", r.stderr)


if __name__ == "__main__":
    unittest.main()
