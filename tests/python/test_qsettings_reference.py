# SPDX-License-Identifier: GPL-2.0-or-later
"""qplug's QGIS3.ini writer against Qt's own QSettings (PyQt5 of Debian 12, the Qt 5.15 that
QGIS 3.22 reads its settings with). On generated and hand-written INI files, after qplug
enables, disables or forgets a plugin key: QSettings reads the key as intended and every other
key with the value it had; and the bytes are those of the input but for the changed or added
line (the generator knows which lines belong to the key, so the exact output is checked, up to
which of several spellings of the key QSettings itself takes the value from).
Also `qplug enable|disable` on profile folders: exit codes, --json, refusals."""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import unittest

try:
    from PyQt5 import QtGui  # noqa: F401  (registers QColor & co. for @Variant values)
    from PyQt5.QtCore import QSettings
except ImportError:  # pragma: no cover
    QSettings = None

TOOL = os.environ.get("QPLUG_QSETTINGS_TOOL", "")
QPLUG = os.environ.get("QPLUG_CLI", "")
DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join("..", "data"))
SKIP = "PyQt5 is not installed (scripts/setup-deps installs python3-qgis, which brings it)"

# Plugin keys with every kind of character iniEscapedKey treats differently.
KEYS = ["foo", "Foo", "my plugin", "caf\u00e9", "\u6e2c\u8a66", "a.b-c_d", "100%", "back\\slash",
        "\U0001F600", "x=y", "semi;colon", "[br]"]
OTHER_KEYS = ["a", "zz", "x%20y", "%U6E2C", "plugin_repositories\\Repo%201\\url", "enabled",
              "foo2", "foobar", "fo", "watchDog\\other", "Foox"]
VALUES = ["true", "false", "1", "", "\"quoted, with comma\"", "a, b ,c", "@Invalid()",
          "@ByteArray(xyz)", "@Variant(\\0\\0\\0\\x87\\0\\0\\0\\0)", "\"semi;colon\"",
          "line\\\ncontinued", "caf\\xe9", "\\\"esc\\\"", "@Rect(1 2 3 4)", "x=y", "@@at"]
TARGET_VALUES = ["true", "false", "0", "1", "", "\"x\"", "maybe", "TRUE", "a,b"]
SECTIONS = ["General", "app", "PythonPlugins", "Python%50lugins", "UI", "%General",
            "PythonPlugins\\watchDog", "Windows", "caf%E9", "PythonPlugins%5Cx"]


def read_settings(path):
    """Every key QSettings reads from the file, with its value. allKeys() first: QSettings
    parses sections lazily, and QGIS has read them all before it starts plugins."""
    s = QSettings(path, QSettings.IniFormat)
    return {k: s.value(k) for k in s.allKeys()}, s.status()


