#!/usr/bin/python3
"""Where Debian's packaging 23.0 (qplug's PEP 440 reference) disagrees with the PEP 440 vectors.

The vectors in tests/data/versions come from pypa/packaging's 2026 test suite; packaging 23.0
behaves differently in a few documented places. This writes
tests/data/versions/packaging-23.0-differences.json; tests/python/test_pep440_reference.py
checks that the file still describes the installed packaging.
"""
import json
import os
import sys

import packaging
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion, Version

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "versions")


def compute():
    out = {"packaging": packaging.__version__, "specifier_match": [], "invalid_specifiers_accepted": [],
           "invalid_versions_accepted": []}
    with open(os.path.join(DATA, "pep440-specifier-match.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            expected = row["expected(prereleases=True)"] == "true"
            got = Specifier(row["specifier"]).contains(row["version"], prereleases=True)
            if got != expected:
                out["specifier_match"].append({"version": row["version"], "specifier": row["specifier"],
                                               "vectors": expected, "packaging": got})
    with open(os.path.join(DATA, "pep440-specifier-invalid.json"), encoding="utf-8") as fh:
        for spec in json.load(fh):
            try:
                Specifier(spec)
                out["invalid_specifiers_accepted"].append(spec)
            except InvalidSpecifier:
                pass
    with open(os.path.join(DATA, "pep440-invalid.json"), encoding="utf-8") as fh:
        for version in json.load(fh):
            try:
                Version(version)
                out["invalid_versions_accepted"].append(version)
            except InvalidVersion:
                pass
    return out


def main():
    result = compute()
    if "--check" in sys.argv:
        with open(os.path.join(DATA, "packaging-23.0-differences.json"), encoding="utf-8") as fh:
            committed = json.load(fh)
        if committed != result:
            print("packaging-23.0-differences.json does not describe the installed packaging")
            return 1
        return 0
    with open(os.path.join(DATA, "packaging-23.0-differences.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
