# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic generators of PEP 508 requirement and marker strings for the differential test
against packaging 23.0: every token of packaging's tokenizer in valid and broken forms, every
marker variable and alias, both quotes with Python escapes, whitespace of every kind, URLs
that exercise urllib.parse's checks, and random mutations of all of these."""
import random

from packaging.requirements import Requirement

import generate

WS = ["", "", "", " ", " ", "  ", "\t", " \t "]
ODD_WS = ["\n", "\u00a0", "\r", "\u2003", "\x0b"]

NAMES = ["a", "A", "name", "requests", "Name_With-Mixed.seps", "foo_", "1abc", "zope.interface",
         "typing-extensions", "a1", "X_", "foo__bar", "q-", "z.", "Django", "ruamel.yaml"]
NAME_JUNK = ["-foo", "_foo", "foo-", "foo.", "\u00e9", "foo\u00e9", "a.\u00e9", "", "fo o", "n\u00e4me",
             "foo\u0301", "foo\u00aa", "foo\u00b2", "foo\u0660", "a\u0130", "\u212aa", ".a", "a!",
             "name\n", "name\n\n", "\nname"]

EXTRAS = ["a", "b", "Test", "dev_tools", "c-d", "e.f", "security", "x_", "socks", "tests", "a"]
EXTRA_JUNK = ["[a,]", "[,a]", "[a b]", "[a", "[\u00e9]", "[a.]", "[a-]", "[a,,b]", "[a;b]", "[]",
              "[ ]", "[\t]", "[a,b", "[a]]", "[[a]", "[a\u00e9]", "[a_,b-]", "[1]"]

VARIABLES = ["python_version", "python_full_version", "os_name", "os.name", "sys_platform",
             "sys.platform", "platform_release", "platform_system", "platform_version",
             "platform.version", "platform_machine", "platform.machine",
             "platform_python_implementation", "platform.python_implementation",
             "python_implementation", "implementation_name", "implementation_version", "extra"]
VARIABLE_JUNK = ["platform.release", "platform.system", "python.version", "os_names", "Extra",
                 "EXTRA", "python_version2", "python_version\u00e9", "implementation.name",
                 "platform_python", "sys_platform_", "extra_"]

OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "not  in", "not\tin"]
OP_JUNK = ["=", "=>", "=<", "<>", "!", "~", "====", "notin", "not", "is", "IN", "in\u00e9", "not\nin"]

VALUES = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3", "2.7", "3.11.2", "3.12.4", "3.13.0rc1",
          "3.13.0c1", "3.8.*", "3.1*", "3.10.*", "1.0+local", "", " 3.8 ", "3.8\u2003", "v3.8", "3!1",
          "linux", "win32", "darwin", "posix", "nt", "Linux", "Windows", "Darwin", "x86_64",
          "AMD64", "arm64", "aarch64", "CPython", "cpython", "PyPy", "pypy", "lin", "in", "os_name",
          "python_version", "extra", "test", "Test_Extra", "dev.tools", "dev-tools", "DEV__Tools",
          "security", "a b", "1.0", "1-0", "6.1.0", "#1 SMP", "10", "3.8 3.9 3.10", "cp",
          "\u00e9", "ID\u0130", "\u03a3A\u03a3", "=3.8", "=", "1.0.post1", "3.9a1", "3.*"]
ESCAPES = ["\\x41", "\\n", "\\t", "\\\\", "\\'", '\\"', "\\u00e9", "\\U0001F600", "\\101",
           "\\777", "\\0", "\\q", "\\8", "\\\n", "\\\r\n", "\\\r", "\\a", "\\b", "\\f", "\\v", "\\r",
           "\\\u00e9", "\\x00"]
ESCAPE_JUNK = ["\\x4", "\\xg0", "\\u12", "\\U00110000", "\\U0011", "\n", "\r", "\0"]

JUNK = ["", "(", ")", "[", "]", ",", ";", "@", "'", '"', "\\", "\u00e9", "\u00a0", "\n", " ", "\t",
        "and", "or", "not", "in", "==", "===", "~=", "<", ">", "!", "*", ".*", "+", "-", "_", ".",
        "x", "1", "\u00aa", "\u00b2", "\u0660", "\u0301", "\u2028", "#", "?", ":", "/", "%"]

