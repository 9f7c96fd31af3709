# SPDX-License-Identifier: GPL-2.0-or-later
"""A PEP 503 wheel index for test_env_install.cpp: builds a few tiny pure-Python wheels into
ROOT/wheels, writes ROOT/simple/<project>/index.html, serves ROOT on 127.0.0.1 (a free port),
prints "PORT <n>" on stdout, and serves until its stdin is closed. GET /slow/... never answers
in time (for the timeout tests).

Usage: env_install_index.py ROOT
"""
import base64
import hashlib
import http.server
import os
import sys
import threading
import time
import zipfile

# name, version, Requires-Dist lines
WHEELS = [
    ("qplug-env-alpha", "1.0", ["qplug-env-beta>=1.0"]),
    ("qplug-env-beta", "1.0", []),
    ("qplug-env-beta", "2.0", []),
    ("qplug-env-gamma", "1.0", []),
]


def module(name):
    return name.replace("-", "_")


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(folder, name, version, requires):
    dist = f"{module(name)}-{version}.dist-info"
    files = {
        f"{module(name)}/__init__.py": f'VERSION = "{version}"\n'.encode(),
        f"{dist}/METADATA": ("\n".join(
            ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             f"Summary: {name} for the qplug tests"] +
            [f"Requires-Dist: {r}" for r in requires]) + "\n\n").encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: qplug-tests\nRoot-Is-Purelib: true\n"
                         b"Tag: py3-none-any\n",
        f"{dist}/top_level.txt": f"{module(name)}\n".encode(),
    }
    record = [record_line(p, d) for p, d in files.items()] + [f"{dist}/RECORD,,"]
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    file_name = f"{module(name)}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(folder, file_name), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return file_name


def build(root):
    wheels = os.path.join(root, "wheels")
    os.makedirs(wheels, exist_ok=True)
    projects = {}
    for name, version, requires in WHEELS:
        file_name = build_wheel(wheels, name, version, requires)
        projects.setdefault(name, []).append(file_name)
    for name, files in projects.items():
        folder = os.path.join(root, "simple", name)
        os.makedirs(folder, exist_ok=True)
        links = []
        for f in files:
            with open(os.path.join(wheels, f), "rb") as w:
                sha = hashlib.sha256(w.read()).hexdigest()
            links.append(f'<a href="../../wheels/{f}#sha256={sha}">{f}</a><br/>')
        with open(os.path.join(folder, "index.html"), "w") as out:
            out.write("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    with open(os.path.join(root, "simple", "index.html"), "w") as out:
        out.write("<!DOCTYPE html><html><body>\n" +
                  "\n".join(f'<a href="{n}/">{n}</a>' for n in projects) + "\n</body></html>\n")


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/slow/"):
            time.sleep(120)
            return
        super().do_GET()


def main():
    root = os.path.abspath(sys.argv[1])
    build(root)
    handler = lambda *a, **k: Handler(*a, directory=root, **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    sys.stdin.read()  # until the test closes our stdin (or dies)
    server.shutdown()


if __name__ == "__main__":
    main()
