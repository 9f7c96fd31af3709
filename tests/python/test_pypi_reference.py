# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential tests: qplug's pip readers against Debian's python3-packaging (23.0) for wheel
and sdist file names and canonical names, and against the standard library's email.parser
(compat32, as pip and importlib.metadata read METADATA) for core metadata, on thousands of
generated inputs, valid and not.

The C++ side is the test_solver binary, named by QPLUG_PYPI_DRIVER: its PypiReference.Driver
test answers one JSON request per line (tests/solver/test_pypi.cpp). The gtest
PypiReference.AgainstPackagingAndEmailParser runs this file with it."""
import email.parser
import html
import html.entities
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

from packaging.tags import Tag
from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, canonicalize_name,
                             parse_sdist_filename, parse_wheel_filename)
from packaging.version import InvalidVersion, Version

import generate

# test_solver's PypiReference runs this file without the tests' PYTHONPATH.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import exits  # noqa: E402

SCALE = int(os.environ.get("QPLUG_DIFF_SCALE", "1"))  # more cases: QPLUG_DIFF_SCALE=10
DRIVER = os.environ.get("QPLUG_PYPI_DRIVER")


def ask(requests):
    """The driver's answers, in order."""
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(inp, "w", encoding="utf-8") as fh:
            for r in requests:
                fh.write(json.dumps(r) + "\n")
        env = dict(os.environ, QPLUG_PYPI_DRIVER_IN=inp, QPLUG_PYPI_DRIVER_OUT=out)
        exits.run([DRIVER, "--gtest_filter=PypiReference.Driver"], 0, env=env,
                  stdout=subprocess.DEVNULL)
        with open(out, encoding="utf-8") as fh:
            answers = [json.loads(line) for line in fh]
    assert len(answers) == len(requests)
    return answers


def report(name, counts):
    print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
          file=sys.stderr)

# --- generators ----------------------------------------------------------------------------------

NAMES = ["numpy", "Zope.Interface", "typing_extensions", "a", "A1", "x.y_z", "pkg2", "PyYAML",
         "zope.interface", "backports.zoneinfo", "_private", "trailing_", "9lives"]
ODD_NAMES = ["", "zope__interface", "caf\u00e9", "na\u00efve_pkg", "\u00fc", "x\u0663", "a b",
             "a!b", "..", "a-b", "\u0130stanbul", "\u212aelvin", "\u00b2", "a+b"]
BUILDS = ["1", "12abc", "0", "\u0663x", "x1", "", "1-2", "007_local", "\u00b2"]
PYTHON_TAGS = ["py3", "py2.py3", "cp311", "CP311", "", "py3.", ".py3", "pp310", "cp312.cp313"]
ABI_TAGS = ["none", "abi3", "cp311", "", "cp311.none", "CP311d"]
PLATFORM_TAGS = ["any", "manylinux_2_17_x86_64.manylinux2014_x86_64", "win_amd64",
                 "macosx_11_0_arm64", "", "a..b", "linux_x86_64.", "Win32"]


def wheel_names(rng, count, versions):
    clean = []  # versions as wheels spell them (normalized, no '-')
    for v in versions:
        try:
            clean.append(str(Version(v)))
        except InvalidVersion:
            pass
    out = []
    for _ in range(count):
        name = rng.choice(NAMES) if rng.random() < 0.8 else rng.choice(ODD_NAMES)
        parts = [name, rng.choice(clean) if rng.random() < 0.6 else rng.choice(versions)]
        if rng.random() < 0.3:
            parts.append(rng.choice(BUILDS))
        parts += [rng.choice(PYTHON_TAGS) if rng.random() < 0.2 else "py3",
                  rng.choice(ABI_TAGS) if rng.random() < 0.2 else "none",
                  rng.choice(PLATFORM_TAGS) if rng.random() < 0.2 else "any"]
        ext = rng.choice([".whl"] * 12 + [".WHL", ".zip", "", ".whl.metadata"])
        s = "-".join(parts) + ext
        if rng.random() < 0.05:
            s = generate.mutate(rng, s)
        out.append(s)
    return out