def qsettings_escape(key):
    """The key as QSettings itself writes it: set it with QSettings and read the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "k.ini")
        s = QSettings(path, QSettings.IniFormat)
        s.setValue("PythonPlugins/" + key, True)
        s.sync()
        del s
        with open(path, encoding="ascii") as fh:
            text = fh.read()
    assert text.startswith("[PythonPlugins]\n") and text.endswith("=true\n"), text
    return text[len("[PythonPlugins]\n"):-len("=true\n")]


def spell(rng, key):
    """Another spelling of `key` that QSettings reads as the same key."""
    out = []
    for ch in key:
        code = ord(ch)
        units = [code] if code < 0x10000 else [0xD800 + ((code - 0x10000) >> 10),
                                                0xDC00 + ((code - 0x10000) & 0x3FF)]
        safe = ch.isascii() and (ch.isalnum() or ch in "_.-")
        choice = rng.random()
        if safe and choice < 0.6:
            out.append(ch)
        elif ch == " " and choice < 0.5:
            out.append(ch)  # inside a key a space may stay (only the ends are trimmed)
        elif ch == "/":
            out.append("\\")
        elif len(units) == 1 and code <= 0xFF and choice < 0.8:
            digits = "%02X" % code
            out.append("%" + (digits.lower() if rng.random() < 0.5 else digits))
        else:
            for u in units:
                digits = "%04X" % u
                out.append("%U" + (digits.lower() if rng.random() < 0.5 else digits))
    return "".join(out)


class Chunk:
    """Whole physical lines of the file; an entry of the key under test knows its parts."""

    def __init__(self, text, kind=None, prefix="", value="", suffix=""):
        self.text, self.kind = text, kind
        self.prefix, self.value, self.suffix = prefix, value, suffix


def entry(rng, key_text, value, eol, kind=None):
    indent = rng.choice(["", "", " ", "\t"])
    before_eq = rng.choice(["", "", " "])
    after_eq = rng.choice(["", "", " ", "  "])
    comment = rng.choice(["", "", "", " ; a comment", "\t;x"])
    trailing = "" if value == "" else rng.choice(["", "", " "])
    value = value.replace("\n", eol)  # a value continued on the next line
    prefix = indent + key_text + before_eq + "=" + after_eq
    suffix = trailing + comment + eol
    if value == "":  # the blanks before a comment are the value's place then
        blanks = len(suffix) - len(suffix.lstrip(" \t"))
        prefix, suffix = prefix + suffix[:blanks], suffix[blanks:]
    return Chunk(prefix + value + suffix, kind, prefix, value, suffix)


def generate(rng, key):
    """A random INI text around the key: (chunks, eol, bom)."""
    eol = rng.choice(["\n", "\n", "\r\n", "\r"])
    chunks = []

    def filler():
        r = rng.random()
        if r < 0.15:
            chunks.append(Chunk(rng.choice(["; comment", "  ;indented comment", ";"]) + eol))
        elif r < 0.25:
            chunks.append(Chunk(eol))
        else:
            chunks.append(entry(rng, rng.choice(OTHER_KEYS), rng.choice(VALUES), eol))

    def key_entries(section):
        spelled = lambda: spell(rng, key)  # noqa: E731
        if section in ("PythonPlugins", "Python%50lugins"):
            r = rng.random()
            if r < 0.35:
                chunks.append(entry(rng, spelled(), rng.choice(TARGET_VALUES), eol, "target"))
            elif r < 0.5:
                chunks.append(entry(rng, "watchDog\\" + spelled(), "true", eol, "watchdog"))
            elif r < 0.6:
                chunks.append(entry(rng, spelled() + "\\sub", "1", eol, "child"))
            elif r < 0.7:
                chunks.append(entry(rng, spelled() + "x", "true", eol))  # a near miss
        elif section in ("General", None) and rng.random() < 0.3:
            if rng.random() < 0.7:
                chunks.append(entry(rng, "PythonPlugins\\" + spelled(),
                                    rng.choice(TARGET_VALUES), eol, "target"))
            else:
                chunks.append(entry(rng, "PythonPlugins\\watchDog\\" + spelled(), "true", eol,
                                    "watchdog"))
        elif section == "PythonPlugins\\watchDog" and rng.random() < 0.5:
            chunks.append(entry(rng, spelled(), "true", eol, "watchdog"))

    if rng.random() < 0.3:  # keys before any header are [General]'s
        for _ in range(rng.randrange(3)):
            filler()
            key_entries(None)
    for _ in range(rng.randrange(6)):
        section = rng.choice(SECTIONS)
        chunks.append(Chunk("[" + section + "]" + rng.choice(["", " ; c"]) + eol))
        for _ in range(rng.randrange(5)):
            filler()
            key_entries(section)
    if chunks and rng.random() < 0.15:  # no line break at the end
        last = chunks[-1]
        if last.text.endswith(eol) and last.text != eol:
            last.text = last.text[:-len(eol)]
            last.suffix = last.suffix[:-len(eol)] if last.suffix.endswith(eol) else last.suffix
    bom = "\ufeff" if rng.random() < 0.2 else ""
    if bom and chunks and chunks[0].kind is not None or bom and chunks and "=" in chunks[0].text:
        # Qt 5 reads a key on the BOM's line with the BOM in its name (Qt 6 and qplug skip the
        # BOM): start such files with a header.
        chunks.insert(0, Chunk("[General]" + eol))
    return chunks, eol, bom


class WriterAgainstQSettings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if QSettings is None:
            raise unittest.SkipTest(SKIP)
        cls.tmp = tempfile.mkdtemp()
        cls.escaped = {k: qsettings_escape(k) for k in KEYS}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def run_tool(self, action, key, text):
        r = subprocess.run([TOOL, action, key], input=text.encode("utf-8"),
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r.stdout.decode("utf-8")

    def view(self, text, name):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8"))
        values, status = read_settings(path)
        # Qt 5 reads a UTF-8 BOM as a line of its own: a FormatError, the rest is read.
        expected = QSettings.FormatError if text.startswith("\ufeff") else QSettings.NoError
        self.assertEqual(status, expected, text)
        return values

    def check_semantics(self, before_text, after_text, action, key):
        before = self.view(before_text, "before.ini")
        after = self.view(after_text, "after.ini")
        setting = "PythonPlugins/" + key
        expected = dict(before)
        gone = [setting] if action == "forget" else []
        if action == "enable":
            gone.append("PythonPlugins/watchDog/" + key)
        for k in list(expected):
            if any(k == g or k.startswith(g + "/") for g in gone):
                del expected[k]
        if action != "forget":
            expected[setting] = "true" if action == "enable" else "false"
        self.assertEqual(after, expected, f"{action} {key!r}\n--- before\n{before_text!r}\n"
                                          f"--- after\n{after_text!r}")
        return before

    def check_bytes(self, chunks, eol, bom, after_text, action, key):
        """The output is the input but for the key's own lines: removed, the value of one
        changed in place, or one line (and at most its section header) added."""
        drop = {"forget": ("target", "child"), "enable": ("watchdog",), "disable": ()}[action]
        kept = [c for c in chunks if c.kind not in drop]
        if action == "forget":
            self.assertEqual(after_text, bom + "".join(c.text for c in kept))
            return
        value = "true" if action == "enable" else "false"
        targets = [i for i, c in enumerate(kept) if c.kind == "target"]
        if targets:
            candidates = []
            for i in targets:
                texts = [c.text for c in kept]
                texts[i] = kept[i].prefix + value + kept[i].suffix
                candidates.append(bom + "".join(texts))
            self.assertIn(after_text, candidates)
            return
        # New lines end as the file's first line does, "\n" in a file without one.
        original = "".join(c.text for c in chunks)
        breaks = [i for i in (original.find("\r"), original.find("\n")) if i >= 0]
        if not breaks:
            eol = "\n"
        else:
            first = min(breaks)
            eol = "\n" if original[first] == "\n" else (
                "\r\n" if original[first:first + 2] == "\r\n" else "\r")
        line = self.escaped[key] + "=" + value + eol
        body = "".join(c.text for c in kept)
        candidates = set()
        offset = 0
        for c in kept + [None]:
            head, tail = body[:offset], body[offset:]
            fix = eol if head and tail == "" and not head.endswith(("\n", "\r")) else ""
            candidates.add(bom + head + fix + line + tail)
            if c is not None:
                offset += len(c.text)
        end = body
        if end:
            if not end.endswith(("\n", "\r")):
                end += eol
            if not end[:-len(eol)].endswith(("\n", "\r")) and end[:-len(eol)] != "":
                end += eol
        candidates.add(bom + end + "[PythonPlugins]" + eol + line)
        self.assertIn(after_text, candidates, f"{action} {key!r}: {body!r}")

    def test_generated_files(self):
        rng = random.Random(20240611)
        cases = 0
        for _ in range(400):
            key = rng.choice(KEYS)
            action = rng.choice(["enable", "enable", "disable", "forget"])
            chunks, eol, bom = generate(rng, key)
            text = bom + "".join(c.text for c in chunks)
            after = self.run_tool(action, key, text)
            self.check_semantics(text, after, action, key)
            self.check_bytes(chunks, eol, bom, after, action, key)
            cases += 1
        self.assertEqual(cases, 400)

    def test_hand_written_files(self):
        cases = [
            ("", "foo"),
            ("[PythonPlugins]\nfoo=false\n", "foo"),
            ("[PythonPlugins]\r\nfoo=false\r\nwatchDog\\foo=true\r\n", "foo"),
            ("\ufeff[General]\nPythonPlugins\\my%20plugin=false\n", "my plugin"),
            ("\ufeff[app]\r\nx=1\r\n", "my plugin"),
            ("[Python%50lugins]\nf%6fo = 0 ; off\n[PythonPlugins]\nfoo=false\n", "foo"),
            ("[PythonPlugins]\nfoo=false\n[General]\nPythonPlugins\\foo=true\n", "foo"),
            ("[app]\nx=\"a, b\"\ny=@ByteArray(\\0\\x1)\n", "\u6e2c\u8a66"),
            ("[PythonPlugins]\n%U6E2C%U8A66=false\n", "\u6e2c\u8a66"),
            ("[PythonPlugins]\ncaf%e9=false\n", "caf\u00e9"),
            ("[PythonPlugins]\n%UD83D%UDE00=false\n", "\U0001F600"),
            ("; only a comment\n", "foo"),
            ("[PythonPlugins]\nx=\"open\n", "foo"),
        ]
        with open(os.path.join(DATA, "qgis-settings", "qgis-3.22-QGIS3.ini"), "rb") as fh:
            cases.append((fh.read().decode("utf-8"), "plugA"))
            cases.append((cases[-1][0], "new plugin"))
        for name in ("linux-QGIS3.ini", "windows-QGIS3.ini"):
            with open(os.path.join(DATA, "qgis-settings", name), "rb") as fh:
                cases.append((fh.read().decode("utf-8"), "foo"))
        for text, key in cases:
            for action in ("enable", "disable", "forget"):
                with self.subTest(text=text[:40], key=key, action=action):
                    after = self.run_tool(action, key, text)
                    self.check_semantics(text, after, action, key)
                    # Doing it again changes nothing more.
                    self.assertEqual(self.run_tool(action, key, after), after)


class EnableCommand(unittest.TestCase):
    """qplug enable|disable NAME... --profile DIR."""

    def setUp(self):
        if QSettings is None:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp()
        self.profile = os.path.join(self.tmp, "profile")
        for key in ("alpha", "my plugin"):
            folder = os.path.join(self.profile, "python", "plugins", key)
            os.makedirs(folder)
            with open(os.path.join(folder, "metadata.txt"), "w") as fh:
                fh.write("[general]\nname=%s\nversion=1.0\n" % key)
            open(os.path.join(folder, "__init__.py"), "w").close()
        self.ini = os.path.join(self.profile, "QGIS", "QGIS3.ini")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def qplug(self, *args):
        # QGIS's default profiles folder inside the test's folder: never the real one.
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        r = subprocess.run([QPLUG, *args], capture_output=True, text=True, timeout=60, env=env)
        self.assertGreaterEqual(r.returncode, 0, f"died by a signal: {r.stderr}")
        return r

    def test_enable_disable(self):
        r = self.qplug("enable", "alpha", "my plugin", "--profile", self.profile)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("enabled alpha", r.stdout)
        values, _ = read_settings(self.ini)
        self.assertEqual(values, {"PythonPlugins/alpha": "true",
                                  "PythonPlugins/my plugin": "true"})
        r = self.qplug("disable", "alpha", "--profile", self.profile, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        data = json.loads(r.stdout)
        self.assertEqual(data["settings"], self.ini)
        self.assertEqual(data["plugins"], [{"name": "alpha", "enabled": False, "changed": True}])
        self.assertEqual(read_settings(self.ini)[0]["PythonPlugins/alpha"], "false")
        r = self.qplug("disable", "alpha", "--profile", self.profile)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("alpha was already disabled", r.stdout)

    def test_waits_for_the_lock_qsettings_holds(self):
        """A QGIS saving its settings holds QGIS3.ini.lock (a QLockFile): qplug waits."""
        from PyQt5.QtCore import QLockFile
        os.makedirs(os.path.dirname(self.ini))
        lock = QLockFile(self.ini + ".lock")
        self.assertTrue(lock.tryLock(0))
        proc = subprocess.Popen([QPLUG, "enable", "alpha", "--profile", self.profile],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        self.assertIsNone(proc.poll(), "qplug did not wait for the lock")
        self.assertFalse(os.path.exists(self.ini))
        lock.unlock()
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(read_settings(self.ini)[0], {"PythonPlugins/alpha": "true"})

    def test_refusals(self):
        os.makedirs(os.path.dirname(self.ini))
        with open(self.ini, "w") as fh:
            fh.write("[app]\nx=1\n")
        r = self.qplug("enable", "alpha", "nothere", "--profile", self.profile, "--json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothere", r.stderr)
        self.assertIn("not installed", r.stderr)
        self.assertIn("nothere", json.loads(r.stdout)["error"]["message"])
        with open(self.ini) as fh:
            self.assertEqual(fh.read(), "[app]\nx=1\n")  # all or nothing
        # No --profile: QGIS's default profile, where alpha is not installed.
        r = self.qplug("enable", "alpha")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("profile 'default'", r.stderr)
        self.assertEqual(self.qplug("enable", "--profile", self.profile).returncode, 2)
        with open(self.ini, "w") as fh:
            fh.write("[app]\nnot a setting\n")
        r = self.qplug("enable", "alpha", "--profile", self.profile)
        self.assertEqual(r.returncode, 1)
        self.assertIn("QGIS3.ini:2:1", r.stderr)


if __name__ == "__main__":
    unittest.main()
