# SPDX-License-Identifier: GPL-2.0-or-later
"""`qplug package check` on plugins.qgis.org's own test ZIPs (rebuilt from their manifests) and
on ZIP attacks built here, one per check. Each must be reported, naming the entry."""
import io
import json
import os
import shutil
import struct
import tempfile
import unittest
import zipfile
import zlib

import exits
from plugin_wheels import write_plugin_wheel
import site_fixtures

QPLUG = os.environ["QPLUG_CLI"]

GOOD_METADATA = b"""[general]
name=Test Plugin
qgisMinimumVersion=3.22
qgisMaximumVersion=4.99
description=Tests qplug.
about=A plugin that exists to be checked.
version=1.0.0
author=Jane Doe
email=jane@example.org
repository=https://github.com/example/test_plugin
tracker=https://github.com/example/test_plugin/issues
homepage=https://example.org/test_plugin
icon=icon.png
"""


def check(path, *args):
    r = exits.run([QPLUG, "package", "check", "--json", *args, path], None, capture_output=True,
                  timeout=120)
    out = json.loads(r.stdout)
    package = out["packages"][0]
    exits.check_exit(r, 0 if package["valid"] else 1, (path, package))
    return package


def rules(package, severity=None):
    return {d["rule"] for d in package["diagnostics"] if severity is None or d["severity"] == severity}


def entries_of(package, rule):
    return [d["file"].split(":", 1)[-1] for d in package["diagnostics"] if d["rule"] == rule]


