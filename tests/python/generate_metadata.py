# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic generator of metadata.txt-like files that stress configparser's corners:
indentation, blank lines in values, comments inside values, both delimiters, case clashes,
duplicates, '%' and %(key)s, [DEFAULT], odd section headers, BOMs, every line break QGIS's
codecs reader splits on, Unicode whitespace and case, and bytes that are not UTF-8."""
import random

KEYS = ["name", "Name", "NAME", "version", "qgisMinimumVersion", "qgisminimumversion", "about",
        "description", "author", "email", "tracker", "repository", "homepage", "tags",
        "plugin_dependencies", "x", "ΣΑΣ", "İcon", "Ke y", "a:b", "", " ", "[x]"]
VALUES = ["Foo", "1.0", "3.22", "100% useful", "100%% useful", "%(name)s", "%(Name)s-%(version)s",
          "%(missing)s", "%(x", "%", "a = b", "x: y", "", "  ", "é ü 中文", "\u00a0nbsp\u00a0",
          "http://bugs", "trailing ; not a comment", "# not a comment", "tab\tin", "%(x)s%(x)s",
          "line\u2028sep", "form\x0cfeed", "cr\rhere", "nel\u0085x", "\x1cfs"]
SECTIONS = ["[general]", "[General]", "[ general ]", "[DEFAULT]", "[other]", "[general] # c",
            "[gen]eral]", "[]", "[general", "general]", "[tool:qgis-plugin-ci]"]
BREAKS = ["\n", "\n", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\u0085", "\u2028", "\u2029"]
INDENTS = ["", "", "", " ", "  ", "\t", "    ", "\u3000", "\u00a0"]


SAFE_VALUES = [v for v in VALUES if not any(c in v for c in "\r\x0c\u2028\u0085\x1c")]


def line(rng, hostile):
    roll = rng.random()
    if roll < (0.12 if hostile else 0.05):
        return rng.choice(SECTIONS if hostile else ["[general]", "[DEFAULT]", "[other]", "[General]"])
    if roll < 0.2:
        return rng.choice(["# comment", "; comment", "#", "  # indented comment", "rem" if hostile else "#x"])
    if roll < 0.3:
        return ""
    if roll < 0.45:
        return rng.choice(INDENTS[1:]) + rng.choice((VALUES if hostile else SAFE_VALUES) +
                                                    ["continued", "# inside", "key = inside"])
    if hostile and roll < 0.5:
        return rng.choice(["no delimiter here", "=novalue", ":colon", "Category of the plugin: Raster"])
    key = rng.choice(KEYS if hostile else [k for k in KEYS if k.strip() and k != "[x]"])
    return (rng.choice(INDENTS if hostile else ["", "", " "]) + key + rng.choice(["=", " = ", ": ", ":", " =\t"]) +
            rng.choice(VALUES if hostile else SAFE_VALUES))


INHERITED = ["%(name)s", "%(version)s-%(name)s", "100%", "%(missing)s", "%%", "plain",
             "%(Name)s", "%(x)s", "a %(description)s"]


def defaults_document(rng):
    """[DEFAULT] values that refer to keys [general] defines: configparser reads an inherited
    value in [general]'s context, and [general] may override a broken default."""
    lines = ["[DEFAULT]"]
    for _ in range(rng.randint(1, 4)):
        lines.append(rng.choice(["x", "name", "version", "description", "d1", "d2"]) + "=" +
                     rng.choice(INHERITED))
    lines.append("[general]")
    for _ in range(rng.randint(0, 5)):
        lines.append(rng.choice(["name", "version", "x", "description", "Name", "d1"]) + "=" +
                     rng.choice(["Foo", "1.0", "%(x)s", "ok", "%(d2)s"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def document(rng):
    if rng.random() < 0.1:
        return defaults_document(rng)
    hostile = rng.random() < 0.4
    lines = []
    if rng.random() < (0.85 if hostile else 0.97):
        lines.append(rng.choice(["[general]"] * 8 + ["[DEFAULT]", "#c", ""]))
    used = set()
    for _ in range(rng.randint(1, 14)):
        ln = line(rng, hostile)
        if not hostile:
            key = ln.split("=")[0].split(":")[0].strip().lower()
            if key in used and ("=" in ln or ":" in ln) and not ln[:1].isspace():
                continue  # gentle documents avoid duplicate keys
            used.add(key)
        lines.append(ln)
    text = ""
    for ln in lines:
        text += ln + (rng.choice(BREAKS) if rng.random() < (0.25 if hostile else 0.1) else "\n")
    if rng.random() < 0.1:
        text = text.rstrip("\n")
    data = text.encode("utf-8")
    roll = rng.random() if hostile else 1.0
    if roll < 0.03:
        data = b"\xef\xbb\xbf" + data
    elif roll < 0.06:
        i = rng.randrange(len(data) + 1)
        data = data[:i] + rng.choice([b"\xff", b"\xc3", b"\xe2\x80", b"\xf2"]) + data[i:]
    return data


def documents(seed, count):
    rng = random.Random(seed)
    return [document(rng) for _ in range(count)]
