# SPDX-License-Identifier: GPL-2.0-or-later
"""The pip and conda sources against small indexes this test builds and serves on 127.0.0.1:
a PEP 691 JSON index with PEP 658 metadata, the same as PEP 503 HTML, a folder of wheels, and a
conda channel with two subdirs."""
import base64
import hashlib
import http.server
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import unittest
import zipfile

import exits

QPLUG = os.environ["QPLUG_CLI"]

# name, version, Requires-Dist lines, Requires-Python, top-level modules
PROJECTS = [
    ("requests", "2.31.0", ["charset-normalizer (<4,>=2)", "idna<4,>=2.5", "urllib3<3,>=1.21.1",
                            "certifi>=2017.4.17",
                            'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
                            'chardet<6,>=3.0.2; extra == "use-chardet-on-py3"'], ">=3.7", ["requests"]),
    ("requests", "2.30.0", ["idna<4,>=2.5"], ">=3.7", ["requests"]),
    ("idna", "3.6", [], ">=3.5", ["idna"]),
    ("PySocks", "1.7.1", [], ">=2.7, !=3.0.*", ["socks", "sockshandler"]),
    ("typing_extensions", "4.9.0", [], ">=3.8", ["typing_extensions"]),
    ("shapely", "2.0.2", ['numpy>=1.14; python_version < "3.13"'], ">=3.7", ["shapely"]),
]


def metadata(name, version, requires, python):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             f"Summary: {name} for the qplug tests"]
    if python:
        lines.append(f"Requires-Python: {python}")
    lines += [f"Requires-Dist: {r}" for r in requires]
    extras = sorted({r.split('extra == "')[1].split('"')[0] for r in requires if 'extra == "' in r})
    lines += [f"Provides-Extra: {e}" for e in extras]
    return ("\n".join(lines) + "\n\nThe description.\n").encode()


def wheel_name(name, version):
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl"


def build_wheel(folder, name, version, requires, python, modules):
    path = os.path.join(folder, wheel_name(name, version))
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as z:
        for m in modules:
            z.writestr(f"{m}/__init__.py", "")
        z.writestr(f"{dist}/METADATA", metadata(name, version, requires, python))
        z.writestr(f"{dist}/top_level.txt", "\n".join(modules) + "\n")
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}/RECORD", "")
    return path


def normalize(name):
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


class Index(http.server.ThreadingHTTPServer):
    def __init__(self, root):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = root
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, body, content_type, etag=None):
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        full = os.path.join(self.server.root, path.lstrip("/"))
        if path.endswith("/") and os.path.isdir(full):
            wants_json = "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", "")
            kind = "json" if wants_json and not path.startswith("/html/") else "html"
            page = os.path.join(full, "index." + kind)
            with open(page, "rb") as fh:
                body = fh.read()
            self.send(body, "application/vnd.pypi.simple.v1+json" if kind == "json" else "text/html",
                      etag='"' + hashlib.sha1(body).hexdigest() + '"')
            return
        if os.path.isfile(full):
            with open(full, "rb") as fh:
                body = fh.read()
            self.send(body, "application/octet-stream", etag='"' + hashlib.sha1(body).hexdigest() + '"')
            return
        self.send_error(404)


def build_pip_index(root):
    files = os.path.join(root, "files")
    os.makedirs(files)
    pages = {}
    for name, version, requires, python, modules in PROJECTS:
        path = build_wheel(files, name, version, requires, python, modules)
        with open(path + ".metadata", "wb") as fh:
            fh.write(metadata(name, version, requires, python))
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        meta_digest = hashlib.sha256(metadata(name, version, requires, python)).hexdigest()
        pages.setdefault(name, []).append((os.path.basename(path), digest, meta_digest, python))
    for style in ("simple", "html/simple"):
        base = os.path.join(root, style)
        os.makedirs(base)
        with open(os.path.join(base, "index.json"), "w") as fh:
            json.dump({"meta": {"api-version": "1.1"},
                       "projects": [{"name": n} for n in pages]}, fh)
        with open(os.path.join(base, "index.html"), "w") as fh:
            fh.write("<!DOCTYPE html><html><body>" +
                     "".join(f'<a href="{normalize(n)}/">{n}</a>\n' for n in pages) + "</body></html>")
        depth = "../" * (style.count("/") + 2)
        for name, entries in pages.items():
            folder = os.path.join(base, normalize(name))
            os.makedirs(folder)
            with open(os.path.join(folder, "index.json"), "w") as fh:
                json.dump({"meta": {"api-version": "1.1"}, "name": normalize(name),
                           "files": [{"filename": f, "url": f"{depth}files/{f}", "hashes": {"sha256": d},
                                      "requires-python": p, "core-metadata": {"sha256": md}}
                                     for f, d, md, p in entries]}, fh)
            with open(os.path.join(folder, "index.html"), "w") as fh:
                fh.write("<!DOCTYPE html><html><body>" + "".join(
                    f'<a href="{depth}files/{f}#sha256={d}" data-requires-python="{p.replace(">", "&gt;")}" '
                    f'data-core-metadata="sha256={md}">{f}</a>\n' for f, d, md, p in entries) + "</body></html>")


