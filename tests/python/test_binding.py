# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python binding's API: results, exceptions with the library's message, resources."""
import unittest

import qplug


class Binding(unittest.TestCase):
    def test_version(self):
        self.assertRegex(qplug.__version__, r"^\d+\.\d+\.\d+$")

    def test_compare_and_sort(self):
        self.assertEqual(qplug.compare("1.0", "1.0.0"), 0)
        self.assertEqual(qplug.compare("1.0", "1.0.0", scheme="qgis-classic"), -1)
        self.assertEqual(qplug.sorted(["1.10", "1.9", "1.0rc1"], scheme="pep440"), ["1.0rc1", "1.9", "1.10"])
        self.assertEqual(qplug.sorted(["1.10", "1.9"], reverse=True), ["1.10", "1.9"])
        self.assertEqual(qplug.sorted([]), [])
        keys = [qplug.sort_key(v, "conda") for v in ("1.0.1dev", "1.0.1_", "1.0.1a", "1.0.1")]
        self.assertEqual(keys, sorted(keys))
        self.assertIsInstance(keys[0], bytes)

    def test_normalize_satisfies_valid(self):
        self.assertEqual(qplug.normalize("1.0-RC1-2+Ubuntu_01", "pep440"), "1.0rc1.post2+ubuntu.1")
        self.assertEqual(qplug.normalize("1.0+\u0130", "pep440"), "1.0+i\u0307")
        self.assertTrue(qplug.satisfies("1.5", ">=1.0,<2", "pep440"))
        self.assertFalse(qplug.satisfies("2.0a1", ">=1.0", "pep440"))
        self.assertTrue(qplug.satisfies("2.0a1", ">=1.0", "pep440", prereleases=True))
        self.assertTrue(qplug.is_valid("1.0-2", "conda"))
        self.assertFalse(qplug.is_valid("1..0", "conda"))

    def test_errors_carry_the_message(self):
        with self.assertRaises(qplug.ParseError) as ctx:
            qplug.compare("1.0+", "1", "pep440")
        self.assertIn("invalid PEP 440 version '1.0+': column 4", str(ctx.exception))
        self.assertEqual(ctx.exception.offset, 3)
        self.assertIsInstance(ctx.exception, ValueError)
        with self.assertRaises(qplug.NotFoundError):
            qplug.compare("1", "2", scheme="semver")
        with self.assertRaises(qplug.InvalidError):
            qplug.compare("1\0", "2")
        with self.assertRaises(TypeError):
            qplug.compare(1, "2")
        with self.assertRaises(qplug.InvalidError):
            qplug.compatible("three", "3.0")

    def test_compatible(self):
        r = qplug.compatible("3.34.5", "3.22", "3.34")
        self.assertTrue(r)
        self.assertEqual((r.qgis, r.minimum, r.maximum, r.reason), ("3.34.5", "3.22", "3.34", ""))
        r = qplug.compatible("4.0.0", "3.0")
        self.assertFalse(r)
        self.assertEqual(r.maximum, "3.99")
        self.assertIn("newer than the plugin's qgisMaximumVersion 3.99", r.reason)
        self.assertFalse(qplug.compatible("3.34.5", "3.22beta", rules="loader"))
        self.assertTrue(qplug.compatible("3.34.5", "3.22beta"))
        self.assertFalse(qplug.compatible("3.99.0", "4.0", bump_dev_major=False))
        self.assertTrue(qplug.compatible("3.34.5", "", installed_plugin=True) is not None)

    def test_many_calls_do_not_leak_or_crash(self):
        for i in range(20000):
            qplug.normalize(f"{i}.0", "pep440")
            qplug.sort_key(f"{i}.0")


if __name__ == "__main__":
    unittest.main()
