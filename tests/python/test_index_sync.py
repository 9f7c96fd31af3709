# SPDX-License-Identifier: GPL-2.0-or-later
"""The repository index as a user runs it: every corpus plugins.xml synced from file URLs and
from an HTTP server on 127.0.0.1, compared field by field with the files as QGIS reads them
(plugins_xml_reference.py); ETags, redirects, credentials; a malformed file leaves the index as
it was; kill -9 in the middle of a large sync leaves it consistent."""
import base64
import glob
import hashlib
import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import exits
import plugins_xml_reference

QPLUG = os.environ["QPLUG_CLI"]
DATA = os.path.join(os.environ["QPLUG_TEST_DATA"], "plugins-xml")
FILES = sorted(glob.glob(os.path.join(DATA, "*.xml")) + glob.glob(os.path.join(DATA, "*.expected")))
MALFORMED = "BergWerkGIS__VoGIS-Raumplanung__plugins.xml"


class Server(http.server.ThreadingHTTPServer):
    """Serves a folder like a plugin repository: ETag with 304s, a redirect, a folder behind
    basic authentication; remembers every request path."""

    def __init__(self, folder):
        super().__init__(("127.0.0.1", 0), Handler)
        self.folder = folder
        self.requests = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def stop(self):
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/moved/"):
            self.send_response(301)
            self.send_header("Location", "/files/" + path[len("/moved/"):])
            self.end_headers()
            return
        if path.startswith("/private/"):
            expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="plugins"')
                self.end_headers()
                return
            path = "/files/" + path[len("/private/"):]
        if not path.startswith("/files/"):
            self.send_error(404)
            return
        name = urllib.parse.unquote(path[len("/files/"):])
        full = os.path.join(self.server.folder, name)
        if not os.path.isfile(full):
            self.send_error(404)
            return
        with open(full, "rb") as fh:
            data = fh.read()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def run(*args, env=None):
    return subprocess.run([QPLUG, *args], capture_output=True, text=True, timeout=600, env=env)


class IndexTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.index = os.path.join(self.tmp, "index.sqlite")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def qplug(self, *args, expect=0, env=None):
        return exits.check_exit(run(*args, "--index", self.index, env=env), expect)

    def db_releases(self, repository):
        with sqlite3.connect(self.index) as db:
            rows = db.execute(
                "SELECT p.name, p.display_name, r.version, r.channel, r.deprecated, r.trusted, "
                "r.qgis_minimum, r.qgis_maximum, r.download_url, r.file_name, r.update_date, "
                "m.metadata FROM releases r JOIN packages p ON p.id = r.package_id "
                "JOIN repositories repo ON repo.id = r.repository_id "
                # A release's metadata whole (a release may store a patch over its package's).
                "JOIN release_metadata m ON m.release_id = r.id WHERE repo.name = ? "
                "ORDER BY p.id, r.id", (repository,)).fetchall()
        return rows

    def expected_rows(self, path):
        with open(path, "rb") as fh:
            entries = plugins_xml_reference.read(fh.read())
        return [e for e in entries if not e["disabled"] and plugins_xml_reference.key_of(e)]

    def check_against_file(self, repository, path):
        expected = self.expected_rows(path)
        got = self.db_releases(repository)
        # Packages get their ids in first appearance order; a package's releases are in
        # document order (ids grow as the sync reads the document).
        order = []
        for e in expected:
            k = plugins_xml_reference.key_of(e)
            if k not in order:
                order.append(k)
        expected = sorted(expected, key=lambda e: order.index(plugins_xml_reference.key_of(e)))
        self.assertEqual(len(got), len(expected), path)
        for row, e in zip(got, expected):
            key, display, version, channel, deprecated, trusted, qmin, qmax, url, file_name, date, meta = row
            self.assertEqual(key, plugins_xml_reference.key_of(e), path)
            self.assertEqual(version, e["version"], path)
            self.assertEqual(channel, "experimental" if e["experimental"] else "stable", path)
            self.assertEqual((deprecated, trusted), (int(e["deprecated"]), int(e["trusted"])), path)
            self.assertEqual((qmin, qmax), (e["qgis_minimum_version"], e["qgis_maximum_version"]), path)
            self.assertEqual((url, file_name, date), (e["download_url"], e["file_name"], e["update_date"]), path)
            metadata = json.loads(meta)
            for field in ("description", "about", "author_name", "homepage", "tracker", "repository", "tags"):
                self.assertEqual(metadata.get(field, ""), e[field], (path, field))
        with sqlite3.connect(self.index) as db:
            packages = db.execute("SELECT count(*) FROM packages p JOIN repositories r ON r.id = "
                                  "p.repository_id WHERE r.name = ?", (repository,)).fetchone()[0]
        self.assertEqual(packages, len(order), path)


