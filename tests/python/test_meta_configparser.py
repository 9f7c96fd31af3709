# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: `qplug meta show --json` against Python's configparser (the reference
QGIS and plugins.qgis.org use), for every file of the metadata corpus, the QGIS and site
fixtures, and thousands of generated files, in both key modes."""
import glob
import json
import os
import tempfile
import unittest

import exits
import generate_metadata
import reference_configparser

QPLUG = os.environ["QPLUG_CLI"]
DATA = os.environ["QPLUG_TEST_DATA"]
SCALE = int(os.environ.get("QPLUG_DIFF_SCALE", "1"))
# Under ASan + UBSan every qplug run costs about a second: there, every 4th corpus file and a
# quarter of the generated documents (the release build's run takes them all; the sanitizers
# look for memory errors, which the parser's paths show on any sample).
SAMPLE = 4 if os.environ.get("QPLUG_SANITIZED") else 1


def qplug_show(path, mode):
    r = exits.run([QPLUG, "meta", "show", "--json", "--keys", mode, path], None,
                  capture_output=True, timeout=60)
    out = json.loads(r.stdout)
    exits.check_exit(r, 0 if out["ok"] else 1, path)
    return {"ok": out["ok"], "general": out["general"]}


def corpus_files():
    files = sorted(glob.glob(os.path.join(DATA, "metadata", "*.txt")))
    files += sorted(glob.glob(os.path.join(DATA, "qgis", "**", "metadata.txt"), recursive=True))
    files += sorted(glob.glob(os.path.join(DATA, "qgis", "**", "*metadata*.txt"), recursive=True))
    return sorted(set(files))


class MetaShowAgainstConfigparser(unittest.TestCase):
    def check(self, path, data, label):
        for mode in ("qgis", "site"):
            expected = reference_configparser.read(data, mode)
            got = qplug_show(path, mode)
            self.assertEqual(got, expected, f"{label} --keys {mode}")

    def test_corpus(self):
        files = corpus_files()
        self.assertGreater(len(files), 950)
        failing = 0
        for path in files[::SAMPLE]:
            with open(path, "rb") as fh:
                data = fh.read()
            with self.subTest(file=os.path.basename(path)):
                self.check(path, data, os.path.basename(path))
            failing += not reference_configparser.read(data, "qgis")["ok"]
        self.assertGreater(failing, 20 // SAMPLE)  # the corpus holds real broken files too

    def test_configparser_behaviour_vectors(self):
        with open(os.path.join(DATA, "qgis", "derived", "configparser_behaviour.json"), encoding="utf-8") as fh:
            cases = json.load(fh)["cases"]
        with tempfile.TemporaryDirectory() as tmp:
            for case in cases:
                data = case["text"].encode("utf-8")
                path = os.path.join(tmp, "metadata.txt")
                with open(path, "wb") as fh:
                    fh.write(data)
                with self.subTest(case=case["case"]):
                    self.check(path, data, case["case"])

    def test_generated(self):
        docs = generate_metadata.documents(seed=2024, count=1500 * SCALE // SAMPLE)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "metadata.txt")
            for i, data in enumerate(docs):
                with open(path, "wb") as fh:
                    fh.write(data)
                with self.subTest(document=i):
                    self.check(path, data, f"generated #{i}: {data!r}")


if __name__ == "__main__":
    unittest.main()
