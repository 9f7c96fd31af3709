# SPDX-License-Identifier: GPL-2.0-or-later
"""The pip backend plans what pip plans (issue 12): requests and dependencies with extras,
markers combining `extra` with anything, an unknown extra, pip indexes read lazily per project,
dependencies from PEP 658 metadata or from the wheel itself; the binding (qplug_resolve) reads
as the CLI does.

The wheels are built here. Each request is resolved by qplug against four repositories of the
same wheels: a folder, a PEP 691 index on 127.0.0.1 with PEP 658 metadata, the same without
metadata (qplug reads the wheels' METADATA with range requests), and a PEP 503 index without
metadata whose server ignores ranges (qplug downloads the wheels). No repository is given
`projects=` or `all_projects=`: the index pages are read as the resolution reaches them. The
result is held against

* pip itself: Debian's python3-pip 23.0.1, `pip install --dry-run --report` in a fresh venv
  on the same wheels (--no-index --find-links), for the same Python and platform;
* a reference closure written here with Debian's python3-packaging 23.0 (markers evaluated by
  packaging.markers, extras compared as PEP 685 says), which decides the cases where pip 23.0.1
  does not compare extra names as PEP 685 (and pip 23.3) do: the only documented difference.
"""
import hashlib
import http.server
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile
from concurrent.futures import ThreadPoolExecutor

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

QPLUG = os.environ["QPLUG_CLI"]
PYTHON = "/usr/bin/python3"

# name, version, Provides-Extra, Requires-Dist, Requires-Python
WHEELS = [
    ("qx-a", "1.0", ["x", "y", "empty"], [
        'qx-b; extra == "x"',
        'qx-c>=1; extra == "y" and python_version >= "3"',
        'qx-d; extra == "x" or extra == "y"',
        'qx-e; (extra == "x" or extra == "z") and sys_platform == "win32"',
        'qx-f; (extra == "y" or extra == "x") and python_version >= "3.8"',
        'qx-g; python_version < "3"',
        'qx-h',
        'qx-i; extra != "x"',
    ], None),
    ("qx-a", "2.0a1", ["x"], ['qx-b; extra == "x"'], None),
    ("qx-b", "1.0", [], [], None),
    ("qx-b", "2.0", [], [], None),
    ("qx-c", "0.9", [], [], None),
    ("qx-c", "1.5", [], [], None),
    ("qx-d", "1.0", [], [], None),
    ("qx-e", "1.0", [], [], None),
    ("qx-f", "1.0", [], [], None),
    ("qx-g", "1.0", [], [], None),
    ("qx-h", "1.0", [], [], None),
    ("qx-i", "1.0", [], [], None),
    ("qx-j", "1.0", [], ["qx-a[y]>=1", "qx-k[nope]"], None),
    ("qx-k", "1.0", ["other"], ['qx-b<2; extra == "other"'], None),
    ("qx-w", "1.0", [], ["qx-k[other]", "qx-a[Y, x]"], None),
    # isort 5.12.0's extras, as poetry writes them
    ("qx-isort", "5.12.0", ["colors", "pipfile-deprecated-finder", "plugins",
                            "requirements-deprecated-finder"], [
        'qx-colorama>=0.4.3; extra == "colors"',
        'qx-pip-shims>=0.5.2; extra == "pipfile-deprecated-finder"',
        'qx-pipreqs; extra == "pipfile-deprecated-finder" or extra == "requirements-deprecated-finder"',
        'qx-pip-api; extra == "requirements-deprecated-finder"',
        'qx-setuptools; extra == "plugins"',
    ], None),
    ("qx-colorama", "0.4.6", [], [], None),
    ("qx-pip-shims", "0.7.3", [], [], None),
    ("qx-pipreqs", "0.4.13", [], ["qx-yarg"], None),
    ("qx-yarg", "0.1.9", [], [], None),
    ("qx-pip-api", "0.0.30", [], [], None),
    ("qx-setuptools", "68.0", [], [], None),
    # an extra used in a marker but not declared: pip ignores it
    ("qx-m", "1.0", [], ['qx-n; extra == "u"'], None),
    ("qx-n", "1.0", [], [], None),
    # only the older release declares the extra: pip takes the newest without it, and warns
    ("qx-v", "1.0", ["x"], ['qx-b; extra == "x"'], None),
    ("qx-v", "2.0", [], [], None),
    # a chain the lazy reading follows page by page
    ("qx-l1", "1.0", [], ["qx-l2>=1"], None),
    ("qx-l2", "1.0", [], ['qx-l3[deep]; python_version >= "3"'], None),
    ("qx-l3", "1.0", ["deep"], ['qx-l4; extra == "deep"'], None),
    ("qx-l4", "1.0", [], [], None),
    # versions chosen by Requires-Python and by specifiers
    ("qx-r", "1.0", [], [], None),
    ("qx-r", "2.0", [], [], ">=3.99"),
    ("qx-p", "1.0", [], ["qx-q"], None),
    ("qx-p", "2.0", [], ["qx-q>=2", "qx-b<2"], None),
    ("qx-q", "1.0", [], [], None),
    ("qx-q", "2.0", [], [], None),
    # a wheel whose METADATA says another version (LIES): pip discards it, takes 1.0
    ("qx-bad", "1.0", [], [], None),
    ("qx-bad", "2.0", [], [], None),
    # listed by the index, never reached: never read
    ("qx-unreached", "1.0", [], [], None),
]

