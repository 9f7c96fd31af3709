# SPDX-License-Identifier: GPL-2.0-or-later
"""Rebuilds plugins.qgis.org's test ZIPs (qgis-app/plugins/tests/testfiles) from
zip_manifests.json: the same entries in the same order with the same modes, the real
metadata.txt of each, and dummy content for the rest (the originals hold Python code, which
was not copied)."""
import json
import os
import zipfile

DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
TESTFILES = os.path.join(DATA, "qgis", "qgis-plugins-website", "testfiles")


def manifests():
    with open(os.path.join(TESTFILES, "zip_manifests.json"), encoding="utf-8") as fh:
        return json.load(fh)


def metadata_for(zip_name, entry_name):
    folder = os.path.join(TESTFILES, zip_name)
    candidate = os.path.join(folder, *entry_name.split("/"))
    flat = os.path.join(folder, entry_name.replace("\\", "__BACKSLASH__"))
    for path in (candidate, flat):
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                return fh.read()
    return None


def build(zip_name, out_path):
    entries = manifests()[zip_name]["entries"]
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as z:
        for e in entries:
            info = zipfile.ZipInfo(e["name"], date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = e["create_system"]
            info.external_attr = int(e["unix_mode"], 8) << 16
            if e["is_dir"]:
                info.external_attr |= 0x10
                z.writestr(info, b"")
                continue
            content = None
            if e["name"].replace("\\", "/").endswith("metadata.txt"):
                content = metadata_for(zip_name, e["name"])
            if content is None:
                content = ("# dummy content for " + e["name"] + "\n").encode()
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return out_path
