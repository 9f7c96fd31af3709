# SPDX-License-Identifier: GPL-2.0-or-later
"""qplug resolve | why | lock | pin | unpin | install | upgrade | remove, as a user runs them,
on an index of the bundled plugin ZIPs (real metadata.txt files that depend on each other)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import exits

QPLUG = os.environ["QPLUG_CLI"]
BUNDLED = os.path.join(os.environ.get("QPLUG_BINARY_DIR", "build"), "data", "plugins")
SNAPSHOT = os.path.join(os.environ.get("QPLUG_SOURCE_DIR", "."), "data", "repositories",
                        "plugins.qgis.org-2016.xml")
QGIS = ["--qgis", "3.40.4"]


def listing(folder):
    """Every file under folder with its bytes: equal listings mean nothing changed."""
    out = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out


def isolated_env(tmp):
    """The caller's environment with QGIS's and qplug's per-user folders inside `tmp`: a test
    never reads or writes the real profiles, index or caches."""
    env = dict(os.environ)
    env["XDG_DATA_HOME"] = os.path.join(tmp, "data")
    env["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
    env.pop("QPLUG_CACHE_DIR", None)
    env.pop("QPLUG_INDEX", None)
    return env


class ResolveCommands(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.env = isolated_env(self.tmp)
        self.index = os.path.join(self.tmp, "index.sqlite")
        self.plugins = os.path.join(self.tmp, "zips")
        shutil.copytree(BUNDLED, self.plugins)
        self.profile = os.path.join(self.tmp, "profile")
        os.makedirs(os.path.join(self.profile, "python", "plugins"))
        self.ok("repo", "add", "bundled", self.plugins, "--kind", "folder", "--priority", "10")
        self.ok("repo", "add", "plugins.qgis.org", SNAPSHOT)
        self.ok("repo", "sync", *QGIS)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_qplug(self, *args, expect, stdin=subprocess.DEVNULL):
        """Runs qplug on the test's index; fails unless it exits with exactly `expect`."""
        return exits.run([QPLUG, *args, "--index", self.index], expect, stdin=stdin,
                         env=self.env, capture_output=True, text=True, timeout=120)

    def ok(self, *args):
        return self.run_qplug(*args, expect=0)

    def test_plan_text_and_json(self):
        r = self.ok("resolve", "Koordinates", *QGIS)
        self.assertIn("install   Kart 1.0.10 (legacy, bundled)", r.stdout)
        self.assertIn("needed by Koordinates 2.1.0 (legacy): it requires the plugin 'Kart'",
                      r.stdout)
        # QGIS promises dependencies first, not one sequence: the plan says so.
        self.assertIn("QGIS starts each plugin after the plugins it needs, e.g.: kart, "
                      "koordinates", r.stdout)
        j = json.loads(self.ok("resolve", "Koordinates", "--json", *QGIS).stdout)
        self.assertTrue(j["solved"])
        self.assertEqual([(s["action"], s["name"], s["version"]) for s in j["plan"]["steps"]],
                         [("install", "kart", "1.0.10"), ("install", "koordinates", "2.1.0")])
        self.assertEqual(j["plan"]["load_order"], ["kart", "koordinates"])

    def test_explanation_and_exit_codes(self):
        r = self.run_qplug("resolve", "Rana", *QGIS, expect=1)
        self.assertIn("Rana 1.2.18 (legacy) requires the plugin 'Nelen and Schuurmans Dependency "
                      "Loader' ==1.2.12, which no repository offers", r.stderr)
        self.assertIn("What would solve it:", r.stderr)
        self.assertNotIn("nothing provides", r.stderr)  # never libsolv's own strings
        r = self.run_qplug("resolve", "Rana", "--proof", "--json", *QGIS, expect=1)
        self.assertTrue(json.loads(r.stdout)["explanation"]["proof"])
        r = self.run_qplug("resolve", "Qgis2threejs", *QGIS, expect=1)  # needs QGIS 4.0
        self.assertIn("requires QGIS 4.0 to 4.99, but the target is QGIS 3.40.4", r.stderr)
        r = self.run_qplug("resolve", "==2", *QGIS, expect=2)
        self.assertIn("==2", r.stderr)

    def test_why(self):
        r = self.ok("why", "kart", "--for", "Koordinates", *QGIS)
        self.assertIn("Koordinates 2.1.0 (legacy) requires the plugin 'Kart', satisfied by "
                      "Kart 1.0.10 (legacy)", r.stdout)
        self.run_qplug("why", "Nothing", "--for", "Kart", *QGIS, expect=1)

    def test_pins(self):
        # Pins belong to a target: the profile's, and not another's.
        other = os.path.join(self.tmp, "other")
        self.ok("pin", "Kart==1.0.0", "--profile", self.profile)
        self.assertEqual(self.ok("pin", "--profile", self.profile).stdout, "Kart ==1.0.0\n")
        self.assertEqual(self.ok("pin", "--profile", other).stdout, "")
        r = self.ok("resolve", "Koordinates", "--profile", self.profile, *QGIS)
        self.assertIn("install   Kart 1.0.0 (legacy, bundled)", r.stdout)
        r = self.ok("resolve", "Koordinates", "--profile", other, *QGIS)
        self.assertIn("install   Kart 1.0.10 (legacy, bundled)", r.stdout)
        self.ok("unpin", "Kart", "--profile", self.profile)
        self.run_qplug("unpin", "Kart", "--profile", self.profile, expect=1)
        self.assertIn("Kart 1.0.10", self.ok("resolve", "Koordinates", "--profile", self.profile,
                                             *QGIS).stdout)

    def test_lock_locked_frozen(self):
        lock = os.path.join(self.tmp, "qplug.lock")
        self.ok("lock", "Koordinates", "--pin", "Kart==1.0.0", "--lock-file", lock, *QGIS)
        with open(lock) as fh:
            data = json.load(fh)
        self.assertEqual(data["lock_version"], 1)
        self.assertEqual(data["requests"], ["Koordinates"])
        self.assertEqual({(p["name"], p["version"]) for p in data["packages"]},
                         {("kart", "1.0.0"), ("koordinates", "2.1.0")})
        # The lock keeps Kart at 1.0.0 without the pin; --locked accepts it as it is.
        r = self.ok("resolve", "--lock-file", lock, "--locked", *QGIS)
        self.assertIn("Kart 1.0.0", r.stdout)
        # A lock the index cannot meet: --locked refuses, a plain run resolves afresh.
        data["packages"][0]["version"] = "9.9"
        with open(lock, "w") as fh:
            json.dump(data, fh)
        r = self.run_qplug("resolve", "--lock-file", lock, "--locked", *QGIS, expect=1)
        self.assertIn("the lock file needs updating", r.stderr)
        self.run_qplug("resolve", "--lock-file", lock, "--frozen", *QGIS, expect=1)
        r = self.ok("lock", "--lock-file", lock, *QGIS)
        with open(lock) as fh:
            self.assertNotIn("9.9", fh.read())
        with open(lock, "w") as fh:
            fh.write("{not json")
        r = self.run_qplug("resolve", "--lock-file", lock, *QGIS, expect=3)
        self.assertIn("qplug.lock", r.stderr)

    def test_install_dry_run_real_and_remove(self):
        plugins = os.path.join(self.profile, "python", "plugins")
        before = listing(plugins)
        r = self.ok("install", "Koordinates", "--profile", self.profile, "--dry-run", *QGIS)
        self.assertIn("would install kart 1.0.10", r.stdout)
        self.assertEqual(listing(plugins), before)  # not even a lock file
        # Not on a terminal and no --yes: nothing happens.
        r = self.run_qplug("install", "Koordinates", "--profile", self.profile, *QGIS, expect=2)
        self.assertFalse(os.path.exists(os.path.join(plugins, "kart")))
        self.ok("install", "Koordinates", "--profile", self.profile, "--yes", *QGIS)
        self.assertTrue(os.path.isfile(os.path.join(plugins, "kart", "metadata.txt")))
        self.assertTrue(os.path.isfile(os.path.join(plugins, "koordinates", "metadata.txt")))
        r = self.ok("list", "--installed", "--profile", self.profile, *QGIS)
        self.assertIn("kart 1.0.10 [legacy] automatic, enabled", r.stdout)
        self.assertIn("koordinates 2.1.0 [legacy] requested, enabled", r.stdout)
        # Installed now: asking again changes nothing.
        self.assertIn("Nothing to do", self.ok("install", "Koordinates", "--profile",
                                               self.profile, "--yes", *QGIS).stdout)
        # A downgrade needs --allow-downgrade.
        r = self.run_qplug("install", "Kart==1.0.0", "--profile", self.profile, "--yes", *QGIS, expect=1)
        self.assertIn("--allow-downgrade", r.stderr)
        self.ok("install", "Kart==1.0.0", "--profile", self.profile, "--yes", "--allow-downgrade",
                *QGIS)
        with open(os.path.join(plugins, "kart", "metadata.txt")) as fh:
            self.assertIn("version=1.0.0", fh.read())
        self.ok("upgrade", "--profile", self.profile, "--yes", *QGIS)
        with open(os.path.join(plugins, "kart", "metadata.txt")) as fh:
            self.assertIn("version=1.0.10", fh.read())
        # Kart was asked for by name (the downgrade): it is requested now, and stays when
        # Koordinates goes.
        r = self.ok("remove", "Koordinates", "--profile", self.profile, "--yes", *QGIS)
        self.assertNotIn("Kart", r.stdout)
        self.assertEqual(sorted(os.listdir(plugins)), [".qplug-state.json", ".qplug.lock", "kart"])
        self.ok("remove", "Kart", "--profile", self.profile, "--yes", *QGIS)
        # The automatic dependency of a plugin goes with it.
        self.ok("install", "Koordinates", "--profile", self.profile, "--yes", *QGIS)
        r = self.ok("remove", "Koordinates", "--profile", self.profile, "--yes", *QGIS)
        self.assertIn("remove    Kart 1.0.10 (legacy)\n            no longer needed", r.stdout)
        self.assertEqual(sorted(os.listdir(plugins)), [".qplug-state.json", ".qplug.lock"])

    def test_a_damaged_download_changes_nothing(self):
        plugins = os.path.join(self.profile, "python", "plugins")
        self.ok("install", "Kart==1.0.0", "--profile", self.profile, "--yes", *QGIS)
        before = listing(plugins)
        # The ZIP changes after the index recorded its SHA-256.
        with open(os.path.join(self.plugins, "koordinates.2.1.0.zip"), "ab") as fh:
            fh.write(b"tampered")
        r = self.run_qplug("install", "Koordinates", "--profile", self.profile, "--yes",
                           "--allow-downgrade", *QGIS, expect=1)
        # A package refused (its size or digest) is a finding: exit 1, the plugin named.
        self.assertIn("koordinates 2.1.0", r.stderr.lower())
        self.assertIn("refused", r.stderr)
        self.assertEqual(listing(plugins), before)

    def test_solv_cache(self):
        cache = self.index + ".solv-cache"
        first = self.ok("resolve", "Koordinates", "openEO", "--json", *QGIS).stdout
        keys = os.listdir(cache)
        self.assertEqual(len(keys), 1)
        files = sorted(os.listdir(os.path.join(cache, keys[0])))
        self.assertIn("manifest.json", files)
        self.assertTrue(any(f.endswith(".solv") for f in files))
        # From the cache: the same answer.
        self.assertEqual(self.ok("resolve", "Koordinates", "openEO", "--json", *QGIS).stdout,
                         first)
        # A damaged cache is rebuilt, never believed.
        for f in files:
            if f.endswith(".solv"):
                with open(os.path.join(cache, keys[0], f), "wb") as fh:
                    fh.write(b"not a solv file")
        self.assertEqual(self.ok("resolve", "Koordinates", "openEO", "--json", *QGIS).stdout,
                         first)
        # New contents (a new release in the folder) mean a new key; the old cache goes.
        shutil.copy(os.path.join(self.plugins, "kart.1.0.10.zip"),
                    os.path.join(self.plugins, "kart-copy.1.0.10.zip"))
        os.remove(os.path.join(self.plugins, "koordinates.2.1.0.zip"))
        self.ok("repo", "sync", *QGIS)
        r = json.loads(self.ok("resolve", "Koordinates", "--json", *QGIS).stdout)
        self.assertIn(("koordinates", "1.0.3"), [(s["name"], s["version"])
                                                 for s in r["plan"]["steps"]])
        self.assertNotIn(keys[0], os.listdir(cache))
        self.assertEqual(len(os.listdir(cache)), 1)

    def test_offline_refuses_downloads(self):
        # plugins.qgis.org's snapshot (plugins for QGIS 1.x) has http URLs.
        r = self.run_qplug("install", "ARPAT plugin", "--profile", self.profile, "--yes",
                           "--offline", "--qgis", "1.8.0", expect=3)
        self.assertIn("offline", r.stderr)
        self.assertEqual(sorted(os.listdir(os.path.join(self.profile, "python", "plugins"))),
                         [".qplug.lock"])


if __name__ == "__main__":
    unittest.main()