GOOD_URLS = ["https://example.com/pkg-1.0.tar.gz", "http://host:8080/p.whl#sha256=abc",
             "git+https://github.com/x/y.git@v1.0#egg=y", "file:///tmp/x.whl", "file://localhost/tmp/x",
             "http://[::1]/", "https://u:p@files.example.org/a/b-2.0-py3-none-any.whl",
             "http://[2001:db8::7]:8080/x", "svn+ssh://h/p", "file:///C:/x/y.whl", "https://h/p?q=1"]
URLS = ["https://example.com/pkg-1.0.tar.gz", "http://host:8080/p.whl#sha256=abc",
        "git+https://github.com/x/y.git@v1.0#egg=y", "file:///tmp/x.whl", "file://localhost/tmp/x",
        "file:/tmp/x", "file:relative", "FILE:///x", "file:///x?", "file:///x#", "file:///x?q#f",
        "file:///x;p", "file://h/x;p?q#f", "file:", "file://", "file:///", "file:x?y",
        "http://[::1]/", "http://[::1%eth0]:80/", "http://[1.2.3.4]/", "http://[v1.x]/",
        "http://[v.x]/", "http://[vz.x]/", "http://[v1.]/", "http://[V1.x]/", "http://u@[::1]/",
        "http://[::1]x/", "http://[::1/", "http://::1]/", "http://[a]@host/", "http://x[::1]/",
        "http://[::1]:/", "http://[::1%]/", "http://[::1%a%b]/", "http://[::ffff:1.2.3.4]/",
        "http://[1:2:3:4:5:6:7:8]/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[::]/",
        "http://[1::2::3]/", "http://[:1::]/", "http://[12345::]/", "http://[g::]/",
        "http://[::1.2.3]/", "http://[::01.2.3.4]/", "http://[::256.1.1.1]/", "http://[1:2::]/",
        "http://[::1:2:3:4:5:6:7]/", "http://[1:2:3:4:5:6:7::]/", "http://[:]/", "http://[]/",
        "http://[1:2:3:4:5:6:1.2.3.4]/", "http://a\u2100b/", "http://a\uff0fb/", "http://\u00e9.com/",
        "http://a\u2047/", "http://a\u0301b/", "http:///path", "//host/path", "host/path", "https:",
        "x://y", "\x01http://x", "http://x\n", "1http://x", "h:", "mailto:a@b", "http://x;p?q",
        "HTTP://X/", "http://x\r\n/y", "ht\rtp://x", "http:\n//x", "http://x#y@z", "svn+ssh://h/p",
        "http://x?", "c:\\x\\y.whl", "http://x/)", "http://x;extra=='a'", "http://x/\u00e9"]


def pick(rng, items):
    return rng.choice(items)


def ws(rng, odd=0.004):
    if rng.random() < odd:
        return pick(rng, ODD_WS)
    return pick(rng, WS)


def quoted(rng, value):
    if rng.random() < 0.15:
        i = rng.randrange(0, len(value) + 1)
        value = value[:i] + pick(rng, ESCAPES) + value[i:]
    if rng.random() < 0.01:
        i = rng.randrange(0, len(value) + 1)
        value = value[:i] + pick(rng, ESCAPE_JUNK) + value[i:]
    q = "'" if rng.random() < 0.5 else '"'
    if q in value and rng.random() < 0.9:
        q = "'" if q == '"' else '"'
    return q + value + q


def variable(rng):
    return pick(rng, VARIABLE_JUNK) if rng.random() < 0.03 else pick(rng, VARIABLES)


def operand(rng, var_probability):
    if rng.random() < var_probability:
        return variable(rng)
    return quoted(rng, pick(rng, VALUES))


def item(rng):
    r = rng.random()
    if r < 0.75:
        lhs, rhs = variable(rng), quoted(rng, pick(rng, VALUES))
    elif r < 0.9:
        lhs, rhs = quoted(rng, pick(rng, VALUES)), variable(rng)
    else:  # value-value and variable-variable items: packaging looks the right side up
        lhs, rhs = operand(rng, 0.5), operand(rng, 0.5)
    op = pick(rng, OP_JUNK) if rng.random() < 0.02 else pick(rng, OPS)
    before, after = ws(rng), ws(rng)
    if op[0].isalpha() and rng.random() < 0.95:  # words need a boundary next to a variable
        before, after = before or " ", after or " "
    return ws(rng) + lhs + before + op + after + rhs + ws(rng)