SDIST_NAMES = ["pkg", "zope.interface", "Django", "odd name", "a-b-c", "", "caf\u00e9",
               "Foo_Bar", "pkg-name", "x.y-z", "-", "a--b"]
LEGACY = ["1.0-dev", "latest", "1.0-1", "1.0-beta-1", "dev", "1.0-rc1-1", "2.0-final",
          "1.0+local-x-y", "1-a-1-post-1-dev-1", ""]


def sdist_names(rng, count, versions):
    out = []
    for _ in range(count):
        name = rng.choice(SDIST_NAMES)
        version = rng.choice(versions) if rng.random() < 0.7 else rng.choice(LEGACY)
        ext = rng.choice([".tar.gz"] * 6 + [".zip"] * 3 + [".tar.bz2", ".tgz", ""])
        s = f"{name}-{version}{ext}" if rng.random() < 0.95 else f"{name}{version}{ext}"
        if rng.random() < 0.05:
            s = generate.mutate(rng, s)
        out.append(s)
    return out


def ascii_names(rng, count):
    alphabet = "abcXYZ019-_. !~@"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for _ in range(count)]


FIELDS = [
    ("Summary", ["A package", "  spaced  ", "", "\u00dcnic\u00f6de \U0001f40d"]),
    ("Home-page", ["https://example.org"]),
    ("License", ["MIT", "BSD"]),
    ("Classifier", ["Programming Language :: Python :: 3", "License :: OSI Approved"]),
    ("Requires-Dist", ["requests>=2", "idna (<4,>=2.5)", "chardet ; extra == 'x'", ""]),
    ("Provides-Extra", ["socks", "test", ""]),
    ("Requires-Python", [">=3.8", ">=2.7, !=3.0.*"]),
    ("Dynamic", ["Requires-Dist", "license", "Provides-Extra", "Requires-Python", "version"]),
    ("Description", ["short", "first line"]),
    ("Project-URL", ["Source, https://github.com/x/y"]),
    ("X-Custom", ["v"]),
]
ENDINGS = ["\n", "\n", "\n", "\r\n", "\r"]
SINGLE_FIELDS = ("Summary", "Requires-Python")


def metadata_texts(rng, count):
    out = []
    for _ in range(count):
        nl = rng.choice(ENDINGS)
        lines = []
        def pick(good, bad):
            return rng.choice(good) if rng.random() < 0.9 else rng.choice(bad)
        required = [("Metadata-Version", pick(["2.1", "1.0", "1.2", "2.3", "2.2"],
                                              ["3.0", "two", "2", "", "2.1.1"])),
                    ("Name", pick(["pkg", "zope.interface", "A1", "x_y-z"], ["a b", "-x", ""])),
                    ("Version", pick(["1.0", "2.0.0rc1", "0.1-dev-r7"], [""]))]
        items = [kv for kv in required if rng.random() < 0.97]
        for name, values in rng.sample(FIELDS, rng.randint(0, len(FIELDS))):
            for _ in range(rng.choice([1, 1, 1, 2]) if name not in SINGLE_FIELDS else 1):
                items.append((name, rng.choice(values)))
        if rng.random() < 0.04:
            items.append(rng.choice(required))  # a repeated single field
        rng.shuffle(items)
        for name, value in items:
            if rng.random() < 0.15:
                name = rng.choice([name.upper(), name.lower()])
            sep = rng.choice([": ", ":", ":\t", ":  "])
            line = name + sep + value
            if rng.random() < 0.05:
                line += " "
            lines.append(line)
            folds = [0, 0, 0, 1, 2] if (name, value) not in required else [0] * 30 + [1]
            for _ in range(rng.choice(folds)):
                lines.append(rng.choice(["        more", "\tmore", "       |piped", "   ",
                                         " x: y", "        "]))
        odd = ["From someone", "From ", ":nameless", "Bad Name: x", "no colon here",
               " continuation", "\u00e9t\u00e9: x", "X-Empty:"]
        for _ in range(rng.choice([0, 0, 0, 0, 0, 0, 1, 2])):
            lines.insert(rng.randint(0, len(lines)), rng.choice(odd))
        text = nl.join(lines)
        if rng.random() < 0.8:
            body = rng.choice(["", "Body text.", "# Title\n\nPara\r\nline",
                               "Name: not a header\n", "From the body\n", "\u00fc\U0001f40d"])
            text += nl + nl + body
        elif rng.random() < 0.5:
            text += nl
        out.append(text)
    return out

