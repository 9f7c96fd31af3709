# SPDX-License-Identifier: GPL-2.0-or-later
"""The life of an installation with Python packages, as a user runs it: pip packages
installed by qplug are read back from the environment (list, reinstall, remove), a plugin's
requirements.txt becomes its pip requirements (installed with it, automatic, removed with
it), and the packages the environment already has (QGIS's) are installed state qplug never
changes. Real pip (Debian's python3-pip) into a real venv; wheels and plugin ZIPs built here.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "solver"))
import env_install_index  # noqa: E402  (builds the test wheels)

QPLUG = os.environ["QPLUG_CLI"]
QGIS = ["--qgis", "3.34.0"]


def write_plugin(folder, key, name, version, requirements=None, deps=None):
    path = os.path.join(folder, f"{key}.{version}.zip")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{key}/__init__.py", "def classFactory(iface):\n    return None\n")
        z.writestr(f"{key}/LICENSE", "GPL-2.0-or-later\n")
        meta = (f"[general]\nname={name}\nversion={version}\nqgisMinimumVersion=3.22\n"
                f"description=A test plugin\nabout=For qplug's tests\nauthor=qplug\n"
                f"email=qplug@example.org\nrepository=https://example.org/{key}\n")
        if deps:
            meta += f"plugin_dependencies={deps}\n"
        z.writestr(f"{key}/metadata.txt", meta)
        if requirements is not None:
            z.writestr(f"{key}/requirements.txt", requirements)


class PythonPackages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="qplug-lifecycle-")
        cls.wheels = os.path.join(cls.tmp, "index")
        env_install_index.build(cls.wheels)  # -> index/wheels/*.whl
        cls.venv = os.path.join(cls.tmp, "venv")
        r = subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip",
                            "--system-site-packages", cls.venv], capture_output=True, text=True)
        if r.returncode != 0 or subprocess.run(
                [os.path.join(cls.venv, "bin", "python"), "-m", "pip", "--version"],
                capture_output=True).returncode != 0:
            raise unittest.SkipTest("no venv with pip: " + r.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.work = tempfile.mkdtemp(dir=self.tmp)
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.work, "data"),
                        XDG_CACHE_HOME=os.path.join(self.work, "cache"),
                        QPLUG_INDEX=os.path.join(self.work, "index.sqlite"))
        self.env.pop("QPLUG_CACHE_DIR", None)
        self.python = os.path.join(self.work, "venv", "bin", "python")
        shutil.copytree(self.venv, os.path.join(self.work, "venv"), symlinks=True)
        self.profile = os.path.join(self.work, "profile")
        zips = os.path.join(self.work, "zips")
        os.makedirs(zips)
        write_plugin(zips, "needs_alpha", "Needs Alpha", "1.0",
                     requirements="# what qpip reads\nqplug-env-alpha>=1.0\n")
        write_plugin(zips, "greedy", "Greedy", "1.0", requirements="packaging>=99\n")
        self.ok("repo", "add", "plugins", zips, "--kind", "folder")
        self.ok("repo", "add", "wheels", os.path.join(self.wheels, "wheels"), "--kind", "pip")
        self.ok("repo", "sync", *QGIS)

    def qplug(self, *args):
        r = subprocess.run([QPLUG, *args], env=self.env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL)
        self.assertGreaterEqual(r.returncode, 0, f"qplug {' '.join(args)} died: {r.stderr}")
        return r

    def ok(self, *args):
        r = self.qplug(*args)
        self.assertEqual(r.returncode, 0, f"qplug {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def target(self):
        return ["--profile", self.profile, "--python-exe", self.python]

    def installed(self):
        r = self.ok("list", "--installed", "--json", *self.target(), *QGIS)
        return {(p["backend"], p["name"]): p for p in json.loads(r.stdout)["installed"]}

    def pip_list(self):
        r = subprocess.run([self.python, "-m", "pip", "list", "--format=json", "--local"],
                           capture_output=True, text=True)
        return {p["name"]: p["version"] for p in json.loads(r.stdout)}

    def tree_digest(self):
        """sha256 of every file under the test's folder (index, its .solv cache, XDG data and
        cache folders, profile, venv), by relative path."""
        import hashlib
        out = {}
        for root, _, files in os.walk(self.work):
            for f in files:
                path = os.path.join(root, f)
                if os.path.islink(path):
                    out[os.path.relpath(path, self.work)] = "-> " + os.readlink(path)
                    continue
                with open(path, "rb") as fh:
                    out[os.path.relpath(path, self.work)] = hashlib.sha256(fh.read()).hexdigest()
        return out

    def assert_same_tree(self, before, what):
        after = self.tree_digest()
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        self.assertEqual(changed, [], f"{what} wrote these files")

    def test_a_dry_run_writes_nothing(self):
        # Cold: no .solv cache, no download cache, nothing installed; the QGIS version
        # detected (`qgis --version`, not remembered) in one of the runs.
        before = self.tree_digest()
        self.ok("install", "Needs Alpha", "--dry-run", *self.target(), *QGIS)
        self.ok("install", "pip:qplug-env-gamma", "--dry-run", *self.target())
        self.assert_same_tree(before, "a dry-run install")
        # Warm: something installed, caches filled by the real run.
        self.ok("install", "Needs Alpha", "--yes", *self.target(), *QGIS)
        before = self.tree_digest()
        for args in (["remove", "Needs Alpha"], ["upgrade"], ["install", "pip:qplug-env-gamma"],
                     ["enable", "needs_alpha"], ["disable", "needs_alpha"]):
            with self.subTest(args=args):
                target = ["--profile", self.profile] if args[0] in ("enable", "disable") \
                    else [*self.target(), *QGIS]
                self.ok(*args, "--dry-run", *target)
                self.assert_same_tree(before, "qplug " + " ".join(args) + " --dry-run")

    def test_a_pip_package_is_read_back(self):
        r = self.ok("install", "pip:qplug-env-gamma", "--yes", *self.target(), *QGIS)
        self.assertIn("install   qplug-env-gamma 1.0 (pip, wheels)", r.stdout)
        self.assertEqual(self.pip_list().get("qplug-env-gamma"), "1.0")
        gamma = self.installed()[("pip", "qplug-env-gamma")]
        self.assertEqual((gamma["version"], gamma["requested"], gamma["external"]),
                         ("1.0", True, False))
        # Installed now: the same request has nothing to do.
        self.assertIn("Nothing to do", self.ok("install", "pip:qplug-env-gamma", "--yes",
                                               *self.target(), *QGIS).stdout)
        r = self.ok("remove", "pip:qplug-env-gamma", "--yes", *self.target(), *QGIS)
        self.assertIn("removed qplug-env-gamma 1.0 (pip)", r.stdout)
        self.assertNotIn("qplug-env-gamma", self.pip_list())
        self.assertNotIn(("pip", "qplug-env-gamma"), self.installed())

    def test_requirements_txt_comes_and_goes_with_its_plugin(self):
        r = self.ok("install", "Needs Alpha", "--yes", *self.target(), *QGIS)
        self.assertIn("install   qplug-env-alpha 1.0 (pip, wheels)", r.stdout)
        self.assertIn("install   qplug-env-beta 2.0 (pip, wheels)", r.stdout)
        self.assertEqual(self.pip_list().get("qplug-env-alpha"), "1.0")
        listed = self.installed()
        self.assertFalse(listed[("pip", "qplug-env-alpha")]["requested"])
        self.assertTrue(listed[("legacy", "needs_alpha")]["requested"])
        self.assertTrue(listed[("legacy", "needs_alpha")]["enabled"])
        r = self.ok("remove", "Needs Alpha", "--yes", *self.target(), *QGIS)
        self.assertIn("no longer needed", r.stdout)
        self.assertNotIn("qplug-env-alpha", self.pip_list())
        self.assertNotIn("qplug-env-beta", self.pip_list())

    def test_the_environment_s_own_packages_stay(self):
        # The venv sees Debian's packaging (system site-packages): a plugin that would need
        # another one gets an explanation, and nothing changes.
        r = self.qplug("install", "Greedy", "--yes", *self.target(), *QGIS)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("packaging", r.stderr)
        self.assertIn("Python environment", r.stderr)
        self.assertIn("not installed by qplug", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.profile, "python", "plugins")))
        # It is listed as the environment's, with --environment.
        r = self.ok("list", "--installed", "--environment", "--json", *self.target(), *QGIS)
        packaging = [p for p in json.loads(r.stdout)["installed"] if p["name"] == "packaging"]
        self.assertEqual(len(packaging), 1)
        self.assertTrue(packaging[0]["external"])
        self.assertIsNone(packaging[0]["requested"])


if __name__ == "__main__":
    unittest.main()