def marker(rng, depth=0):
    atoms = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        if depth < 3 and rng.random() < 0.25:
            atom = ws(rng) + "(" + ws(rng) + marker(rng, depth + 1) + ws(rng) + ")" + ws(rng)
        else:
            atom = item(rng)
        atoms.append(atom)
    out = atoms[0]
    for atom in atoms[1:]:
        glue = pick(rng, ["and", "or", "and", "or", "And", "&&", "andor"]) if rng.random() < 0.03 \
            else pick(rng, ["and", "or"])
        sep = pick(rng, [" ", " ", "  ", "\t", " ", " ", " ", " ", " ", "  ", "\t", ""])
        out += sep + glue + sep + atom
    return out


def extras(rng):
    r = rng.random()
    if r < 0.55:
        return ""
    if r < 0.58:
        return pick(rng, EXTRA_JUNK)
    names = [pick(rng, EXTRAS) for _ in range(rng.randint(0, 3))]
    return "[" + ws(rng) + (ws(rng) + "," + ws(rng)).join(names) + ws(rng) + "]"


SPEC_POOL = None
VALID_SPECS = []


def valid_specifier(s):
    """Whether `s` reads as specifiers in a requirement (so that the clause ends the token)."""
    try:
        return str(Requirement("x" + s).specifier) != "" or s == ""
    except Exception:
        return False


def specifier(rng):
    global SPEC_POOL
    if SPEC_POOL is None:
        SPEC_POOL = [s.strip() for s in generate.specifiers(seed=508, count=3000)]
        SPEC_POOL += ["===foo", "===1.0,>=2", "===", "=== 1.0", "===a)b", "===a;b", "===(x", "==1.*",
                      ">=1.0.*", "~=1", "~=1.0", "==1.0+\u0130", "==1!x", "==1!2", ">= 1.0", ">=1.0foo",
                      "<=1.0a", "!=1.0.*", "==1.0.*+x", "==v1.0", "==V1.0", ">=\u00a01.0", ">=\n1.0",
                      "== 1.0 ", "===\u00e9", ">1.0.post1", "<2.0.dev0", "===1.0,", ",", ">=1,", "=="]
        VALID_SPECS[:] = [s for s in SPEC_POOL if valid_specifier(s)]
    r = rng.random()
    if r < 0.3:
        return ""
    clauses = [pick(rng, SPEC_POOL if rng.random() < 0.2 else VALID_SPECS) for _ in range(rng.randint(1, 3))]
    body = ""
    for i, c in enumerate(clauses):
        if i:
            body += pick(rng, WS) + "," + pick(rng, WS)
        body += c
    if rng.random() < 0.05:
        body += pick(rng, WS) + ","
    if rng.random() < 0.3:
        return "(" + ws(rng) + body + ws(rng) + ")"
    return ws(rng) + body


def requirement(rng):
    s = ws(rng, 0.01) + (pick(rng, NAME_JUNK) if rng.random() < 0.03 else pick(rng, NAMES))
    s += ws(rng) + extras(rng) + ws(rng)
    if rng.random() < 0.2:
        s += "@" + ws(rng) + pick(rng, GOOD_URLS if rng.random() < 0.6 else URLS)
        if rng.random() < 0.5:
            s += pick(rng, [" ", "\t", "  ", ""]) + ";" + ws(rng) + marker(rng)
        elif rng.random() < 0.2:
            s += pick(rng, [" ", "\t", ""])
    else:
        s += specifier(rng)
        if rng.random() < 0.5:
            s += ws(rng) + ";" + ws(rng) + marker(rng)
    if rng.random() < 0.03:
        s += pick(rng, ["\n", "\n\n", " ", " x", ";"])
    return s


def mutate(rng, s):
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(0, len(s) + 1)
        r = rng.random()
        if r < 0.45:
            s = s[:i] + pick(rng, JUNK) + s[i:]
        elif r < 0.75:
            s = s[:i] + s[i + 1:]
        else:
            s = s[:i] + pick(rng, JUNK) + s[i + 2:]
    return s


def requirements(seed, count):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        s = requirement(rng)
        if rng.random() < 0.2:
            s = mutate(rng, s)
        out.append(s)
    return out


def markers(seed, count):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        s = marker(rng)
        if rng.random() < 0.1:
            s += pick(rng, [" junk", ")", " and", " (", " or)", ";", "  ", "\n"])
        if rng.random() < 0.15:
            s = mutate(rng, s)
        out.append(s)
    return out


