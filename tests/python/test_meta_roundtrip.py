# SPDX-License-Identifier: GPL-2.0-or-later
"""`qplug meta fmt` round trip: for every corpus file configparser reads, the canonical output
reads back, in configparser and in qplug, to the same keys and values (in the same key mode),
and formatting is idempotent."""
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
# Under ASan + UBSan every qplug run costs about a second: there, every 4th corpus file and a
# quarter of the generated documents (the release build's run takes them all).
SAMPLE = 4 if os.environ.get("QPLUG_SANITIZED") else 1


def fmt(path, mode):
    """qplug meta fmt of a file configparser reads: it must succeed."""
    return exits.run([QPLUG, "meta", "fmt", "--keys", mode, path], 0, capture_output=True,
                     timeout=60).stdout


def show(data, mode, tmp):
    path = os.path.join(tmp, "again.txt")
    with open(path, "wb") as fh:
        fh.write(data)
    r = exits.run([QPLUG, "meta", "show", "--json", "--keys", mode, path], 0, capture_output=True,
                  timeout=60)
    out = json.loads(r.stdout)
    return {"ok": out["ok"], "general": out["general"]}


class FormatRoundTrip(unittest.TestCase):
    def check_file(self, path, data, tmp):
        checked = 0
        for mode in ("qgis", "site"):
            before = reference_configparser.read(data, mode)
            if not before["ok"]:
                continue
            out = fmt(path, mode)
            after = reference_configparser.read(out, mode)
            self.assertEqual(after, before, f"{os.path.basename(path)} --keys {mode}: configparser reads back differently")
            self.assertEqual(reference_configparser.read_raw(out, mode),
                             reference_configparser.read_raw(data, mode),
                             f"{os.path.basename(path)} --keys {mode}: raw values differ")
            self.assertEqual(show(out, mode, tmp), before, f"{os.path.basename(path)} --keys {mode}: qplug reads back differently")
            again = os.path.join(tmp, "formatted.txt")
            with open(again, "wb") as fh:
                fh.write(out)
            self.assertEqual(fmt(again, mode), out, f"{os.path.basename(path)} --keys {mode}: not idempotent")
            checked += 1
        return checked

    def test_corpus(self):
        files = sorted(glob.glob(os.path.join(DATA, "metadata", "*.txt")))
        checked = 0
        with tempfile.TemporaryDirectory() as tmp:
            for path in files[::SAMPLE]:
                with open(path, "rb") as fh:
                    data = fh.read()
                with self.subTest(file=os.path.basename(path)):
                    checked += self.check_file(path, data, tmp)
        self.assertGreater(checked, 1500 // SAMPLE)

    def test_generated(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "metadata.txt")
            for i, data in enumerate(generate_metadata.documents(seed=77, count=600 // SAMPLE)):
                with open(path, "wb") as fh:
                    fh.write(data)
                with self.subTest(document=i, data=data):
                    self.check_file(path, data, tmp)


if __name__ == "__main__":
    unittest.main()
