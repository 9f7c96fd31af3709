# SPDX-License-Identifier: GPL-2.0-or-later
"""Wheels for the tests of plugins distributed as wheels (docs/index-sources.md, "Plugins as
wheels and conda packages"): real wheels written with zipfile, as a wheel builder writes them
(METADATA, WHEEL, top_level.txt, RECORD), pip installs them."""
import base64
import hashlib
import os
import zipfile

INIT_PY = '''import os


def _log(event):
    path = os.environ.get("QPLUG_QGIS_TEST_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(event + " " + __name__ + "\\n")


class Plugin:
    def __init__(self, iface):
        self.iface = iface

    def initGui(self):
        _log("initGui")

    def unload(self):
        _log("unload")


def classFactory(iface):
    return Plugin(iface)
'''


def metadata_txt(name, version, qgis_minimum="3.16", deps=None, experimental=False):
    text = (f"[general]\nname={name}\nqgisMinimumVersion={qgis_minimum}\n"
            f"description=A plugin of qplug's tests\n"
            f"about=Distributed as a wheel, for qplug's tests.\n"
            f"version={version}\nauthor=qplug tests\nemail=tests@example.org\n"
            f"repository=https://example.org/{name.replace(' ', '_')}\n"
            f"experimental={experimental}\n")
    if deps:
        text += "plugin_dependencies=" + ",".join(deps) + "\n"
    return text


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(folder, project, version, files, requires=()):
    """A py3-none-any wheel of `project` holding `files` ({path: text}) beside its .dist-info;
    returns its path."""
    escaped = project.replace("-", "_")
    dist = f"{escaped}-{version}.dist-info"
    data = {path: text.encode() for path, text in files.items()}
    tops = sorted({p.split("/")[0] for p in files if "/" in p})
    data[f"{dist}/METADATA"] = ("\n".join(
        ["Metadata-Version: 2.1", f"Name: {project}", f"Version: {version}",
         f"Summary: {project} for the qplug tests"] +
        [f"Requires-Dist: {r}" for r in requires]) + "\n\n").encode()
    data[f"{dist}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: qplug-tests\n"
                             b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    data[f"{dist}/top_level.txt"] = ("".join(t + "\n" for t in tops)).encode()
    record = [_record_line(p, d) for p, d in data.items()] + [f"{dist}/RECORD,,"]
    data[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{escaped}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)
    return path


def write_plugin_wheel(folder, project, version, key, name, plugin_version=None, deps=None,
                       requires=(), qgis_minimum="3.16", init_py=INIT_PY, more=None):
    """A wheel whose one module `key` is a QGIS plugin (__init__.py, metadata.txt); `more`
    adds files (another module makes it no plugin)."""
    files = {f"{key}/__init__.py": init_py,
             f"{key}/metadata.txt": metadata_txt(name, plugin_version or version,
                                                 qgis_minimum, deps),
             f"{key}/LICENSE": "GPL-2.0-or-later\n"}
    files.update(more or {})
    return write_wheel(folder, project, version, files, requires)


def write_plugin_zip(folder, key, name, version, deps=None, qgis_minimum="3.16",
                     init_py=INIT_PY):
    """A legacy plugin ZIP (the folder repository's kind)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{key}.{version}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{key}/__init__.py", init_py)
        z.writestr(f"{key}/LICENSE", "GPL-2.0-or-later\n")
        z.writestr(f"{key}/metadata.txt", metadata_txt(name, version, qgis_minimum, deps))
    return path