def repodata(subdir, packages):
    return json.dumps({"info": {"subdir": subdir}, "repodata_version": 1,
                       "packages": {k: v for k, v in packages.items() if k.endswith(".tar.bz2")},
                       "packages.conda": {k: v for k, v in packages.items() if k.endswith(".conda")}}).encode()


def build_conda_channel(root):
    noarch = {
        "pyqt-tools-1.0-pyhd8ed1ab_0.tar.bz2": {"name": "pyqt-tools", "version": "1.0", "build": "pyhd8ed1ab_0",
                                                 "build_number": 0, "depends": ["python >=3.8", "numpy >=1.21,<2"],
                                                 "noarch": "python", "subdir": "noarch", "timestamp": 1700000000,
                                                 "sha256": "aa" * 32, "size": 1000},
        "pyqt-tools-1.0-pyhd8ed1ab_0.conda": {"name": "pyqt-tools", "version": "1.0", "build": "pyhd8ed1ab_0",
                                              "build_number": 0, "depends": ["python >=3.8", "numpy >=1.21,<2"],
                                              "noarch": "python", "subdir": "noarch", "timestamp": 1700000000123,
                                              "sha256": "bb" * 32, "size": 900},
        "broken-1.0-0.tar.bz2": {"name": "broken", "version": "1.0"},
    }
    linux = {
        "numpy-1.26.4-py311h64a7726_0.conda": {"name": "numpy", "version": "1.26.4", "build": "py311h64a7726_0",
                                               "build_number": 0, "depends": ["python >=3.11,<3.12.0a0", "libblas >=3.9.0,<4.0a0"],
                                               "constrains": ["numpy-base <0a0"], "subdir": "linux-64", "md5": "cc" * 16},
        "python-3.11.8-hab00c5b_0_cpython.conda": {"name": "python", "version": "3.11.8",
                                                   "build": "hab00c5b_0_cpython", "build_number": 0,
                                                   "depends": ["libgcc-ng >=12"], "subdir": "linux-64"},
    }
    for subdir, packages in (("noarch", noarch), ("linux-64", linux)):
        os.makedirs(os.path.join(root, "channel", subdir))
        with open(os.path.join(root, "channel", subdir, "repodata.json"), "wb") as fh:
            fh.write(repodata(subdir, packages))


