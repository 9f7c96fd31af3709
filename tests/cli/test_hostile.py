# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile and damaged input, as an attacker or bad luck hands it to qplug: each case must end
within its bound of time and memory, with a documented exit code and no signal.

- plugins.xml nested 100,000 elements deep (a crash of the reader's recursion);
- metadata.txt whose values refer to each other ten times per level, nine levels deep
  (configparser's expansion: 730 bytes -> gigabytes), in meta commands, a package check
  and a folder repository;
- 100,000 [sections] (quadratic reading);
- 25,000 releases of one plugin, alike or each different (libsolv relates every two
  releases of a name);
- an index with a damaged page, an index of a newer schema (read-only commands too).

Downloads have their own test (test_download_limits.py). Each case runs the CLI in a process
of its own: its peak memory is measured (wait4), and outside sanitizer builds an address
space limit stops a runaway early.
"""
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import zipfile

QPLUG = os.environ["QPLUG_CLI"]
SANITIZED = bool(os.environ.get("QPLUG_SANITIZED"))
# A sanitizer build is slower and its shadow memory counts in RSS; a heavy command maps two
# instrumented objects, the executable and qplug-commands.so, each with its own copy of libmeta
# and libversion (about 310 MB for any heavy command under ASan; unsanitized, 14 MB).
SLOWER = 4 if SANITIZED else 1
FATTER = 4 if SANITIZED else 1

GOOD_METADATA = """[general]
name=Hostile
qgisMinimumVersion=3.22
description=A plugin that tests qplug
about=It is only a test.
version=1.0
author=Jane Doe
email=jane@example.org
repository=https://example.org/hostile
tracker=https://example.org/hostile/issues
homepage=https://example.org/hostile
"""


def interpolation_bomb():
    """Ten references per level, nine levels deep: configparser expands l9 to 15 GB."""
    lines = GOOD_METADATA.splitlines()
    lines.append("l0=lollollollollol")
    lines += [f"l{i}=" + f"%(l{i - 1})s" * 10 for i in range(1, 10)]
    lines.append("changelog=%(l9)s")
    return "\n".join(lines) + "\n"


class Bounded:
    """Runs the CLI with bounds; the result's `seconds` and `peak_mb` are measured."""

    def run_bounded(self, *args, seconds, megabytes, cwd=None):
        seconds *= SLOWER
        megabytes *= FATTER
        limit = 4 * megabytes << 20  # address space: far above the bound, far below a runaway

        def limits():
            if not SANITIZED:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        env = dict(os.environ)
        if SANITIZED:
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + f":hard_rss_limit_mb={4 * megabytes}"
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            proc = subprocess.Popen([QPLUG, *args], stdout=out, stderr=err, preexec_fn=limits,
                                    env=env, cwd=cwd)
            status, usage = None, None
            while status is None:
                pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid != 0:
                    status, usage = st, ru
                elif time.monotonic() - start > seconds:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    proc.returncode = -9  # (reaped here, not by Popen)
                    self.fail(f"qplug {' '.join(args)} ran past {seconds} s and was killed")
                else:
                    time.sleep(0.02)
            elapsed = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            result = subprocess.CompletedProcess(proc.args, proc.returncode,
                                                 out.read().decode("utf-8", "replace"),
                                                 err.read().decode("utf-8", "replace"))
        result.seconds = elapsed
        result.peak_mb = usage.ru_maxrss / 1024
        self.assertGreaterEqual(result.returncode, 0,
                                f"qplug {' '.join(args)} died of signal {-result.returncode}:\n"
                                f"{result.stderr[-2000:]}")
        self.assertLess(result.peak_mb, megabytes,
                        f"qplug {' '.join(args)} took {result.peak_mb:.0f} MB")
        return result


class HostileInput(Bounded, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.index = os.path.join(self.tmp, "index.sqlite")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def test_plugins_xml_nested_100000_deep(self):
        depth = 100_000
        entry = ('<pyqgis_plugin name="Deep" version="1.0"><qgis_minimum_version>3.0'
                 '</qgis_minimum_version><file_name>deep.1.0.zip</file_name></pyqgis_plugin>')
        path = self.write("deep.xml", "<plugins>" + "<a>" * depth + entry + "</a>" * depth
                          + "</plugins>")
        r = self.run_bounded("repo", "add", "deep", path, "--sync", "--index", self.index,
                             seconds=20, megabytes=400)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_bounded("list", "--json", "--qgis", "3.34.0", "--index", self.index,
                             seconds=10, megabytes=200)
        self.assertEqual([(p["name"], p["latest"]) for p in json.loads(r.stdout)["packages"]],
                         [("deep", "1.0")])
        # Text nested as deep inside an element QGIS reads (its text(), every level of it).
        path = self.write("deep-text.xml", '<plugins><pyqgis_plugin name="T" version="1">'
                          "<description>" + "<b>x" * depth + "</b>" * depth
                          + "</description><file_name>t.1.zip</file_name></pyqgis_plugin>"
                          "</plugins>")
        r = self.run_bounded("repo", "add", "text", path, "--sync", "--index", self.index,
                             seconds=20, megabytes=400)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_interpolation_bomb_in_meta_commands(self):
        path = self.write("metadata.txt", interpolation_bomb())
        self.assertLess(os.path.getsize(path), 1000)
        r = self.run_bounded("meta", "check", "--json", path, seconds=10, megabytes=200)
        self.assertEqual(r.returncode, 1, r.stderr)
        rules = {(d["rule"], d["key"]) for d in json.loads(r.stdout)["files"][0]["diagnostics"]}
        # The key that expands past the limit is unreadable; so are those that refer to it.
        self.assertIn(("META-PARSE-INTERPOLATION-SIZE", "changelog"), rules)
        self.assertIn(("META-PARSE-INTERPOLATION-SIZE", "l9"), rules)
        self.assertNotIn(("META-PARSE-INTERPOLATION-SIZE", "l2"), rules)  # 1.5 kB: read
        for command in (["meta", "show"], ["meta", "show", "--json"], ["meta", "fmt"]):
            r = self.run_bounded(*command, path, seconds=10, megabytes=200)
            self.assertIn(r.returncode, (0, 1), r.stderr)

    def test_interpolation_bomb_in_a_package_and_a_folder_repository(self):
        folder = os.path.join(self.tmp, "zips")
        os.makedirs(folder)
        zip_path = os.path.join(folder, "hostile.1.0.zip")
        with zipfile.ZipFile(zip_path, "w") as z:
            z.writestr("hostile/metadata.txt", interpolation_bomb())
            z.writestr("hostile/__init__.py", "def classFactory(iface):\n    return None\n")
        r = self.run_bounded("package", "check", zip_path, seconds=10, megabytes=200)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("META-PARSE-INTERPOLATION-SIZE", r.stdout + r.stderr)
        r = self.run_bounded("repo", "add", "zips", folder, "--kind", "folder", "--sync",
                             "--index", self.index, seconds=20, megabytes=300)
        self.assertIn(r.returncode, (0, 1), r.stderr)

    def test_interpolation_depth_is_configparsers(self):
        # Eleven levels: configparser raises InterpolationDepthError; so does qplug, not the
        # size limit, even where the expansion would also be large.
        lines = GOOD_METADATA.splitlines() + ["d0=" + "x" * 90]
        lines += [f"d{i}=" + f"%(d{i - 1})s" * 10 for i in range(1, 12)]
        path = self.write("metadata.txt", "\n".join(lines) + "\n")
        r = self.run_bounded("meta", "check", "--json", path, seconds=10, megabytes=200)
        rules = {(d["rule"], d["key"]) for d in json.loads(r.stdout)["files"][0]["diagnostics"]}
        self.assertIn(("META-PARSE-INTERPOLATION-DEPTH", "d11"), rules)  # d1 at depth 11
        self.assertIn(("META-PARSE-INTERPOLATION-SIZE", "d10"), rules)  # 10 GB, depth 10
        self.assertIn(("META-PARSE-INTERPOLATION-SIZE", "d5"), rules)  # 9.7 MB
        self.assertNotIn("d4", {key for _, key in rules})  # 0.97 MB: read

    def test_100000_sections(self):
        path = self.write("metadata.txt", GOOD_METADATA
                          + "".join(f"[s{i}]\nk=v\n" for i in range(100_000)))
        for command in (["meta", "check"], ["meta", "show", "--json"], ["meta", "fmt"]):
            r = self.run_bounded(*command, path, seconds=15, megabytes=400)
            self.assertIn(r.returncode, (0, 1), r.stderr)
        # And one section twice, far apart: still found.
        path = self.write("twice.txt", GOOD_METADATA
                          + "".join(f"[s{i}]\nk=v\n" for i in range(50_000)) + "[s7]\nk=w\n")
        r = self.run_bounded("meta", "check", "--json", path, seconds=15, megabytes=400)
        self.assertEqual(r.returncode, 1)
        self.assertIn("META-PARSE-DUPLICATE-SECTION",
                      {d["rule"] for d in json.loads(r.stdout)["files"][0]["diagnostics"]})

    def many_versions(self, count, alike=True):
        entries = []
        for i in range(count):
            version = f"{i // 1000}.{i % 1000}"
            # Alike: one QGIS range; else one of 4,900, each compatible with QGIS 3.22.
            minimum = "3.0" if alike else f"3.0.{i % 100}"
            maximum = "3.99" if alike else f"3.{50 + i % 49}"
            entries.append(
                f'<pyqgis_plugin name="Many" version="{version}">'
                f"<qgis_minimum_version>{minimum}</qgis_minimum_version>"
                f"<qgis_maximum_version>{maximum}</qgis_maximum_version>"
                f"<file_name>many.{version}.zip</file_name>"
                f"<download_url>https://example.org/many.{version}.zip</download_url>"
                f"<plugin_dependencies></plugin_dependencies></pyqgis_plugin>")
        return self.write(f"many-{count}.xml", "<plugins>" + "".join(entries) + "</plugins>")

    def test_25000_releases_of_one_plugin(self):
        path = self.many_versions(25_000)
        r = self.run_bounded("repo", "add", "many", path, "--sync", "--index", self.index,
                             seconds=30, megabytes=500)
        self.assertEqual(r.returncode, 0, r.stderr)
        for request in ("many", "many==3.5", "many<10"):
            r = self.run_bounded("resolve", "--json", "--offline", "--qgis", "3.22.0", request,
                                 "--index", self.index, seconds=20, megabytes=500)
            self.assertEqual(r.returncode, 0, r.stderr)
            plan = json.loads(r.stdout)["plan"]["steps"]
            expected = {"many": "24.999", "many==3.5": "3.5", "many<10": "9.999"}[request]
            self.assertEqual([(s["name"], s["version"]) for s in plan], [("many", expected)])

    @unittest.skipIf(SANITIZED, "under ASan, realloc always copies, and libsolv grows its rule "
                     "queues by realloc: 4,096 releases of one name take minutes there (2 s in "
                     "the release build, which holds the bounds)")
    def test_6000_different_releases_of_one_plugin(self):
        # 4,900 QGIS ranges: few releases stand for another, so the newest 4096 are
        # considered (docs/resolve.md, "Many releases of one package").
        path = self.many_versions(6000, alike=False)
        r = self.run_bounded("repo", "add", "many", path, "--sync", "--index", self.index,
                             seconds=30, megabytes=500)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_bounded("resolve", "--json", "--offline", "--qgis", "3.22.0", "many",
                             "--index", self.index, seconds=30, megabytes=800)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_bounded("resolve", "--offline", "--qgis", "3.22.0", "many<1",
                             "--index", self.index, seconds=30, megabytes=800)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("older than the 4096 newest", r.stdout + r.stderr)
        r = self.run_bounded("resolve", "--json", "--offline", "--qgis", "3.22.0", "many==0.5",
                             "--index", self.index, seconds=30, megabytes=800)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_version_listed_twice_is_merged_with_a_warning(self):
        entry = ('<pyqgis_plugin name="Twice" version="1.0"><qgis_minimum_version>3.0'
                 '</qgis_minimum_version><file_name>twice.1.0.zip</file_name>'
                 '<download_url>https://example.org/{}/twice.1.0.zip</download_url>'
                 '</pyqgis_plugin>')
        path = self.write("twice.xml", "<plugins>" + entry.format("a") + entry.format("b")
                          + entry.format("c") + "</plugins>")
        r = self.run_bounded("repo", "add", "twice", path, "--sync", "--json", "--index",
                             self.index, seconds=10, megabytes=200)
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)["synced"][0]
        self.assertEqual(report["releases"], 1)
        self.assertTrue(any("merged" in w for w in report["warnings"]), report["warnings"])
        r = self.run_bounded("info", "--json", "twice", "--index", self.index, seconds=10,
                             megabytes=200)
        releases = json.loads(r.stdout)["packages"][0]["releases"]
        self.assertEqual([x["download_url"] for x in releases],
                         ["https://example.org/c/twice.1.0.zip"])  # the last one listed


class DamagedIndex(Bounded, unittest.TestCase):
    """Damaged state is refused, never read in part."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        entries = "".join(
            f'<pyqgis_plugin name="Plugin {i}" version="1.{i}"><qgis_minimum_version>3.0'
            f"</qgis_minimum_version><file_name>plugin{i}.1.{i}.zip</file_name>"
            f"<description>Plugin number {i}</description></pyqgis_plugin>"
            for i in range(5000))
        cls.xml = os.path.join(cls.tmp, "plugins.xml")
        with open(cls.xml, "w", encoding="utf-8") as fh:
            fh.write("<plugins>" + entries + "</plugins>")
        cls.pristine = os.path.join(cls.tmp, "pristine.sqlite")
        r = subprocess.run([QPLUG, "repo", "add", "big", cls.xml, "--sync", "--index",
                            cls.pristine], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(cls.pristine + "-wal") or \
            os.path.getsize(cls.pristine + "-wal") == 0, "the index was not checkpointed"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy(self, name):
        path = os.path.join(self.tmp, name)
        shutil.copyfile(self.pristine, path)
        return path

    def qplug(self, index, *args):
        return self.run_bounded(*args, "--index", index, seconds=20, megabytes=300)

    def test_a_damaged_leaf_page_of_packages_fails_every_reader(self):
        index = self.copy("damaged.sqlite")
        with sqlite3.connect(index) as db:
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            leaves = [row[0] for row in db.execute(
                "SELECT pageno FROM dbstat WHERE name = 'packages' AND pagetype = 'leaf' "
                "ORDER BY pageno")]
        db.close()
        self.assertGreater(len(leaves), 4)
        with open(index, "r+b") as fh:
            fh.seek((leaves[len(leaves) // 2] - 1) * page_size)
            fh.write(b"\xff" * page_size)
        r = self.qplug(self.pristine, "list", "--json")
        self.assertEqual(len(json.loads(r.stdout)["packages"]), 5000)
        # (info and resolve of one package may well not touch the damaged page: what they read,
        # they read whole.)
        for args in (["list"], ["list", "--json"], ["search", "plugin"], ["search", "number 4"],
                     ["resolve", "--offline", "plugin4999"]):
            with self.subTest(args=args):
                r = self.qplug(index, *args)
                self.assertEqual(r.returncode, 3, r.stdout[-500:] + r.stderr)
                self.assertIn(index, r.stderr)
                self.assertIn("damaged", r.stderr)
                self.assertIn("PRAGMA integrity_check", r.stderr)
                if "--json" in args:
                    self.assertEqual(json.loads(r.stdout)["error"]["kind"], "failure")
                else:
                    self.assertLess(r.stdout.count("\n"), 1, r.stdout[:500])  # nothing listed
        # A sync cannot repair it (SQLite cannot delete rows from a damaged page), and says so.
        r = self.qplug(index, "repo", "sync", "--force")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("damaged", r.stderr)
        self.assertIn("A sync cannot repair it", r.stderr)

    def test_a_newer_schema_is_refused_by_readers_and_writers(self):
        index = self.copy("newer.sqlite")
        with sqlite3.connect(index) as db:
            db.execute("PRAGMA user_version = 999")
        db.close()
        for args in (["search", "plugin"], ["info", "plugin1"], ["list"], ["repo", "list"],
                     ["repo", "sync"], ["resolve", "--offline", "plugin1"]):
            with self.subTest(args=args):
                r = self.qplug(index, *args)
                self.assertEqual(r.returncode, 3, r.stderr)
                self.assertIn("newer qplug (schema 999", r.stderr)

    def test_not_a_database(self):
        index = os.path.join(self.tmp, "text.sqlite")
        with open(index, "w", encoding="utf-8") as fh:
            fh.write("this is not an index\n" * 1000)
        for args in (["list"], ["search", "x"], ["repo", "list"]):
            with self.subTest(args=args):
                r = self.qplug(index, *args)
                self.assertEqual(r.returncode, 3, r.stderr)
                self.assertIn(index, r.stderr)


if __name__ == "__main__":
    unittest.main()
