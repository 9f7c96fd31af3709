# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugins distributed as conda packages (issue 18), as a user runs qplug: a conda channel on
disk (written here as conda-build lays packages out: tests/support/conda_packages.py, real
.conda and .tar.bz2 archives) whose plugin packages (one module under site-packages with
__init__.py and metadata.txt) are plugin releases; a legacy plugin depending on one by display
name resolves and installs with it: the module into the profile's plugins folder, its conda
`depends` by conda into the environment. conda cannot be installed on the test machines: a
small script posing as conda (docs/env-install.md, "conda as a subprocess") links and unlinks
the records of the channel's repodata.json in the prefix's conda-meta/, and logs what it was
asked, so what qplug asks conda is asserted. list, remove treat the plugin as one plugin of
the conda backend; a package of two modules is no plugin. A channel served over HTTP on
127.0.0.1 is not downloaded at sync: its plugin packages are read when a resolution reaches
them, once, into the download cache the install takes them from."""
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

from conda_packages import Channel
from plugin_wheels import write_plugin_zip

QPLUG = os.environ["QPLUG_CLI"]
QGIS = ["--qgis", "3.22.16"]

# conda's JSON for install/remove (--dry-run or --yes), over the channels given with -c.
FAKE_CONDA = r'''#!/usr/bin/python3
import json, os, sys, urllib.request
args = sys.argv[1:]
verb, prefix = args[0], args[args.index("--prefix") + 1]
with open(os.path.join(os.path.dirname(prefix), "conda-calls.json"), "a") as log:
    log.write(json.dumps(args) + "\n")
channels = [args[i + 1] for i, a in enumerate(args) if a == "-c"]
skip = {"--prefix", "-c"}
specs = [a for i, a in enumerate(args[1:], 1)
         if not a.startswith("-") and args[i - 1] not in skip]
meta = os.path.join(prefix, "conda-meta")
dry = "--dry-run" in args
link, unlink = [], []
for spec in specs:
    name, _, version = spec.partition("==")
    if verb == "install":
        for channel in channels:
            channel = channel[len("file://"):] if channel.startswith("file://") else channel
            for subdir in ("noarch", "linux-64"):
                if channel.startswith("http://"):
                    with urllib.request.urlopen(f"{channel}/{subdir}/repodata.json") as fh:
                        repodata = json.load(fh)
                else:
                    path = os.path.join(channel, subdir, "repodata.json")
                    if not os.path.exists(path):
                        continue
                    with open(path) as fh:
                        repodata = json.load(fh)
                for key in ("packages", "packages.conda"):
                    for record in repodata.get(key, {}).values():
                        if record["name"] == name and record["version"] == version:
                            link.append(record)
        if not link or link[-1]["name"] != name:
            print(json.dumps({"success": False, "error": "PackagesNotFoundError: " + spec,
                              "exception_name": "PackagesNotFoundError"}))
            sys.exit(1)
    else:
        for f in sorted(os.listdir(meta)):
            if f.rsplit("-", 2)[0] == name:
                with open(os.path.join(meta, f)) as fh:
                    unlink.append(json.load(fh))
for record in link:
    if not dry:
        dist = f"{record['name']}-{record['version']}-{record['build']}"
        with open(os.path.join(meta, dist + ".json"), "w") as fh:
            json.dump(record, fh)
for record in unlink:
    if not dry:
        os.remove(os.path.join(meta, f"{record['name']}-{record['version']}-{record['build']}.json"))
def out(r):
    return {"name": r["name"], "version": r["version"], "build_string": r["build"],
            "channel": "local", "platform": r["subdir"]}
print(json.dumps({"success": True, "dry_run": dry,
                  "actions": {"PREFIX": prefix, "LINK": [out(r) for r in link],
                              "UNLINK": [out(r) for r in unlink]}}))
'''


class ChannelFixture(unittest.TestCase):
    """A profile, a conda prefix, the conda script, the channel and the legacy plugin."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="qplug-plugin-conda-")
        self.addCleanup(shutil.rmtree, self.work)
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.work, "data"),
                        XDG_CACHE_HOME=os.path.join(self.work, "cache"),
                        QPLUG_INDEX=os.path.join(self.work, "index.sqlite"))
        self.env.pop("QPLUG_CACHE_DIR", None)
        self.profile = os.path.join(self.work, "profile")
        self.plugins = os.path.join(self.profile, "python", "plugins")
        self.prefix = os.path.join(self.work, "env")
        os.makedirs(os.path.join(self.prefix, "conda-meta"))
        self.conda = os.path.join(self.work, "conda")
        with open(self.conda, "w") as fh:
            fh.write(FAKE_CONDA)
        os.chmod(self.conda, 0o755)
        self.zips = os.path.join(self.work, "zips")
        # D Plugin only as a conda package (.conda), needing a conda package; E Plugin,
        # legacy, needs D Plugin by name; a package of two modules (.tar.bz2) is no plugin.
        self.channel = Channel(os.path.join(self.work, "channel"))
        self.channel.add_plugin("qgis-d-plugin", "1.2", "d_plugin", "D Plugin",
                                depends=["qplug-conda-helper >=1.0"], fmt="conda",
                                more={"site-packages/d_plugin/__pycache__/x.cpython-311.pyc":
                                      b"\0"})
        self.channel.add("qplug-conda-helper", "1.0", "pyhd8ed1ab_0",
                         {"site-packages/qplug_conda_helper/__init__.py": b"VALUE = 42\n"})
        self.channel.add_plugin("qgis-two-modules", "1.0", "two_a", "Two Modules",
                                more={"site-packages/two_b/__init__.py": ""})
        self.channel.write()
        write_plugin_zip(self.zips, "e_plugin", "E Plugin", "1.0", deps=["D Plugin"])

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
        self.ok("repo", "add", "channel", self.channel.folder, "--kind", "conda")
        return self.ok("repo", "sync", *QGIS)

    def target(self):
        return ["--profile", self.profile, "--conda-prefix", self.prefix]

    def installed(self):
        r = self.ok("list", "--installed", "--json", *self.target(), *QGIS)
        return {(p["backend"], p["name"]): p for p in json.loads(r.stdout)["installed"]}

    def conda_calls(self):
        path = os.path.join(self.work, "conda-calls.json")
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return [json.loads(line) for line in fh]

    def conda_meta(self):
        return sorted(os.listdir(os.path.join(self.prefix, "conda-meta")))


