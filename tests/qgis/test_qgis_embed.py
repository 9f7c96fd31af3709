# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin manager inside the running QGIS 3.22 (issue 16, "Proof").

qplug is installed with `cmake --install` into a scratch prefix; Debian's QGIS desktop starts
under xvfb-run on a fresh profile, and a --code script running in QGIS's own Python:
imports that installed binding (QPLUG_LIBRARY unset: the binding finds the library it was
installed with), adds a folder repository of plugin ZIPs and syncs it with progress, resolves
Koordinates (whose metadata.txt, the real one, says plugin_dependencies=Kart) for the running
QGIS version and profile, applies the plan, enables the plugins, and loads and starts them
live with qgis.utils.loadPlugin / startPlugin, without restarting QGIS. Asserted here: both are
in qgis.utils.active_plugins, Kart started first, the plan was made for the QGIS that runs,
the profile's QGIS3.ini enables both, QGIS's own QgsSettings reads that, and every library
libqplug links is the one copy QGIS's process has loaded, its libcurl imports are versioned,
and it exports nothing a QGIS library defines.

The repository's ZIPs: the bundled ones (build/data/plugins, real metadata.txt files) as they
are, except Kart 1.0.10 and Koordinates 2.1.0, whose stand-in __init__.py (it refuses to
start) is replaced by one that starts and logs its initGui. One QGIS start, about 10 s."""
import glob
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

BUILD = os.environ.get("QPLUG_BINARY_DIR", "")
CMAKE = os.environ.get("QPLUG_CMAKE", "cmake")
BUNDLED = os.path.join(BUILD, "data", "plugins")
STARTABLE = {"kart.1.0.10.zip": "kart", "koordinates.2.1.0.zip": "koordinates"}

INIT_PY = plugin_wheels.INIT_PY  # a plugin that logs its start and unload

# Runs inside QGIS: the plugin manager loop through the binding alone, then the plugins started
# live. Writes what it saw to $QPLUG_QGIS_REPORT and quits.
CODE = r'''
import json, os, sys, time, traceback
report = {"steps": []}
def step(name):
    report["steps"].append([name, round(time.monotonic() - started, 3)])
started = time.monotonic()
try:
    sys.path.insert(0, os.environ["QPLUG_TEST_SITE"])
    report["qplug_library_env"] = os.environ.get("QPLUG_LIBRARY")
    import qplug
    import qgis.utils
    from qgis.core import Qgis, QgsApplication, QgsSettings
    step("import")
    report["binding"] = qplug.__file__
    report["library"] = qplug._lib.lib._name
    qgis_version = "%d.%d.%d" % (Qgis.QGIS_VERSION_INT // 10000, Qgis.QGIS_VERSION_INT // 100 % 100,
                                 Qgis.QGIS_VERSION_INT % 100)
    report["qgis_version"] = qgis_version
    profile = QgsApplication.qgisSettingsDirPath()
    report["profile"] = profile

    index = qplug.Index(os.environ["QPLUG_TEST_INDEX"])
    index.add_repository("local", os.environ["QPLUG_TEST_REPO"], kind="folder")
    phases = {}
    def progress(p):
        phases[p.phase] = phases.get(p.phase, 0) + 1
    synced = index.sync(progress=progress, qgis=qgis_version)
    report["synced"] = synced
    report["sync_phases"] = dict(phases)
    step("sync")
    report["search"] = [p["name"] for p in index.search("koordinates")]

    target = qplug.Target(profile=profile)
    resolution = index.resolve(["Koordinates"], target=target, qgis=qgis_version)
    report["plan"] = {"solved": resolution.solved, "qgis": resolution.data["qgis"],
                      "steps": [[s["action"], s["name"], s["version"]] for s in resolution.steps],
                      "load_order": resolution.load_order}
    step("resolve")
    phases.clear()
    applied = resolution.apply(progress=progress)
    report["apply_phases"] = dict(phases)
    report["applied"] = [[a["action"], a["key"], a["version"]] for a in applied["applied"]]
    report["enabled_by_apply"] = applied["enabled"]
    step("apply")
    report["installed"] = {p["name"]: p["enabled"] for p in target.installed(qgis=qgis_version)}
    report["enable"] = target.enable(*resolution.load_order)["plugins"]
    settings = QgsSettings()
    settings.sync()
    report["qgis_settings"] = {key: settings.value("PythonPlugins/" + key, "", type=str)
                               for key in resolution.load_order}

    # Live: QGIS finds the new folders, loads and starts each plugin, dependencies first.
    qgis.utils.updateAvailablePlugins()
    report["available"] = sorted(k for k in qgis.utils.available_plugins
                                 if k in resolution.load_order)
    report["started"] = {}
    for key in resolution.load_order:
        report["started"][key] = [bool(qgis.utils.loadPlugin(key)), bool(qgis.utils.startPlugin(key))]
    report["active_plugins"] = list(qgis.utils.active_plugins)
    step("start")

    with open("/proc/self/maps", encoding="utf-8") as fh:
        report["mapped"] = sorted({line.split()[-1] for line in fh
                                   if len(line.split()) >= 6 and ".so" in line.split()[-1]})
except Exception:
    report["error"] = traceback.format_exc()
with open(os.environ["QPLUG_QGIS_REPORT"], "w", encoding="utf-8") as fh:
    json.dump(report, fh)
from qgis.PyQt.QtCore import QTimer
QTimer.singleShot(500, qgis.utils.iface.actionExit().trigger)
'''


def write_repository(folder):
    """The bundled ZIPs, Kart's and Koordinates' with code that starts (their real
    metadata.txt kept byte for byte)."""
    os.makedirs(folder)
    for name in sorted(os.listdir(BUNDLED)):
        if not name.endswith(".zip"):
            continue
        source = os.path.join(BUNDLED, name)
        if name not in STARTABLE:
            shutil.copy(source, folder)
            continue
        key = STARTABLE[name]
        with zipfile.ZipFile(source) as zin, \
                zipfile.ZipFile(os.path.join(folder, name), "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = INIT_PY.encode() if item.filename == f"{key}/__init__.py" \
                    else zin.read(item.filename)
                zout.writestr(item, data)


def defined_symbols(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if len(line.split()) >= 3}


class QgisEmbedding(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qplug-qgis-embed-")
        self.timings = {}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items()),
              file=sys.stderr)

    def install(self):
        """`cmake --install` into a scratch prefix; the folder the binding went to."""
        prefix = os.path.join(self.tmp, "prefix")
        started = time.monotonic()
        r = subprocess.run([CMAKE, "--install", BUILD, "--prefix", prefix], capture_output=True,
                           text=True, timeout=120)
        self.timings["cmake --install"] = time.monotonic() - started
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        found = glob.glob(os.path.join(prefix, "lib", "python3*", "dist-packages", "qplug",
                                       "_installed.py"))
        self.assertEqual(len(found), 1, f"the binding is not installed under {prefix}")
        return prefix, os.path.dirname(os.path.dirname(found[0]))

    def test_plugin_manager_inside_qgis(self):
        prefix, site = self.install()
        repo = os.path.join(self.tmp, "repo")
        write_repository(repo)
        root = os.path.join(self.tmp, "qgis")  # holds profiles/
        log = os.path.join(self.tmp, "plugins.log")
        report = qgis_run.run_qgis(root, "embed", log, code=CODE, env_extra={
            "QPLUG_TEST_SITE": site, "QPLUG_TEST_REPO": repo,
            "QPLUG_TEST_INDEX": os.path.join(self.tmp, "index.sqlite"),
            "QPLUG_LIBRARY": None, "QPLUG_INDEX": None, "QPLUG_QGIS_VERSION": None})
        self.timings["QGIS run"] = report["seconds"]
        self.timings.update({f"in QGIS: {name} at": at for name, at in report["steps"]})

        # The installed binding and library, found without QPLUG_LIBRARY.
        self.assertIsNone(report["qplug_library_env"])
        self.assertTrue(report["binding"].startswith(site), report["binding"])
        self.assertTrue(os.path.realpath(report["library"]).startswith(prefix), report["library"])

        # Synced, with progress.
        self.assertEqual([s["repository"] for s in report["synced"]], ["local"])
        self.assertGreaterEqual(report["synced"][0]["packages"], 10)
        self.assertGreater(report["sync_phases"].get("fetch", 0), 0)
        self.assertGreater(report["sync_phases"].get("store", 0), 0)
        self.assertIn("koordinates", report["search"])

        # Resolved for the QGIS that runs: Kart first, as Koordinates' metadata asks.
        self.assertTrue(report["qgis_version"].startswith("3.22."), report["qgis_version"])
        plan = report["plan"]
        self.assertTrue(plan["solved"], plan)
        self.assertEqual(plan["qgis"], report["qgis_version"])
        self.assertEqual(plan["steps"], [["install", "kart", "1.0.10"],
                                         ["install", "koordinates", "2.1.0"]])
        self.assertEqual(plan["load_order"], ["kart", "koordinates"])

        # Applied with progress, enabled in the profile (QGIS's settings read it too).
        self.assertEqual(report["applied"], plan["steps"])
        self.assertGreater(report["apply_phases"].get("step", 0), 0)
        self.assertEqual(sorted(report["enabled_by_apply"]), ["kart", "koordinates"])
        self.assertEqual(report["installed"], {"kart": True, "koordinates": True})
        self.assertEqual([p["enabled"] for p in report["enable"]], [True, True])
        self.assertEqual(report["qgis_settings"], {"kart": "true", "koordinates": "true"})

        # Started live, dependencies first.
        self.assertEqual(report["available"], ["kart", "koordinates"])
        self.assertEqual(report["started"], {"kart": [True, True], "koordinates": [True, True]})
        for key in ("kart", "koordinates"):
            self.assertIn(key, report["active_plugins"], report["output"])
        self.assertEqual(qgis_run.start_order(log), ["kart", "koordinates"])

        # What libqplug links (SQLite, libcurl, libzip, libstdc++ ...) is the copy QGIS's process
        # has loaded, one copy of each. (QGIS, through GDAL, also loads libcurl-gnutls: its
        # symbols are versioned CURL_GNUTLS_3, libqplug's imports CURL_OPENSSL_4, so neither
        # binds to the other's.) Nothing libqplug exports is defined by a QGIS library.
        mapped = {os.path.realpath(p) for p in report["mapped"]}
        for soname, path in linked_libraries(report["library"]).items():
            self.assertIn(os.path.realpath(path), mapped, soname)
            stem = soname.split(".so")[0] + ".so"
            copies = {p for p in mapped if os.path.basename(p).startswith(stem)}
            self.assertEqual(len(copies), 1, f"{soname}: {copies}")
        self.assertEqual(unversioned_imports(report["library"], "curl_"), [])
        ours = defined_symbols(report["library"])
        self.assertTrue(ours and all(s.startswith("qplug_") or s == "QPLUG_0" for s in ours))
        for library in [p for p in report["mapped"] if "/libqgis" in p]:
            self.assertEqual(ours & defined_symbols(library), set(), library)


def linked_libraries(library):
    """soname -> the file the dynamic linker picks (ldd)."""
    out = subprocess.run(["ldd", library], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>" and parts[2].startswith("/"):
            found[parts[0]] = parts[2]
    return found


def unversioned_imports(library, prefix):
    """The undefined dynamic symbols starting with `prefix` that carry no symbol version."""
    out = subprocess.run(["objdump", "-T", library], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines()
            if "*UND*" in line and line.split()[-1].startswith(prefix) and "(" not in line]


def main():
    missing = qgis_run.missing_programs()
    if missing:
        print(f"SKIPPED: the real-QGIS test needs {', '.join(missing)} "
              "(scripts/setup-deps installs qgis, python3-qgis, xvfb and xauth)")
        return 77
    if os.environ.get("QPLUG_SANITIZE"):
        # An instrumented libqplug needs the sanitizer runtime loaded first, which an
        # uninstrumented QGIS does not do; the plain build runs this test.
        print(f"SKIPPED: a {os.environ['QPLUG_SANITIZE']} build's libqplug cannot be loaded into "
              "QGIS (the release build runs this test)")
        return 77
    program = unittest.main(exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