# --- references ----------------------------------------------------------------------------------

def unfold(value):
    return re.sub(r"[\r\n]", "", value).strip(" \t")


def unindent(value):
    lines = re.split(r"\r\n|\r|\n", value)
    out = [lines[0]]
    for line in lines[1:]:
        if line.startswith("       |"):
            out.append(line[8:])
        else:
            out.append(line[min(len(line) - len(line.lstrip(" ")), 8):])
    return "\n".join(out)


NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
SINGLE = ["metadata-version", "name", "version", "summary", "requires-python"]


def expected_metadata(text):
    """What qplug should say, from email.parser's headers and body and the rules in pypi.hpp."""
    msg = email.parser.Parser().parsestr(text)
    headers = [(k, v) for k, v in msg.items()]
    body = msg.get_payload()
    by = {}
    for k, v in headers:
        by.setdefault(k.lower(), []).append(v)
    ok = all(len(by.get(f, [])) <= 1 for f in SINGLE)
    ok = ok and not any(unfold(v).lower() in ("name", "version", "metadata-version")
                        for v in by.get("dynamic", []))
    mv = unfold(by.get("metadata-version", [""])[0])
    ok = ok and re.fullmatch(r"[0-9]+\.[0-9]+", mv) is not None and mv.split(".")[0] in ("1", "2")
    name = unfold(by.get("name", [""])[0])
    ok = ok and NAME_RE.match(name) is not None
    ok = ok and unfold(by.get("version", [""])[0]) != ""
    result = {"ok": ok}
    if ok:
        def lst(f):
            return [u for u in (unfold(v) for v in by.get(f, [])) if u]
        description = body if body else (unindent(by["description"][0])
                                         if "description" in by else "")
        result.update({
            "metadata_version": mv, "name": name,
            "version": unfold(by["version"][0]),
            "summary": unfold(by.get("summary", [""])[0]),
            "requires_python": unfold(by.get("requires-python", [""])[0]),
            "requires_dist": lst("requires-dist"), "provides_extra": lst("provides-extra"),
            "dynamic": lst("dynamic"), "description": description,
            "headers": [[k, v] for k, v in headers]})
    return result


def name_part(wheel):
    return wheel[:-4].split("-")[0] if wheel.endswith(".whl") else ""


def has_empty_tag(wheel):
    stem = wheel[:-4]
    if stem.count("-") not in (4, 5):
        return False
    tags = stem.split("-")[-3:]
    return any(t == "" for part in tags for t in part.split("."))


