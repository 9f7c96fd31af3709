# SPDX-License-Identifier: GPL-2.0-or-later
"""A plugin repository served over HTTP on 127.0.0.1, as plugins.qgis.org serves one: sync asks
for the QGIS version resolution targets (?qgis=X.Y), and a plugin ZIP is downloaded once per
run although resolution reads it (plugins.xml gives no plugin_dependencies) and the install
unpacks it."""
import http.server
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import zipfile

QPLUG = os.environ["QPLUG_CLI"]


def plugin_zip(key, name, version, deps=""):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{key}/__init__.py", "def classFactory(iface):\n    return None\n")
        z.writestr(f"{key}/metadata.txt",
                   f"[general]\nname={name}\nversion={version}\nqgisMinimumVersion=3.16\n"
                   f"description=d\nabout=a\nauthor=qplug\nemail=q@example.org\n"
                   f"repository=https://example.org\n"
                   + (f"plugin_dependencies={deps}\n" if deps else ""))
    return out.getvalue()


def entry(key, name, version, port):
    return f"""  <pyqgis_plugin name="{name}" version="{version}" plugin_id="1">
    <description><![CDATA[d]]></description>
    <version>{version}</version>
    <qgis_minimum_version>3.16.0</qgis_minimum_version>
    <file_name>{key}.{version}.zip</file_name>
    <download_url>http://127.0.0.1:{port}/download/{key}.{version}.zip</download_url>
    <experimental>False</experimental>
    <deprecated>False</deprecated>
  </pyqgis_plugin>
"""


class Served(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.requests = []
        files = {"app.1.0.zip": plugin_zip("app", "App", "1.0", deps="Base"),
                 "base.1.0.zip": plugin_zip("base", "Base", "1.0")}
        test = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                test.requests.append(self.path)
                if self.path.startswith("/plugins.xml"):
                    body = ("<plugins>\n" + entry("app", "App", "1.0", test.port) +
                            entry("base", "Base", "1.0", test.port) + "</plugins>\n").encode()
                elif self.path.startswith("/download/") and self.path[10:] in files:
                    body = files[self.path[10:]]
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                        XDG_CACHE_HOME=os.path.join(self.tmp, "cache"),
                        QPLUG_INDEX=os.path.join(self.tmp, "index.sqlite"),
                        QPLUG_QGIS_VERSION="3.22.16")
        self.env.pop("QPLUG_CACHE_DIR", None)
        self.profile = os.path.join(self.tmp, "profile")

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp)

    def qplug(self, *args):
        r = subprocess.run([QPLUG, *args], env=self.env, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, f"qplug {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def test_sync_asks_for_the_target_qgis_and_zips_come_once(self):
        self.qplug("repo", "add", "served", f"http://127.0.0.1:{self.port}/plugins.xml")
        self.qplug("repo", "sync")
        # The QGIS resolution targets (here $QPLUG_QGIS_VERSION; else `qgis --version`).
        self.assertEqual([r for r in self.requests if r.startswith("/plugins.xml")],
                         ["/plugins.xml?qgis=3.22"])
        self.requests.clear()
        r = self.qplug("install", "App", "--profile", self.profile, "--python-exe", "none",
                       "--yes", "--json")
        plan = json.loads(r.stdout)
        self.assertEqual(plan["qgis"], "3.22.16")
        self.assertEqual([(s["action"], s["name"]) for s in plan["plan"]["steps"]],
                         [("install", "base"), ("install", "app")])
        # App's ZIP was read to learn it needs Base, Base's to learn it needs nothing, and
        # both were installed: each fetched once.
        self.assertEqual(sorted(self.requests),
                         ["/download/app.1.0.zip", "/download/base.1.0.zip"])


if __name__ == "__main__":
    unittest.main()
