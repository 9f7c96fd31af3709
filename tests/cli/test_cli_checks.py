# SPDX-License-Identifier: GPL-2.0-or-later
"""The check commands as CI runs them: output formats (SARIF 2.1.0 validated against the
official schema, GitHub workflow commands), rule selection on the command line and in
pyproject.toml, findings merged per folder or kind, colour, plugin folders, and
`package build` (reproducible, checked before it is kept)."""
import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import jsonschema

QPLUG = os.environ["QPLUG_CLI"]
DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
SCHEMA = os.path.join(DATA, "sarif", "sarif-schema-2.1.0.json")
CORPUS = os.path.join(DATA, "metadata")

GOOD = """[general]
name=Test Plugin
qgisMinimumVersion=3.22
qgisMaximumVersion=3.99
description=Tests qplug.
about=A plugin that exists to be checked.
version=1.0.0
author=Jane Doe
email=jane@example.org
repository=https://github.com/example/test_plugin
tracker=https://github.com/example/test_plugin/issues
homepage=https://example.org/test_plugin
"""


def run(*args, expect=None, env=None, cwd=None):
    full_env = dict(os.environ, **(env or {}))
    r = subprocess.run([QPLUG, *args], capture_output=True, text=True, timeout=120, env=full_env, cwd=cwd)
    if expect is not None:
        assert r.returncode == expect, (args, r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    return r


def read_bytes(path):
    with open(path, "rb") as fh:
        return fh.read()


def make_plugin(root, name="test_plugin", metadata=GOOD, extra=()):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    files = {"__init__.py": "def classFactory(iface):\n    return None\n", "metadata.txt": metadata,
             "LICENSE": "GPL-2.0-or-later\n", **dict(extra)}
    for rel, content in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)
    return folder


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)


class Sarif(Base):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA, encoding="utf-8") as fh:
            cls.validator = jsonschema.Draft4Validator(json.load(fh))
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "spec", "metadata.json"), encoding="utf-8") as fh:
            cls.spec = json.load(fh)

    def check_log(self, log):
        errors = sorted(self.validator.iter_errors(log), key=lambda e: list(e.path))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors[:5]], [])
        self.assertEqual(log["version"], "2.1.0")
        driver = log["runs"][0]["tool"]["driver"]
        self.assertEqual(driver["name"], "qplug")
        rules = {r["id"]: r for r in driver["rules"]}
        self.assertEqual(sorted(rules), sorted(r["id"] for r in self.spec["rules"]))
        for r in self.spec["rules"]:
            self.assertEqual(rules[r["id"]]["shortDescription"]["text"], r["message"])
            self.assertEqual(rules[r["id"]]["help"]["text"], r["hint"] or r["message"])
        for result in log["runs"][0]["results"]:
            self.assertEqual(driver["rules"][result["ruleIndex"]]["id"], result["ruleId"])
        return log["runs"][0]["results"]

    def test_meta_check_on_the_corpus(self):
        files = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".txt"))[:150]
        r = run("meta", "check", "--profile", "strict", "--format", "sarif", *files)
        self.assertIn(r.returncode, (0, 1))
        results = self.check_log(json.loads(r.stdout))
        expected = json.loads(run("meta", "check", "--profile", "strict", "--json", *files).stdout)
        count = sum(len(f.get("diagnostics", [])) for f in expected["files"])
        self.assertEqual(len(results), count)
        located = [x for x in results if "region" in x["locations"][0]["physicalLocation"]]
        self.assertGreater(len(located), 100)
        for x in located:
            region = x["locations"][0]["physicalLocation"]["region"]
            self.assertGreaterEqual(region["startLine"], 1)
            self.assertGreaterEqual(region["startColumn"], 1)
            self.assertIn(x["level"], ("error", "warning", "note"))

    def test_package_check_zip_and_folder(self):
        folder = make_plugin(self.tmp, extra={"a/__pycache__/x.pyc": b"\0", "b c/run.sh": "#!/bin/sh\n"})
        z = os.path.join(self.tmp, "p.zip")
        with zipfile.ZipFile(z, "w") as zf:
            for name in ("__init__.py", "metadata.txt", "a/__pycache__/x.pyc"):
                zf.write(os.path.join(folder, name), "test_plugin/" + name)
        r = run("package", "check", "--format", "sarif", "--profile", "strict", "--no-default-excludes", z, folder)
        results = self.check_log(json.loads(r.stdout))
        uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in results}
        self.assertIn("p.zip" if not z.startswith("/") else "file://" + z, uris)
        self.assertIn("file://" + os.path.join(folder, "b%20c/run.sh"), uris)

    def test_an_empty_run_is_valid(self):
        folder = make_plugin(self.tmp)
        results = self.check_log(json.loads(run("meta", "check", "--format", "sarif",
                                                os.path.join(folder, "metadata.txt"), expect=0).stdout))
        self.assertEqual(results, [])


