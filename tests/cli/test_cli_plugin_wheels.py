# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugins distributed as wheels (issue 18), as a user runs qplug: a folder of wheels is a pip
repository whose plugin wheels (one module with __init__.py and metadata.txt) are plugin
releases; a legacy plugin depending on one resolves and installs with it (the plugin module
into the profile's plugins folder, its Python requirements into the target's venv by real
pip); list, upgrade and remove treat it as one plugin of the pip backend; a plugin moves
between backends in one plan; a wheel of two modules is no plugin; `package check` and
`meta check` read wheels. Wheels are written here (tests/support/plugin_wheels.py)."""
import configparser
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest

from plugin_wheels import write_plugin_wheel, write_plugin_zip, write_wheel

QPLUG = os.environ["QPLUG_CLI"]
QGIS = ["--qgis", "3.22.16"]


class WheelIndex(http.server.ThreadingHTTPServer):
    """A PEP 691 index of a folder of wheels on 127.0.0.1, without PEP 658 metadata (so
    qplug reads each wheel's METADATA, and a plugin's metadata.txt, by range requests);
    `log` keeps (path, Range header)."""
    daemon_threads = True

    def __init__(self, folder):
        super().__init__(("127.0.0.1", 0), WheelIndexHandler)
        self.folder, self.log = folder, []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/simple/"


class WheelIndexHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.log.append((self.path, self.headers.get("Range")))
        wheels = sorted(f for f in os.listdir(self.server.folder) if f.endswith(".whl"))
        projects = {}
        for f in wheels:
            projects.setdefault(f.split("-")[0].replace("_", "-"), []).append(f)
        json_type = "application/vnd.pypi.simple.v1+json"
        if self.path == "/simple/":
            body = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in projects]}
            return self.reply(200, json.dumps(body).encode(), json_type)
        m = re.fullmatch(r"/simple/([^/]+)/", self.path)
        if m and m.group(1) in projects:
            files = []
            for f in projects[m.group(1)]:
                with open(os.path.join(self.server.folder, f), "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                files.append({"filename": f, "url": "/files/" + f, "hashes": {"sha256": digest}})
            body = {"meta": {"api-version": "1.1"}, "name": m.group(1), "files": files}
            return self.reply(200, json.dumps(body).encode(), json_type)
        m = re.fullmatch(r"/files/([^/]+)", self.path)
        if m and m.group(1) in wheels:
            with open(os.path.join(self.server.folder, m.group(1)), "rb") as fh:
                data = fh.read()
            r = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range") or "")
            if r:
                size = len(data)
                first, last = ((max(0, size - int(r.group(2))), size - 1) if r.group(1) == ""
                               else (int(r.group(1)),
                                     min(int(r.group(2)), size - 1) if r.group(2) else size - 1))
                return self.reply(206, data[first:last + 1], "application/octet-stream",
                                  [("Content-Range", f"bytes {first}-{last}/{size}")])
            return self.reply(200, data, "application/octet-stream")
        self.send_error(404)


class PluginWheels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="qplug-plugin-wheels-")
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
        self.plugins = os.path.join(self.profile, "python", "plugins")
        self.wheels = os.path.join(self.work, "wheels")
        self.zips = os.path.join(self.work, "zips")
        # B Plugin only as a wheel, needing a Python package of the same folder; A Plugin,
        # legacy, needs B Plugin by name.
        write_plugin_wheel(self.wheels, "qgis-b-plugin", "2.0", "b_plugin", "B Plugin",
                           requires=["qplug-wheel-helper>=1.0"])
        write_wheel(self.wheels, "qplug-wheel-helper", "1.0",
                    {"qplug_wheel_helper/__init__.py": "VALUE = 42\n"})
        write_plugin_zip(self.zips, "a_plugin", "A Plugin", "1.0", deps=["B Plugin"])

    def qplug(self, *args):
        r = subprocess.run([QPLUG, *args], env=self.env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL)
        self.assertGreaterEqual(r.returncode, 0, f"qplug {' '.join(args)} died: {r.stderr}")
        return r

    def ok(self, *args):
        r = self.qplug(*args)
        self.assertEqual(r.returncode, 0, f"qplug {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def add_repositories(self):
        self.ok("repo", "add", "plugins", self.zips, "--kind", "folder")
        self.ok("repo", "add", "wheels", self.wheels, "--kind", "pip")
        return self.ok("repo", "sync", *QGIS)

    def target(self):
        return ["--profile", self.profile, "--python-exe", self.python]

    def installed(self):
        r = self.ok("list", "--installed", "--json", *self.target(), *QGIS)
        return {(p["backend"], p["name"]): p for p in json.loads(r.stdout)["installed"]}

    def pip_list(self):
        r = subprocess.run([self.python, "-m", "pip", "list", "--format=json", "--local"],
                           capture_output=True, text=True)
        return {p["name"]: p["version"] for p in json.loads(r.stdout)}

    def test_a_plugin_wheel_is_a_plugin_in_the_index(self):
        write_plugin_wheel(self.wheels, "qgis-two-modules", "1.0", "two_a", "Two Modules",
                           more={"two_b/__init__.py": ""})
        r = self.add_repositories()
        self.assertIn("qgis_two_modules-1.0-py3-none-any.whl: not a QGIS plugin: "
                      "two_a/metadata.txt is there, but the package has 2 top-level modules "
                      "(two_a, two_b)", r.stderr)
        info = json.loads(self.ok("info", "qgis-b-plugin", "--json", *QGIS).stdout)
        (package,) = info["packages"]
        self.assertEqual(package["display_name"], "B Plugin")
        self.assertEqual(package["backend"], "pip")
        (release,) = package["releases"]
        self.assertEqual(release["plugin_key"], "b_plugin")
        self.assertEqual(release["qgis_minimum"], "3.16")
        self.assertEqual(release["metadata"]["qgis_plugin"]["key"], "b_plugin")
        self.assertIn({"kind": "pip", "target": "qplug-wheel-helper", "spec": ">=1.0"},
                      release["dependencies"])
        text = self.ok("info", "B Plugin", *QGIS).stdout
        self.assertIn("B Plugin (qgis-b-plugin) in wheels [pip]", text)
        self.assertIn("a QGIS plugin (pip package): installed as the plugin folder b_plugin/",
                      text)
        found = json.loads(self.ok("search", "B Plugin", "--json").stdout)["packages"]
        self.assertEqual([(p["name"], p["backend"]) for p in found], [("qgis-b-plugin", "pip")])
        # The two-module wheel stays a plain pip package.
        two = json.loads(self.ok("info", "qgis-two-modules", "--json", *QGIS).stdout)
        self.assertNotIn("plugin_key", two["packages"][0]["releases"][0])
        self.assertEqual(self.qplug("resolve", "Two Modules", *QGIS).returncode, 1)

    def test_legacy_plugin_depending_on_a_wheel_plugin(self):
        self.add_repositories()
        plan = json.loads(self.ok("resolve", "A Plugin", "--json", *self.target(),
                                  *QGIS).stdout)
        steps = [(s["action"], s["backend"], s["name"], s["version"], s.get("plugin_key"))
                 for s in plan["plan"]["steps"]]
        self.assertEqual(steps, [("install", "pip", "qplug-wheel-helper", "1.0", None),
                                 ("install", "pip", "qgis-b-plugin", "2.0", "b_plugin"),
                                 ("install", "legacy", "a_plugin", "1.0", None)])
        self.assertEqual(plan["plan"]["load_order"], ["b_plugin", "a_plugin"])

        self.ok("install", "A Plugin", *self.target(), *QGIS, "--yes")
        # The plugin module in the plugins folder, as QGIS finds plugins; no .dist-info there.
        self.assertEqual(sorted(e for e in os.listdir(self.plugins) if not e.startswith(".")),
                         ["a_plugin", "b_plugin"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.plugins, "b_plugin"))),
                         ["LICENSE", "__init__.py", "metadata.txt"])
        # Its Python requirement in the environment, the plugin itself not.
        packages = self.pip_list()
        self.assertEqual(packages.get("qplug-wheel-helper"), "1.0")
        self.assertNotIn("qgis-b-plugin", packages)
        # One installed plugin of the pip backend; enabled as QGIS's installer enables.
        installed = self.installed()
        self.assertIn(("pip", "qgis-b-plugin"), installed)
        self.assertNotIn(("legacy", "b_plugin"), installed)
        self.assertEqual(installed[("pip", "qgis-b-plugin")]["version"], "2.0")
        self.assertEqual(installed[("pip", "qgis-b-plugin")]["display_name"], "B Plugin")
        ini = configparser.RawConfigParser()
        ini.optionxform = str
        ini.read(os.path.join(self.profile, "QGIS", "QGIS3.ini"))
        self.assertEqual(ini["PythonPlugins"]["b_plugin"], "true")
        self.assertEqual(ini["PythonPlugins"]["a_plugin"], "true")
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            state = json.load(fh)
        # The folder is the wheel's release; its Requires-Dist kept (it has no .dist-info).
        (entry,) = state["plugin_packages"].items()
        self.assertEqual(entry[0], "b_plugin")
        self.assertEqual((entry[1]["package"], entry[1]["version"]), ("pip:qgis-b-plugin", "2.0"))
        self.assertEqual([d[:3] for d in entry[1]["requires"]],
                         [["pip", "qplug-wheel-helper", ">=1.0"]])
        self.assertEqual(state["marks"]["pip:qgis-b-plugin"], "automatic")

        # Nothing to do on a second install; removing A takes B and its requirement along.
        again = json.loads(self.ok("resolve", "A Plugin", "--json", *self.target(),
                                   *QGIS).stdout)
        self.assertEqual({s["action"] for s in again["plan"]["steps"]}, {"keep"})
        self.ok("remove", "A Plugin", *self.target(), *QGIS, "--yes")
        self.assertEqual([e for e in os.listdir(self.plugins) if not e.startswith(".")], [])
        self.assertNotIn("qplug-wheel-helper", self.pip_list())

    def test_a_plugin_moves_from_legacy_to_pip_on_upgrade(self):
        write_plugin_zip(self.zips, "b_plugin", "B Plugin", "1.0")
        shutil.move(os.path.join(self.wheels, "qgis_b_plugin-2.0-py3-none-any.whl"), self.work)
        self.add_repositories()
        self.ok("install", "B Plugin", *self.target(), *QGIS, "--yes")
        self.assertIn(("legacy", "b_plugin"), self.installed())
        # The wheel's 2.0 appears: the upgrade removes it from legacy, installs it from pip.
        shutil.move(os.path.join(self.work, "qgis_b_plugin-2.0-py3-none-any.whl"), self.wheels)
        self.ok("repo", "sync", *QGIS)
        plan = json.loads(self.ok("upgrade", "--dry-run", "--json", *self.target(),
                                  *QGIS).stdout)
        steps = [(s["action"], s["backend"], s["name"]) for s in plan["plan"]["steps"]]
        self.assertEqual(sorted(steps), sorted([("remove", "legacy", "b_plugin"),
                                                ("install", "pip", "qplug-wheel-helper"),
                                                ("install", "pip", "qgis-b-plugin")]))
        self.ok("upgrade", *self.target(), *QGIS, "--yes")
        installed = self.installed()
        self.assertIn(("pip", "qgis-b-plugin"), installed)
        self.assertNotIn(("legacy", "b_plugin"), installed)
        with open(os.path.join(self.plugins, "b_plugin", "metadata.txt"), encoding="utf-8") as fh:
            self.assertIn("version=2.0", fh.read())
        # Still requested (the user asked for B Plugin), still enabled.
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            state = json.load(fh)
        self.assertEqual(state["marks"].get("pip:qgis-b-plugin"), "requested")
        # And back, by a pin naming the backend.
        self.ok("pin", "legacy:B Plugin", *self.target())
        self.ok("upgrade", *self.target(), *QGIS, "--yes")
        installed = self.installed()
        self.assertIn(("legacy", "b_plugin"), installed)
        self.assertNotIn(("pip", "qgis-b-plugin"), installed)

    def test_a_plugin_wheel_on_a_remote_index_is_read_when_reached(self):
        # The index lists the project; its wheel's metadata.txt is read (by ranges) when a
        # resolution reaches the project, and the plugin then answers A Plugin's dependency.
        server = WheelIndex(self.wheels)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.ok("repo", "add", "plugins", self.zips, "--kind", "folder")
        self.ok("repo", "add", "remote", server.url(), "--kind", "pip")
        self.ok("repo", "sync", *QGIS)
        r = self.ok("resolve", "A Plugin", "qgis-b-plugin", "--json", *self.target(), *QGIS)
        plan = json.loads(r.stdout)
        steps = [(s["action"], s["backend"], s["name"], s["display_name"], s.get("plugin_key"))
                 for s in plan["plan"]["steps"]]
        self.assertEqual(steps, [
            ("install", "pip", "qplug-wheel-helper", "qplug-wheel-helper", None),
            ("install", "pip", "qgis-b-plugin", "B Plugin", "b_plugin"),
            ("install", "legacy", "a_plugin", "A Plugin", None)])
        wheel = "/files/qgis_b_plugin-2.0-py3-none-any.whl"
        ranges = [rng for path, rng in server.log if path == wheel]
        self.assertTrue(ranges and all(ranges), f"the wheel was read without ranges: {ranges}")

        self.ok("install", "A Plugin", "qgis-b-plugin", *self.target(), *QGIS, "--yes")
        self.assertEqual(sorted(os.listdir(os.path.join(self.plugins, "b_plugin"))),
                         ["LICENSE", "__init__.py", "metadata.txt"])
        self.assertEqual(self.pip_list().get("qplug-wheel-helper"), "1.0")
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            entry = json.load(fh)["plugin_packages"]["b_plugin"]
        self.assertEqual([d[:3] for d in entry["requires"]],
                         [["pip", "qplug-wheel-helper", ">=1.0"]])
        # Installed, the plugin keeps answering A's dependency; nothing else changes.
        again = json.loads(self.ok("resolve", "A Plugin", "--json", *self.target(),
                                   *QGIS).stdout)
        self.assertEqual({s["action"] for s in again["plan"]["steps"]}, {"keep"})

    def test_package_check_and_meta_check_read_wheels(self):
        good = os.path.join(self.wheels, "qgis_b_plugin-2.0-py3-none-any.whl")
        r = self.qplug("package", "check", good, "--profile", "qgis", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        report = json.loads(r.stdout)["packages"][0]
        self.assertEqual(report["package"], "b_plugin")
        self.assertNotIn("PKG-MULTIPLE-TOP-FOLDERS", [d["rule"] for d in report["diagnostics"]])

        two = write_plugin_wheel(self.work, "qgis-two", "1.0", "two_a", "Two",
                                 more={"two_b/__init__.py": ""})
        r = self.qplug("package", "check", two, "--profile", "qgis", "--json")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        rules = [d["rule"] for d in json.loads(r.stdout)["packages"][0]["diagnostics"]]
        self.assertIn("PKG-WHEEL-NOT-PLUGIN", rules)

        odd = write_plugin_wheel(self.work, "qgis-odd", "1.0.0", "odd", "Odd",
                                 plugin_version="1.1")
        r = self.qplug("package", "check", odd, "--profile", "qgis", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        found = {d["rule"]: d for d in json.loads(r.stdout)["packages"][0]["diagnostics"]}
        self.assertIn("PKG-WHEEL-VERSION", found)
        self.assertIn("1.0.0 is not metadata.txt's version 1.1", found["PKG-WHEEL-VERSION"]["message"])
        # Equal under PEP 440 normalization: no warning.
        same = write_plugin_wheel(self.work, "qgis-same", "1.0.0", "same", "Same",
                                  plugin_version="1.0")
        r = self.qplug("package", "check", same, "--profile", "qgis", "--json")
        rules = [d["rule"] for d in json.loads(r.stdout)["packages"][0]["diagnostics"]]
        self.assertNotIn("PKG-WHEEL-VERSION", rules)

        r = self.qplug("meta", "check", good, "--profile", "qgis", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.qplug("meta", "check", two, "--profile", "qgis")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("2 top-level modules (two_a, two_b)", r.stderr)


if __name__ == "__main__":
    unittest.main()
