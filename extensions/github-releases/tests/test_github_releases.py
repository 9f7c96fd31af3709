# SPDX-License-Identifier: GPL-2.0-or-later
"""The github-releases extension through the command line: a GitHub-style releases listing and
its plugin ZIPs served on 127.0.0.1; `repo add --kind github-releases` loads the extension
from $QPLUG_EXTENSION_PATH (and only then), its options are checked against the kind's schema,
`repo sync` reads the listing, `search`, `resolve` and `install` use what it read."""
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

import exits

QPLUG = os.environ["QPLUG_CLI"]
EXTENSIONS = os.environ["QPLUG_EXTENSION_PATH"]


def plugin_zip(key, name, version, deps="", experimental=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{key}/__init__.py", "def classFactory(iface):\n    return None\n")
        z.writestr(f"{key}/metadata.txt",
                   f"[general]\nname={name}\nversion={version}\nqgisMinimumVersion=3.16\n"
                   f"description=d\nabout=a\nauthor=qplug\nemail=q@example.org\n"
                   f"repository=https://example.org\n"
                   + (f"plugin_dependencies={deps}\n" if deps else "")
                   + ("experimental=True\n" if experimental else ""))
    return out.getvalue()


def no_metadata_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("broken/__init__.py", "")
    return out.getvalue()


class GitHubReleases(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.requests = []
        self.files = {"app-1.0.zip": plugin_zip("app", "App", "1.0", deps="Base"),
                      "base-1.0.zip": plugin_zip("base", "Base", "1.0"),
                      "app-1.1.zip": plugin_zip("app", "App", "1.1", deps="Base"),
                      "broken.zip": no_metadata_zip()}
        test = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                test.requests.append(self.path)
                if self.path == "/repos/qplug/plugins/releases":
                    body = json.dumps(test.listing()).encode()
                elif self.path.startswith("/download/") and self.path[10:] in test.files:
                    body = test.files[self.path[10:]]
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
        self.url = f"http://127.0.0.1:{self.port}/repos/qplug/plugins/releases"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                        XDG_CACHE_HOME=os.path.join(self.tmp, "cache"),
                        QPLUG_INDEX=os.path.join(self.tmp, "index.sqlite"),
                        QPLUG_QGIS_VERSION="3.22.16", QPLUG_EXTENSION_PATH=EXTENSIONS)
        self.env.pop("QPLUG_CACHE_DIR", None)
        self.profile = os.path.join(self.tmp, "profile")

    def asset(self, name):
        return {"name": name, "size": len(self.files[name]),
                "browser_download_url": f"http://127.0.0.1:{self.port}/download/{name}"}

    def listing(self):
        return [{"tag_name": "v1.1", "prerelease": True, "published_at": "2026-02-01T00:00:00Z",
                 "assets": [self.asset("app-1.1.zip")]},
                {"tag_name": "v1.0", "prerelease": False, "published_at": "2026-01-01T00:00:00Z",
                 "assets": [self.asset("app-1.0.zip"), self.asset("base-1.0.zip"),
                            self.asset("broken.zip"),
                            {"name": "notes.txt", "browser_download_url": "http://x/notes"}]}]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp)

    def qplug(self, *args, expect=0, env=None):
        return exits.run([QPLUG, *args], expect, env=env or self.env, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)

    def test_sync_search_resolve_install(self):
        self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases")
        r = self.qplug("repo", "sync", "gh")
        self.assertIn("broken.zip", r.stderr)  # left out, with the reason
        self.assertIn("metadata.txt", r.stderr)
        self.assertNotIn("/download/app-1.1.zip", self.requests)  # a prerelease: not asked for
        found = json.loads(self.qplug("search", "App", "--json").stdout)
        self.assertEqual([(p["name"], p["latest"]) for p in found["packages"]], [("app", "1.0")])
        r = self.qplug("resolve", "App", "--profile", self.profile, "--python-exe", "none",
                       "--json")
        plan = json.loads(r.stdout)
        self.assertEqual([(s["action"], s["name"], s["version"]) for s in plan["plan"]["steps"]],
                         [("install", "base", "1.0"), ("install", "app", "1.0")])
        self.qplug("install", "App", "--profile", self.profile, "--python-exe", "none", "--yes")
        plugins = os.path.join(self.profile, "python", "plugins")
        self.assertEqual(sorted(p for p in os.listdir(plugins) if not p.startswith(".")),
                         ["app", "base"])
        with open(os.path.join(plugins, "app", "metadata.txt"), encoding="utf-8") as fh:
            self.assertIn("version=1.0", fh.read())

    def test_prereleases_become_experimental(self):
        self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases",
                   "--option", "include_prereleases=true", "--sync")
        info = json.loads(self.qplug("info", "App", "--json").stdout)
        releases = {(r["version"], r["channel"]) for p in info["packages"] for r in p["releases"]}
        self.assertEqual(releases, {("1.0", "stable"), ("1.1", "experimental")})

    def test_bad_options_are_refused_naming_the_option(self):
        r = self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases",
                       "--option", "include_prereleases=yes", expect=2)
        self.assertIn("'include_prereleases' must be a boolean", r.stderr)
        r = self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases",
                       "--option", "colour=blue", expect=2)
        self.assertIn("unknown option 'colour'", r.stderr)
        self.assertIn("include_prereleases", r.stderr)  # what it takes instead
        r = self.qplug("repo", "list", "--json")
        self.assertEqual(json.loads(r.stdout)["repositories"], [])  # nothing was added

    def test_an_unknown_kind_names_the_folders_searched(self):
        r = self.qplug("repo", "add", "x", self.url, "--kind", "nosuch", expect=2)
        self.assertIn("unknown kind 'nosuch'", r.stderr)
        self.assertIn("no extension library nosuch.so in " + EXTENSIONS, r.stderr)

    def test_the_extension_is_loaded_only_for_its_kind(self):
        self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases")
        env = dict(self.env, LD_DEBUG="files")
        for args in (["version", "compare", "1.0", "1.0.0"], ["repo", "list"]):
            r = self.qplug(*args, env=env)
            self.assertNotIn("github-releases.so", r.stderr, args)
        r = self.qplug("repo", "sync", "gh", env=env)
        self.assertIn("github-releases.so", r.stderr)

    def test_a_listing_that_is_not_one_fails_the_sync_and_keeps_the_index(self):
        self.qplug("repo", "add", "gh", self.url, "--kind", "github-releases", "--sync")
        self.listing = lambda: {"message": "API rate limit exceeded"}
        r = self.qplug("repo", "sync", "gh", expect=None)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a releases listing", r.stderr)
        found = json.loads(self.qplug("search", "App", "--json").stdout)
        self.assertEqual([p["name"] for p in found["packages"]], ["app"])  # still there


if __name__ == "__main__":
    unittest.main()
