# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python binding's API: results, exceptions with the library's message, resources (a
leak in the library or the binding shows as C heap that grows with the number of calls)."""
import ctypes
import gc
import io
import unittest
import zipfile

import qplug


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _Mallinfo2
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]


def c_heap_in_use():
    """Bytes of glibc's heap in use (small chunks and mmap'ed ones): Python's small objects
    live in pymalloc's arenas, so this is the C heap: the library's and the binding's."""
    gc.collect()
    m = _libc.mallinfo2()
    return m.uordblks + m.hblkhd


def heap_tracks_malloc():
    """False when malloc is not glibc's (an AddressSanitizer build preloads its own)."""
    before = c_heap_in_use()
    block = _libc.malloc(1 << 20)
    seen = c_heap_in_use() - before
    _libc.free(block)
    return seen >= 1 << 20


def heap_growth(work, rounds):
    """How much the C heap grows over `rounds` calls of work(), after a warm-up."""
    for _ in range(50):
        work(0)
    before = c_heap_in_use()
    for i in range(rounds):
        work(i)
    return c_heap_in_use() - before


GOOD = (b"[general]\nname=Leak Test\nqgisMinimumVersion=3.22\ndescription=d\nversion=1.0\n"
        b"author=a\nemail=a@example.org\nabout=x\nrepository=https://example.org/r\n"
        b"tracker=https://example.org/t\nhomepage=https://example.org\n")


def package_zip():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("leak_test/__init__.py", "def classFactory(iface):\n    pass\n")
        z.writestr("leak_test/metadata.txt", GOOD)
    return data.getvalue()


PACKAGE = package_zip()


def every_entry_point(i):
    """One call of each binding function (and of its error paths) that allocates in C."""
    qplug.normalize(f"{i}.0", "pep440")
    qplug.sort_key(f"{i}.0")
    qplug.compare(f"{i}.0", "1.0", "conda")
    qplug.sorted([f"{i}.0", "1.0"], scheme="qgis-classic")
    qplug.satisfies(f"{i}.0", ">=1.0", "pep440")
    qplug.is_valid(f"{i}.0", "conda")
    qplug.compatible("3.34.5", "3.22", "3.34")
    try:
        qplug.normalize("1.0+", "pep440")
    except qplug.ParseError:
        pass
    doc = qplug.parse_metadata(GOOD, keys="site")
    doc.validate(profile="strict")
    doc.to_json()
    doc.format()
    _ = doc.diagnostics, doc.items()
    report = qplug.check_package(PACKAGE, profile="site")
    _ = report.metadata["name"]
    del doc, report


class Binding(unittest.TestCase):
    def test_version(self):
        self.assertRegex(qplug.__version__, r"^\d+\.\d+\.\d+$")
        self.assertEqual(qplug.library_version(), qplug.__version__)
        self.assertEqual(sorted(qplug.SCHEMES), ["conda", "pep440", "qgis", "qgis-classic"])
        for name in qplug.SCHEMES:
            self.assertTrue(qplug.is_valid("1.0", name))

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
        self.assertEqual((r.compatible, r.rules), (True, "installer"))
        self.assertEqual(qplug.compatible("3.34.5", "3.22", rules="loader").rules, "loader")
        r = qplug.compatible("4.0.0", "3.0")
        self.assertFalse(r)
        self.assertEqual(r.maximum, "3.99")
        self.assertIn("newer than the plugin's qgisMaximumVersion 3.99", r.reason)
        self.assertFalse(qplug.compatible("3.34.5", "3.22beta", rules="loader"))
        self.assertTrue(qplug.compatible("3.34.5", "3.22beta"))
        self.assertFalse(qplug.compatible("3.99.0", "4.0", bump_dev_major=False))
        self.assertTrue(qplug.compatible("3.34.5", "", installed_plugin=True) is not None)

    def test_many_calls_do_not_leak(self):
        if not heap_tracks_malloc():
            self.skipTest("malloc is not glibc's (a sanitizer build): LeakSanitizer checks the "
                          "C API there (tests/capi, ASAN_OPTIONS=detect_leaks=1)")
        # The check itself sees a leak: a normalized string the caller never frees.
        leaked = ctypes.c_void_p()

        def leak(i):
            qplug._lib_handle.qplug_version_normalize(ctypes.byref(leaked), 2, f"{i}.0".encode())
        self.assertGreater(heap_growth(leak, 2000), 2000 * 16)
        # Every entry point: 2,000 rounds leaking 16 bytes a round would be 32 kB.
        growth = heap_growth(every_entry_point, 2000)
        self.assertLess(growth, 16 * 1024, f"the C heap grew by {growth} bytes")


if __name__ == "__main__":
    unittest.main()
