# SPDX-License-Identifier: GPL-2.0-or-later
"""`qplug repo build`: a static repository from a folder of plugin ZIPs, in the layout of
plugins.qgis.org's plugins.xml template, read back by qplug's legacy source and by QGIS 3.22's
own plugin installer (qgis_installer_read.py), which must list every compatible plugin with its
stable and experimental version; deterministic and incremental."""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile

QPLUG = os.environ["QPLUG_CLI"]
HERE = os.path.dirname(os.path.abspath(__file__))
HAVE_QGIS = os.path.isfile("/usr/share/qgis/python/pyplugin_installer/installer_data.py")

# The children of <pyqgis_plugin> in the site's template (qgis-app/plugins/templates/plugins/
# plugins.xml), then qplug's additions.
SITE_CHILDREN = ["description", "about", "trusted", "qgis_minimum_version", "qgis_maximum_version",
                 "homepage", "file_name", "icon", "author_name", "download_url", "uploaded_by",
                 "create_date", "update_date", "experimental", "deprecated", "tracker", "repository",
                 "tags", "downloads", "average_vote", "rating_votes", "external_dependencies", "server"]
EXTRA_CHILDREN = ["plugin_dependencies", "file_size", "file_sha256"]

# (folder, name, version, experimental, deprecated, qgis min, qgis max, dependencies)
RELEASES = [
    ("alpha", "Alpha", "1.0", False, False, "3.0", None, ""),
    ("alpha", "Alpha", "2.0", False, False, "3.0", None, "Beta"),
    ("alpha", "Alpha", "1.10", False, False, "3.0", None, ""),
    ("alpha", "Alpha", "2.1rc1", True, False, "3.0", None, "Beta==0.5"),
    ("beta", "Beta", "0.5", False, False, "3.16", "3.99", ""),
    ("beta", "Beta", "0.9", False, False, "3.40", "3.99", ""),   # too new for QGIS 3.22
    ("gamma", "Gamma & Co", "3.0", True, False, "3.10", None, ""),  # experimental only
    ("gamma", "Gamma & Co", "2.0", False, False, "3.10", None, ""),
    ("gamma", "Gamma & Co", "2.5", True, False, "3.10", None, ""),  # older than... no: newer than 2.0
    ("delta", "Delta", "1.0", False, False, "4.0", "4.99", ""),     # QGIS 4 only
    ("epsilon", "Epsilon", "0.1", False, True, "3.0", None, ""),    # deprecated
]


def metadata(name, version, experimental, deprecated, qmin, qmax, deps):
    lines = ["[general]", f"name={name}", f"qgisMinimumVersion={qmin}", "description=Test plugin",
             "about=Made to be listed by a static repository.", f"version={version}", "author=Jane Doe",
             "email=jane@example.org", "repository=https://example.org/r", "tracker=https://example.org/t",
             "homepage=https://example.org/h", "icon=icon.png", "tags=Test, Static"]
    if qmax:
        lines.append(f"qgisMaximumVersion={qmax}")
    if experimental:
        lines.append("experimental=True")
    if deprecated:
        lines.append("deprecated=True")
    if deps:
        lines.append(f"plugin_dependencies={deps}")
    return "\n".join(lines) + "\n"