class Builder:
    """A plugin ZIP with sensible defaults that a test then breaks."""

    def __init__(self, folder="test_plugin"):
        self.folder = folder
        self.files = [(f"{folder}/__init__.py", b"def classFactory(iface):\n    return None\n", 0o644),
                      (f"{folder}/metadata.txt", GOOD_METADATA, 0o644),
                      (f"{folder}/LICENSE", b"GPL-2.0-or-later\n", 0o644),
                      (f"{folder}/icon.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 0o644)]

    def add(self, name, content=b"x\n", mode=0o644):
        self.files.append((name, content, mode))
        return self

    def drop(self, suffix):
        self.files = [f for f in self.files if not f[0].endswith(suffix)]
        return self

    def write(self, path, compression=zipfile.ZIP_DEFLATED):
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, content, mode in self.files:
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.create_system = 3
                info.external_attr = (mode | (0o040000 if name.endswith("/") else 0o100000)) << 16
                info.compress_type = compression
                z.writestr(info, content)
        return path


class SiteFixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.zips = {}
        for name in site_fixtures.manifests():
            cls.zips[name] = site_fixtures.build(name, os.path.join(cls.tmp, name.rstrip("_")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_valid_packages(self):
        for name in ("valid_plugin.zip_", "valid_plugin_0.0.2.zip_", "valid_plugin_0.0.3.zip_",
                     "change_metadata.zip_", "valid_metadata_link.zip"):
            with self.subTest(zip=name):
                p = check(self.zips[name])
                self.assertTrue(p["valid"], p["diagnostics"])
                self.assertEqual(p["package"], "test_modul")

    def test_invalid_links(self):
        self.assertIn("META-URL-PLACEHOLDER", rules(check(self.zips["invalid_metadata_link.zip"]), "error"))
        self.assertIn("META-URL-INVALID", rules(check(self.zips["invalid_url_scheme.zip"]), "error"))

    def test_unreachable_links(self):
        # These hosts do not exist (the site's tests mock the network the same way).
        for name in ("web_not_exist.zip", "timeout_plugin_link.zip_"):
            with self.subTest(zip=name):
                self.assertIn("META-URL-UNREACHABLE", rules(check(self.zips[name], "--check-links"), "error"))

    def test_package_name_for_new_plugins(self):
        p = check(self.zips["invalid_package_name.zip_"], "--new")
        self.assertIn("PKG-FOLDER-NOT-IDENTIFIER", rules(p, "error"))
        self.assertEqual(p["package"], "test-modul")
        # Existing plugins with a '-' keep working: only a warning.
        self.assertIn("PKG-FOLDER-NOT-IDENTIFIER", rules(check(self.zips["invalid_package_name.zip_"]), "warning"))

    def test_multiple_parents_is_a_warning(self):
        p = check(self.zips["multi_parents_plugin.zip_"])
        self.assertIn("PKG-MULTIPLE-TOP-FOLDERS", rules(p, "warning"))
        self.assertTrue(p["valid"], p["diagnostics"])

    def test_backslash_and_license(self):
        p = check(self.zips["path_with_backslash.zip_"])
        self.assertIn("PKG-BACKSLASH", rules(p, "error"))
        # one finding for all the entries, naming the first and how many there are
        backslashes = [d for d in p["diagnostics"] if d["rule"] == "PKG-BACKSLASH"]
        self.assertEqual([d["file"].split(":", 1)[-1] for d in backslashes], ["test_modul\\help"])
        self.assertGreater(backslashes[0]["count"], 10)
        self.assertIn("PKG-NO-LICENSE", rules(check(self.zips["plugin_without_license.zip_"]), "error"))


class Attacks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name="plugin.zip"):
        return os.path.join(self.tmp, name)

    def expect(self, builder, rule, entry=None, severity="error", args=()):
        p = check(builder.write(self.path()), *args)
        self.assertIn(rule, rules(p, severity), p["diagnostics"])
        if entry is not None:
            self.assertIn(entry, entries_of(p, rule))
        return p

    def test_baseline_is_valid(self):
        p = check(Builder().write(self.path()), "--profile", "strict")
        self.assertTrue(p["valid"], p["diagnostics"])

    def test_path_traversal_and_absolute_paths(self):
        self.expect(Builder().add("test_plugin/../../etc/passwd"), "PKG-PATH-TRAVERSAL", "test_plugin/../../etc/passwd")
        self.expect(Builder().add("test_plugin/a..b.txt"), "PKG-PATH-TRAVERSAL", "test_plugin/a..b.txt")
        self.expect(Builder().add("/etc/cron.d/evil"), "PKG-ABSOLUTE-PATH", "/etc/cron.d/evil")
        self.expect(Builder().add("test_plugin\\evil.py"), "PKG-BACKSLASH", "test_plugin\\evil.py")
        self.expect(Builder().add("C:/evil.py"), "PKG-DRIVE-LETTER", "C:/evil.py")

    def test_forbidden_content(self):
        self.expect(Builder().add("test_plugin/mod.pyc"), "PKG-PYC", "test_plugin/mod.pyc")
        for d in ("__MACOSX", ".git", "__pycache__"):
            with self.subTest(dir=d):
                # one finding per forbidden folder, naming the folder
                self.expect(Builder().add(f"test_plugin/sub/{d}/x"), "PKG-FORBIDDEN-DIR", f"test_plugin/sub/{d}/")
        p = check(Builder().add("test_plugin/.gitignore", b"*.pyc\n").write(self.path()))
        self.assertNotIn("PKG-FORBIDDEN-DIR", rules(p))
        self.expect(Builder().add("test_plugin/tool.exe", b"MZ\0\0"), "PKG-SUSPICIOUS-FILE", "test_plugin/tool.exe",
                    args=("--profile", "strict"))
        self.expect(Builder().add("test_plugin/run.py", b"print()\n", 0o755), "PKG-EXECUTABLE-PY",
                    "test_plugin/run.py", severity="warning")
        self.expect(Builder().add("test_plugin/blob.bin", b"\0\1\2\3" * 100), "PKG-BINARY", "test_plugin/blob.bin",
                    severity="warning")
        self.expect(Builder().add("test_plugin/.env", b"SECRET=1\n"), "PKG-HIDDEN-FILE", "test_plugin/.env",
                    severity="info", args=("--profile", "strict"))

    def test_names(self):
        self.expect(Builder().add("test_plugin/bad\x07name.py"), "PKG-CONTROL-CHAR")
        self.expect(Builder().add("test_plugin/Readme.md").add("test_plugin/README.md"),
                    "PKG-CASE-COLLISION", "test_plugin/README.md", severity="warning")
        # Python warns about duplicate names but writes them.
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.expect(Builder().add("test_plugin/dup.py").add("test_plugin/dup.py"), "PKG-DUPLICATE-NAME",
                        "test_plugin/dup.py")

    def test_symlink(self):
        b = Builder()
        b.files.append(("test_plugin/link", b"/etc/passwd", 0o120777))
        path = self.path()
        with zipfile.ZipFile(path, "w") as z:
            for name, content, mode in b.files:
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = (mode if mode & 0o170000 else mode | 0o100000) << 16
                z.writestr(info, content)
        p = check(path)
        self.assertIn("test_plugin/link", entries_of(p, "PKG-SYMLINK"))

    def test_zip_bombs(self):
        # One entry that expands 1000x, decided from the headers: nothing is inflated.
        p = self.expect(Builder().add("test_plugin/zeros.txt", b"\0" * 20_000_000), "PKG-ZIP-BOMB-RATIO",
                        "test_plugin/zeros.txt")
        # Many entries whose total is over the limit.
        b = Builder()
        for i in range(60):
            b.add(f"test_plugin/part{i}.txt", b"a" * 9_000_000)
        self.expect(b, "PKG-ZIP-BOMB-SIZE")
        self.assertLess(os.path.getsize(self.path()), 3_000_000)

    def test_crc_and_not_a_zip(self):
        path = Builder().add("test_plugin/data.txt", b"hello world " * 100).write(self.path(), zipfile.ZIP_STORED)
        with open(path, "rb") as fh:
            data = bytearray(fh.read())
        at = data.find(b"hello world")
        data[at] ^= 0xFF
        with open(path, "wb") as fh:
            fh.write(data)
        p = check(path)
        self.assertIn("test_plugin/data.txt", entries_of(p, "PKG-CRC"))
        for not_a_zip in (b"this is not a zip file", b""):
            with open(path, "wb") as fh:
                fh.write(not_a_zip)
            self.assertIn("PKG-NOT-ZIP", rules(check(path), "error"))

    def test_encrypted(self):
        if shutil.which("zip") is None:
            self.skipTest("the zip program is needed to write an encrypted entry")
        src = os.path.join(self.tmp, "src")
        os.makedirs(os.path.join(src, "test_plugin"))
        for name, content, _ in Builder().files:
            with open(os.path.join(src, name), "wb") as fh:
                fh.write(content)
        path = self.path()
        exits.run(["zip", "-q", "-r", "-P", "secret", path, "test_plugin"], 0, cwd=src)
        p = check(path)
        self.assertIn("test_plugin/__init__.py", entries_of(p, "PKG-ENCRYPTED"))

    def test_too_big(self):
        path = self.path()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for name, content, _ in Builder().files:
                z.writestr(name, content)
            z.writestr("test_plugin/big.dat", os.urandom(25_100_000))
        self.assertIn("PKG-TOO-BIG", rules(check(path), "error"))

    def test_layout(self):
        self.expect(Builder().drop("__init__.py"), "PKG-NO-INIT")
        self.expect(Builder().drop("LICENSE"), "PKG-NO-LICENSE")
        self.expect(Builder().drop("metadata.txt"), "PKG-NO-METADATA", severity="warning")
        # Without metadata.txt the site reads __init__.py's functions: all required ones there
        # pass (with the deprecation warning), one missing fails.
        init = b"".join(b"def %s():\n    return '%s'\n" % (k.encode(), v.encode()) for k, v in [
            ("name", "Test"), ("description", "d"), ("version", "1.0"), ("qgisMinimumVersion", "3.22"),
            ("author", "Jane"), ("email", "j@example.org"), ("about", "a"),
            ("tracker", "https://example.org/t"), ("repository", "https://example.org/r"),
            ("homepage", "https://example.org/h")])
        legacy = Builder().drop("metadata.txt").drop("__init__.py").add("test_plugin/__init__.py", init)
        p = check(legacy.write(self.path()))
        self.assertEqual(rules(p, "error"), set())
        self.assertEqual(rules(p, "warning"), {"PKG-NO-METADATA"})
        legacy = Builder().drop("metadata.txt").drop("__init__.py").add(
            "test_plugin/__init__.py", init.replace(b"def email", b"def mail"))
        p = self.expect(legacy, "PKG-INIT-METADATA")
        self.assertIn("metadata functions: email", [d["message"] for d in p["diagnostics"] if d["rule"] == "PKG-INIT-METADATA"][0])
        self.expect(Builder().drop("metadata.txt").drop("__init__.py").add("test_plugin/x.py"),
                    "PKG-NO-INIT-NOR-METADATA")
        b = Builder()
        b.files.insert(0, ("README.md", b"x", 0o644))
        self.expect(b, "PKG-NO-TOP-FOLDER")
        self.expect(Builder(folder="1plugin"), "PKG-FOLDER-NAME")
        self.expect(Builder(), "PKG-FOLDER-MISMATCH", args=("--package-name", "other_plugin"))
        p = self.expect(Builder().drop("icon.png"), "PKG-ICON-MISSING", args=("--profile", "strict"))
        self.assertNotIn("META-ICON-MISSING", rules(p))  # one finding, not two
        # The qgis profile reads metadata.txt as QGIS does: keys without case.
        b = Builder()
        b.files[1] = ("test_plugin/metadata.txt", GOOD_METADATA.replace(b"qgisMinimumVersion", b"QGISMinimumVersion"), 0o644)
        self.assertNotIn("META-REQ-QGISMINIMUMVERSION", rules(check(b.write(self.path()), "--profile", "qgis")))
        self.assertIn("META-REQ-QGISMINIMUMVERSION", rules(check(b.write(self.path())), "error"))

    def test_metadata_inside_is_validated_with_the_site_profile(self):
        b = Builder()
        b.files[1] = ("test_plugin/metadata.txt", GOOD_METADATA.replace(b"author=Jane Doe", b"author=Jane/Doe"), 0o644)
        p = self.expect(b, "META-AUTHOR-SLASH")
        d = [d for d in p["diagnostics"] if d["rule"] == "META-AUTHOR-SLASH"][0]
        self.assertEqual(d["file"].split(":", 1)[1], "test_plugin/metadata.txt")
        self.assertEqual((d["line"], d["column"]), (8, 8))
        b = Builder()
        b.files[1] = ("test_plugin/metadata.txt", GOOD_METADATA.replace(b"qgisMinimumVersion", b"QGISMinimumVersion"), 0o644)
        self.expect(b, "META-REQ-QGISMINIMUMVERSION")

    def test_legacy_init_and_screenshot(self):
        b = Builder()
        b.files[1] = ("test_plugin/metadata.txt", GOOD_METADATA.replace(b"qgisMinimumVersion=3.22", b"qgisMinimumVersion=1.0"), 0o644)
        self.expect(b, "PKG-LEGACY-INIT")
        b = Builder().add("test_plugin/shot.bmp", b"BM")
        b.files[1] = ("test_plugin/metadata.txt", GOOD_METADATA + b"screenshot=shot.bmp\n", 0o644)
        self.expect(b, "PKG-SCREENSHOT")

    def test_every_package_rule_is_exercised(self):
        # Keep this list in step with spec/metadata.json: every PKG- rule has a test above.
        exercised = {"PKG-TOO-BIG", "PKG-NOT-ZIP", "PKG-CRC", "PKG-PATH-TRAVERSAL", "PKG-ABSOLUTE-PATH",
                     "PKG-BACKSLASH", "PKG-DRIVE-LETTER", "PKG-PYC", "PKG-FORBIDDEN-DIR", "PKG-CONTROL-CHAR",
                     "PKG-SYMLINK", "PKG-DUPLICATE-NAME", "PKG-CASE-COLLISION", "PKG-ENCRYPTED",
                     "PKG-ZIP-BOMB-RATIO", "PKG-ZIP-BOMB-SIZE", "PKG-NO-TOP-FOLDER", "PKG-MULTIPLE-TOP-FOLDERS",
                     "PKG-FOLDER-NAME", "PKG-FOLDER-NOT-IDENTIFIER", "PKG-FOLDER-MISMATCH",
                     "PKG-NO-INIT-NOR-METADATA", "PKG-NO-INIT", "PKG-NO-METADATA", "PKG-INIT-METADATA", "PKG-NO-LICENSE",
                     "PKG-LEGACY-INIT", "PKG-SUSPICIOUS-FILE", "PKG-BINARY", "PKG-EXECUTABLE-PY",
                     "PKG-HIDDEN-FILE", "PKG-ICON-MISSING", "PKG-SCREENSHOT",
                     # in the rule table below and in test_site_rules.py
                     "PKG-COMPRESSION", "PKG-INIT-UTF8",
                     # wheels: in the rule table below and in tests/cli/test_cli_plugin_wheels.py
                     "PKG-WHEEL-NOT-PLUGIN", "PKG-WHEEL-VERSION"}
        spec = json.loads(exits.run([QPLUG, "meta", "spec", "--json"], 0, capture_output=True).stdout)
        self.assertEqual({r["id"] for r in spec["rules"] if r["id"].startswith("PKG-")}, exercised)



def legacy_init(missing=None):
    """__init__.py with the metadata functions the site reads when there is no metadata.txt."""
    pairs = [("name", "Test"), ("description", "d"), ("version", "1.0"), ("qgisMinimumVersion", "3.22"),
             ("author", "Jane"), ("email", "j@example.org"), ("about", "a"),
             ("tracker", "https://example.org/t"), ("repository", "https://example.org/r")]
    return b"".join(b"def %s():\n    return '%s'\n" % (k.encode(), v.encode()) for k, v in pairs if k != missing)


def with_metadata(text):
    b = Builder()
    b.files[1] = ("test_plugin/metadata.txt", text, 0o644)
    return b


def symlink_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        for name, content, mode in Builder().files + [("test_plugin/link", b"/etc/passwd", 0o120777)]:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (mode if mode & 0o170000 else mode | 0o100000) << 16
            z.writestr(info, content)
    return path


def damaged_zip(path):
    Builder().add("test_plugin/data.txt", b"hello world " * 100).write(path, zipfile.ZIP_STORED)
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    data[data.find(b"hello world")] ^= 0xFF
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def with_method(method, entry="test_plugin/LICENSE"):
    """A stored ZIP whose `entry` claims compression `method` (9 Deflate64, 93 Zstandard ...):
    the method fields of its local header and central directory record rewritten."""
    def write(path):
        Builder().write(path, zipfile.ZIP_STORED)
        with open(path, "rb") as fh:
            data = bytearray(fh.read())
        name = entry.encode()
        for signature, field in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
            at = data.find(signature)
            while at >= 0:
                name_at = at + (30 if field == 8 else 46)
                if data[name_at:name_at + len(name)] == name:
                    data[at + field:at + field + 2] = method.to_bytes(2, "little")
                    break
                at = data.find(signature, at + 4)
            else:
                raise AssertionError(f"{entry} not found")
        with open(path, "wb") as fh:
            fh.write(data)
        return path
    return write


INIT_METADATA = "".join(f"def {k}():\n    return '{v}'\n" for k, v in [
    ("name", "Test"), ("description", "d"), ("version", "1.0"), ("qgisMinimumVersion", "3.22"),
    ("author", "Jos\u00e9"), ("email", "j@example.org"), ("about", "a"),
    ("tracker", "https://example.org/t"), ("repository", "https://example.org/r"),
    ("homepage", "https://example.org/h")])


def init_metadata(encoding, with_metadata_txt=False):
    """A plugin whose __init__.py holds its metadata (as functions), in `encoding`."""
    b = Builder().drop("__init__.py").add("test_plugin/__init__.py", INIT_METADATA.encode(encoding))
    return (b if with_metadata_txt else b.drop("metadata.txt")).write


def raw_file(content):
    def write(path):
        with open(path, "wb") as fh:
            fh.write(content)
        return path
    return write


def encrypted_zip(path):
    src = path + ".src"
    os.makedirs(os.path.join(src, "test_plugin"))
    for name, content, _ in Builder().files:
        with open(os.path.join(src, name), "wb") as fh:
            fh.write(content)
    exits.run(["zip", "-q", "-r", "-P", "secret", os.path.abspath(path), "test_plugin"], 0, cwd=src)
    return path


def file_first(path):
    b = Builder()
    b.files.insert(0, ("README.md", b"x", 0o644))
    return b.write(path)


def empty_zip(path):
    with zipfile.ZipFile(path, "w"):
        pass
    return path


def many_parts(count, size):
    b = Builder()
    for i in range(count):
        b.add(f"test_plugin/part{i}.txt", b"a" * size)
    return b


def quietly(builder):
    """Builder.write without Python's warning about duplicate names."""
    import warnings

    def write(path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return builder.write(path)
    return write


# For every PKG- rule: inputs that break it, one per branch of its condition, and near misses
# that must not fire it. An input is (what it shows, a function writing the ZIP to a path,
# extra arguments of `qplug package check`).
def wheel(**kwargs):
    """A writer of a plugin wheel (version 1.0.0) beside the path it is given: its path."""
    def write(path):
        return write_plugin_wheel(os.path.dirname(path), "qgis-case", "1.0.0", "case_plugin",
                                  "Case Plugin", **kwargs)
    return write


def rule_table():
    good = Builder().write
    t = {
        "PKG-TOO-BIG": ([("one byte over --max-size", good, ("--max-size", "SIZE-1"))],
                        [("exactly --max-size", good, ("--max-size", "SIZE"))]),
        "PKG-NOT-ZIP": ([("text", raw_file(b"this is not a zip file"), ()), ("empty", raw_file(b""), ())],
                        [("a ZIP", good, ())]),
        "PKG-CRC": ([("a flipped byte", damaged_zip, ())], [("intact", good, ())]),
        "PKG-COMPRESSION": ([("Deflate64", with_method(9), ()), ("Zstandard", with_method(93), ())],
                            [("bzip2, which zipfile reads", lambda path: Builder().write(path, zipfile.ZIP_BZIP2), ()),
                             ("LZMA", lambda path: Builder().write(path, zipfile.ZIP_LZMA), ())]),
        "PKG-INIT-UTF8": ([("Latin-1 metadata in __init__.py", init_metadata("latin-1"), ())],
                          [("UTF-8", init_metadata("utf-8"), ()),
                           ("Latin-1 beside a metadata.txt", init_metadata("latin-1", True), ())]),
        "PKG-PATH-TRAVERSAL": ([("../ in a path", Builder().add("test_plugin/../../etc/passwd").write, ()),
                                ("'..' inside a name", Builder().add("test_plugin/a..b.txt").write, ()),
                                ("'..' last", Builder().add("test_plugin/x..").write, ())],
                               [("one dot", Builder().add("test_plugin/a.b.txt").write, ())]),
        "PKG-ABSOLUTE-PATH": ([("leading /", Builder().add("/etc/cron.d/evil").write, ())],
                              [("relative", Builder().add("test_plugin/etc/cron.d/evil").write, ())]),
        "PKG-BACKSLASH": ([("a backslash", Builder().add("test_plugin\\evil.py").write, ())],
                          [("a slash", Builder().add("test_plugin/evil.py").write, ())]),
        "PKG-DRIVE-LETTER": ([("C:", Builder().add("C:/evil.py").write, ()),
                              ("c:", Builder().add("c:/evil.py").write, ())],
                             [("a digit and ':'", Builder().add("1:/evil.py").write, ()),
                              ("':' later", Builder().add("test_plugin/C:x").write, ())]),
        "PKG-PYC": ([(".pyc", Builder().add("test_plugin/mod.pyc").write, ())],
                    [(".py", Builder().add("test_plugin/mod.py").write, ())]),
        "PKG-FORBIDDEN-DIR": ([(d, Builder().add(f"test_plugin/sub/{d}/x").write, ())
                               for d in ("__MACOSX", ".git", "__pycache__")],
                              [(".gitignore", Builder().add("test_plugin/.gitignore", b"*.pyc\n").write, ()),
                               ("git/", Builder().add("test_plugin/git/x").write, ())]),
        "PKG-CONTROL-CHAR": ([("BEL", Builder().add("test_plugin/bad\x07name.py").write, ()),
                              ("DEL", Builder().add("test_plugin/bad\x7fname.py").write, ())],
                             [("non-ASCII", Builder().add("test_plugin/\u00fcber.py").write, ())]),
        "PKG-SYMLINK": ([("a symbolic link", symlink_zip, ())], [("files only", good, ())]),
        "PKG-DUPLICATE-NAME": ([("a name twice", quietly(Builder().add("test_plugin/dup.py").add("test_plugin/dup.py")), ())],
                               [("names differing in case", Builder().add("test_plugin/Dup.py").add("test_plugin/dup.py").write, ())]),
        "PKG-CASE-COLLISION": ([("Readme and README", Builder().add("test_plugin/Readme.md").add("test_plugin/README.md").write, ())],
                               [("the same name twice", quietly(Builder().add("test_plugin/dup.py").add("test_plugin/dup.py")), ())]),
        "PKG-ZIP-BOMB-RATIO": ([("20 MB of zeros", Builder().add("test_plugin/zeros.txt", b"\0" * 20_000_000).write, ())],
                               [("900 kB of zeros (small files may compress well)",
                                 Builder().add("test_plugin/zeros.txt", b"\0" * 900_000).write, ())]),
        "PKG-ZIP-BOMB-SIZE": ([("540 MB in all", many_parts(60, 9_000_000).write, ())],
                              [("27 MB in all", many_parts(3, 9_000_000).write, ())]),
        "PKG-NO-TOP-FOLDER": ([("a file first", file_first, ()), ("no entry at all", empty_zip, ())],
                              [("a folder first", good, ())]),
        "PKG-MULTIPLE-TOP-FOLDERS": ([("two folders", Builder().add("other/x.txt").write, ())],
                                     [("one folder", good, ())]),
        "PKG-FOLDER-NAME": ([("a digit first", Builder(folder="1plugin").write, ()),
                             ("one character", Builder(folder="p").write, ())],
                            [("two letters", Builder(folder="pl").write, ())]),
        "PKG-FOLDER-NOT-IDENTIFIER": ([("a '-'", Builder(folder="test-plugin").write, ())],
                                      [("an identifier", good, ())]),
        "PKG-FOLDER-MISMATCH": ([("another folder before", good, ("--package-name", "other_plugin"))],
                                [("the same folder", good, ("--package-name", "test_plugin"))]),
        "PKG-NO-INIT-NOR-METADATA": ([("neither", Builder().drop("metadata.txt").drop("__init__.py").add("test_plugin/x.py").write, ())],
                                     [("both", good, ())]),
        "PKG-NO-INIT": ([("no __init__.py", Builder().drop("__init__.py").write, ())], [("both", good, ())]),
        "PKG-NO-METADATA": ([("no metadata.txt", Builder().drop("metadata.txt").drop("__init__.py")
                              .add("test_plugin/__init__.py", legacy_init()).write, ())],
                            [("both", good, ())]),
        "PKG-INIT-METADATA": ([("a function missing", Builder().drop("metadata.txt").drop("__init__.py")
                                .add("test_plugin/__init__.py", legacy_init("email")).write, ())],
                              [("every function", Builder().drop("metadata.txt").drop("__init__.py")
                                .add("test_plugin/__init__.py", legacy_init()).write, ()),
                               ("metadata.txt", good, ())]),
        "PKG-NO-LICENSE": ([("no LICENSE", Builder().drop("LICENSE").write, ())], [("LICENSE", good, ())]),
        "PKG-LEGACY-INIT": ([("QGIS 1.0 without the functions",
                              with_metadata(GOOD_METADATA.replace(b"qgisMinimumVersion=3.22", b"qgisMinimumVersion=1.0")).write, ())],
                            [("QGIS 1.8", with_metadata(GOOD_METADATA.replace(b"qgisMinimumVersion=3.22", b"qgisMinimumVersion=1.8")).write, ())]),
        "PKG-SUSPICIOUS-FILE": ([(".exe", Builder().add("test_plugin/tool.exe", b"MZ\0\0").write, ()),
                                 (".sh", Builder().add("test_plugin/run.sh", b"echo\n").write, ())],
                                [(".txt", Builder().add("test_plugin/tool.txt").write, ())]),
        "PKG-BINARY": ([("NUL bytes in .bin", Builder().add("test_plugin/blob.bin", b"\0\1\2\3" * 100).write, ())],
                       [("an image", Builder().add("test_plugin/image.png", b"\x89PNG\0\0\0" * 10).write, ()),
                        ("text", Builder().add("test_plugin/notes.txt", b"plain text\n").write, ())]),
        "PKG-EXECUTABLE-PY": ([("mode 755", Builder().add("test_plugin/run.py", b"print()\n", 0o755).write, ())],
                              [("mode 644", Builder().add("test_plugin/run.py", b"print()\n", 0o644).write, ())]),
        "PKG-HIDDEN-FILE": ([(".env", Builder().add("test_plugin/.env", b"SECRET=1\n").write, ()),
                             ("in a hidden folder", Builder().add("test_plugin/.cache/x").write, ())],
                            [("a dot inside", Builder().add("test_plugin/a.b").write, ())]),
        "PKG-ICON-MISSING": ([("the icon is not there", Builder().drop("icon.png").write, ())],
                             [("the icon is there", good, ())]),
        "PKG-WHEEL-NOT-PLUGIN": ([("two top-level modules", wheel(more={"two_b/__init__.py": ""}), ())],
                                 [("one module", wheel(), ())]),
        "PKG-WHEEL-VERSION": ([("1.0.0 beside metadata.txt's 1.1", wheel(plugin_version="1.1"), ())],
                              [("1.0.0 beside 1.0 (equal as PEP 440 normalizes them)",
                                wheel(plugin_version="1.0"), ())]),
        "PKG-SCREENSHOT": ([("a BMP", with_metadata(GOOD_METADATA + b"screenshot=shot.bmp\n").add("test_plugin/shot.bmp", b"BM").write, ()),
                            ("over 2 MB", with_metadata(GOOD_METADATA + b"screenshot=shot.png\n")
                             .add("test_plugin/shot.png", b"\x89PNG" + b"\0" * 2_100_000).write, ())],
                           [("a PNG that is there", with_metadata(GOOD_METADATA + b"screenshot=shot.png\n")
                             .add("test_plugin/shot.png", b"\x89PNG\r\n\x1a\n").write, ()),
                            ("not there (the site ignores it)",
                             with_metadata(GOOD_METADATA + b"screenshot=shot.png\n").write, ())]),
    }
    if shutil.which("zip") is not None:
        t["PKG-ENCRYPTED"] = ([("a password", encrypted_zip, ())], [("none", good, ())])
    return t


class RuleTable(unittest.TestCase):
    """Every PKG- rule, under every profile: each trigger fires with the spec's severity where
    the rule is on and not at all where it is off; no near miss fires anywhere."""

    PROFILES = ("qgis", "site", "strict")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        spec = json.loads(exits.run([QPLUG, "meta", "spec", "--json"], 0, capture_output=True).stdout)
        cls.severity = {r["id"]: r["severity"] for r in spec["rules"]}
        cls.good_size = os.path.getsize(Builder().write(os.path.join(cls.tmp, "good.zip")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def run_case(self, rule, n, case):
        what, write, args = case
        path = write(os.path.join(self.tmp, f"{rule}-{n}.zip"))
        args = tuple(a.replace("SIZE-1", str(self.good_size - 1)).replace("SIZE", str(self.good_size))
                     for a in args)
        found = {}
        for profile in self.PROFILES:
            p = check(path, "--profile", profile, *args)
            found[profile] = {d["severity"] for d in p["diagnostics"] if d["rule"] == rule}
        os.remove(path)
        return what, found

    def test_triggers_and_near_misses(self):
        table = rule_table()
        fired = 0
        for rule, (triggers, misses) in table.items():
            for n, case in enumerate(triggers):
                what, found = self.run_case(rule, n, case)
                for profile in self.PROFILES:
                    expected = self.severity[rule][profile]
                    with self.subTest(rule=rule, trigger=what, profile=profile):
                        if expected == "off":
                            self.assertEqual(found[profile], set(), "off, yet it fired")
                        else:
                            fired += 1
                            self.assertEqual(found[profile], {expected})
            for n, case in enumerate(misses):
                what, found = self.run_case(rule, 100 + n, case)
                for profile in self.PROFILES:
                    with self.subTest(rule=rule, near_miss=what, profile=profile):
                        self.assertEqual(found[profile], set(), "a near miss fired")
        self.assertGreater(fired, 80)

    def test_every_package_rule_is_in_the_table(self):
        table = rule_table()
        expected = {r for r in self.severity if r.startswith("PKG-")}
        if shutil.which("zip") is None:
            expected.discard("PKG-ENCRYPTED")  # needs the zip program to write one
        self.assertEqual(set(table), expected)
        for rule, (triggers, misses) in table.items():
            self.assertTrue(triggers and misses, rule)

if __name__ == "__main__":
    unittest.main()