class GithubAndSelection(Base):
    def test_github_workflow_commands(self):
        folder = make_plugin(self.tmp, metadata=GOOD.replace("author=Jane Doe", "author=Jane/Doe, 100% sure"))
        r = run("meta", "check", "--profile", "site", "--format", "github", os.path.join(folder, "metadata.txt"), expect=1)
        line = [x for x in r.stdout.splitlines() if "META-AUTHOR-SLASH" in x][0]
        self.assertTrue(line.startswith(f"::error file={folder}/metadata.txt,line=8,col=8,title=META-AUTHOR-SLASH::"), line)
        self.assertNotIn("\n", line)
        self.assertIn("%0A", line)  # the hint, on a line of its own

    def test_select_and_ignore(self):
        folder = make_plugin(self.tmp, metadata=GOOD.replace("homepage=https://example.org/test_plugin", "homepage=git://x/y")
                             .replace("version=1.0.0", "version=v1 beta"))
        md = os.path.join(folder, "metadata.txt")
        rules = lambda *a: {d["rule"] for f in json.loads(run("meta", "check", "--profile", "site", "--json", *a, md).stdout)["files"] for d in f["diagnostics"]}
        self.assertEqual(rules(), {"META-URL-REFUSED", "META-VERSION-SPACE"})
        self.assertEqual(rules("--ignore", "META-URL-REFUSED"), {"META-VERSION-SPACE"})
        self.assertEqual(rules("--ignore", "META-URL"), {"META-VERSION-SPACE"})
        self.assertEqual(rules("--select", "META-VERSION"), {"META-VERSION-SPACE"})
        self.assertEqual(rules("--select", "META-URL,META-VERSION-SPACE", "--ignore", "META-VERSION-SPACE"), {"META-URL-REFUSED"})
        # an ignored error no longer fails the check
        run("meta", "check", "--profile", "site", "--ignore", "META-URL-REFUSED", md, expect=0)
        r = run("meta", "check", "--ignore", "META-NOPE", md, expect=2)
        self.assertIn("'META-NOPE' names no rule", r.stderr)
        run("package", "check", "--ignore", "META-URL-REFUSED", folder, expect=0)

    def test_pyproject_found_upward(self):
        folder = make_plugin(os.path.join(self.tmp, "project", "src"),
                             metadata=GOOD.replace("homepage=https://example.org/test_plugin", "homepage=git://x/y"))
        md = os.path.join(folder, "metadata.txt")
        with open(os.path.join(self.tmp, "project", "pyproject.toml"), "w") as fh:
            fh.write('[project]\nname = "x"\n\n[tool.qplug]\nignore = ["META-URL"]\n')
        run("meta", "check", "--profile", "site", md, expect=0)
        run("package", "check", folder, expect=0)
        # the command line replaces the file's list
        run("meta", "check", "--profile", "site", "--ignore", "META-EMPTY-VALUE", md, expect=1)
        # a pyproject.toml without [tool.qplug] nearer to the file does not stop the search
        with open(os.path.join(self.tmp, "project", "src", "pyproject.toml"), "w") as fh:
            fh.write('[tool.black]\nline-length = 100\n')
        run("meta", "check", "--profile", "site", md, expect=0)
        with open(os.path.join(self.tmp, "project", "src", "pyproject.toml"), "w") as fh:
            fh.write('[tool.qplug]\nignore = "META-URL"\nselct = []\n')
        r = run("meta", "check", md, expect=2)
        self.assertIn("pyproject.toml:3:1: unknown setting 'selct'", r.stderr)
        with open(os.path.join(self.tmp, "project", "src", "pyproject.toml"), "w") as fh:
            fh.write('[tool.qplug]\nignore = [META-URL]\n')
        r = run("meta", "check", md, expect=2)
        self.assertIn("pyproject.toml:2:", r.stderr)