class SyncFromFiles(IndexTest):
    def test_every_corpus_file(self):
        for i, path in enumerate(FILES):
            name = f"r{i}"
            self.qplug("repo", "add", name, "file://" + urllib.parse.quote(path))
            if os.path.basename(path) == MALFORMED:
                # QGIS reads the entries before the error (the one open at it included), and
                # so does the sync, with a warning.
                r = self.qplug("repo", "sync", name)
                self.assertRegex(r.stderr, r"plugins\.xml:23:\d+: not well-formed XML: .*mismatch")
                self.assertEqual([row[:3] for row in self.db_releases(name)],
                                 [("vogisraumplanungplot", "VoGIS Raumplanung", "0.1.4")])
                continue
            r = self.qplug("repo", "sync", name, "--json")
            report = json.loads(r.stdout)["synced"][0]
            self.assertEqual(report["releases"], len(self.expected_rows(path)), path)
            self.check_against_file(name, path)
        self.assertGreaterEqual(len(FILES), 60)

    def test_plain_paths_and_not_modified(self):
        path = os.path.join(DATA, "planetfederal__qgis-plugins-xml__tests_data_plugins_plugins-qgis-org.xml")
        self.qplug("repo", "add", "official", path)
        first = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertEqual((first["packages"], first["releases"]), (229, 265))
        again = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertTrue(again["not_modified"])
        forced = json.loads(self.qplug("repo", "sync", "--force", "--json").stdout)["synced"][0]
        self.assertFalse(forced["not_modified"])
        self.assertEqual(forced["releases"], 265)

    def test_malformed_file_leaves_the_index_unchanged(self):
        served = os.path.join(self.tmp, "plugins.xml")
        shutil.copy(os.path.join(DATA, "3liz__qgis-plugin-repo__tests_fixtures_plugins.xml"), served)
        self.qplug("repo", "add", "custom", served)
        self.qplug("repo", "sync")
        before = self.db_releases("custom")
        self.assertGreater(len(before), 0)
        # Not well-formed, and no entry before the error (an error page): refused whole.
        with open(served, "w", encoding="utf-8") as fh:
            fh.write("<html>\n<body>\n<p>Bad gateway</body></html>\n")
        r = self.qplug("repo", "sync", expect=1)
        self.assertIn(":3:", r.stderr)
        self.assertEqual(self.db_releases("custom"), before)
        listed = json.loads(self.qplug("repo", "list", "--json").stdout)["repositories"][0]
        self.assertIn("not well-formed", listed["last_error"])
        with sqlite3.connect(self.index) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")


