# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin manager through the Python binding (issue 16): qplug.Index, qplug.Target and
Resolution.apply over libqplug.so's handles. Each result is held to what the CLI prints with
--json for the same command on the same state (one contract); progress, cancellation (a
callback returning True, a callback raising), a sync in a worker thread while the main thread
searches, lock files, and the package installing with pip from the source tree."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import exits
import qplug

CLI = os.environ.get("QPLUG_CLI", "qplug")
PLUGINS = os.path.join(os.environ.get("QPLUG_BINARY_DIR", "build"), "data", "plugins")
SOURCE = os.environ.get("QPLUG_SOURCE_DIR", ".")
QGIS = "3.22.16"


class Manager(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qplug-binding-manager-")
        os.environ["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        os.environ["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        self.path = os.path.join(self.tmp, "index.sqlite")
        self.index = qplug.Index(self.path)
        self.profile = os.path.join(self.tmp, "profiles", "work")

    def tearDown(self):
        self.index.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, expect=0):
        r = exits.run([CLI, *args, "--json"], expect, capture_output=True, text=True,
                      env=dict(os.environ, QPLUG_INDEX=self.path))
        return json.loads(r.stdout)

    def filled(self, name="bundled", folder=PLUGINS):
        self.index.add_repository(name, folder, kind="folder")
        return self.index.sync(name, qgis=QGIS)

    def test_repositories_as_the_cli_lists_them(self):
        added = self.index.add_repository("bundled", PLUGINS, kind="folder", priority=3)
        self.assertEqual(added["kind"], "folder")
        self.assertEqual(added["priority"], 3)
        self.index.add_repository("later", os.path.join(self.tmp, "none"), kind="folder",
                                  enabled=False, protected=True, options={})
        self.assertEqual(self.index.repositories(), self.cli("repo", "list")["repositories"])
        self.assertEqual([r["enabled"] for r in self.index.repositories()], [True, False])
        self.index.enable_repository("later")
        self.index.disable_repository("later")
        with self.assertRaises(qplug.InvalidError):
            self.index.remove_repository("later")  # protected
        self.index.remove_repository("later", force=True)
        with self.assertRaises(qplug.NotFoundError):
            self.index.remove_repository("later")
        with self.assertRaises(qplug.NotFoundError):
            self.index.add_repository("x", PLUGINS, kind="svn")
        with self.assertRaises(qplug.InvalidError):
            self.index.add_repository("bundled", PLUGINS, kind="folder")
        self.assertEqual(self.index.path, self.path)
        self.assertFalse(self.index.read_only)

    def test_sync_and_queries_as_the_cli_prints_them(self):
        seen = []
        synced = self.index.add_repository("bundled", PLUGINS, kind="folder") and \
            self.index.sync(progress=lambda p: seen.append((p.phase, p.name, p.done, p.total)),
                            qgis=QGIS)
        phases = {s[0] for s in seen}
        self.assertEqual(phases, {"fetch", "store"})
        self.assertTrue(all(name == "bundled" for _, name, _, _ in seen))
        stored = [s for s in seen if s[0] == "store"]
        self.assertEqual(stored[-1][2], stored[-1][3])
        self.assertEqual(synced[0]["packages"], stored[-1][3])
        # The CLI on another index with the same repository says the same.
        other = os.path.join(self.tmp, "other.sqlite")
        env = dict(os.environ, QPLUG_INDEX=other)
        exits.run([CLI, "repo", "add", "bundled", PLUGINS, "--kind", "folder"], 0, env=env,
                  capture_output=True)
        r = exits.run([CLI, "repo", "sync", "--qgis", QGIS, "--json"], 0, env=env,
                      capture_output=True, text=True)
        self.assertEqual(synced, json.loads(r.stdout)["synced"])

        self.assertEqual(self.index.search("kart"), self.cli("search", "kart")["packages"])
        self.assertEqual(self.index.search(), self.cli("search", "")["packages"])
        self.assertEqual(self.index.available(qgis=QGIS),
                         self.cli("list", "--qgis", QGIS)["packages"])
        self.assertEqual(self.index.info("Koordinates", qgis=QGIS),
                         self.cli("info", "Koordinates", "--qgis", QGIS))
        with self.assertRaises(qplug.NotFoundError):
            self.index.info("No Such Plugin")
        self.assertEqual(self.index.search("no such plugin anywhere"), [])

    def test_a_failed_sync_names_the_repository(self):
        self.index.add_repository("gone", os.path.join(self.tmp, "plugins.xml"))
        with self.assertRaises(qplug.SyncError) as caught:
            self.index.sync(qgis=QGIS)
        self.assertIsInstance(caught.exception, qplug.IOError_)
        self.assertEqual([r["repository"] for r in caught.exception.failed], ["gone"])
        self.assertEqual(caught.exception.results, caught.exception.failed)

    def test_cancelled_sync_leaves_the_index_as_it_was(self):
        folder = os.path.join(self.tmp, "moving")
        os.makedirs(folder)
        for name in ("kart.1.0.10.zip", "koordinates.2.1.0.zip"):
            shutil.copy(os.path.join(PLUGINS, name), folder)
        self.filled("moving", folder)
        before = (self.index.search(), self.index.repositories())
        shutil.copy(os.path.join(PLUGINS, "profiletool.4.3.3.zip"), folder)
        shutil.copy(os.path.join(PLUGINS, "a00_qpip.dev.zip"), folder)
        with self.assertRaises(qplug.CancelledError):
            self.index.sync("moving", qgis=QGIS,
                            progress=lambda p: p.phase == "store" and p.done == 2)
        self.assertEqual((self.index.search(), self.index.repositories()), before)

        def fails(p):
            if p.phase == "store":
                raise KeyError("from the callback")
        with self.assertRaises(KeyError):
            self.index.sync("moving", qgis=QGIS, progress=fails)
        self.assertEqual((self.index.search(), self.index.repositories()), before)
        self.assertEqual(self.index.sync("moving", qgis=QGIS)[0]["packages"], 4)

    def test_a_sync_in_a_thread_while_another_searches(self):
        self.filled()
        before = len(self.index.search())
        folder = os.path.join(self.tmp, "moving")
        os.makedirs(folder)
        shutil.copy(os.path.join(PLUGINS, "kart.1.0.10.zip"), folder)
        self.index.add_repository("moving", folder, kind="folder")
        asked, answered = threading.Event(), threading.Event()
        seen = []

        def midway(p):  # in the worker thread, inside the sync's transaction
            if p.phase == "store" and not asked.is_set():
                asked.set()
                answered.wait(10)

        worker = threading.Thread(target=self.index.sync,
                                  kwargs={"name": "moving", "progress": midway, "qgis": QGIS})
        worker.start()
        self.assertTrue(asked.wait(10))
        seen.append(len(self.index.search()))  # the same Index, while the sync writes
        answered.set()
        worker.join(10)
        self.assertFalse(worker.is_alive())
        self.assertEqual(seen, [before])
        self.assertEqual(len(self.index.search()), before + 1)

    def test_resolve_apply_enable_as_the_cli_does(self):
        self.filled()
        target = qplug.Target(profile=self.profile, python="none")
        self.assertEqual(target.kind, "profile")
        self.assertEqual(target.root, self.profile)
        self.assertEqual(target.plugins_dir, os.path.join(self.profile, "python", "plugins"))
        self.assertIn("profile 'work'", repr(target))
        self.assertEqual(target.installed(qgis=QGIS), [])
        r = self.index.resolve(["Koordinates"], target=target, qgis=QGIS)
        self.assertTrue(r.solved)
        cli = self.cli("resolve", "Koordinates", "--qgis", QGIS, "--profile", self.profile,
                       "--python-exe", "none", "--proof")
        self.assertEqual(r.data, cli)
        self.assertEqual(r.load_order, ["kart", "koordinates"])

        with self.assertRaises(qplug.CancelledError):
            r.apply(progress=lambda p: p.phase == "download")
        self.assertEqual(target.installed(qgis=QGIS), [])
        dry = r.apply(dry_run=True)
        self.assertTrue(dry["dry_run"])
        self.assertEqual(target.installed(qgis=QGIS), [])
        seen = []
        applied = r.apply(progress=lambda p: seen.append((p.phase, p.name, p.done, p.total)))
        self.assertIn(("step", "kart", 1, 2), seen)
        self.assertIn(("step", "koordinates", 2, 2), seen)
        self.assertEqual([(a["action"], a["key"], a["version"]) for a in applied["applied"]],
                         [("install", "kart", "1.0.10"), ("install", "koordinates", "2.1.0")])
        self.assertEqual(applied["enabled"], ["kart", "koordinates"])
        # `qplug install --json` on another profile prints the same document, but for paths.
        other = os.path.join(self.tmp, "profiles", "other")
        installed_by_cli = self.cli("install", "Koordinates", "--qgis", QGIS, "--profile", other,
                                    "--python-exe", "none", "--yes")
        self.assertEqual(sorted(installed_by_cli), sorted(applied))
        for a, b in zip(applied["applied"], installed_by_cli["applied"]):
            self.assertEqual(a["sha256"], b["sha256"])
            self.assertEqual(a["path"].replace(self.profile, other), b["path"])
        with self.assertRaises(qplug.InvalidError):
            r.apply()  # installed now: the plan would not be the same
        self.assertEqual(target.installed(qgis=QGIS),
                         self.cli("list", "--installed", "--qgis", QGIS, "--profile",
                                  self.profile, "--python-exe", "none")["installed"])
        self.assertEqual([(p["name"], p["enabled"]) for p in target.installed(qgis=QGIS)],
                         [("kart", True), ("koordinates", True)])

        # The same change by the CLI on the other profile: the same document, but for paths.
        disabled = target.disable("kart")
        by_cli = self.cli("disable", "kart", "--profile", other)
        self.assertEqual(json.loads(json.dumps(disabled).replace(self.profile, other)), by_cli)
        self.assertEqual(disabled["plugins"], [{"name": "kart", "enabled": False, "changed": True}])
        self.assertEqual(target.enable("kart")["plugins"],
                         [{"name": "kart", "enabled": True, "changed": True}])
        with self.assertRaises(qplug.InvalidError):
            target.enable("not_installed")

        lock = os.path.join(self.tmp, "qplug.lock")
        r.write_lock(lock)
        self.assertEqual(qplug.read_lock_file(lock)["requests"], ["Koordinates"])
        with self.assertRaises(qplug.IOError_):
            qplug.read_lock_file(os.path.join(self.tmp, "missing.lock"))

        removal = self.index.resolve("Koordinates", target=target, qgis=QGIS, action="remove")
        self.assertEqual([a["action"] for a in removal.apply()["applied"]], ["remove", "remove"])
        self.assertEqual(target.installed(qgis=QGIS), [])
        unsolved = self.index.resolve("Koordinates==99", target=target, qgis=QGIS)
        with self.assertRaises(qplug.UnsatisfiableError):
            unsolved.apply()
        with self.assertRaises(qplug.InvalidError):
            qplug.resolve("Kart", qgis=QGIS, index=self.path, profile=self.profile,
                          python_exe="none").apply()
        target.close()
        with self.assertRaises(qplug.Error):
            target.installed()

    def test_progress_objects_and_closed_handles(self):
        p = qplug.Progress("fetch", "bundled", 1, 2)
        self.assertEqual((p.phase, p.name, p.done, p.total), ("fetch", "bundled", 1, 2))
        self.assertIn("bundled", repr(p))
        with qplug.Index(self.path, read_only=True) as ro:
            self.assertTrue(ro.read_only)
            with self.assertRaises(qplug.InvalidError):
                ro.add_repository("x", PLUGINS, kind="folder")
        with self.assertRaises(qplug.Error):
            ro.search("x")
        with qplug.Target(plugins_dir=os.path.join(self.tmp, "server"), python="none") as server:
            self.assertEqual(server.kind, "plugins_dir")
            with self.assertRaises(qplug.InvalidError):
                server.enable("kart")
        self.assertIn("closed", repr(server))
        with self.assertRaises(qplug.NotFoundError):
            qplug.Index(os.path.join(self.tmp, "missing.sqlite"), read_only=True)


class Packaging(unittest.TestCase):
    def test_pip_installs_the_binding_from_the_source_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            # From a copy: setuptools builds in the tree it is given.
            tree = os.path.join(tmp, "source")
            shutil.copytree(os.path.join(SOURCE, "bindings", "python"), tree,
                            ignore=shutil.ignore_patterns("__pycache__"))
            target = os.path.join(tmp, "site")
            exits.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                       "--no-index", "--quiet", "--target", target, tree], 0,
                      capture_output=True, text=True, env=dict(os.environ, PIP_NO_CACHE_DIR="1"))
            tmp = target
            code = "import qplug, sys; print(qplug.__file__, qplug.library_version())"
            r = exits.run([sys.executable, "-c", code], 0, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=tmp), cwd=tmp)
            where, version = r.stdout.split()
            self.assertTrue(where.startswith(tmp), where)
            self.assertEqual(version, qplug.library_version())

    @unittest.skipIf(shutil.which("cmake") is None, "cmake is not on PATH")
    def test_cmake_install_finds_the_library_without_qplug_library(self):
        build = os.environ["QPLUG_BINARY_DIR"]
        with tempfile.TemporaryDirectory() as prefix:
            exits.run(["cmake", "--install", build, "--prefix", prefix], 0, capture_output=True,
                      text=True)
            version = "%d.%d" % sys.version_info[:2]
            site = os.path.join(prefix, "lib", f"python{version}", "dist-packages")
            env = {k: v for k, v in os.environ.items() if k not in ("QPLUG_LIBRARY", "PYTHONPATH")}
            env["PYTHONPATH"] = site
            code = "import qplug; print(qplug.__file__); print(qplug._lib.lib._name)"
            r = exits.run([sys.executable, "-c", code], 0, capture_output=True, text=True, env=env,
                          cwd=prefix)
            module, library = r.stdout.split()
            self.assertEqual(module, os.path.join(site, "qplug", "__init__.py"))
            self.assertEqual(os.path.realpath(library),
                             os.path.realpath(os.path.join(prefix, "lib", "libqplug.so.0")))

    def test_pyproject_version_is_the_library_version(self):
        with open(os.path.join(SOURCE, "bindings", "python", "pyproject.toml"), encoding="utf-8") as fh:
            text = fh.read()
        self.assertIn(f'version = "{qplug.library_version()}"', text)


if __name__ == "__main__":
    unittest.main()