# Requests where pip 23.0.1 and PEP 685 agree.
REQUESTS = [
    "qx-a", "qx-a[x]", "qx-a[y]", "qx-a[x,y]", "qx-a[x,nosuch]", "qx-a[empty]", "qx-a[X]",
    "qx-j", "qx-w", "qx-isort[pipfile-deprecated-finder]",
    "qx-isort[requirements-deprecated-finder,colors]", "qx-m[u]", "qx-l1", "qx-r", "qx-p",
    "qx-p<2", "qx-v[x]", "qx-bad",
]
# Releases whose METADATA (in the wheel and PEP 658's file) gives another version.
LIES = {("qx-bad", "2.0"): "2.1"}
# pip 23.0.1 compares extras without normalizing them (it warns "does not provide the extra"
# and installs none of its requirements); qplug follows PEP 685, as pip 23.3 does.
PEP685 = {"qx-isort[pipfile_deprecated_finder]": {"qx-pip-shims", "qx-pipreqs", "qx-yarg"}}

# Requests and the extras qplug (like pip) must warn about: (project, extra).
MISSING_EXTRAS = {
    "qx-a[x,nosuch]": {("qx-a", "nosuch")},
    "qx-j": {("qx-k", "nope")},
    "qx-m[u]": {("qx-m", "u")},
    "qx-v[x]": {("qx-v", "x")},
}


def module(name):
    return name.replace("-", "_")


def metadata(name, version, extras, requires, python):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {LIES.get((name, version), version)}"]
    if python:
        lines.append(f"Requires-Python: {python}")
    lines += [f"Provides-Extra: {e}" for e in extras]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return ("\n".join(lines) + "\n\n").encode()


def build_wheel(folder, name, version, extras, requires, python):
    dist = f"{module(name)}-{version}.dist-info"
    path = os.path.join(folder, f"{module(name)}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{module(name)}/__init__.py", f'VERSION = "{version}"\n')
        if name == "qx-h":
            # Big and incompressible: a ranged read must not download it.
            z.writestr(f"{module(name)}/data.bin", random.Random(1).randbytes(1 << 20))
        z.writestr(f"{dist}/METADATA", metadata(name, version, extras, requires, python))
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}/top_level.txt", module(name) + "\n")
        z.writestr(f"{dist}/RECORD", "")
    return path


