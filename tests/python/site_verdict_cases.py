# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin ZIPs whose verdicts plugins.qgis.org's own validator recorded
(tests/data/site-verdicts/verdicts.json, scripts/record-site-verdicts.py), rebuilt byte for byte:

- corpus/*: one ZIP per real metadata.txt of tests/data/metadata, in a folder named after its
  repository, with __init__.py and LICENSE beside it;
- site/*: the site's own test ZIPs (site_fixtures.py);
- url/*: one URL variant in tracker, repository or homepage of an otherwise valid plugin;
- init/*: metadata read from __init__.py (no metadata.txt), the site's legacy path;
- meta/*: metadata.txt variants; layout/*: archive and folder layouts;
- difference/*: what qplug refuses on purpose although the site accepts it (docs/packages.md).

Entries are STORED (no compression) with fixed dates and modes, so the bytes depend on nothing
but this file and the data: the recorded sha256 of each ZIP proves the test judges the same
bytes as the site did."""
import hashlib
import io
import os
import re
import zipfile

import site_fixtures

DATA = os.environ.get("QPLUG_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
CORPUS = os.path.join(DATA, "metadata")

INIT = b"def classFactory(iface):\n    from .plugin import Plugin\n    return Plugin(iface)\n"
LICENSE = b"GNU GENERAL PUBLIC LICENSE, Version 2\n"

GOOD = {
    "name": "Test Plugin",
    "qgisMinimumVersion": "3.22",
    "qgisMaximumVersion": "3.99",
    "description": "Checks what the site accepts.",
    "about": "A plugin made to be judged by the site's validator.",
    "version": "1.0.0",
    "author": "Jane Doe",
    "email": "jane@example.org",
    "repository": "https://github.com/example/test_plugin",
    "tracker": "https://github.com/example/test_plugin/issues",
    "homepage": "https://example.org/test_plugin",
}

# URLs around what the requests library refuses before any network (scheme, host, port,
# IDNA labels) and what it sends on; each goes into tracker, repository or homepage.
URLS = [
    "https://github.com/example/x", "http://example.org", "HTTPS://GITHUB.COM/x",
    "git+https://github.com/example/x", "git://github.com/example/x",
    "ssh://git@github.com/example/x", "ftp://example.org/x", "mailto:jane@example.org",
    "httpx://example.org/x", "https//github.com/x", "github.com/example/x",
    "www.github.com:8080/x", "https://.org/x", "https://..org/x", "https://a..b.org/x",
    "https://github.com:abc/x", "https://github.com:/x", "https://github.com:0/x",
    "https://github.com:443/x", "https://github.com:0000443/x", "https://github.com:65535/x",
    "https://github.com:65536/x", "https://github.com:123456/x", "https://github.com:-1/x",
    "https://*.example.org/", "https://a.*.example.org/", "https://-a.example.org/",
    "https://a_b.example.org/", "https://user@github.com/x", "https://user:pw@github.com/x",
    "https://@github.com/x", "https://user@/x", "https:///x", "http:/x", "http:x", "https://",
    "http://", "https://[::1]/x", "https://[::1/x", "https://::1/x", "https://[v1.x]/x",
    "https://1.2.3.4/x", "https://256.1.1.1/x", "https://1.2.3/x",
    "https://exa%mple.org/x", "https://ex%41mple.org/x", "https://example.org/%zz",
    "https://bücher.de/x", "https://BÜCHER.de/x", "https://xn--bcher-kva.de/x",
    "https://faß.de/x", "https://☃.net/x", "https://💩.la/x", "https://a\u200db.org/x",
    "https://ａｂｃ.org/x", "https://xn--.org/x", "https://example.org\\x",
    "https://example.org?x", "https://example.org#x", "https://git hub.com/x",
    "https://github.com/a b", "https://github.com\t/x", "http://bugs", "http://repo",
    "http://homepage", "http://bugs/", "https://bugs", "HTTP://BUGS", "http://localhost/x",
    "https://example", "https://example.org.", "https://" + "a" * 64 + ".org/x",
    "https://" + "a" * 63 + ".org/x", "https://a.b%2ec.org/x", "https://[::1]:abc/x",
    "https://example.org:80:80/x", "https://ex ample.org/x", "https:example.org",
    "hxxps://example.org", "h://example.org", "1http://example.org", "https:/\\example.org",
    "//example.org/x", "/x", "x", "https://%41.org/x", "https://é.org/x", "https://ß.org/x",
]


def metadata_text(values, extra=""):
    """[general] with these values (None: left out); '%' written '%%' as configparser wants."""
    lines = ["[general]"]
    for k, v in values.items():
        if v is not None:
            lines.append(f"{k}={v.replace('%', '%%')}")
    return ("\n".join(lines) + "\n" + extra).encode("utf-8")


def build_zip(files, compression=zipfile.ZIP_STORED):
    """files: (name, bytes, unix mode) in order; a name ending in '/' is a folder."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, content, mode in files:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            kind = 0o040000 if name.endswith("/") else (mode >> 12 << 12 or 0o100000)
            info.external_attr = ((mode & 0o7777) | kind) << 16
            if name.endswith("/"):
                info.external_attr |= 0x10
            info.compress_type = compression
            z.writestr(info, content)
    return out.getvalue()


def raw_zip(entries):
    """A ZIP written field by field, for compression methods Python's zipfile cannot write:
    entries are (name, compression method, data as stored, the uncompressed content)."""
    import struct
    import zlib

    out, central = b"", b""
    for name, method, data, content in entries:
        n = name.encode()
        crc = zlib.crc32(content)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data),
                           len(content), len(n), 0) + n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, method, 0, 0x21, crc,
                               len(data), len(content), len(n), 0, 0, 0, 0, 0o100644 << 16, offset) + n
    return out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                       len(central), len(out), 0)


def plugin(folder, metadata=None, init=INIT, license=True, extra=(), compression=zipfile.ZIP_STORED):
    files = []
    if init is not None:
        files.append((f"{folder}/__init__.py", init, 0o644))
    if metadata is not None:
        files.append((f"{folder}/metadata.txt", metadata, 0o644))
    if license:
        files.append((f"{folder}/LICENSE", LICENSE, 0o644))
    files.extend(extra)
    return build_zip(files, compression)


def init_module(values, body_style="plain"):
    """An old-style __init__.py: one function per metadata key returning its value."""
    out = ["# -*- coding: utf-8 -*-", ""]
    for k, v in values.items():
        if v is None:
            continue
        if body_style == "plain":
            out += [f"def {k}():", f'    return "{v}"', ""]
        elif body_style == "method":
            out += [f"def {k} (self):", f"    return '{v}'", ""]
    out += ["def classFactory(iface):", "    return None", ""]
    return "\n".join(out).encode("utf-8")


def folder_of(metadata_file):
    """The repository part of owner__repo[__sha]__metadata.txt."""
    parts = metadata_file.split("__")
    return parts[1] if len(parts) >= 3 else "plugin"


def corpus_cases():
    names = sorted(n for n in os.listdir(CORPUS) if n.endswith("metadata.txt"))
    for n in names:
        with open(os.path.join(CORPUS, n), "rb") as fh:
            yield f"corpus/{n}", plugin(folder_of(n), fh.read())


def site_cases(tmp):
    for name in sorted(site_fixtures.manifests()):
        path = site_fixtures.build(name, os.path.join(tmp, name.rstrip("_")))
        with open(path, "rb") as fh:
            yield f"site/{name}", fh.read()


def url_cases():
    keys = ("tracker", "repository", "homepage")
    for i, url in enumerate(URLS):
        for key in sorted({keys[i % 3], "homepage"}):
            values = dict(GOOD, **{key: url})
            yield f"url/{key}/{i:03d}", plugin("test_plugin", metadata_text(values))
    for key in keys:
        yield f"url/{key}/missing", plugin("test_plugin", metadata_text(dict(GOOD, **{key: None})))
        yield f"url/{key}/empty", plugin("test_plugin", metadata_text(dict(GOOD, **{key: ""})))
        yield f"url/{key}/blank", plugin("test_plugin", metadata_text(dict(GOOD, **{key: " "})))


def init_cases():
    def case(name, values, style="plain", license=True, extra=(), init=None):
        return (f"init/{name}",
                plugin("old_plugin", None, init if init is not None else init_module(values, style),
                       license, extra))

    yield case("good", GOOD)
    yield case("good-methods", GOOD, "method")
    yield case("no-license", GOOD, license=False)
    for key in ("name", "email", "about", "tracker", "repository", "homepage", "author"):
        yield case(f"missing-{key}", dict(GOOD, **{key: None}))
    for i, url in enumerate(["git+https://github.com/x", "https://.org/x", "https://github.com:abc/x",
                             "https://*.example.org/", "http://bugs", "http://homepage",
                             "github.com/x", "ssh://git@github.com/x", "https://bücher.de/x",
                             "https://💩.la/x", "http://repo"]):
        key = ("homepage", "tracker", "repository")[i % 3]
        yield case(f"url-{key}-{i:02d}", dict(GOOD, **{key: url}))
    yield case("author-slash", dict(GOOD, author="Jane/Doe"))
    yield case("author-blank", dict(GOOD, author=" "))
    yield case("min-1.6", dict(GOOD, qgisMinimumVersion="1.6"))
    yield case("experimental-maybe", dict(GOOD, experimental="maybe"))
    unquoted = init_module(GOOD).replace(b'return "https://example.org/test_plugin"',
                                          b"return homepage_url")
    yield case("homepage-unquoted", GOOD, init=unquoted)
    yield case("no-functions", GOOD, init=b"def classFactory(iface):\n\n    return None\n")
    yield case("empty", GOOD, init=b"")
    yield case("latin1", GOOD, init=init_module(dict(GOOD, author="Jos\u00e9")).decode().encode("latin-1"))
    yield case("bom", GOOD, init=b"\xef\xbb\xbf" + init_module(GOOD))
    spaced = init_module(GOOD).replace(b'return "Jane Doe"', b'return  "Jane Doe"   # the author')
    yield case("comment", GOOD, init=spaced)
    blank_first = init_module(GOOD).replace(b"def name():\n", b"def name():\n\n")
    yield case("blank-line-in-body", GOOD, init=blank_first)
    yield ("init/folder-dash",
           plugin("old-plugin", None, init_module(GOOD)))
    yield ("init/with-metadata-min-1.6-init-latin1",
           plugin("old_plugin", metadata_text(dict(GOOD, qgisMinimumVersion="1.6")),
                  init_module(dict(GOOD, author="Jos\u00e9")).decode().encode("latin-1")))


def meta_cases():
    def case(name, metadata, **kw):
        return f"meta/{name}", plugin("test_plugin", metadata, **kw)

    yield case("good", metadata_text(GOOD))
    yield case("bom", b"\xef\xbb\xbf" + metadata_text(GOOD))
    yield case("latin1", metadata_text(dict(GOOD, author="Jos\u00e9")).decode().encode("latin-1"))
    yield case("crlf", metadata_text(GOOD).replace(b"\n", b"\r\n"))
    yield case("cr", metadata_text(GOOD).replace(b"\n", b"\r"))
    yield case("percent", metadata_text(GOOD, "changelog=100% done\n"))
    yield case("percent-escaped", metadata_text(GOOD, "changelog=100%% done\n"))
    yield case("interpolation", metadata_text(GOOD, "changelog=%(name)s does it\n"))
    yield case("interpolation-missing", metadata_text(GOOD, "changelog=%(nothing)s\n"))
    yield case("default-section", b"[DEFAULT]\nauthor=Jane Doe\n" + metadata_text(dict(GOOD, author=None)))
    yield case("duplicate-key", metadata_text(GOOD, "name=Again\n"))
    yield case("no-general", metadata_text(GOOD).replace(b"[general]", b"[General]"))
    yield case("no-section", metadata_text(GOOD).replace(b"[general]\n", b""))
    yield case("name-case", metadata_text(GOOD).replace(b"name=", b"Name="))
    yield case("max-case", metadata_text(GOOD).replace(b"qgisMaximumVersion=", b"QgisMaximumVersion="))
    yield case("experimental-case", metadata_text(dict(GOOD, Experimental="True")))
    yield case("homepage-case", metadata_text(GOOD).replace(b"homepage=", b"Homepage="))
    yield case("author-empty", metadata_text(dict(GOOD, author="")))
    yield case("author-slash", metadata_text(dict(GOOD, author="Jane/Doe")))
    yield case("author-multiline", metadata_text(dict(GOOD, author="Jane\n  Doe")))
    yield case("author-name-alias", metadata_text(dict(GOOD, author=None, author_name="Jane Doe")))
    yield case("email-empty", metadata_text(dict(GOOD, email="")))
    yield case("email-bad", metadata_text(dict(GOOD, email="not an address")))
    yield case("name-empty", metadata_text(dict(GOOD, name="")))
    yield case("version-empty", metadata_text(dict(GOOD, version="")))
    yield case("version-v-beta", metadata_text(dict(GOOD, version="v1.2 beta")))
    yield case("version-letters", metadata_text(dict(GOOD, version="banana")))
    yield case("min-4.0-max-3.99", metadata_text(dict(GOOD, qgisMinimumVersion="4.0",
                                                      qgisMaximumVersion="3.99")))
    yield case("min-empty", metadata_text(dict(GOOD, qgisMinimumVersion="")))
    yield case("min-text", metadata_text(dict(GOOD, qgisMinimumVersion="three")))
    yield case("min-1.6", metadata_text(dict(GOOD, qgisMinimumVersion="1.6")))
    yield case("min-1.10", metadata_text(dict(GOOD, qgisMinimumVersion="1.10")))
    yield case("min-1.8", metadata_text(dict(GOOD, qgisMinimumVersion="1.8")))
    yield case("min-0.9-init-complete", metadata_text(dict(GOOD, qgisMinimumVersion="0.9")),
               init=init_module(GOOD))
    yield case("min-1.6-init-partial", metadata_text(dict(GOOD, qgisMinimumVersion="1.6")),
               init=init_module(dict(GOOD, email=None)))
    yield case("supportsqt6", metadata_text(dict(GOOD, supportsQt6="True")))
    yield case("experimental-maybe", metadata_text(dict(GOOD, experimental="maybe")))
    yield case("experimental-1", metadata_text(dict(GOOD, experimental="1")))
    yield case("server-yes", metadata_text(dict(GOOD, server="yes")))
    yield case("deprecated-empty", metadata_text(dict(GOOD, deprecated="")))
    yield case("icon-missing", metadata_text(dict(GOOD, icon="icon.png")))
    yield case("icon-dot-slash", metadata_text(dict(GOOD, icon="./icon.png")),
               extra=[("test_plugin/icon.png", b"\x89PNG\r\n\x1a\n", 0o644)])
    yield case("screenshot-missing", metadata_text(dict(GOOD, screenshot="shot.png")))
    yield case("tags", metadata_text(dict(GOOD, tags="Vector, , RASTER")))
    yield case("dependencies", metadata_text(dict(GOOD, plugin_dependencies="A>=1, B")))
    yield case("html-about", metadata_text(dict(GOOD, about="<b>bold</b>")))
    yield case("long-name", metadata_text(dict(GOOD, name="N" * 300)))
    yield case("long-homepage", metadata_text(dict(GOOD, homepage="https://example.org/" + "x" * 300)))
    yield case("unknown-key", metadata_text(dict(GOOD, colour="blue")))
    yield case("empty-file", b"")
    yield case("continuation", metadata_text(dict(GOOD, about="line one\n  line two\n\n  line four")))
    yield case("no-metadata-no-init", None, init=None)
    yield case("metadata-without-init", metadata_text(GOOD), init=None)
    yield case("no-license", metadata_text(GOOD), license=False)
    yield case("license-lowercase", metadata_text(GOOD), license=False,
               extra=[("test_plugin/license", LICENSE, 0o644)])
    yield case("license-txt", metadata_text(GOOD), license=False,
               extra=[("test_plugin/LICENSE.txt", LICENSE, 0o644)])
    yield case("license-folder", metadata_text(GOOD), license=False,
               extra=[("test_plugin/LICENSE/", b"", 0o755)])
    yield case("not-utf8-about", metadata_text(GOOD).replace(b"about=A plugin", b"about=A \xff plugin"))


def layout_cases():
    m = metadata_text(GOOD)
    body = [("test_plugin/plugin.py", b"class Plugin:\n    pass\n", 0o644)]

    def case(name, folder="test_plugin", **kw):
        return f"layout/{name}", plugin(folder, m, **kw)

    yield case("good", extra=body)
    for folder in ("a", "ab", "a1", "1ab", "_ab", "ab_", "a-b", "a.b", "café", "Ab-C_d9", "a b",
                   "über", "x" * 200):
        yield case(f"folder-{folder[:20]}", folder)
    yield case("pyc", extra=[("test_plugin/plugin.pyc", b"\0\0", 0o644)])
    yield case("pyc-in-name", extra=[("test_plugin/notes.pyc.txt", b"x", 0o644)])
    yield case("pycache", extra=[("test_plugin/__pycache__/plugin.cpython-311.pyc", b"\0", 0o644)])
    yield case("pycache-folder-entry", extra=[("test_plugin/__pycache__/", b"", 0o755)])
    yield case("macosx", extra=[("__MACOSX/test_plugin/._plugin.py", b"\0", 0o644)])
    yield case("git", extra=[("test_plugin/.git/HEAD", b"ref: refs/heads/main\n", 0o644)])
    yield case("gitignore", extra=[("test_plugin/.gitignore", b"*.pyc\n", 0o644)])
    yield case("git-file", extra=[("test_plugin/.git", b"gitdir: ../x\n", 0o644)])
    yield case("dotdot", extra=[("test_plugin/a..b.txt", b"x", 0o644)])
    yield case("hidden", extra=[("test_plugin/.env", b"SECRET=1\n", 0o644)])
    yield case("shell-script", extra=[("test_plugin/scripts/run.sh", b"#!/bin/sh\n", 0o755)])
    yield case("executable-py", extra=[("test_plugin/run.py", b"print(1)\n", 0o755)])
    yield case("binary", extra=[("test_plugin/data.bin", b"\0\1\2", 0o644)])
    yield case("second-folder", extra=[("other/readme.txt", b"x", 0o644)])
    yield case("root-file-last", extra=[("README.md", b"x", 0o644)])
    yield (f"layout/root-file-first",
           build_zip([("README.md", b"x", 0o644), ("test_plugin/__init__.py", INIT, 0o644),
                      ("test_plugin/metadata.txt", m, 0o644), ("test_plugin/LICENSE", LICENSE, 0o644)]))
    yield (f"layout/folder-entry-first",
           build_zip([("test_plugin/", b"", 0o755), ("test_plugin/__init__.py", INIT, 0o644),
                      ("test_plugin/metadata.txt", m, 0o644), ("test_plugin/LICENSE", LICENSE, 0o644)]))
    yield (f"layout/other-folder-first",
           build_zip([("docs/index.html", b"x", 0o644), ("test_plugin/__init__.py", INIT, 0o644),
                      ("test_plugin/metadata.txt", m, 0o644), ("test_plugin/LICENSE", LICENSE, 0o644)]))
    yield (f"layout/nested-plugin",
           build_zip([("outer/test_plugin/__init__.py", INIT, 0o644),
                      ("outer/test_plugin/metadata.txt", m, 0o644),
                      ("outer/test_plugin/LICENSE", LICENSE, 0o644)]))
    yield "layout/empty-zip", build_zip([])
    yield "layout/not-a-zip", b"PK\3\4 this is not a zip file"
    yield "layout/empty-file", b""
    yield case("deflated", compression=zipfile.ZIP_DEFLATED)
    yield case("bzip2", compression=zipfile.ZIP_BZIP2)
    yield case("lzma", compression=zipfile.ZIP_LZMA)
    good = plugin("test_plugin", m)
    crc = bytearray(good)
    at = crc.find(b"GNU GENERAL")
    crc[at] ^= 0x20
    yield "layout/crc-error", bytes(crc)
    yield "layout/truncated", good[: len(good) // 2]
    yield "layout/trailing-garbage", good + b"garbage"
    yield "layout/leading-garbage", b"MZ" + b"\0" * 62 + good
    yield "layout/leading-garbage-deflated", b"#!/bin/sh\nexit 0\n" + plugin("test_plugin", m, compression=zipfile.ZIP_DEFLATED)
    import lzma
    files = [("test_plugin/__init__.py", INIT), ("test_plugin/metadata.txt", m), ("test_plugin/LICENSE", LICENSE)]
    yield "layout/stored-by-hand", raw_zip([(n, 0, c, c) for n, c in files])
    yield "layout/xz", raw_zip([(n, 95, lzma.compress(c, format=lzma.FORMAT_XZ), c) for n, c in files])
    yield "layout/xz-license-only", raw_zip([(n, 0, c, c) for n, c in files[:2]] +
                                            [(files[2][0], 95, lzma.compress(LICENSE, format=lzma.FORMAT_XZ), LICENSE)])
    yield "layout/zstd", raw_zip([(n, 0, c, c) for n, c in files[:2]] + [(files[2][0], 93, b"(\xb5/\xfd", LICENSE)])
    yield "layout/deflate64", raw_zip([(n, 0, c, c) for n, c in files[:2]] + [(files[2][0], 9, b"\x00", LICENSE)])
    lz = plugin("test_plugin", metadata_text(dict(GOOD, about="x" * 5000)), compression=zipfile.ZIP_LZMA)
    yield "layout/lzma-long", lz
    broken = bytearray(lz)
    at = broken.find(b"test_plugin/metadata.txt", 40) + len("test_plugin/metadata.txt") + 30
    broken[at] ^= 0xFF
    yield "layout/lzma-corrupt", bytes(broken)


def difference_cases():
    m = metadata_text(GOOD)
    yield ("difference/symlink",
           plugin("test_plugin", m, extra=[("test_plugin/link", b"/etc/passwd", 0o120777)]),
           "PKG-SYMLINK")
    yield ("difference/duplicate-name",
           plugin("test_plugin", m, extra=[("test_plugin/LICENSE", LICENSE, 0o644)]),
           "PKG-DUPLICATE-NAME")
    yield ("difference/control-char",
           plugin("test_plugin", m, extra=[("test_plugin/a\x01b.txt", b"x", 0o644)]),
           "PKG-CONTROL-CHAR")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in (("test_plugin/__init__.py", INIT), ("test_plugin/metadata.txt", m),
                              ("test_plugin/LICENSE", LICENSE), ("test_plugin/zeros.dat", b"\0" * 5_000_000)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    yield "difference/zip-bomb-ratio", bomb.getvalue(), "PKG-ZIP-BOMB-RATIO"


def cases(tmp):
    """Every case as (id, ZIP bytes, deliberate difference rule or None), in a fixed order."""
    out = []
    for gen in (corpus_cases(), site_cases(tmp), url_cases(), init_cases(), meta_cases(), layout_cases()):
        for case_id, data in gen:
            out.append((case_id, data, None))
    out.extend(difference_cases())
    ids = [c[0] for c in out]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    return out


def sha256(data):
    return hashlib.sha256(data).hexdigest()