# Requires-Dist lines as wheels on PyPI spell them.
REAL = [
    'numpy>=1.22.4; python_version < "3.11"',
    'numpy>=1.23.2; python_version == "3.11"',
    'numpy>=1.26.0; python_version >= "3.12"',
    "python-dateutil>=2.8.2",
    "pytz>=2020.1",
    'tzdata>=2022.7',
    "hypothesis>=6.46.1 ; extra == 'test'",
    "pytest>=7.3.2 ; extra == 'test'",
    'importlib-metadata>=4.6; python_version < "3.10"',
    'typing-extensions>=4.0.0; python_version < "3.11"',
    'colorama; platform_system == "Windows"',
    'pywin32>=226; sys_platform == "win32" and platform_python_implementation != "PyPy"',
    'uvloop>=0.15.2; sys_platform != "win32" and (sys_platform != "cygwin" and platform_python_implementation != "PyPy")',
    'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    'chardet<6,>=3.0.2; extra == "use_chardet_on_py3"',
    'charset-normalizer<4,>=2',
    'idna<4,>=2.5',
    'urllib3<3,>=1.21.1',
    'certifi>=2017.4.17',
    'cffi>=1.12; platform_python_implementation != "PyPy"',
    'dataclasses; python_version < "3.7"',
    'exceptiongroup>=1.0.0rc8; python_version < "3.11"',
    'tomli>=1.0.0; python_version < "3.11"',
    'pyobjc-framework-Cocoa; sys_platform == "darwin"',
    'backports.zoneinfo; python_version < "3.9"',
    "shapely (>=2.0) ; extra == 'geo'",
    'GDAL==3.6.2; (platform_machine == "x86_64" or platform_machine == "AMD64") and extra == "gdal"',
    'matplotlib>=3.6.1; extra == "Plot" or extra == "all"',
    'mypy==1.8.0; implementation_name == "cpython" and extra == "typing"',
    'pyproj>=3.3.0; python_full_version >= "3.8.1"',
    "scipy @ https://files.example.org/scipy-1.11.4-cp311-cp311-linux_x86_64.whl ; python_version == '3.11'",
    "pip @ file:///localbuilds/pip-1.3.1-py33-none-any.whl",
    'name[quux, strange];python_version<"2.7" and platform_version=="2"',
    'name; os_name=="a" or os_name=="b"',
    'name; os_name=="a" and os_name=="b" or os_name=="c"',
    'name; os_name=="a" and (os_name=="b" or os_name=="c")',
    'name; os_name=="a" or os_name=="b" and os_name=="c"',
    'name; (os_name=="a" or os_name=="b") and os_name=="c"',
    "A", "A.B-C_D", "aa", "name", "name<=1", "name>=3", "name>=3,<2", "name@http://foo.com",
    "name [fred,bar] @ http://foo.com ; python_version=='2.7'",
    "name[quux, strange];python_version<'2.7' and platform_version=='2'",
    "name; os_name=='a' or os_name=='b'",
]

