# SPDX-License-Identifier: GPL-2.0-or-later
"""qplug.resolve through libqplug.so (qplug_resolve), on an index of the bundled plugin ZIPs
built with the CLI: a plan with its load order, an explanation, bad requests, a missing index;
the same plan from the CLI, the C ABI and the binding for a target with plugins installed;
the upgrade and remove actions over a profile where the CLI installed a plugin."""
import ctypes
import json
import os
import subprocess
import tempfile
import unittest

import exits
import qplug
from qplug import _lib
from qplug.resolve import ResolveOptions

CLI = os.environ.get("QPLUG_CLI", "qplug")
PLUGINS = os.path.join(os.environ.get("QPLUG_BINARY_DIR", "build"), "data", "plugins")


class ResolveBinding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.index = os.path.join(cls.tmp.name, "index.sqlite")
        # QGIS's default profile (no profile given) inside the test's folder, not the user's.
        os.environ["XDG_DATA_HOME"] = os.path.join(cls.tmp.name, "data")
        os.environ["XDG_CACHE_HOME"] = os.path.join(cls.tmp.name, "cache")
        cls.env = env = dict(os.environ, QPLUG_INDEX=cls.index)
        exits.run([CLI, "repo", "add", "bundled", PLUGINS, "--kind", "folder"], 0, env=env,
                  capture_output=True)
        exits.run([CLI, "repo", "sync", "--qgis", "3.40.4"], 0, env=env, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_plan_with_dependencies_and_load_order(self):
        r = qplug.resolve(["Koordinates", "openEO"], qgis="3.40.4", index=self.index)
        self.assertTrue(r.solved)
        steps = {(s["action"], s["name"], s["version"]) for s in r.steps}
        self.assertEqual(steps, {("install", "koordinates", "2.1.0"), ("install", "kart", "1.0.10"),
                                 ("install", "openeo_plugin", "2.0.2"),
                                 ("install", "a00_qpip", "dev")})
        self.assertLess(r.load_order.index("kart"), r.load_order.index("koordinates"))
        self.assertLess(r.load_order.index("a00_qpip"), r.load_order.index("openeo_plugin"))
        self.assertIn("Koordinates 2.1.0 (legacy) requires the plugin 'Kart', satisfied by "
                      "Kart 1.0.10 (legacy)", r.why["kart"])
        for s in r.steps:
            self.assertTrue(s["download_url"].endswith(".zip"), s)
            self.assertTrue(s["hash"].startswith("sha256:"), s)

    def test_the_target_qgis_decides(self):
        # openEO 2.0.2 needs QGIS 3.40; for 3.34 the older 2.0-beta.1 fits.
        r = qplug.resolve("openEO", qgis="3.34.0", index=self.index)
        self.assertEqual([(s["name"], s["version"]) for s in r.steps if s["name"] == "openeo_plugin"],
                         [("openeo_plugin", "2.0-beta.1")])

    def test_explanation(self):
        r = qplug.resolve(["Rana"], qgis="3.40.4", index=self.index)
        self.assertFalse(r.solved)
        self.assertFalse(r.data["solved"])
        self.assertEqual(r.data["explanation"]["summary"], r.causes)
        # Chains from the request to a cause deeper than the request itself (none here: Rana
        # is the cause; tests/data/scenarios hold deeper ones).
        self.assertEqual(r.paths, r.data["explanation"]["paths"])
        self.assertEqual(r.paths, [])
        self.assertEqual(r.causes, ["Rana 1.2.18 (legacy) requires the plugin 'Nelen and "
                                    "Schuurmans Dependency Loader' ==1.2.12, which no repository "
                                    "offers"])
        self.assertTrue(r.solutions)
        self.assertTrue(r.proof)
        with self.assertRaises(qplug.UnsatisfiableError):
            r.raise_if_unsolved()

    def test_explanation_as_objects(self):
        r = qplug.resolve(["Rana"], qgis="3.40.4", index=self.index)
        p = r.problems
        self.assertTrue(p)
        self.assertEqual(p.data, r.data["explanation"]["problems"])
        self.assertGreaterEqual(p.count, 1)
        self.assertEqual(p.nodes[0].kind, "root")
        self.assertEqual([n.id for n in p.nodes], list(range(len(p.nodes))))
        # One cause per sentence: the plugin and the dependency no repository offers.
        self.assertEqual([c.text for c in p.causes], r.causes)
        (cause,) = p.causes
        self.assertEqual(cause.kind, "missing")
        self.assertEqual(cause.subject, "the plugin 'Nelen and Schuurmans Dependency Loader' "
                                        "==1.2.12")
        self.assertEqual(cause.problems, [0])
        rana, missing = cause.nodes
        self.assertEqual((rana.kind, rana.display, rana.backend, rana.versions, rana.installed),
                         ("package", "Rana", "legacy", ["1.2.18"], []))
        self.assertEqual((missing.kind, missing.name), ("missing", cause.subject))
        self.assertEqual(cause.names, [rana.name, cause.subject])
        edges = {(e.kind, e.source.id, e.target.id, e.dependency) for e in p.edges}
        self.assertIn(("requires", 0, rana.id, ""), edges)
        self.assertIn(("requires", rana.id, missing.id, cause.subject), edges)
        self.assertEqual(p.paths, [])
        self.assertEqual([s.text for s in p.solutions], r.solutions)
        kinds = [[a.kind for a in s.actions] for s in p.solutions]
        self.assertIn(["add_repository"], kinds)
        drop = [a for s in p.solutions for a in s.actions if a.kind == "drop_request"]
        self.assertTrue(drop)
        self.assertEqual([n.id for n in drop[0].nodes], [rana.id])
        self.assertEqual(drop[0].versions, ["1.2.18"])
        self.assertEqual(drop[0].subject, "")
        self.assertIn("missing", repr(cause))
        # Solved: no problems.
        solved = qplug.resolve(["Kart"], qgis="3.40.4", index=self.index)
        self.assertFalse(solved.problems)
        self.assertEqual(solved.problems.count, 0)

    def test_experimental_policy(self):
        r = qplug.resolve(["Mapillary2QGIS"], qgis="3.40.4", index=self.index)
        self.assertFalse(r.solved)
        self.assertIn("experimental", " ".join(r.causes))

    def cli(self, *args):
        r = subprocess.run([CLI, *args, "--index", self.index], env=self.env, text=True,
                           capture_output=True, stdin=subprocess.DEVNULL)
        self.assertGreaterEqual(r.returncode, 0, f"died by a signal: {r.stderr}")
        return r

    def c_abi(self, requests, action, profile):
        """qplug_resolve called as a C program would, then qplug_resolution_to_json."""
        h = _lib.lib
        options = ResolveOptions()
        self.assertEqual(h.qplug_resolve_options_init(ctypes.byref(options), 2), 0)
        options.qgis_version = b"3.40.4"
        options.profile = profile.encode()
        options.python_exe = b"none"
        encoded = [r.encode() for r in requests]
        array = (ctypes.c_char_p * len(encoded))(*encoded)
        handle = ctypes.c_void_p()
        self.assertEqual(h.qplug_resolve(ctypes.byref(handle), self.index.encode(), action,
                                         array, len(encoded), ctypes.byref(options)), 0)
        text = ctypes.c_void_p()
        try:
            self.assertEqual(h.qplug_resolution_to_json(ctypes.byref(text), handle), 0)
            return json.loads(ctypes.string_at(text.value).decode())
        finally:
            h.qplug_free(text)
            h.qplug_resolution_free(handle)

    def test_the_cli_the_c_abi_and_the_binding_plan_alike(self):
        # A profile with Kart 1.0.0 installed (a dependency of Koordinates, older than the
        # newest): all three keep or upgrade it the same way, in the same order.
        profile = os.path.join(self.tmp.name, "three")
        r = self.cli("install", "Kart==1.0.0", "--profile", profile, "--python-exe", "none",
                     "--qgis", "3.40.4", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        for requests, action, verb in ((["Koordinates", "openEO"], 0, "resolve"),
                                       (["Kart"], 2, None), ([], 1, None)):
            with self.subTest(requests=requests, action=action):
                if verb is not None:
                    r = self.cli(verb, *requests, "--profile", profile, "--python-exe", "none",
                                 "--qgis", "3.40.4", "--json")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    from_cli = json.loads(r.stdout)
                from_c = self.c_abi(requests, action, profile)
                from_python = qplug.resolve(requests, qgis="3.40.4", index=self.index,
                                            action=["install", "upgrade", "remove"][action],
                                            profile=profile, python_exe="none").data
                self.assertEqual(from_c, from_python)
                if verb is not None:
                    for key in ("solved", "plan", "why"):
                        self.assertEqual(from_cli[key], from_c[key], key)
                    self.assertTrue(from_cli["solved"])

    def test_removing_a_needed_plugin_is_an_explanation_not_a_crash(self):
        profile = os.path.join(self.tmp.name, "needed")
        r = self.cli("install", "Koordinates", "--profile", profile, "--python-exe", "none",
                     "--qgis", "3.40.4", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = qplug.resolve(["Kart"], qgis="3.40.4", index=self.index, action="remove",
                          profile=profile, python_exe="none")
        self.assertFalse(r.solved)
        self.assertIn("Koordinates 2.1.0 (legacy, installed) requires the plugin 'Kart', which "
                      "you asked to remove", r.causes)
        self.assertIn("remove Koordinates 2.1.0 (legacy, installed) too", r.solutions)
        r = self.cli("remove", "Kart", "--profile", profile, "--python-exe", "none", "--qgis",
                     "3.40.4", "--dry-run")
        self.assertEqual(r.returncode, 1, r.stderr)

    def test_bad_request_and_missing_index(self):
        with self.assertRaises(qplug.ParseError):
            qplug.resolve(["==1.0"], qgis="3.40.4", index=self.index)
        with self.assertRaises(qplug.Error):
            qplug.resolve(["X"], qgis="3.40.4", index=os.path.join(self.tmp.name, "no", "such"))


class InstalledBinding(unittest.TestCase):
    """Kart 1.0.0 installed (by the CLI) in a profile; the index knows Kart 1.0.10 too."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.index = os.path.join(cls.tmp.name, "index.sqlite")
        cls.profile = os.path.join(cls.tmp.name, "profile")
        os.makedirs(os.path.join(cls.profile, "python", "plugins"))
        for args in (["repo", "add", "bundled", PLUGINS, "--kind", "folder"],
                     ["repo", "sync", "--qgis", "3.40.4"],
                     ["install", "Kart==1.0.0", "--profile", cls.profile, "--yes", "--qgis", "3.40.4"]):
            exits.run([CLI, *args, "--index", cls.index], 0, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def steps(self, r):
        return [(s["action"], s["name"], s.get("from_version", ""), s["version"], s["reason"])
                for s in r.steps]

    def test_upgrade_everything(self):
        r = qplug.resolve([], action="upgrade", qgis="3.40.4", index=self.index, profile=self.profile, python_exe="none")
        self.assertTrue(r.solved)
        self.assertEqual([s[:4] for s in self.steps(r)], [("upgrade", "kart", "1.0.0", "1.0.10")])

    def test_upgrade_one(self):
        r = qplug.resolve(["Kart"], action="upgrade", qgis="3.40.4", index=self.index, profile=self.profile, python_exe="none")
        self.assertEqual([s[:4] for s in self.steps(r)], [("upgrade", "kart", "1.0.0", "1.0.10")])

    def test_remove(self):
        r = qplug.resolve(["Kart"], action="remove", qgis="3.40.4", index=self.index, profile=self.profile, python_exe="none")
        self.assertTrue(r.solved)
        self.assertEqual(self.steps(r), [("remove", "kart", "", "1.0.0", "requested")])
        self.assertEqual(r.load_order, [])

    def test_remove_what_is_not_installed(self):
        with self.assertRaises(qplug.Error) as ctx:
            qplug.resolve(["Koordinates"], action="remove", qgis="3.40.4", index=self.index, profile=self.profile, python_exe="none")
        self.assertIn("not installed", str(ctx.exception))

    def test_unknown_action(self):
        with self.assertRaises(ValueError):
            qplug.resolve(["Kart"], action="purge", qgis="3.40.4", index=self.index)


if __name__ == "__main__":
    unittest.main()