def run(*args, expect=None, env=None):
    r = subprocess.run([QPLUG, *args], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, **(env or {})))
    if expect is not None:
        assert r.returncode == expect, (args, r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    return r


class RepoBuild(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.zips = os.path.join(cls.tmp, "zips")
        os.makedirs(cls.zips)
        for i, (folder, name, version, exp, dep, qmin, qmax, deps) in enumerate(RELEASES):
            src = os.path.join(cls.tmp, "src", str(i), folder)
            os.makedirs(src)
            for file, text in (("__init__.py", "def classFactory(iface):\n    return None\n"),
                               ("metadata.txt", metadata(name, version, exp, dep, qmin, qmax, deps)),
                               ("LICENSE", "GPL\n")):
                with open(os.path.join(src, file), "w") as fh:
                    fh.write(text)
            with open(os.path.join(src, "icon.png"), "wb") as fh:
                fh.write(b"\x89PNG\r\n\x1a\n" + folder.encode() + version.encode())
            run("package", "build", src, "-o", os.path.join(cls.zips, f"{folder}-{version}.zip"), expect=0,
                env={"SOURCE_DATE_EPOCH": str(1700000000 + 86400 * i)})
        # refused: not a plugin; a second ZIP of a release already there
        with zipfile.ZipFile(os.path.join(cls.zips, "broken.zip"), "w") as z:
            z.writestr("readme.txt", "not a plugin")
        shutil.copy(os.path.join(cls.zips, "alpha-1.0.zip"), os.path.join(cls.zips, "zz-alpha-copy.zip"))
        cls.out = os.path.join(cls.tmp, "out")
        cls.first = run("repo", "build", cls.zips, "-o", cls.out, "--json",
                        "--base-url", "https://plugins.example.org/qgis", expect=1)
        cls.report = json.loads(cls.first.stdout)
        with open(os.path.join(cls.out, "plugins.xml"), "rb") as fh:
            cls.xml = fh.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_listed_and_refused(self):
        self.assertEqual(len(self.report["listed"]), len(RELEASES))
        refused = {r["zip"]: r for r in self.report["refused"]}
        self.assertEqual(sorted(refused), ["broken.zip", "zz-alpha-copy.zip"])
        self.assertIn("PKG-NO-TOP-FOLDER", {d["rule"] for d in refused["broken.zip"]["diagnostics"]})
        self.assertIn("alpha-1.0.zip", refused["zz-alpha-copy.zip"]["reason"])
        self.assertEqual(sorted(f for f in os.listdir(self.out) if f.endswith(".zip")),
                         sorted(f"{r[0]}.{r[2]}.zip" for r in RELEASES))
        self.assertEqual(len(os.listdir(os.path.join(self.out, "icons"))), len(RELEASES))

    def test_the_site_s_layout(self):
        text = self.xml.decode("utf-8")
        self.assertTrue(text.startswith("<?xml version = '1.0' encoding = 'UTF-8'?>\n<plugins>\n    <pyqgis_plugin "))
        self.assertTrue(text.endswith("    </pyqgis_plugin>\n</plugins>\n"))
        self.assertIn("</pyqgis_plugin><pyqgis_plugin ", text)  # the template's {% for %} joins them so
        root = ET.fromstring(self.xml)
        entries = root.findall("pyqgis_plugin")
        self.assertEqual(len(entries), len(RELEASES))
        for e in entries:
            self.assertEqual([c.tag for c in e], SITE_CHILDREN + EXTRA_CHILDREN)
            self.assertEqual(sorted(e.attrib), ["name", "version"])
            file_name = e.findtext("file_name")
            with open(os.path.join(self.out, file_name), "rb") as fh:
                data = fh.read()
            self.assertEqual(e.findtext("file_sha256"), hashlib.sha256(data).hexdigest())
            self.assertEqual(int(e.findtext("file_size")), len(data))
            self.assertEqual(e.findtext("download_url"), "https://plugins.example.org/qgis/" + file_name)
            self.assertTrue(e.findtext("icon").startswith("https://plugins.example.org/qgis/icons/"))
            self.assertEqual(e.findtext("tags"), "test,static")
        gamma = [e for e in entries if e.get("name") == "Gamma &amp; Co" or e.get("name") == "Gamma & Co"]
        self.assertEqual(len(gamma), 3)
        self.assertIn('name="Gamma &amp; Co"', text)
        # each plugin's releases together, oldest first (QGIS keeps the last compatible one)
        alpha = [e.get("version") for e in entries if e.get("name") == "Alpha"]
        self.assertEqual(alpha, ["1.0", "1.10", "2.0", "2.1rc1"])
        dates = {e.get("version"): (e.findtext("create_date"), e.findtext("update_date")) for e in entries
                 if e.get("name") == "Alpha"}
        self.assertEqual(dates["2.0"], ("2023-11-14T22:13:20+00:00", "2023-11-15T22:13:20+00:00"))

    def test_deterministic_and_incremental(self):
        other = os.path.join(self.tmp, "other")
        run("repo", "build", self.zips, "-o", other, "--base-url", "https://plugins.example.org/qgis", expect=1)
        with open(os.path.join(other, "plugins.xml"), "rb") as fh:
            self.assertEqual(fh.read(), self.xml)
        again = json.loads(run("repo", "build", self.zips, "-o", other, "--json",
                               "--base-url", "https://plugins.example.org/qgis", expect=1).stdout)
        self.assertEqual((again["read"], again["reused"], again["plugins_xml_changed"]), (0, len(RELEASES) + 2, False))
        # one ZIP replaced, one removed: only that one is read; its files go
        zips = os.path.join(self.tmp, "zips-copy")
        shutil.copytree(self.zips, zips)
        run("repo", "build", zips, "-o", other, "--base-url", "https://plugins.example.org/qgis", expect=1)
        os.remove(os.path.join(zips, "delta-1.0.zip"))
        os.utime(os.path.join(zips, "beta-0.5.zip"), (1, 1))
        r = json.loads(run("repo", "build", zips, "-o", other, "--json",
                           "--base-url", "https://plugins.example.org/qgis", expect=1).stdout)
        self.assertEqual(r["read"], 1)
        self.assertNotIn("delta.1.0.zip", os.listdir(other))
        self.assertNotIn("delta.1.0.zip", r["listed"])
        self.assertEqual(len(os.listdir(os.path.join(other, "icons"))), len(RELEASES) - 1)

    def test_read_back_by_qplug(self):
        index = os.path.join(self.tmp, "index.db")
        run("repo", "add", "static", os.path.join(self.out, "plugins.xml"), "--index", index, expect=0)
        run("repo", "sync", "--index", index, expect=0)
        with sqlite3.connect(index) as db:
            count = db.execute("SELECT count(*) FROM releases").fetchone()[0]
        self.assertEqual(count, len(RELEASES))
        info = json.loads(run("info", "Alpha", "--qgis", "3.22.16", "--index", index, "--json", expect=0).stdout)
        package = info["packages"][0]
        self.assertEqual((package["stable"], package["experimental"]), ("2.0", "2.1rc1"))
        release = [r for r in package["releases"] if r["version"] == "2.0"][0]
        self.assertIn({"kind": "plugin", "target": "Beta", "spec": ""}, release["dependencies"])

    @unittest.skipUnless(HAVE_QGIS, "Debian's python3-qgis is not installed")
    def test_read_back_by_qgis_3_22(self):
        def qgis(*flags):
            env = dict(os.environ, HOME=os.path.join(self.tmp, "home"), QT_QPA_PLATFORM="offscreen")
            env.pop("LD_PRELOAD", None)  # QGIS's Python is not ours to sanitize
            r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "qgis_installer_read.py"),
                                os.path.join(self.out, "plugins.xml"), "https://plugins.example.org/qgis/plugins.xml",
                                *flags], capture_output=True, text=True, timeout=300, env=env)
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            return json.loads(r.stdout.strip().splitlines()[-1])

        seen = qgis("--experimental")
        self.assertTrue(seen["qgis"].startswith("3.22."), seen["qgis"])
        self.assertEqual(seen["state"], 2)  # STATE_LOADED
        plugins = seen["plugins"]
        # every plugin compatible with QGIS 3.22, with its newest compatible stable and experimental
        self.assertEqual(sorted(plugins), ["alpha", "beta", "gamma"])
        versions = {k: (v["version_available_stable"], v["version_available_experimental"]) for k, v in plugins.items()}
        self.assertEqual(versions, {"alpha": ("2.0", "2.1rc1"), "beta": ("0.5", ""), "gamma": ("2.0", "3.0")})
        self.assertEqual(plugins["alpha"]["download_url_stable"], "https://plugins.example.org/qgis/alpha.2.0.zip")
        self.assertEqual(plugins["alpha"]["plugin_dependencies"], "Beta==0.5")
        self.assertEqual(plugins["gamma"]["name"], "Gamma & Co")
        self.assertEqual(plugins["gamma"]["tags"], "test,static")
        for p in plugins.values():
            self.assertTrue(p["icon"].startswith("https://plugins.example.org/qgis/icons/"))
            for url in (p["download_url_stable"], p["download_url_experimental"]):
                if url:
                    self.assertTrue(os.path.isfile(os.path.join(self.out, url.rsplit("/", 1)[1])))
        # without experimental plugins: the stable ones; deprecated ones when allowed
        stable = qgis()["plugins"]
        self.assertEqual({k: v["version_available_stable"] for k, v in stable.items()},
                         {"alpha": "2.0", "beta": "0.5", "gamma": "2.0"})
        self.assertIn("epsilon", qgis("--deprecated")["plugins"])


if __name__ == "__main__":
    unittest.main()