def build_indexes(root):
    """files/ (the wheels and their .metadata), and three index trees over them."""
    files = os.path.join(root, "files")
    os.makedirs(files)
    pages = {}
    for name, version, extras, requires, python in WHEELS:
        path = build_wheel(files, name, version, extras, requires, python)
        meta = metadata(name, version, extras, requires, python)
        with open(path + ".metadata", "wb") as fh:
            fh.write(meta)
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        pages.setdefault(name, []).append(
            (os.path.basename(path), digest, hashlib.sha256(meta).hexdigest(), python or ""))
    for style in ("meta", "nometa", "html"):
        base = os.path.join(root, style, "simple")
        os.makedirs(base)
        with open(os.path.join(base, "index.json"), "w") as fh:
            json.dump({"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in pages]}, fh)
        with open(os.path.join(base, "index.html"), "w") as fh:
            fh.write("<!DOCTYPE html><html><body>" +
                     "".join(f'<a href="{n}/">{n}</a>\n' for n in pages) + "</body></html>")
        files_url = "/files-norange/" if style == "html" else "/files/"
        for name, entries in pages.items():
            folder = os.path.join(base, name)
            os.makedirs(folder)
            listed = []
            for f, digest, meta_digest, python in entries:
                entry = {"filename": f, "url": files_url + f, "hashes": {"sha256": digest},
                         "requires-python": python or None}
                if style == "meta":
                    entry["core-metadata"] = {"sha256": meta_digest}
                listed.append(entry)
            with open(os.path.join(folder, "index.json"), "w") as fh:
                json.dump({"meta": {"api-version": "1.1"}, "name": name, "files": listed}, fh)
            with open(os.path.join(folder, "index.html"), "w") as fh:
                fh.write("<!DOCTYPE html><html><body>" + "".join(
                    f'<a href="{files_url}{f}#sha256={d}">{f}</a>\n' for f, d, _, _ in entries) +
                    "</body></html>")
    return files


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = root
        self.log = []  # (path, Range header, bytes sent)
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def served(self, prefix):
        with self.lock:
            return [entry for entry in self.log if entry[0].startswith(prefix)]


class Handler(http.server.BaseHTTPRequestHandler):
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
        with self.server.lock:
            self.server.log.append((self.path, self.headers.get("Range"), len(body)))

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/files-norange/") or path.startswith("/files/"):
            full = os.path.join(self.server.root, "files", os.path.basename(path))
            if not os.path.isfile(full):
                return self.send_error(404)
            with open(full, "rb") as fh:
                body = fh.read()
            wanted = self.headers.get("Range")
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted or "")
            if m and path.startswith("/files/") and not full.endswith(".metadata"):
                size = len(body)
                if m.group(1) == "":
                    first, last = max(0, size - int(m.group(2))), size - 1
                else:
                    first = int(m.group(1))
                    last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                return self.reply(206, body[first:last + 1], "application/octet-stream",
                                  [("Content-Range", f"bytes {first}-{last}/{size}")])
            return self.reply(200, body, "application/octet-stream")
        style = path.strip("/").split("/")[0]
        full = os.path.join(self.server.root, path.lstrip("/"))
        if style in ("meta", "nometa", "html") and os.path.isdir(full):
            kind = "html" if style == "html" else "json"
            with open(os.path.join(full, "index." + kind), "rb") as fh:
                body = fh.read()
            return self.reply(200, body, "text/html" if kind == "html"
                              else "application/vnd.pypi.simple.v1+json")
        self.send_error(404)


def reference(request):
    """What pip resolves for a request on WHEELS when no backtracking is needed, with
    python3-packaging's markers and PEP 685 extra names: the newest version that fits every
    specifier seen (final releases, Requires-Python), requirements whose markers hold with
    extra == "" or with an extra the project declares and is asked for."""
    releases = {}
    for name, version, extras, requires, python in WHEELS:
        if (name, version) not in LIES:  # pip discards those
            releases.setdefault(name, []).append((Version(version), extras, requires, python))
    python = platform.python_version()
    specs, wanted = {}, {}

    def reach(r):
        name = canonicalize_name(r.name)
        new_spec = str(r.specifier) not in specs.setdefault(name, set())
        extras = {canonicalize_name(e) for e in r.extras}
        new_extras = not extras <= wanted.setdefault(name, set())
        specs[name].add(str(r.specifier))
        wanted[name] |= extras
        return new_spec or new_extras

    changed = reach(Requirement(request))
    while changed:
        changed = False
        chosen = {}
        for name, spec_list in specs.items():
            fits = [rel for rel in releases.get(name, [])
                    if not rel[0].is_prerelease and all(rel[0] in SpecifierSet(s) for s in spec_list)
                    and (not rel[3] or python in SpecifierSet(rel[3]))]
            if fits:
                chosen[name] = max(fits, key=lambda rel: rel[0])
        for name, (version, extras, requires, _) in chosen.items():
            contexts = [""] + sorted(wanted[name] & {canonicalize_name(e) for e in extras})
            for line in requires:
                r = Requirement(line)
                if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in contexts):
                    changed = reach(r) or changed
    return {(n, str(rel[0])) for n, rel in chosen.items()}


