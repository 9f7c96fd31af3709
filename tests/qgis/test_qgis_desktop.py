# SPDX-License-Identifier: GPL-2.0-or-later
"""The real QGIS desktop starts what qplug installs (issue 11, "Proof").

A chain (A needs B needs C) and a diamond (D needs E and F, both need G) of real small plugins,
written here as ZIPs into a folder repository, and a legacy plugin needing a plugin that only a
wheel distributes (issue 18: the wheel in a folder of wheels, with a Python requirement of its
own installed by pip into a venv that QGIS sees), are installed with `qplug install` into a
scratch profile; then Debian's QGIS 3.22 desktop starts on that profile under xvfb-run
(tests/qgis/qgis_run.py) and reports. Asserted: every installed plugin started, each after
its dependencies (QGIS promises only "dependencies first", not one sequence); QGIS's own
plugin installer reads the same name, version (and experimental flag, where qplug reports
one) as `qplug list --installed --json`; resolve detects the QGIS on this machine (3.22.16).

Needs `qgis`, `python3-qgis`, `xvfb` and `xauth` (scripts/setup-deps installs them); without
qgis or xvfb-run the test is skipped (exit 77, CTest's SKIP_RETURN_CODE) and says why.
One QGIS start for both graphs; the whole test takes about 20 to 40 s."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qgis_run  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import plugin_wheels  # noqa: E402

QPLUG = os.environ.get("QPLUG_CLI", "qplug")
EXPECTED_QGIS = "3.22.16"  # Debian 12's QGIS

# key: (display name, plugin_dependencies by display name, version, experimental)
PLUGINS = {
    "qplug_chain_a": ("QPlug Chain A", ["QPlug Chain B"], "1.0", False),
    "qplug_chain_b": ("QPlug Chain B", ["QPlug Chain C"], "2.1", True),
    "qplug_chain_c": ("QPlug Chain C", [], "0.3.1", False),
    "qplug_diamond_d": ("QPlug Diamond D", ["QPlug Diamond E", "QPlug Diamond F"], "1.2", False),
    "qplug_diamond_e": ("QPlug Diamond E", ["QPlug Diamond G"], "3.0", False),
    "qplug_diamond_f": ("QPlug Diamond F", ["QPlug Diamond G"], "0.9", False),
    "qplug_diamond_g": ("QPlug Diamond G", [], "10.0", False),
}
# Issue 18: a plugin only a wheel distributes (its module in a pip package, needing a Python
# package of its own), and a legacy plugin that names it in plugin_dependencies.
WHEEL_PLUGIN = ("qplug_wheel_w", "QPlug Wheel W", "1.4")  # key, name, version
WHEEL_PROJECT = "qplug-wheel-w"
PLUGINS["qplug_needs_wheel"] = ("QPlug Needs Wheel", ["QPlug Wheel W"], "0.2", False)
REQUESTS = ["qplug_chain_a", "qplug_diamond_d", "qplug_needs_wheel"]
EXPERIMENTAL = ["--experimental-for", "qplug_chain_b"]

# Each plugin appends "initGui <key>" when QGIS starts it, so the start order is observable.
INIT_PY = plugin_wheels.INIT_PY  # a plugin that logs its start and unload


def metadata(key):
    name, deps, version, experimental = PLUGINS[key]
    text = (f"[general]\nname={name}\nqgisMinimumVersion=3.0\n"
            f"description=A plugin of qplug's QGIS integration test\n"
            f"about=Logs when QGIS starts it, so that a test can see the order.\n"
            f"version={version}\nauthor=qplug tests\nemail=tests@example.org\n"
            f"repository=https://example.org/{key}\nexperimental={experimental}\n")
    if deps:
        # No space after the comma: QGIS does not strip the names it splits.
        text += "plugin_dependencies=" + ",".join(deps) + "\n"
    return text


def write_zips(folder):
    os.makedirs(folder)
    for key, (_, _, version, _) in PLUGINS.items():
        with zipfile.ZipFile(os.path.join(folder, f"{key}.{version}.zip"), "w",
                             zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{key}/__init__.py", INIT_PY)
            z.writestr(f"{key}/metadata.txt", metadata(key))


# The wheel's plugin imports its Python requirement when QGIS starts it, and logs what it got.
WHEEL_INIT_PY = INIT_PY.replace('''    def initGui(self):
        _log("initGui")''', '''    def initGui(self):
        import qplug_wheel_helper
        _log("initGui")
        _log("helper-" + str(qplug_wheel_helper.VALUE))''')


def write_wheels(folder):
    """The wheel plugin and its requirement, as a folder of wheels (a pip repository)."""
    key, name, version = WHEEL_PLUGIN
    plugin_wheels.write_plugin_wheel(folder, WHEEL_PROJECT, version, key, name,
                                     requires=["qplug-wheel-helper>=1.0"],
                                     qgis_minimum="3.0", init_py=WHEEL_INIT_PY)
    plugin_wheels.write_wheel(folder, "qplug-wheel-helper", "1.0",
                              {"qplug_wheel_helper/__init__.py": "VALUE = 42\n"})


def dependencies(key):
    by_name = {v[0]: k for k, v in PLUGINS.items()}
    by_name[WHEEL_PLUGIN[1]] = WHEEL_PLUGIN[0]
    return [by_name[d] for d in PLUGINS[key][1]] if key in PLUGINS else []


class QgisDesktop(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qplug-qgis-test-")
        self.env = {k: v for k, v in os.environ.items() if k != "QPLUG_QGIS_VERSION"}
        self.env["QPLUG_INDEX"] = os.path.join(self.tmp, "index.sqlite")
        self.env["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        self.env["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        self.root = os.path.join(self.tmp, "qgis")  # holds profiles/
        self.profile = os.path.join(self.root, "profiles", "qplugtest")
        os.makedirs(self.profile)
        self.log = os.path.join(self.tmp, "plugins.log")
        self.timings = {}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items()),
              file=sys.stderr)

    def qplug(self, *args):
        started = time.monotonic()
        r = subprocess.run([QPLUG, *args], env=self.env, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        self.timings[f"qplug {args[0]}"] = time.monotonic() - started
        self.assertEqual(r.returncode, 0, f"qplug {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def test_installed_plugins_start_in_qgis(self):
        zips = os.path.join(self.tmp, "zips")
        write_zips(zips)
        self.qplug("repo", "add", "qgistest", zips, "--kind", "folder")
        wheels = os.path.join(self.tmp, "wheels")
        write_wheels(wheels)
        self.qplug("repo", "add", "qgiswheels", wheels, "--kind", "pip")
        self.qplug("repo", "sync")
        # The target's Python environment: a venv over Debian's Python (QGIS's), which QGIS
        # sees through PYTHONPATH below, as a venv-managed QGIS environment would be set up.
        venv = os.path.join(self.tmp, "venv")
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip",
                        "--system-site-packages", venv], check=True)
        python = os.path.join(venv, "bin", "python")
        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True).stdout.strip()
        target = ["--profile", self.profile, "--python-exe", python]

        # Resolve detects the QGIS of this machine (no --qgis, no QPLUG_QGIS_VERSION).
        r = self.qplug("resolve", *REQUESTS, *EXPERIMENTAL, "--json", *target)
        plan = json.loads(r.stdout)
        self.assertTrue(plan["solved"], r.stdout)
        # The wheel's plugin answers the legacy plugin's dependency, its requirement comes too.
        steps = {(s["backend"], s["name"]): s for s in plan["plan"]["steps"]}
        self.assertEqual(steps[("pip", WHEEL_PROJECT)]["plugin_key"], WHEEL_PLUGIN[0])
        self.assertIn(("pip", "qplug-wheel-helper"), steps)
        self.assertIn(f"target QGIS {EXPECTED_QGIS} (from `qgis --version`)", r.stderr)
        self.assertEqual(plan["qgis"], EXPECTED_QGIS)

        r = self.qplug("install", *REQUESTS, *EXPERIMENTAL, *target, "--yes")
        self.assertIn(f"Plan for QGIS {EXPECTED_QGIS}", r.stdout)
        # `install` enabled them in the profile's QGIS3.ini, as QGIS's own installer does.
        listed = json.loads(self.qplug("list", "--installed", "--json", *target).stdout)[
            "installed"]
        installed = {p["name"]: p for p in listed if p["plugin"]}
        # The wheel's plugin is listed as the pip package it came from; QGIS knows it by folder.
        wheel = installed.pop(WHEEL_PROJECT)
        self.assertEqual(wheel["backend"], "pip")
        installed[WHEEL_PLUGIN[0]] = wheel
        self.assertEqual(sorted(installed), sorted([*PLUGINS, WHEEL_PLUGIN[0]]))
        for key, entry in installed.items():
            self.assertTrue(entry["enabled"], entry)
            self.assertIsNone(entry["broken"], entry)
            self.assertIsNone(entry["incompatible"], entry)

        # QGIS's Python sees the venv's packages (PYTHONPATH); Debian's python3 first on PATH
        # (with PYTHONPATH set, QGIS's embedded Python took its prefix from the first python3
        # on PATH, a pyenv one on this machine, and found no qgis module).
        path = os.pathsep.join(["/usr/bin", os.environ.get("PATH", "")])
        report = qgis_run.run_qgis(self.root, "qplugtest", self.log,
                                   env_extra={"PYTHONPATH": site, "PATH": path})
        self.timings["QGIS run"] = report["seconds"]
        self.timings["QGIS CPU"] = report["cpu_seconds"]
        self.assertTrue(report["qgis_version"].startswith(EXPECTED_QGIS + "-"),
                        report["qgis_version"])

        # Every installed plugin started...
        started = qgis_run.start_order(self.log)
        for key in installed:
            self.assertIn(key, report["active_plugins"], report["output"])
            self.assertIn(key, started)
        self.assertEqual(len(started), len(set(started)), started)
        print("QGIS started: " + ", ".join(started), file=sys.stderr)
        # ... each after its dependencies.
        for key in installed:
            for dep in dependencies(key):
                self.assertLess(started.index(dep), started.index(key),
                                f"{key} started before its dependency {dep}: {started}")

        # QGIS's own installer reads what qplug lists.
        for key, entry in installed.items():
            seen = report["installer"].get(key)
            self.assertIsNotNone(seen, f"pyplugin_installer does not list {key}")
            self.assertEqual(seen["error"], "", seen)
            self.assertFalse(seen["readonly"])
            self.assertEqual(seen["name"], entry["display_name"])
            self.assertEqual(seen["version_installed"], entry["version"])
            self.assertEqual(seen["experimental"], key in PLUGINS and PLUGINS[key][3])
            self.assertEqual(seen["experimental"], entry["experimental"])
        # The wheel's plugin imported its requirement from the target's environment.
        with open(self.log, encoding="utf-8") as fh:
            self.assertIn(f"helper-42 {WHEEL_PLUGIN[0]}", fh.read())
        self.timings["total"] = sum(v for k, v in self.timings.items() if k != "QGIS CPU")

    def test_killed_with_its_process_group_when_it_does_not_quit(self):
        started = time.monotonic()
        with self.assertRaises(qgis_run.QgisRunError) as caught:
            # A script that never asks QGIS to quit (the default one quits after 1 s, and a
            # warm QGIS starts in under 3 s).
            qgis_run.run_qgis(self.root, "qplugtest", self.log, timeout=3, code="pass\n")
        self.timings["QGIS killed after"] = time.monotonic() - started
        self.assertTrue(caught.exception.killed, str(caught.exception))
        # xvfb-run, Xvfb and qgis are all gone.
        self.assertEqual(qgis_run.group_members(caught.exception.pgid), [])


def main():
    missing = qgis_run.missing_programs()
    if missing:
        print(f"SKIPPED: the real-QGIS test needs {', '.join(missing)} "
              "(scripts/setup-deps installs qgis, python3-qgis, xvfb and xauth)")
        return 77
    program = unittest.main(exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
