# SPDX-License-Identifier: GPL-2.0-or-later
"""QGIS's two compareVersions, re-typed from python/pyplugin_installer/version_compare.py
(QGIS <= 3.40, and QGIS >= 3.42 with packaging), without the qgis.core import. They are the
reference the differential tests hold qplug to. Where QGIS raises, the functions raise too
and the tests check qplug's documented choice instead."""
from packaging.version import InvalidVersion, Version

PREFIXES = ["VERSION", "VER.", "VER", "V.", "V", "REVISION", "REV.", "REV", "R.", "R"]


def normalizeVersion(s):
    if not s:
        return ""
    s = str(s).upper()
    for i in PREFIXES:
        if s[:len(i)] == i:
            s = s.replace(i, "")
    s = s.strip()
    return s


def classifyCharacter(c):
    if c in [".", "-", "_", " "]:
        return 0
    if c.isdigit():
        return 1
    return 2


def chopString(s):
    l = [s[0]]
    for i in range(1, len(s)):
        if classifyCharacter(s[i]) == 0:
            pass
        elif classifyCharacter(s[i]) == classifyCharacter(s[i - 1]):
            l[len(l) - 1] += s[i]
        else:
            l += [s[i]]
    return l


def compareElements(s1, s2):
    if s1 == s2:
        return 0
    if s1 and s2 and s1.isnumeric() and s2.isnumeric() and s1[0] != "0" and s2[0] != "0":
        if float(s1) == float(s2):
            return 0
        elif float(s1) > float(s2):
            return 1
        else:
            return 2
    if s1 not in ["ALPHA", "BETA", "PREVIEW", "RC", "TRUNK"]:
        s1 = "Z" + s1
    if s2 not in ["ALPHA", "BETA", "PREVIEW", "RC", "TRUNK"]:
        s2 = "Z" + s2
    if s1 > s2:
        return 1
    else:
        return 2


def compareVersions_classic(a, b):
    if not a or not b:
        return 0
    a = normalizeVersion(a)
    b = normalizeVersion(b)
    if a == b:
        return 0
    v1 = chopString(a)
    v2 = chopString(b)
    l = len(v1)
    if l > len(v2):
        l = len(v2)
    for i in range(l):
        if compareElements(v1[i], v2[i]):
            return compareElements(v1[i], v2[i])
    if len(v1) > l:
        return compareElements(v1[l], " ")
    if len(v2) > l:
        return compareElements(" ", v2[l])
    if a > b:
        return 1
    else:
        return 2


def compareVersions_pep440(a, b):
    if not a or not b:
        return 0
    a = normalizeVersion(a)
    b = normalizeVersion(b)
    try:
        va, vb = Version(a), Version(b)
        if va < vb:
            return 2
        elif va > vb:
            return 1
        else:
            return 0
    except InvalidVersion:
        if a < b:
            return 2
        elif a > b:
            return 1
        else:
            return 0