class SyncOverHttp(IndexTest):
    def setUp(self):
        super().setUp()
        self.server = Server(DATA)

    def tearDown(self):
        self.server.stop()
        super().tearDown()

    def test_every_corpus_file(self):
        for i, path in enumerate(FILES):
            name = f"h{i}"
            base = os.path.basename(path)
            self.qplug("repo", "add", name, self.server.url("/files/" + urllib.parse.quote(base)))
            if base == MALFORMED:  # the entry before the error, with a warning
                r = self.qplug("repo", "sync", name, "--qgis", "3.34.5")
                self.assertIn("not well-formed", r.stderr)
                self.assertEqual(len(self.db_releases(name)), 1)
                continue
            self.qplug("repo", "sync", name, "--qgis", "3.34.5")
            self.check_against_file(name, path)
        # QGIS's query parameter: X.Y of the QGIS version.
        self.assertTrue(all(p.endswith("?qgis=3.34") for p in self.server.requests), self.server.requests[:3])

    def test_etag_redirect_and_credentials(self):
        base = "planetfederal__qgis-plugins-xml__tests_data_plugins_plugins-qgis-org.xml"
        self.qplug("repo", "add", "moved", self.server.url("/moved/" + base))
        self.qplug("repo", "sync", "moved", "--qgis", "3.99.0")
        self.assertEqual(len(self.db_releases("moved")), 265)
        # An X.99 development build asks for the next major, as QGIS does.
        self.assertTrue(self.server.requests[0].endswith("?qgis=4.0"), self.server.requests)
        r = json.loads(self.qplug("repo", "sync", "moved", "--json").stdout)["synced"][0]
        self.assertTrue(r["not_modified"])  # a 304 for the stored ETag
        # Credentials: in the URL, or by reference to an environment variable.
        url = self.server.url("/private/" + base)
        self.qplug("repo", "add", "nope", url)
        r = self.qplug("repo", "sync", "nope", expect=3)
        self.assertIn("HTTP 401", r.stderr)
        self.qplug("repo", "add", "inline", url.replace("http://", "http://alice:s3cret@"))
        self.qplug("repo", "sync", "inline")
        listed = self.qplug("repo", "list").stdout
        self.assertIn("alice:***@", listed)
        self.assertNotIn("s3cret", listed)
        self.qplug("repo", "add", "byref", url, "--credentials", "env:PLUGINS_AUTH")
        self.qplug("repo", "sync", "byref", expect=3)  # the variable is not set
        env = dict(os.environ, PLUGINS_AUTH="alice:s3cret")
        self.qplug("repo", "sync", "byref", env=env)
        self.assertEqual(len(self.db_releases("byref")), 265)

    def test_unreachable_and_missing(self):
        self.qplug("repo", "add", "gone", self.server.url("/files/nothing.xml"))
        r = self.qplug("repo", "sync", "gone", expect=3)
        self.assertIn("HTTP 404", r.stderr)
        self.qplug("repo", "add", "closed", "http://127.0.0.1:9/plugins.xml")
        self.qplug("repo", "sync", "closed", expect=3)


def generated_plugins_xml(plugins, versions, tag=""):
    """A plugins.xml in the official layout: `plugins` plugins with `versions` versions."""
    parts = ["<?xml version = '1.0' encoding = 'UTF-8'?>\n<plugins>\n"]
    for p in range(plugins):
        for v in range(versions):
            parts.append(
                f'<pyqgis_plugin name="Plugin {p}{tag}" version="1.{v}" plugin_id="{p}">'
                f"<description><![CDATA[Generated plugin {p} for the kill test{tag}]]></description>"
                f"<about><![CDATA[{'About this plugin. ' * 20}]]></about>"
                f"<qgis_minimum_version>3.0.0</qgis_minimum_version>"
                f"<qgis_maximum_version>3.99.0</qgis_maximum_version>"
                f"<file_name>plugin_{p}.1.{v}.zip</file_name>"
                f"<download_url>https://example.org/plugin_{p}/1.{v}/</download_url>"
                f"<experimental>{'True' if v == versions - 1 else 'False'}</experimental>"
                f"<deprecated>False</deprecated></pyqgis_plugin>\n")
    parts.append("</plugins>\n")
    return "".join(parts).encode()