class PluginCondaPackages(ChannelFixture):
    def test_a_conda_plugin_package_is_a_plugin_in_the_index(self):
        r = self.add_repositories()
        self.assertIn("qgis-two-modules-1.0-pyhd8ed1ab_0.tar.bz2: not a QGIS plugin: "
                      "two_a/metadata.txt is there, but the package has 2 top-level modules "
                      "(two_a, two_b)", r.stderr)
        info = json.loads(self.ok("info", "qgis-d-plugin", "--json", *QGIS).stdout)
        (package,) = info["packages"]
        self.assertEqual((package["display_name"], package["backend"]), ("D Plugin", "conda"))
        (release,) = package["releases"]
        self.assertEqual(release["plugin_key"], "d_plugin")
        self.assertEqual(release["qgis_minimum"], "3.16")
        self.assertEqual(release["metadata"]["qgis_plugin"]["key"], "d_plugin")
        self.assertIn({"kind": "conda", "target": "qplug-conda-helper", "spec": ">=1.0"},
                      release["dependencies"])
        found = json.loads(self.ok("search", "D Plugin", "--json").stdout)["packages"]
        self.assertEqual([(p["name"], p["backend"]) for p in found], [("qgis-d-plugin", "conda")])
        two = json.loads(self.ok("info", "qgis-two-modules", "--json", *QGIS).stdout)
        self.assertNotIn("plugin_key", two["packages"][0]["releases"][0])
        self.assertEqual(self.qplug("resolve", "Two Modules", *QGIS).returncode, 1)

    def test_legacy_plugin_depending_on_a_conda_plugin(self):
        self.add_repositories()
        plan = json.loads(self.ok("resolve", "E Plugin", "--json", *self.target(),
                                  *QGIS).stdout)
        steps = [(s["action"], s["backend"], s["name"], s["version"], s.get("plugin_key"))
                 for s in plan["plan"]["steps"]]
        self.assertEqual(steps, [("install", "conda", "qplug-conda-helper", "1.0", None),
                                 ("install", "conda", "qgis-d-plugin", "1.2", "d_plugin"),
                                 ("install", "legacy", "e_plugin", "1.0", None)])
        self.assertEqual(plan["plan"]["load_order"], ["d_plugin", "e_plugin"])

        r = self.ok("install", "E Plugin", *self.target(), *QGIS, "--conda", self.conda,
                    "--yes")
        # The plugin module in the plugins folder, as QGIS finds plugins: no .dist-info, no
        # compiled cache, nothing of conda's info/.
        self.assertEqual(sorted(e for e in os.listdir(self.plugins) if not e.startswith(".")),
                         ["d_plugin", "e_plugin"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.plugins, "d_plugin"))),
                         ["LICENSE", "__init__.py", "metadata.txt"])
        # conda was asked for the dependency only (a dry run, then the real one).
        self.assertEqual([c[-1] for c in self.conda_calls()],
                         ["qplug-conda-helper==1.0", "qplug-conda-helper==1.0"])
        self.assertEqual([c[4] for c in self.conda_calls()], ["--dry-run", "--yes"])
        self.assertEqual(self.conda_meta(), ["qplug-conda-helper-1.0-pyhd8ed1ab_0.json"])
        installed = self.installed()
        self.assertIn(("conda", "qgis-d-plugin"), installed)
        self.assertNotIn(("legacy", "d_plugin"), installed)
        self.assertEqual(installed[("conda", "qgis-d-plugin")]["version"], "1.2")
        self.assertEqual(installed[("conda", "qgis-d-plugin")]["display_name"], "D Plugin")
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            state = json.load(fh)
        (entry,) = state["plugin_packages"].items()
        self.assertEqual(entry[0], "d_plugin")
        self.assertEqual((entry[1]["package"], entry[1]["version"]),
                         ("conda:qgis-d-plugin", "1.2"))
        self.assertEqual([d[:3] for d in entry[1]["requires"]],
                         [["conda", "qplug-conda-helper", ">=1.0"]])

        # Nothing to do on a second install; removing E takes D and its dependency along.
        again = json.loads(self.ok("resolve", "E Plugin", "--json", *self.target(),
                                   *QGIS).stdout)
        self.assertEqual({s["action"] for s in again["plan"]["steps"]}, {"keep"})
        self.ok("remove", "E Plugin", *self.target(), *QGIS, "--conda", self.conda, "--yes")
        self.assertEqual([e for e in os.listdir(self.plugins) if not e.startswith(".")], [])
        self.assertEqual(self.conda_meta(), [])
        self.assertEqual([c[:1] + c[-1:] for c in self.conda_calls()[2:]],
                         [["remove", "qplug-conda-helper"], ["remove", "qplug-conda-helper"]])
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            self.assertNotIn("d_plugin", json.load(fh).get("plugin_packages", {}))

    def test_a_tar_bz2_plugin_package_installs_too(self):
        # The same plugin as .tar.bz2 only (conda-build's older format); no dependencies.
        channel = Channel(os.path.join(self.work, "old-channel"))
        channel.add_plugin("qgis-f-plugin", "0.3", "f_plugin", "F Plugin")
        channel.write()
        self.ok("repo", "add", "old", channel.folder, "--kind", "conda")
        self.ok("repo", "sync", *QGIS)
        self.ok("install", "F Plugin", *self.target(), *QGIS, "--conda", self.conda, "--yes")
        with open(os.path.join(self.plugins, "f_plugin", "metadata.txt"), encoding="utf-8") as fh:
            self.assertIn("version=0.3", fh.read())
        self.assertEqual(self.conda_calls(), [])  # nothing for conda to do
        self.assertIn(("conda", "qgis-f-plugin"), self.installed())
        self.ok("remove", "F Plugin", *self.target(), *QGIS, "--conda", self.conda, "--yes")
        self.assertFalse(os.path.exists(os.path.join(self.plugins, "f_plugin")))