class PypiNamesAgainstPackaging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.versions = [v.strip() for v in generate.versions(seed=427, count=4000)
                        if "\n" not in v] + ["1.0", "2.31.0", "1.26.4", "4.0_dev1", "1.0.post1"]

    def test_wheel_file_names(self):
        rng = random.Random(427)
        names = wheel_names(rng, 10000 * SCALE, self.versions)
        names += ["numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                  "-1.0-py3-none-any.whl", "caf\u00e9-1.0-py3-none-any.whl",
                  "a-1.0--none-any.whl", "a-1.0-\u0663x-py3-none-any.whl"]
        answers = ask([{"wheel": n} for n in names])
        counts = {"both valid": 0, "both invalid": 0,
                  "packaging valid, qplug refuses an empty or non-ASCII name": 0,
                  "packaging valid, qplug refuses an empty tag": 0}
        for name, ours in zip(names, answers):
            try:
                p = parse_wheel_filename(name)
            except (InvalidWheelFilename, InvalidVersion):
                p = None
            with self.subTest(wheel=name):
                if p is None:
                    self.assertFalse(ours["ok"], f"{name!r}: packaging refuses, qplug reads it")
                    self.assertLessEqual(ours["offset"], len(name.encode()))
                    counts["both invalid"] += 1
                    continue
                if not ours["ok"]:
                    np = name_part(name)
                    if np == "" or not np.isascii():
                        counts["packaging valid, qplug refuses an empty or non-ASCII name"] += 1
                    elif has_empty_tag(name):
                        counts["packaging valid, qplug refuses an empty tag"] += 1
                    else:
                        self.fail(f"{name!r}: packaging reads it, qplug says {ours['message']}")
                    continue
                self.assertEqual(ours["canonical_name"], p[0])
                self.assertEqual(ours["normalized_version"], str(p[1]))
                if p[2] == ():
                    self.assertEqual(ours["build"], "")
                else:
                    m = re.match(r"(\d+)(.*)", ours["build"])
                    self.assertEqual((int(m.group(1)), m.group(2)), p[2])
                tags = {Tag(i, a, pl) for i in ours["python"] for a in ours["abi"]
                        for pl in ours["platform"]}
                self.assertEqual(frozenset(tags), p[3])
                counts["both valid"] += 1
        report("wheel names", counts)
        self.assertGreater(counts["both valid"], 3000 * SCALE)
        self.assertGreater(counts["both invalid"], 1000 * SCALE)

    def test_sdist_file_names(self):
        rng = random.Random(517)
        names = sdist_names(rng, 8000 * SCALE, self.versions)
        answers = ask([{"sdist": n} for n in names])
        counts = {"both valid": 0, "both invalid": 0,
                  "packaging refuses, qplug finds the version further left": 0,
                  "packaging valid, qplug refuses the empty name": 0}
        for name, ours in zip(names, answers):
            try:
                p = parse_sdist_filename(name)
            except (InvalidSdistFilename, InvalidVersion):
                p = None
            stem = name[:-7] if name.endswith(".tar.gz") else name[:-4]
            with self.subTest(sdist=name):
                if p is not None:
                    if not ours["ok"]:
                        self.assertEqual(stem.rpartition("-")[0], "", ours["message"])
                        counts["packaging valid, qplug refuses the empty name"] += 1
                        continue
# normalize_pip_name lowers ASCII only (PEP 508 names are ASCII).
                    self.assertEqual(canonicalize_name(ours["name"]), p[0])
                    if ours["name"].isascii():
                        self.assertEqual(ours["canonical_name"], p[0])
                    self.assertEqual(ours["normalized_version"], str(p[1]))
                    self.assertEqual(ours["version"], stem.rpartition("-")[2])
                    counts["both valid"] += 1
                elif ours["ok"]:
# Only where the part after the last '-' is no version and a longer one is.
                    last = stem.rpartition("-")[2]
                    with self.assertRaises(InvalidVersion):
                        Version(last)
                    self.assertTrue(stem.endswith("-" + ours["version"]))
                    self.assertNotEqual(ours["version"], last)
                    Version(ours["version"])
                    counts["packaging refuses, qplug finds the version further left"] += 1
                else:
                    counts["both invalid"] += 1
        report("sdist names", counts)
        self.assertGreater(counts["both valid"], 3000 * SCALE)
        self.assertGreater(counts["both invalid"], 500 * SCALE)

    def test_canonical_names(self):
        rng = random.Random(503)
        names = ascii_names(rng, 5000 * SCALE) + NAMES
        answers = ask([{"canonical": n} for n in names])
        for name, ours in zip(names, answers):
            self.assertEqual(ours["name"], canonicalize_name(name), name)
        report("canonical names", {"ASCII names compared": len(names)})