class PipAndConda(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        build_pip_index(cls.root)
        build_conda_channel(cls.root)
        cls.server = Index(cls.root)

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        shutil.rmtree(cls.root)

    def setUp(self):
        self.index = os.path.join(tempfile.mkdtemp(dir=self.root), "index.sqlite")

    def qplug(self, *args, expect=0):
        return exits.run([QPLUG, *args, "--index", self.index], expect, capture_output=True, text=True,
                         timeout=120)

    def rows(self, sql, *params):
        with sqlite3.connect(self.index) as db:
            return db.execute(sql, params).fetchall()

    def deps(self, package, version):
        return sorted(self.rows(
            "SELECT d.kind, d.target, d.spec, d.markers, d.extra, d.is_constraint FROM dependencies d "
            "JOIN releases r ON r.id = d.release_id JOIN packages p ON p.id = r.package_id "
            "WHERE p.name = ? AND r.version = ?", package, version))

    def check_requests(self):
        self.assertEqual(self.deps("requests", "2.31.0"), sorted([
            ("pip", "certifi", ">=2017.4.17", "", "", 0),
            ("pip", "chardet", "<6,>=3.0.2", 'extra == "use-chardet-on-py3"', "use-chardet-on-py3", 0),
            ("pip", "charset-normalizer", "<4,>=2", "", "", 0),
            ("pip", "idna", "<4,>=2.5", "", "", 0),
            ("pip", "pysocks", "!=1.5.7,>=1.5.6", 'extra == "socks"', "socks", 0),
            ("pip", "urllib3", "<3,>=1.21.1", "", "", 0),
            # the extras it declares (Provides-Extra): docs/index.md
            ("pip", "", "", "", "socks", 0),
            ("pip", "", "", "", "use-chardet-on-py3", 0),
            ("python", "python", ">=3.7", "", "", 0)]))
        self.assertEqual(self.deps("shapely", "2.0.2"), sorted([
            ("pip", "numpy", ">=1.14", 'python_version < "3.13"', "", 0),
            ("python", "python", ">=3.7", "", "", 0)]))
        known = self.rows("SELECT p.name, r.version, r.dependencies_known, r.hash FROM releases r "
                          "JOIN packages p ON p.id = r.package_id ORDER BY p.name, r.version")
        self.assertEqual(len(known), len(PROJECTS))
        for name, version, deps_known, digest in known:
            self.assertEqual(deps_known, 1, name)
            self.assertTrue(digest.startswith("sha256:"), name)

    def test_pep691_json_index(self):
        self.qplug("repo", "add", "pypi", self.server.url("/simple/"), "--kind", "pip",
                   "--option", "all_projects=true")
        r = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertEqual((r["packages"], r["releases"]), (5, 6))
        self.check_requests()
        again = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertTrue(again["not_modified"])
        info = json.loads(self.qplug("info", "requests", "--json").stdout)["packages"][0]
        self.assertEqual(info["backend"], "pip")
        self.assertEqual([rel["version"] for rel in info["releases"]], ["2.30.0", "2.31.0"])

    def test_pep503_html_index(self):
        self.qplug("repo", "add", "html", self.server.url("/html/simple"), "--kind", "pip",
                   "--option", 'projects=["Requests", "shapely", "PySocks", "idna", "typing-extensions"]')
        self.qplug("repo", "sync")
        self.check_requests()

    def test_root_listing_only_and_unknown_projects(self):
        self.qplug("repo", "add", "lazy", self.server.url("/simple/"), "--kind", "pip",
                   "--option", 'projects=["idna", "not-there"]')
        r = self.qplug("repo", "sync", "--json")
        self.assertIn("'not-there' is not on the index", r.stderr)
        self.assertEqual(self.rows("SELECT count(*) FROM packages")[0][0], 5)
        self.assertEqual(self.rows("SELECT count(*) FROM releases")[0][0], 1)  # idna only

    def test_folder_of_wheels(self):
        folder = os.path.join(self.root, "files")
        self.qplug("repo", "add", "wheels", folder, "--kind", "pip")
        self.qplug("repo", "sync")
        self.check_requests()
        modules = self.rows("SELECT m.module FROM modules m JOIN releases r ON r.id = m.release_id "
                            "JOIN packages p ON p.id = r.package_id WHERE p.name = 'pysocks'")
        self.assertEqual(sorted(m for (m,) in modules), ["socks", "sockshandler"])

    def test_conda_channel(self):
        self.qplug("repo", "add", "forge", self.server.url("/channel"), "--kind", "conda")
        r = self.qplug("repo", "sync", "--json")
        report = json.loads(r.stdout)["synced"][0]
        self.assertEqual((report["packages"], report["releases"]), (3, 3))
        self.assertIn("broken-1.0-0.tar.bz2", r.stderr)  # a record without build is left out
        rows = self.rows("SELECT p.name, r.version, r.build, r.subdir, r.hash, r.file_name, r.update_date "
                         "FROM releases r JOIN packages p ON p.id = r.package_id ORDER BY p.name")
        self.assertEqual(rows[1], ("pyqt-tools", "1.0", "pyhd8ed1ab_0", "noarch", "sha256:" + "bb" * 32,
                                   "pyqt-tools-1.0-pyhd8ed1ab_0.conda", "2023-11-14T22:13:20Z"))
        self.assertEqual(self.deps("numpy", "1.26.4"), sorted([
            ("conda", "libblas", ">=3.9.0,<4.0a0", "", "", 0),
            ("conda", "numpy-base", "<0a0", "", "", 1),
            ("conda", "python", ">=3.11,<3.12.0a0", "", "", 0)]))
        again = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertTrue(again["not_modified"])
        self.qplug("repo", "add", "noarch-only", self.server.url("/channel/"), "--kind", "conda",
                   "--option", 'subdirs=["noarch"]')
        only = json.loads(self.qplug("repo", "sync", "noarch-only", "--json").stdout)["synced"][0]
        self.assertEqual(only["releases"], 1)
        self.qplug("repo", "add", "bad", self.server.url("/channel"), "--kind", "conda",
                   "--option", "subdirs=3", expect=2)


if __name__ == "__main__":
    unittest.main()