class MergedAndColoured(Base):
    def test_one_finding_per_folder_and_kind(self):
        z = os.path.join(self.tmp, "p.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("test_plugin/__init__.py", "")
            zf.writestr("test_plugin/metadata.txt", GOOD)
            zf.writestr("test_plugin/LICENSE", "x")
            for folder in ("test_plugin/__pycache__", "test_plugin/a/__pycache__", "__MACOSX/test_plugin"):
                for f in ("x.pyc", "y.pyc", "z.pyc"):
                    zf.writestr(f"{folder}/{f}", "\0")
            zf.writestr("test_plugin/loose1.pyc", "\0")
            zf.writestr("test_plugin/loose2.pyc", "\0")
        p = json.loads(run("package", "check", "--json", z, expect=1).stdout)["packages"][0]
        forbidden = [(d["file"], d["count"]) for d in p["diagnostics"] if d["rule"] == "PKG-FORBIDDEN-DIR"]
        self.assertEqual(sorted(forbidden), sorted([(z + ":test_plugin/__pycache__/", 3),
                                                   (z + ":test_plugin/a/__pycache__/", 3),
                                                   (z + ":__MACOSX/", 3)]))
        pyc = [d for d in p["diagnostics"] if d["rule"] == "PKG-PYC"]
        self.assertEqual([(d["count"], d["message"].endswith("(2 entries)")) for d in pyc], [(2, True)])

    def test_colour(self):
        folder = make_plugin(self.tmp, metadata=GOOD.replace("author=Jane Doe", "author=Jane/Doe"))
        md = os.path.join(folder, "metadata.txt")
        self.assertIn("\033[1;31merror", run("meta", "check", "--profile", "site", "--color", "always", md).stdout)
        self.assertNotIn("\033[", run("meta", "check", "--profile", "site", md).stdout)  # a pipe
        self.assertNotIn("\033[", run("meta", "check", "--profile", "site", "--color", "never", md).stdout)

        def on_terminal(env):
            pid, fd = pty.fork()
            if pid == 0:
                os.execve(QPLUG, [QPLUG, "meta", "check", "--profile", "site", md], env)
            out = b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            os.waitpid(pid, 0)
            return out.decode()

        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env["TERM"] = "xterm"
        self.assertIn("\033[1;31merror", on_terminal(env))
        self.assertNotIn("\033[", on_terminal(dict(env, NO_COLOR="1")))
        self.assertIn("\033[1;31merror", on_terminal(dict(env, NO_COLOR="")))  # empty: not set


class PluginFolders(Base):
    def test_a_folder_is_checked_as_it_would_be_zipped(self):
        folder = make_plugin(self.tmp, extra={".git/HEAD": "ref\n", "__pycache__/a.pyc": b"\0", "x.py~": "",
                                              "help/index.html": "<p>\n"})
        p = json.loads(run("package", "check", "--json", folder, expect=0).stdout)["packages"][0]
        self.assertEqual(p["package"], "test_plugin")
        self.assertTrue(p["valid"], p["diagnostics"])
        # without the default list the forbidden folders are there, named as files on disk
        p = json.loads(run("package", "check", "--json", "--no-default-excludes", folder, expect=1).stdout)["packages"][0]
        files = {d["file"] for d in p["diagnostics"] if d["rule"] == "PKG-FORBIDDEN-DIR"}
        self.assertEqual(files, {os.path.join(folder, ".git") + "/", os.path.join(folder, "__pycache__") + "/"})
        # a metadata finding names the file on disk, with its line
        bad = make_plugin(os.path.join(self.tmp, "b"), metadata=GOOD.replace("author=Jane Doe", "author=A/B"))
        p = json.loads(run("package", "check", "--json", bad, expect=1).stdout)["packages"][0]
        d = [d for d in p["diagnostics"] if d["rule"] == "META-AUTHOR-SLASH"][0]
        self.assertEqual((d["file"], d["line"]), (os.path.join(bad, "metadata.txt"), 8))

    def test_build_is_reproducible(self):
        folder = make_plugin(self.tmp, extra={"sub/a.py": "x = 1\n", "icon.png": b"\x89PNG\r\n\x1a\n",
                                              ".idea/workspace.xml": "<x/>", "sub/b.pyc": b"\0", "d.swp": ""})
        out1 = os.path.join(self.tmp, "one.zip")
        r = run("package", "build", folder, "-o", out1, expect=0)
        lines = r.stdout.splitlines()
        data = read_bytes(out1)
        self.assertEqual(lines[0], out1)
        self.assertEqual(lines[1].split(), ["size", str(len(data)), "bytes"])
        self.assertEqual(lines[2].split(), ["sha256", hashlib.sha256(data).hexdigest()])
        with zipfile.ZipFile(out1) as zf:
            names = zf.namelist()
            infos = zf.infolist()
        self.assertEqual(names, sorted(names))
        self.assertEqual(names, ["test_plugin/", "test_plugin/LICENSE", "test_plugin/__init__.py",
                                 "test_plugin/icon.png", "test_plugin/metadata.txt", "test_plugin/sub/",
                                 "test_plugin/sub/a.py"])
        self.assertEqual({i.date_time for i in infos}, {(1980, 1, 1, 0, 0, 0)})
        self.assertEqual({i.external_attr >> 16 for i in infos if not i.is_dir()}, {0o100644})
        self.assertEqual({i.external_attr >> 16 for i in infos if i.is_dir()}, {0o040755})
        # other times, another order of creation, another time zone: the same bytes
        time.sleep(1.1)
        for root, _, files in os.walk(folder):
            for f in files:
                os.utime(os.path.join(root, f))
        os.chmod(os.path.join(folder, "sub", "a.py"), 0o755)
        out2 = os.path.join(self.tmp, "two.zip")
        run("package", "build", folder, "-o", out2, expect=0, env={"TZ": "Asia/Kolkata"})
        self.assertEqual(read_bytes(out2), data)
        # SOURCE_DATE_EPOCH sets the date
        out3 = os.path.join(self.tmp, "three.zip")
        run("package", "build", folder, "-o", out3, expect=0, env={"SOURCE_DATE_EPOCH": "1700000000"})
        with zipfile.ZipFile(out3) as zf:
            self.assertEqual({i.date_time for i in zf.infolist()}, {(2023, 11, 14, 22, 13, 20)})
        # the ZIP passes the site's checks, and is what `package check FOLDER` checked
        run("package", "check", out1, expect=0)
        # default name: FOLDER.VERSION.zip in the current folder
        r = run("package", "build", folder, "--json", expect=0, cwd=self.tmp)
        self.assertEqual(json.loads(r.stdout)["path"], "test_plugin.1.0.0.zip")
        self.assertEqual(read_bytes(os.path.join(self.tmp, "test_plugin.1.0.0.zip")), data)

    def test_build_refuses_an_invalid_plugin_and_leaves_nothing(self):
        folder = make_plugin(self.tmp, metadata=GOOD.replace("tracker=", "trackr="))
        out = os.path.join(self.tmp, "out.zip")
        r = run("package", "build", folder, "-o", out, expect=1)
        self.assertIn("META-REQ-TRACKER", r.stderr)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["test_plugin"])
        # an existing file is left as it was
        with open(out, "w") as fh:
            fh.write("old")
        run("package", "build", folder, "-o", out, expect=1)
        self.assertEqual(read_bytes(out), b"old")
        # a pyproject.toml's [tool.qplug] applies to builds too
        with open(os.path.join(folder, "pyproject.toml"), "w") as fh:
            fh.write('[tool.qplug]\nignore = ["META-REQ"]\n[tool.qplug.package]\nexclude = ["pyproject.toml"]\n')
        run("package", "build", folder, "-o", out, expect=0)
        with zipfile.ZipFile(out) as zf:
            self.assertNotIn("test_plugin/pyproject.toml", zf.namelist())

    def test_excludes_are_overridable(self):
        folder = make_plugin(self.tmp, extra={".github/workflows/ci.yml": "on: push\n", "notes.bak": "x",
                                              "test/data/big.bin": b"\0"})
        listed = lambda *a: json.loads(run("package", "build", folder, "--dry-run", "--json", *a, expect=0).stdout)
        r = listed()
        self.assertIn(".github", r["left_out"])
        self.assertIn("test_plugin/notes.bak", r["entries"])
        r = listed("--exclude", "*.bak", "--exclude", "test/data", "--include", ".github")
        self.assertNotIn("test_plugin/notes.bak", r["entries"])
        self.assertNotIn("test_plugin/test/data/big.bin", r["entries"])
        self.assertIn("test_plugin/.github/workflows/ci.yml", r["entries"])


if __name__ == "__main__":
    unittest.main()
