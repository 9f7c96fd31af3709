# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential tests: qplug's pep440 scheme against Debian's python3-packaging (23.0), on the
corpus's version strings and tens of thousands of generated ones."""
import functools
import os
import random
import sys
import unittest

import exits
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

import generate
import qplug

SCALE = int(os.environ.get("QPLUG_DIFF_SCALE", "1"))  # more cases: QPLUG_DIFF_SCALE=10
SOURCE_DIR = os.environ.get("QPLUG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None


def cmp(a, b):
    return (a > b) - (a < b)


class Pep440AgainstPackaging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.strings = generate.versions(seed=440, count=30000 * SCALE)
        cls.valid = [(s, parse(s)) for s in cls.strings]
        cls.valid = [(s, v) for s, v in cls.valid if v is not None]

    def test_validity_and_normal_form(self):
        checked = 0
        for s in self.strings:
            v = parse(s)
            with self.subTest(version=s):
                self.assertEqual(qplug.is_valid(s, "pep440"), v is not None)
                if v is None:
                    with self.assertRaises(qplug.ParseError):
                        qplug.normalize(s, "pep440")
                else:
                    self.assertEqual(qplug.normalize(s, "pep440"), str(v))
            checked += 1
        self.assertGreater(len(self.valid), 10000)
        print(f"\n{checked} strings, {len(self.valid)} valid", file=sys.stderr)

    def test_compare_random_pairs(self):
        rng = random.Random(7)
        for _ in range(30000 * SCALE):
            (a, va), (b, vb) = rng.choice(self.valid), rng.choice(self.valid)
            with self.subTest(a=a, b=b):
                self.assertEqual(qplug.compare(a, b, "pep440"), cmp(va, vb))

    def test_compare_close_pairs(self):
        # Neighbours in packaging's order are where mistakes hide.
        ordered = sorted(self.valid, key=lambda sv: sv[1])
        for (a, va), (b, vb) in zip(ordered, ordered[1:]):
            with self.subTest(a=a, b=b):
                self.assertEqual(qplug.compare(a, b, "pep440"), cmp(va, vb))

    def test_sort_and_sort_key(self):
        strings = [s for s, _ in self.valid]
        expected = sorted(strings, key=Version)
        self.assertEqual(qplug.sorted(strings, scheme="pep440"), expected)
        self.assertEqual(sorted(strings, key=functools.partial(qplug.sort_key, scheme="pep440")),
                         expected)

    def check_spec(self, spec, versions):
        try:
            pset = SpecifierSet(spec)
        except InvalidSpecifier:
            with self.assertRaises(qplug.ParseError, msg=spec):
                qplug.satisfies("1.0", spec, "pep440")
            return False
        for s, v in versions:
            for pre in (None, True, False):
                try:
                    expected = pset.contains(v, prereleases=pre)
                except InvalidVersion:
                    # packaging raised. With several clauses it may have raised only because
                    # its frozenset order reached the failing clause before a False one;
                    # qplug lets a False clause decide (docs/versions.md).
                    try:
                        got = qplug.satisfies(s, spec, "pep440", prereleases=pre)
                    except qplug.Error:
                        continue
                    self.assertTrue(len(pset) > 1 and got is False,
                                    f"{s} in {spec!r} pre={pre}: packaging raises, qplug says {got}")
                    continue
                self.assertEqual(qplug.satisfies(s, spec, "pep440", prereleases=pre), expected,
                                 f"{s!r} in {spec!r} (prereleases={pre})")
        return True

    def test_single_specifiers(self):
        rng = random.Random(11)
        valid = 0
        for spec in generate.specifiers(seed=12, count=6000 * SCALE):
            sample = [rng.choice(self.valid) for _ in range(6)]
            valid += self.check_spec(spec, sample)
        self.assertGreater(valid, 2000)

    def test_specifier_sets(self):
        rng = random.Random(13)
        pool = generate.specifiers(seed=14, count=3000)
        for _ in range(2000 * SCALE):
            spec = ",".join(rng.choice(pool) for _ in range(rng.randint(0, 3)))
            self.check_spec(spec, [rng.choice(self.valid) for _ in range(4)])

    def test_specifier_vectors_and_corpus_versions(self):
        specs = []
        with open(os.path.join(generate.DATA, "versions", "pep440-specifier-valid.txt")) as fh:
            specs += [line.strip() for line in fh if line.strip()]
        import json
        with open(os.path.join(generate.DATA, "versions", "pep440-specifier-match.jsonl")) as fh:
            specs += [json.loads(line)["specifier"] for line in fh]
        corpus = [(s, parse(s)) for s in generate.corpus_versions()]
        corpus = [(s, v) for s, v in corpus if v is not None]
        for spec in sorted(set(specs)):
            self.check_spec(spec, corpus)

    def test_packaging_differences_file_is_current(self):
        script = os.path.join(SOURCE_DIR, "scripts", "packaging-differences.py")
        exits.run([sys.executable, script, "--check"], 0)


if __name__ == "__main__":
    unittest.main()
