# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic generators of version and specifier strings for the differential tests:
valid forms in every spelling PEP 440 allows, near misses, and the corpus's own strings."""
import json
import os
import random

DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))

SEPARATORS = ["", ".", "-", "_"]
PRE = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "A", "Beta", "RC", "PREVIEW",
       "prev\u0131ew", "prev\u0130ew"]
POST = ["post", "rev", "r", "POST", "Rev", "po\u017ft"]
DEV = ["dev", "DEV", "Dev"]
LOCAL_CHARS = "abcdefxyz0123456789ABCZ" + "\u0130\u0131\u017f\u212a"
SPACES = ["", "", "", " ", "\t", "\n", "\u00a0", "\u2003"]
JUNK = ["", "+", "++", "..", "!", "*", ".*", " x", "é", "1", "-", "_", "v", "V", "0", "$", "#",
        "\u0660", "\u00b2", "alpha", "post", "dev", ".", "+a+", "+_"]


def number(rng):
    return rng.choice(["0", "1", "2", "9", "10", "00", "007", "42", "2023", "99999999999999999999",
                       str(rng.randrange(0, 200))])


def release(rng, minimum=1):
    return ".".join(number(rng) for _ in range(rng.randint(minimum, 5)))


def local(rng):
    parts = ["".join(rng.choice(LOCAL_CHARS) for _ in range(rng.randint(1, 4)))
             for _ in range(rng.randint(1, 3))]
    out = parts[0]
    for p in parts[1:]:
        out += rng.choice([".", "-", "_"]) + p
    return out


def pep440_like(rng, allow_local=True, minimum_release=1):
    s = rng.choice(SPACES) + rng.choice(["", "", "v", "V"])
    if rng.random() < 0.1:
        s += number(rng) + "!"
    s += release(rng, minimum_release)
    if rng.random() < 0.4:
        s += rng.choice(SEPARATORS) + rng.choice(PRE) + rng.choice(SEPARATORS) + rng.choice(["", number(rng)])
    if rng.random() < 0.3:
        if rng.random() < 0.3:
            s += "-" + number(rng)
        else:
            s += rng.choice(SEPARATORS) + rng.choice(POST) + rng.choice(SEPARATORS) + rng.choice(["", number(rng)])
    if rng.random() < 0.3:
        s += rng.choice(SEPARATORS) + rng.choice(DEV) + rng.choice(SEPARATORS) + rng.choice(["", number(rng)])
    if allow_local and rng.random() < 0.25:
        s += "+" + local(rng)
    s += rng.choice(SPACES)
    return s


def mutate(rng, s):
    if not s:
        return rng.choice(JUNK)
    i = rng.randrange(0, len(s) + 1)
    op = rng.random()
    if op < 0.4:
        return s[:i] + rng.choice(JUNK) + s[i:]
    if op < 0.7:
        return s[:i] + s[i + 1:]
    return s[:i] + rng.choice(JUNK) + s[i + 2:]


def corpus_versions():
    with open(os.path.join(DATA, "versions", "corpus-versions.json"), encoding="utf-8") as fh:
        found = json.load(fh)
    for name in ("pep440-order.txt",):
        with open(os.path.join(DATA, "versions", name), encoding="utf-8") as fh:
            found += [line.strip() for line in fh if line.strip()]
    with open(os.path.join(DATA, "versions", "pep440-normalize.jsonl"), encoding="utf-8") as fh:
        found += [json.loads(line)["input"] for line in fh if line.strip()]
    with open(os.path.join(DATA, "versions", "pep440-invalid.json"), encoding="utf-8") as fh:
        found += json.load(fh)
    return found


def versions(seed, count):
    """Corpus strings, generated PEP 440 spellings and mutations of both."""
    rng = random.Random(seed)
    out = corpus_versions()
    while len(out) < count:
        s = pep440_like(rng)
        if rng.random() < 0.3:
            s = mutate(rng, s)
        out.append(s)
    return out


OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "~=", "===", "=", "=>", "~", ""]


def specifiers(seed, count):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        op = rng.choice(OPERATORS)
        v = pep440_like(rng, allow_local=rng.random() < 0.5, minimum_release=1).strip()
        if rng.random() < 0.2 and "+" not in v:
            v = v.rstrip() + ".*"
        s = rng.choice(SPACES) + op + rng.choice(["", "", " "]) + v + rng.choice(SPACES)
        if rng.random() < 0.15:
            s = mutate(rng, s)
        out.append(s)
    return out