class PipPlans(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        # The default QGIS profile (the target of every plan here) inside the test's folder.
        os.environ["XDG_DATA_HOME"] = os.path.join(cls.root, "data")
        os.environ["XDG_CACHE_HOME"] = os.path.join(cls.root, "cache")
        cls.folder = build_indexes(cls.root)
        cls.server = Server(cls.root)
        venv = os.path.join(cls.root, "venv")
        r = subprocess.run([PYTHON, "-m", "venv", "--without-pip", "--system-site-packages", venv],
                           capture_output=True, text=True)
        cls.venv_python = os.path.join(venv, "bin", "python") if r.returncode == 0 else None
        cls.pip = {}
        if cls.venv_python:
            with ThreadPoolExecutor(2) as pool:
                for request, result in zip(REQUESTS + list(PEP685),
                                           pool.map(cls.run_pip, REQUESTS + list(PEP685))):
                    cls.pip[request] = result

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        shutil.rmtree(cls.root)

    @classmethod
    def run_pip(cls, request):
        report = os.path.join(cls.root, f"report-{hashlib.sha1(request.encode()).hexdigest()}.json")
        r = subprocess.run([cls.venv_python, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                            "--isolated", "--disable-pip-version-check", "--no-input", "--report", report,
                            "--no-index", "--find-links", cls.folder, request],
                           capture_output=True, text=True, timeout=300, cwd=cls.root)
        if r.returncode != 0:
            return None, r.stderr
        with open(report) as fh:
            installs = json.load(fh)["install"]
        return {(canonicalize_name(i["metadata"]["name"]), i["metadata"]["version"]) for i in installs}, r.stderr

    def qplug(self, index, *args, expect=0):
        r = subprocess.run([QPLUG, *args, "--index", index], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, expect, (args, r.stdout, r.stderr))
        return r

    def fresh(self, url):
        index = os.path.join(tempfile.mkdtemp(dir=self.root), "index.sqlite")
        self.qplug(index, "repo", "add", "wheels", url, "--kind", "pip")
        self.qplug(index, "repo", "sync")
        return index

    def plan(self, index, request, *extra):
        r = self.qplug(index, "resolve", "--json", "--qgis", "3.40.0", "--python",
                       platform.python_version(), "--platform", sys.platform, *extra, "pip:" + request)
        out = json.loads(r.stdout)
        self.assertTrue(out["solved"], (request, out, r.stderr))
        installs = [s for s in out["plan"]["steps"] if s["action"] == "install"]
        # Each step is the repository's release (its file), whether read at sync or by the plan.
        self.assertEqual({(s["repository"], os.path.basename(s["download_url"])) for s in installs},
                         {("wheels", f"{module(s['name'])}-{s['version']}-py3-none-any.whl")
                          for s in installs}, installs)
        return {(s["name"], s["version"]) for s in installs}, out["plan"]["warnings"], r.stderr

    def sources(self):
        return {"folder": self.folder, "PEP 691 + PEP 658": self.server.url("/meta/simple/"),
                "PEP 691, ranged wheels": self.server.url("/nometa/simple/"),
                "PEP 503, whole wheels": self.server.url("/html/simple/")}

    def pages_served(self, url, since):
        """The project pages of the index at `url` served since log entry `since`."""
        prefix = url[url.index("/", len("http://")):]
        with self.server.lock:
            paths = [path for path, _, _ in self.server.log[since:]]
        return {path[len(prefix):].strip("/") for path in paths
                if path.startswith(prefix) and path != prefix}

    def check_request(self, request, pip_differs=None):
        expected = reference(request)
        for kind, url in self.sources().items():
            with self.subTest(request=request, repository=kind):
                if kind not in self.indexes:
                    self.indexes[kind] = self.fresh(url)
                index = self.indexes[kind]
                since = len(self.server.log)
                got, warnings, _ = self.plan(index, request)
                self.assertEqual(got, expected)
                missing = {(m.group(1).split(" ")[0].lower(), m.group(2)) for w in warnings
                           for m in [re.match(r"(.*?) \S+ \(pip\) does not provide the extra '([^']*)'", w)] if m}
                self.assertEqual(missing, MISSING_EXTRAS.get(request, set()), warnings)
                self.assertFalse([w for w in warnings if "dependencies are not known" in w], warnings)
                if kind != "folder":
                    # Only what the resolution reached was read, as pip reads an index; `resolve`
                    # writes nothing, so each plan reads its pages again.
                    read = self.pages_served(url, since)
                    self.assertNotIn("qx-unreached", read)
                    self.assertTrue({n for n, _ in expected} <= read, (expected, read))
                    with sqlite3.connect(index) as db:
                        self.assertEqual(db.execute("SELECT count(*) FROM releases").fetchone()[0], 0)
        if self.venv_python is None:
            self.skipTest("python3 -m venv is not available")
        pip, stderr = self.pip[request]
        self.assertIsNotNone(pip, stderr)
        if pip_differs is None:
            self.assertEqual(pip, expected, stderr)
            for project, extra in MISSING_EXTRAS.get(request, set()):
                self.assertIn(f"does not provide the extra '{extra}'", stderr)
        else:
            self.assertEqual({n for n, _ in expected - pip}, pip_differs, stderr)
            self.assertIn("does not provide the extra", stderr)

    def test_requests_plan_what_pip_plans(self):
        self.indexes = {}
        for request in REQUESTS:
            self.check_request(request)

    def test_pep685_names_where_pip_23_0_does_not(self):
        self.indexes = {}
        for request, differs in PEP685.items():
            self.check_request(request, differs)

    def test_ranged_reads_and_downloads(self):
        big = os.path.getsize(os.path.join(self.folder, "qx_h-1.0-py3-none-any.whl"))
        self.assertGreater(big, 1 << 20)
        index = self.fresh(self.server.url("/nometa/simple/"))
        since = len(self.server.log)
        before = len(self.server.served("/files/qx_h"))
        self.plan(index, "qx-a")
        reads = self.server.served("/files/qx_h")[before:]
        self.assertTrue(reads and all(rng for _, rng, _ in reads), reads)
        self.assertLess(sum(n for _, _, n in reads), big // 8, reads)
        self.assertNotIn("qx-unreached", self.pages_served(self.server.url("/nometa/simple/"), since))
        index = self.fresh(self.server.url("/html/simple/"))
        before = len(self.server.served("/files-norange/qx_h"))
        self.plan(index, "qx-a")
        self.assertEqual([n for _, _, n in self.server.served("/files-norange/qx_h")[before:]], [big])

    def test_the_binding_reads_as_the_cli_does(self):
        # One resolution path (make_plan): qplug_resolve and the binding read the pages and the
        # wheels a resolution reaches, as `qplug resolve` does.
        import qplug
        index = self.fresh(self.server.url("/nometa/simple/"))
        since = len(self.server.log)
        r = qplug.resolve("pip:qx-w", qgis="3.40.0", python=platform.python_version(),
                          platform=sys.platform, index=index)
        self.assertTrue(r.solved, (r.causes, r.paths))
        self.assertEqual({(s["name"], s["version"]) for s in r.steps if s["action"] == "install"},
                         reference("qx-w"))
        with self.server.lock:
            ranges = [rng for path, rng, _ in self.server.log[since:] if path.startswith("/files/")]
        self.assertTrue(ranges and all(ranges), ranges)
        self.assertEqual(self.plan(index, "qx-w")[0], reference("qx-w"))

    def test_an_install_reaches_the_index_through_a_plugin_and_records_what_it_read(self):
        # A plugin whose requirements.txt names qx-l1 (a chain of four projects on an index
        # read lazily): the plan reads the chain, the install records it in the index (a run
        # that changes an installation may write it) and real pip installs it.
        if self.venv_python is None:
            self.skipTest("python3 -m venv is not available")
        work = tempfile.mkdtemp(dir=self.root)
        venv = os.path.join(work, "venv")
        shutil.copytree(os.path.dirname(os.path.dirname(self.venv_python)), venv, symlinks=True)
        zips = os.path.join(work, "zips")
        os.makedirs(zips)
        with zipfile.ZipFile(os.path.join(zips, "needs_chain.1.0.zip"), "w") as z:
            z.writestr("needs_chain/__init__.py", "def classFactory(iface):\n    return None\n")
            z.writestr("needs_chain/metadata.txt",
                       "[general]\nname=Needs Chain\nversion=1.0\nqgisMinimumVersion=3.22\n"
                       "description=d\nabout=a\nauthor=qplug\nemail=q@example.org\n")
            z.writestr("needs_chain/requirements.txt", "qx-l1>=1\n")
        index = os.path.join(work, "index.sqlite")
        self.qplug(index, "repo", "add", "plugins", zips, "--kind", "folder")
        self.qplug(index, "repo", "add", "wheels", self.server.url("/meta/simple/"), "--kind", "pip")
        self.qplug(index, "repo", "sync", "--qgis", "3.40.0")
        target = ["--qgis", "3.40.0", "--profile", os.path.join(work, "profile"),
                  "--python-exe", os.path.join(venv, "bin", "python")]
        r = self.qplug(index, "install", "Needs Chain", "--yes", *target)
        for name in ("qx-l1", "qx-l2", "qx-l3", "qx-l4"):
            self.assertIn(f"install   {name} 1.0 (pip, wheels)", r.stdout)
        with sqlite3.connect(index) as db:
            read = {n for (n,) in db.execute(
                "SELECT DISTINCT p.name FROM packages p JOIN releases r ON r.package_id = p.id "
                "JOIN repositories repo ON repo.id = p.repository_id WHERE repo.name = 'wheels'")}
        self.assertEqual(read, {"qx-l1", "qx-l2", "qx-l3", "qx-l4"})
        listed = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "list",
                                 "--format=json", "--local"], capture_output=True, text=True)
        self.assertTrue({("qx-l1", "1.0"), ("qx-l4", "1.0")} <=
                        {(p["name"], p["version"]) for p in json.loads(listed.stdout)}, listed.stdout)
        # A sync lists the index again (what was read is gone); upgrading everything reads the
        # projects installed from it again, as `pip install --upgrade` would.
        self.qplug(index, "repo", "sync", "wheels")
        with sqlite3.connect(index) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM releases r JOIN repositories repo ON "
                                        "repo.id = r.repository_id WHERE repo.name = 'wheels'"
                                        ).fetchone()[0], 0)
        since = len(self.server.log)
        r = self.qplug(index, "upgrade", "--dry-run", *target)
        self.assertIn("Nothing to do", r.stdout + r.stderr)
        self.assertEqual(self.pages_served(self.server.url("/meta/simple/"), since),
                         {"qx-l1", "qx-l2", "qx-l3", "qx-l4"})

    def test_offline_reads_nothing_and_says_so(self):
        index = self.fresh(self.server.url("/meta/simple/"))
        r = self.qplug(index, "resolve", "--json", "--qgis", "3.40.0", "--offline", "pip:qx-a", expect=1)
        self.assertIn("qx-a of the pip repository 'wheels' not read (offline)", r.stderr)
        r = self.qplug(index, "info", "qx-a", expect=1)  # listed, not read: info says so
        self.assertIn("'qx-a' is listed by the pip repository 'wheels', whose projects are read "
                      "when a resolution reaches them", r.stderr)
        with sqlite3.connect(index) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM releases").fetchone()[0], 0)

    def test_a_wheel_not_read_is_never_silently_empty(self):
        # Pages read at sync (all_projects), without PEP 658 metadata: the dependencies are
        # read from the wheels, or the plan says they are not known.
        index = os.path.join(tempfile.mkdtemp(dir=self.root), "index.sqlite")
        self.qplug(index, "repo", "add", "wheels", self.server.url("/nometa/simple/"), "--kind", "pip",
                   "--option", "all_projects=true")
        self.qplug(index, "repo", "sync")
        with sqlite3.connect(index) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM releases WHERE dependencies_known").fetchone()[0], 0)
        steps, warnings, stderr = self.plan(index, "qx-l3[deep]", "--offline")
        self.assertEqual(steps, {("qx-l3", "1.0")})
        self.assertTrue([w for w in warnings if "qx-l3 1.0 (pip): its dependencies are not known" in w],
                        warnings)
        self.assertIn("qx-l3 1.0: its dependencies are unknown (offline", stderr)
        steps, warnings, _ = self.plan(index, "qx-l3[deep]")  # online: read, and resolved again
        self.assertEqual(steps, {("qx-l3", "1.0"), ("qx-l4", "1.0")})
        self.assertEqual(warnings, [])

if __name__ == "__main__":
    unittest.main()