def reference_texts(rng, count):
    """Attribute values and texts with character references of every kind html.unescape reads:
    HTML5 names with and without ';', cut, run on into letters or '=', numeric references of
    every range (controls, windows-1252, surrogates, non-characters, too large), and
    the separators that end a name, among non-ASCII text."""
    names = sorted(html.entities.html5)
    pieces = ["&", ";", "#", "x", "X", "=", " ", "\t", "\n", "\f", "<", "a", "Z", "0", "9",
              "f", "\u00e9", "\u4e2d", "\U0001f40d", "amp", "?a=1", "/"]

    def reference():
        kind = rng.randrange(6)
        if kind == 0:
            return "&" + rng.choice(names)
        if kind == 1:
            name = rng.choice(names).rstrip(";")
            return "&" + name[:rng.randrange(1, len(name) + 1)] + rng.choice(["", "", "x", "=", ";"])
        number = rng.choice([0, 1, 9, 11, 13, 31, 127, 128, 129, 141, 150, 159, 160, 0xD800,
                             0xDFFF, 0xFDD0, 0xFFFE, 0xFFFF, 0x1FFFF, 0x10FFFF, 0x110000,
                             10 ** 20, rng.randrange(0x110000)])
        if kind == 2:
            return "&#%d%s" % (number, rng.choice(["", ";", "x"]))
        if kind == 3:
            return "&#%s%X%s" % (rng.choice("xX"), number, rng.choice(["", ";", "g"]))
        if kind == 4:
            return "&#" + rng.choice(["", ";", "x", "x;", "X-"])
        return "&" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABC") for _ in range(rng.randrange(30, 40)))

    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randrange(1, 8)):
            parts.append(reference() if rng.random() < 0.6 else rng.choice(pieces))
        out.append("".join(parts))
    return out


class CharacterReferencesAgainstHtmlUnescape(unittest.TestCase):
    """pip reads a PEP 503 page with html.parser, which decodes attribute values (href,
    data-requires-python, data-yanked ...) and text with html.unescape: html_scan's decoding
    must give the same text."""

    def test_generated_references(self):
        rng = random.Random(1866)
        texts = reference_texts(rng, 20000 * SCALE)
        texts += ["&" + name for name in html.entities.html5]
        answers = ask([{"unescape": t} for t in texts])
        changed = 0
        for text, ours in zip(texts, answers):
            expected = html.unescape(text)
            self.assertEqual(ours["text"], expected, ascii(text))
            changed += expected != text
        report("character references", {"texts compared": len(texts), "decoded": changed})
        self.assertGreater(changed, len(texts) // 2)


class CoreMetadataAgainstEmailParser(unittest.TestCase):
    def test_generated_metadata(self):
        rng = random.Random(566)
        texts = metadata_texts(rng, 6000 * SCALE)
        for name in sorted(os.listdir(os.path.join(generate.DATA, "pypi"))):
            if name.endswith(("METADATA", "PKG-INFO")):
                with open(os.path.join(generate.DATA, "pypi", name), encoding="utf-8",
                          newline="") as fh:
                    texts.append(fh.read())
        answers = ask([{"metadata": t} for t in texts])
        counts = {"both read": 0, "both refuse": 0}
        for text, ours in zip(texts, answers):
            expected = expected_metadata(text)
            with self.subTest(text=text):
                self.assertEqual(ours["ok"], expected["ok"], ours.get("message"))
                if expected["ok"]:
                    for key, value in expected.items():
                        self.assertEqual(ours[key], value, key)
                    counts["both read"] += 1
                else:
                    counts["both refuse"] += 1
        report("core metadata", counts)
        self.assertGreater(counts["both read"], 1500 * SCALE)
        self.assertGreater(counts["both refuse"], 500 * SCALE)


if __name__ == "__main__":
    unittest.main()
