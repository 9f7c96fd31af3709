#!/usr/bin/python3
"""Collect every version string of the test corpus into tests/data/versions/corpus-versions.json.

Reads tests/data/metadata/*.txt the way QGIS does (configparser, UTF-8) and
tests/data/plugins-xml/*.xml with ElementTree; takes version, qgisMinimumVersion,
qgisMaximumVersion and the pins of plugin_dependencies, and the version attribute and
qgis_minimum_version / qgis_maximum_version elements of plugins.xml entries.
Run from the repository root; the output is committed (it is derived data).
"""
import configparser
import glob
import json
import os
import xml.etree.ElementTree as ET

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "data")


def main():
    found = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "metadata", "*.txt"))):
        cp = configparser.ConfigParser()
        try:
            with open(path, encoding="utf-8") as fh:
                cp.read_file(fh)
        except Exception:
            continue
        for key in ("version", "qgisminimumversion", "qgismaximumversion"):
            try:
                found.add(cp.get("general", key))
            except Exception:
                pass
        try:
            deps = cp.get("general", "plugin_dependencies")
            for item in deps.split(","):
                if "==" in item[1:]:
                    found.add(item.split("==", 1)[1])
        except Exception:
            pass
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins-xml", "*"))):
        try:
            tree = ET.parse(path)
        except Exception:
            continue
        for el in tree.iter("pyqgis_plugin"):
            if el.get("version") is not None:
                found.add(el.get("version"))
            for child in ("qgis_minimum_version", "qgis_maximum_version"):
                node = el.find(child)
                if node is not None and node.text:
                    found.add(node.text.strip())
    out = os.path.join(ROOT, "versions", "corpus-versions.json")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(sorted(found), fh, ensure_ascii=False, indent=0)
        fh.write("\n")
    print(f"{len(found)} versions -> {out}")


if __name__ == "__main__":
    main()