class ServedChannel(http.server.ThreadingHTTPServer):
    """A conda channel folder served on 127.0.0.1; `log` keeps the paths asked for."""
    daemon_threads = True

    def __init__(self, folder):
        log = self.log = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                log.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class RemotePluginCondaPackages(ChannelFixture):
    """The channel above over HTTP: a remote channel's packages are read for a plugin module
    when a resolution reaches their project (docs/index-sources.md)."""
    D_FILE = "/noarch/qgis-d-plugin-1.2-pyhd8ed1ab_0.conda"

    def setUp(self):
        super().setUp()
        self.server = ServedChannel(self.channel.folder)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def add_repositories(self):
        self.ok("repo", "add", "plugins", self.zips, "--kind", "folder")
        self.ok("repo", "add", "remote", self.server.url(), "--kind", "conda")
        return self.ok("repo", "sync", *QGIS)

    def package_reads(self):
        return [p for p in self.server.log if not p.endswith("/repodata.json")]

    def test_a_remote_plugin_package_is_read_when_reached(self):
        r = self.add_repositories()
        self.assertNotIn("not a QGIS plugin", r.stderr)
        self.assertEqual(self.package_reads(), [])  # the sync read repodata.json only
        # Before a resolution reaches it, the package is an ordinary conda package.
        info = json.loads(self.ok("info", "qgis-d-plugin", "--json", *QGIS).stdout)
        self.assertNotIn("plugin_key", info["packages"][0]["releases"][0])
        # E Plugin needs D Plugin by name; the request naming the conda package reaches it.
        plan = json.loads(self.ok("resolve", "E Plugin", "qgis-d-plugin", "--json",
                                  *self.target(), *QGIS).stdout)
        steps = [(s["action"], s["backend"], s["name"], s["display_name"], s.get("plugin_key"))
                 for s in plan["plan"]["steps"]]
        self.assertEqual(steps, [
            ("install", "conda", "qplug-conda-helper", "qplug-conda-helper", None),
            ("install", "conda", "qgis-d-plugin", "D Plugin", "d_plugin"),
            ("install", "legacy", "e_plugin", "E Plugin", None)])
        self.assertEqual(self.package_reads(), [self.D_FILE])

        # The install reads it in its plan and installs it from there: fetched once.
        self.server.log.clear()
        self.ok("install", "E Plugin", "qgis-d-plugin", *self.target(), *QGIS, "--conda",
                self.conda, "--yes")
        self.assertEqual(self.package_reads(), [self.D_FILE])
        self.assertEqual(sorted(os.listdir(os.path.join(self.plugins, "d_plugin"))),
                         ["LICENSE", "__init__.py", "metadata.txt"])
        self.assertEqual([c[-1] for c in self.conda_calls()],
                         ["qplug-conda-helper==1.0", "qplug-conda-helper==1.0"])
        self.assertEqual(self.conda_meta(), ["qplug-conda-helper-1.0-pyhd8ed1ab_0.json"])
        installed = self.installed()
        self.assertEqual(installed[("conda", "qgis-d-plugin")]["display_name"], "D Plugin")
        self.assertNotIn(("legacy", "d_plugin"), installed)
        with open(os.path.join(self.plugins, ".qplug-state.json"), encoding="utf-8") as fh:
            entry = json.load(fh)["plugin_packages"]["d_plugin"]
        self.assertEqual((entry["package"], entry["version"]), ("conda:qgis-d-plugin", "1.2"))
        self.assertEqual([d[:3] for d in entry["requires"]],
                         [["conda", "qplug-conda-helper", ">=1.0"]])
        # Installed, it keeps answering E's dependency; nothing changes.
        again = json.loads(self.ok("resolve", "E Plugin", "--json", *self.target(),
                                   *QGIS).stdout)
        self.assertEqual({s["action"] for s in again["plan"]["steps"]}, {"keep"})

    def test_upgrading_everything_reads_the_installed_plugins_package(self):
        self.add_repositories()
        self.ok("install", "E Plugin", "qgis-d-plugin", *self.target(), *QGIS, "--conda",
                self.conda, "--yes")
        self.channel.add_plugin("qgis-d-plugin", "1.3", "d_plugin", "D Plugin",
                                depends=["qplug-conda-helper >=1.0"], fmt="conda")
        self.channel.write()
        self.ok("repo", "sync", *QGIS)
        self.server.log.clear()
        r = self.ok("upgrade", *self.target(), *QGIS, "--conda", self.conda, "--yes", "--json")
        steps = [(s["action"], s["backend"], s["name"], s.get("plugin_key"))
                 for s in json.loads(r.stdout)["plan"]["steps"] if s["action"] != "keep"]
        self.assertEqual(steps, [("upgrade", "conda", "qgis-d-plugin", "d_plugin")])
        self.assertEqual(self.package_reads(), ["/noarch/qgis-d-plugin-1.3-pyhd8ed1ab_0.conda"])
        with open(os.path.join(self.plugins, "d_plugin", "metadata.txt"), encoding="utf-8") as fh:
            self.assertIn("version=1.3", fh.read())
        self.assertEqual(self.installed()[("conda", "qgis-d-plugin")]["version"], "1.3")

    def test_a_remote_package_of_two_modules_stays_a_conda_package(self):
        self.add_repositories()
        r = self.ok("resolve", "qgis-two-modules", "--json", *self.target(), *QGIS)
        self.assertIn("qgis-two-modules-1.0-pyhd8ed1ab_0.tar.bz2: not a QGIS plugin: "
                      "two_a/metadata.txt is there, but the package has 2 top-level modules "
                      "(two_a, two_b)", r.stderr)
        (step,) = json.loads(r.stdout)["plan"]["steps"]
        self.assertEqual((step["backend"], step["name"], step.get("plugin_key")),
                         ("conda", "qgis-two-modules", None))

    def test_offline_reads_no_remote_package(self):
        self.add_repositories()
        self.server.log.clear()
        r = self.qplug("resolve", "E Plugin", "qgis-d-plugin", "--offline", *self.target(),
                       *QGIS)
        self.assertEqual(r.returncode, 1, r.stderr)  # D Plugin stays unknown
        self.assertIn("qgis-d-plugin 1.2 of the conda channel 'remote': not read for a QGIS "
                      "plugin module (offline)", r.stderr)
        self.assertEqual(self.server.log, [])

    def test_a_package_whose_digest_is_not_the_channels_is_refused(self):
        path = os.path.join(self.channel.folder, self.D_FILE.lstrip("/"))
        with open(path, "r+b") as fh:  # the same size, another byte
            fh.seek(-1, os.SEEK_END)
            last = fh.read(1)
            fh.seek(-1, os.SEEK_END)
            fh.write(bytes([last[0] ^ 0xFF]))
        self.add_repositories()
        r = self.qplug("resolve", "qgis-d-plugin", *self.target(), *QGIS)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"qgis-d-plugin 1\.2: .*qgis-d-plugin-1\.2-pyhd8ed1ab_0\.conda "
                                   r"has sha256 [0-9a-f]{64}, the repository says [0-9a-f]{64}: "
                                   r"refused")


if __name__ == "__main__":
    unittest.main()