class KillDuringSync(IndexTest):
    def counts(self):
        with sqlite3.connect(self.index) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            return (db.execute("SELECT count(*) FROM packages").fetchone()[0],
                    db.execute("SELECT count(*) FROM releases").fetchone()[0],
                    db.execute("SELECT count(*) FROM release_metadata "
                               "WHERE metadata LIKE '%kill test-B%'").fetchone()[0])

    def test_kill_9_leaves_the_previous_state_or_the_new_one(self):
        path = os.path.join(self.tmp, "plugins.xml")
        with open(path, "wb") as fh:
            fh.write(generated_plugins_xml(20000, 3, "-A"))
        self.qplug("repo", "add", "big", path)
        self.qplug("repo", "sync")
        state_a = self.counts()
        self.assertEqual(state_a, (20000, 60000, 0))
        with open(path, "wb") as fh:
            fh.write(generated_plugins_xml(15000, 2, "-B"))
        state_b = (15000, 30000, 30000)
        seen = set()
        for delay in (0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.2, 2.0):
            p = subprocess.Popen([QPLUG, "repo", "sync", "--force", "--index", self.index],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            killed = p.poll() is None
            if killed:
                os.kill(p.pid, signal.SIGKILL)
            p.wait()
            # Killed by the test, or finished just before the kill; never another signal.
            if killed and p.returncode == -signal.SIGKILL:
                pass
            else:
                exits.check_exit(p, 0)
            state = self.counts()
            self.assertIn(state, (state_a, state_b), delay)
            seen.add((killed, state))
            exits.check_exit(run("repo", "list", "--index", self.index), 0)
            if state == state_b:
                break
        # At least one kill landed mid-sync and left state A; the index then still syncs.
        self.assertIn((True, state_a), seen, seen)
        self.qplug("repo", "sync", "--force")
        self.assertEqual(self.counts(), state_b)


class FolderOfZips(IndexTest):
    """The bundled folder of plugin ZIPs (data/SOURCES.md): dependencies, sizes and SHA-256
    known up front."""

    def test_bundled_plugins(self):
        folder = os.path.join(os.environ["QPLUG_BINARY_DIR"], "data", "plugins")
        zips = sorted(f for f in os.listdir(folder) if f.endswith(".zip"))
        self.assertEqual(len(zips), 16)
        self.qplug("repo", "add", "bundled", folder, "--kind", "folder")
        r = self.qplug("repo", "sync", "--json")
        report = json.loads(r.stdout)["synced"][0]
        self.assertEqual((report["packages"], report["releases"]), (11, 16))
        # QGIS does not strip plugin_dependencies items: qplug says where it reads differently.
        self.assertIn("' pyproj' with spaces around it", r.stderr)
        with sqlite3.connect(self.index) as db:
            rows = db.execute("SELECT r.file_name, r.size, r.hash, r.dependencies_known FROM releases r").fetchall()
            deps = dict(db.execute(
                "SELECT p.display_name || ' ' || r.version, group_concat(d.target || d.spec, ';') "
                "FROM dependencies d JOIN releases r ON r.id = d.release_id "
                "JOIN packages p ON p.id = r.package_id WHERE d.kind = 'plugin' GROUP BY r.id").fetchall())
        self.assertEqual(len(rows), 16)
        for file_name, size, digest, known in rows:
            with open(os.path.join(folder, file_name), "rb") as fh:
                data = fh.read()
            self.assertEqual((size, digest, known), (len(data), "sha256:" + hashlib.sha256(data).hexdigest(), 1))
        self.assertEqual(deps["openEO 2.0.2"], "qpip")
        self.assertEqual(deps["Koordinates 2.1.0"], "Kart")
        self.assertEqual(deps["Rana 1.2.18"], "Nelen and Schuurmans Dependency Loader==1.2.12")
        self.assertEqual(sorted(deps["Géoplateforme 0.17.0-DEV"].split(";")),
                         ["BD TOPO® Extractor==1.3.1", "French Locator Filter==1.4.1",
                          "GPF - Isochrone Isodistance Itinéraire==0.5.0"])
        again = json.loads(self.qplug("repo", "sync", "--json").stdout)["synced"][0]
        self.assertTrue(again["not_modified"])
        info = json.loads(self.qplug("info", "openEO", "--json", "--qgis", "3.40.4").stdout)
        self.assertEqual(info["packages"][0]["stable"], "2.0.2")


if __name__ == "__main__":
    unittest.main()
