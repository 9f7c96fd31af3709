#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Packs each data/plugin-sources/<name>/<folder>/ into OUT/<name>.zip as a plugin ZIP: the
folder's files (metadata.txt), an __init__.py with a classFactory stub and a LICENSE when the
folder has none. Deterministic: fixed timestamps, sorted entries.

Usage: scripts/build-plugin-zips.py SOURCES_DIR OUT_DIR"""
import os
import sys
import zipfile

INIT = b'''"""A stand-in for the plugin's code: qplug's bundled data ships only its metadata.txt."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    raise ImportError("this is qplug's bundled test data, not the real plugin")
'''
LICENSE = b"This stand-in is GPL-2.0-or-later; the metadata.txt is the plugin authors'.\n"


def add(z, name, data):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def main(sources, out):
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(sources)):
        root = os.path.join(sources, name)
        folders = [f for f in os.listdir(root) if os.path.isdir(os.path.join(root, f))]
        if len(folders) != 1:
            sys.exit(f"{root}: expected one plugin folder, found {folders}")
        folder = folders[0]
        files = {}
        for dirpath, _, names in os.walk(os.path.join(root, folder)):
            for n in names:
                full = os.path.join(dirpath, n)
                with open(full, "rb") as fh:
                    files[os.path.relpath(full, root).replace(os.sep, "/")] = fh.read()
        files.setdefault(f"{folder}/__init__.py", INIT)
        files.setdefault(f"{folder}/LICENSE", LICENSE)
        target = os.path.join(out, name + ".zip")
        with zipfile.ZipFile(target + ".tmp", "w") as z:
            for entry in sorted(files):
                add(z, entry, files[entry])
        os.replace(target + ".tmp", target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