# Hand-picked vectors: packaging 23.0's quirks that qplug mirrors.
VECTORS = [
    ("marker", 'os_name == "a" garbage'), ("marker", 'os_name == "a" )'),
    ("marker", 'os_name == "1.0"'), ("marker", "python_version == python_version"),
    ("marker", '"3.8" == python_version'), ("marker", '"a" == "b"'), ("marker", '"a" == "os_name"'),
    ("marker", 'extra == "Foo_Bar"'), ("marker", 'os_name=="a" and extra == "Foo_Bar"'),
    ("marker", "python_version == extra"), ("marker", "extra == extra"), ("marker", "extra == python_version"),
    ("marker", '(extra == "Foo") and os_name == "nt"'),
    ("marker", 'os_name == "a" or ((os_name=="b" and os_name=="c"))'),
    ("marker", 'os_name == "a" and ((os_name=="b" or os_name=="c"))'),
    ("marker", '((((os_name == "a"))))'), ("marker", '(os_name == "a") and (os_name == "b")'),
    ("marker", "os_name == '\\x41'"), ("marker", "os_name == 'a\\\nb'"), ("marker", "os_name == 'a\rb'"),
    ("marker", "os_name == 'a\\\r\nb'"), ("marker", "os_name == 'a\\\rb'"), ("marker", "os_name == 'a\\qb'"),
    ("marker", "os_name == '\\777'"), ("marker", "os_name == 'a\0b'"), ("marker", "os_name == '\\0'"),
    ("marker", "os_name == '\\x4'"), ("marker", "os_name == '\\U00110000'"), ("marker", "os_name == '\\\u00e9'"),
    ("marker", "os_name === 'posix'"), ("marker", "python_version === '3.11'"), ("marker", "os_name ~= 'x'"),
    ("marker", 'extra == "1.0"'), ("marker", "os_name == 'abc\\'"), ("marker", "os_name == 'abc\\\\'"),
    ("marker", 'python_version>"3"andos_name=="x"'), ("marker", 'python_version >= "3" ; x'),
    ("marker", 'python_implementation == "CPython"'), ("marker", 'platform.python_implementation == "CPython"'),
    ("marker", 'os.name == "posix"'), ("marker", 'platform.release == "x"'), ("marker", 'python_version < "=3.9"'),
    ("marker", 'python_version in "3.8 3.9"'), ("marker", 'python_version not in "3.8 3.9"'),
    ("marker", '"3." in python_version'), ("marker", 'python_version not\tin "3.8"'),
    ("marker", 'python_version notin "3.8"'), ("marker", 'python_version not "3.8"'),
    ("marker", 'python_version == "3.*"'), ("marker", 'python_version == "3.1*"'),
    ("marker", 'python_full_version >= "3.13.0rc1"'), ("marker", 'implementation_version == "3.13.0c1"'),
    ("marker", 'python_version<"3.10"'), ("marker", "python_version<'3.10'"), ("marker", ""),
    ("marker", "("), ("marker", "()"), ("marker", 'os_name == "a" and'), ("marker", 'os_name == "a" or ('),
    ("marker", '"\u03a3" == os_name'), ("marker", 'os_name == "x" and\u00e9'), ("marker", 'os_name in\u00e9"x"'),
    ("marker", 'extra == "\u0130"'), ("marker", 'extra == "A\u03a3"'),
    ("requirement", "name\n"), ("requirement", "name>=1.0\n"), ("requirement", "name\n\n"),
    ("requirement", "foo_"), ("requirement", "foo-"), ("requirement", "foo_ [a]"), ("requirement", "a.\u00e9"),
    ("requirement", "name===1.0,>=2"), ("requirement", "name==="), ("requirement", "name===,x"),
    ("requirement", "name>=1,"), ("requirement", "name>=1,;python_version>'3'"), ("requirement", "name (>=1,)"),
    ("requirement", "name()"), ("requirement", "name[]"), ("requirement", "name[ ]"), ("requirement", "name[a,]"),
    ("requirement", "name[b,a,a]"), ("requirement", "name @ http://x"),
    ("requirement", "name@http://x ; python_version>'3'"), ("requirement", "name @ file:///x"),
    ("requirement", "name @ file:/x"), ("requirement", "name @ FILE:///x"), ("requirement", "name @ file:///x?"),
    ("requirement", "name @ http://[::1]/"), ("requirement", "name @ http://[::1%eth0]/"),
    ("requirement", "name @ http://[1.2.3.4]/"), ("requirement", "name @ http://[v1.x]/"),
    ("requirement", "name @ http://a\u2100b/"), ("requirement", "name @ \x01http://x"),
    ("requirement", "name @ http://x\n"), ("requirement", "name>=\u00a01.0"), ("requirement", "name>=\n1.0"),
    ("requirement", "name (===1.0)"), ("requirement", "name====1"), ("requirement", "name>=1.0foo"),
    ("requirement", "name >=1.0 ;"), ("requirement", "name;os_name=='a'"),
    ("requirement", "name @ http://x;os_name=='a'"), ("requirement", "\nname"), ("requirement", "na\u0130me"),
    ("requirement", "name>=1.0 ; os_name == 'a' garbage"), ("requirement", "name[a b]"),
    ("requirement", "name ==1.0 , <2"), ("requirement", "name==1.*+x"), ("requirement", "name>=1.0.*"),
    ("requirement", "name ~=1"), ("requirement", "name==1.0+\u0130"), ("requirement", "name==1!x"),
    ("requirement", "name >=1 <2"), ("requirement", "name @"), ("requirement", "name @ "),
    ("requirement", "name @ http://x "), ("requirement", "name @ http://x  ;"), ("requirement", "name @ http://x x"),
    ("requirement", "name (>=1"), ("requirement", "name [a"), ("requirement", "name[a]@http://x"),
    ("requirement", "name[a] (>=1)"), ("requirement", "name; extra == 'Foo'"), ("requirement", ""),
    ("requirement", " \t"), ("requirement", "name; (extra == 'Foo')"),
    ("requirement", "name>=1.0; os_name == 'a' and\n"), ("requirement", "name>=1.0; os_name == 'a'\n"),
]
