# SPDX-License-Identifier: GPL-2.0-or-later
"""The rules added to match plugins.qgis.org's verdicts exactly (issue 13), each with a case
that triggers it and one that must not, through the Python binding (the same library calls as
the CLI and the C ABI): META-URL-REFUSED, META-VERSION-SPACE, PKG-INIT-UTF8, PKG-COMPRESSION,
META-QGIS-RANGE and META-KEY-CASE as the site profile grades them, and the later checks the
site runs on metadata read from __init__.py."""
import io
import unittest
import zipfile

import qplug
import site_verdict_cases as cases

GOOD = cases.GOOD


def site(values, extra="", profile="site"):
    doc = qplug.parse_metadata(cases.metadata_text(values, extra).decode("utf-8"), keys="site")
    return {(d.rule, d.severity) for d in doc.validate(profile=profile)}


def package(data, **kw):
    report = qplug.check_package(data, **kw)
    return {(d.rule, d.severity) for d in report.diagnostics}


class MetadataRules(unittest.TestCase):
    def test_url_refused(self):
        for url in ("git+https://github.com/x/y", "ssh://git@github.com/x", "https://.org/x",
                    "https://github.com:abc/x", "https://*.example.org/", "https://github.com:99999/x",
                    "https://\u2603.net/x"):
            with self.subTest(url=url):
                self.assertIn(("META-URL-REFUSED", "error"), site(dict(GOOD, repository=url)))
                self.assertIn(("META-URL-REFUSED", "error"), site(dict(GOOD, repository=url), profile="strict"))
                self.assertNotIn("META-URL-REFUSED", {r for r, _ in site(dict(GOOD, repository=url), profile="qgis")})
        for url in ("https://github.com/x/y", "HTTP://EXAMPLE.ORG", "https://b\u00fccher.de/x",
                    "https://github.com:443/x", "https://[::1]/x", "https://a_b.example.org/"):
            with self.subTest(url=url):
                self.assertEqual(site(dict(GOOD, repository=url)), set())
        # a key the site does not read (another case, a locale) is not its link check's business
        self.assertNotIn("META-URL-REFUSED", {r for r, _ in site(GOOD, "homepage[de]=git://x/y\n")})

    def test_version_with_a_space(self):
        self.assertIn(("META-VERSION-SPACE", "warning"), site(dict(GOOD, version="v1.2 beta")))
        self.assertIn(("META-VERSION-SPACE", "error"), site(dict(GOOD, version="v1.2 beta"), profile="strict"))
        self.assertEqual(site(dict(GOOD, version="1.2b1")), set())
        self.assertEqual(site(dict(GOOD, version="v1.2")), set())

    def test_qgis_range_warns_for_the_site(self):
        self.assertIn(("META-QGIS-RANGE", "warning"),
                      site(dict(GOOD, qgisMinimumVersion="4.0", qgisMaximumVersion="3.99")))
        self.assertIn(("META-QGIS-RANGE", "error"),
                      site(dict(GOOD, qgisMinimumVersion="4.0", qgisMaximumVersion="3.99"), profile="qgis"))
        self.assertEqual(site(dict(GOOD, qgisMinimumVersion="3.0", qgisMaximumVersion="3.99")), set())

    def test_key_case_is_a_warning_for_the_site(self):
        self.assertIn(("META-KEY-CASE", "warning"), site(GOOD, "Experimental=True\n"))
        self.assertIn(("META-KEY-CASE", "error"), site(GOOD, "Experimental=True\n", profile="strict"))
        self.assertEqual(site(GOOD, "experimental=True\n"), set())


def zip_of(files, compression=zipfile.ZIP_STORED):
    return cases.build_zip([(n, c, 0o644) for n, c in files], compression)


class PackageRules(unittest.TestCase):
    def test_init_must_be_utf8_when_the_site_reads_it(self):
        latin1 = cases.init_module(dict(GOOD, author="Jos\u00e9")).decode().encode("latin-1")
        data = cases.plugin("old_plugin", None, latin1)
        self.assertIn(("PKG-INIT-UTF8", "error"), package(data))
        self.assertNotIn("PKG-INIT-UTF8", {r for r, _ in package(data, profile="qgis")})
        self.assertNotIn("PKG-INIT-UTF8", {r for r, _ in package(cases.plugin("old_plugin", None, cases.init_module(GOOD)))})
        # with metadata.txt, only a qgisMinimumVersion below 1.8 makes the site read it
        self.assertNotIn("PKG-INIT-UTF8", {r for r, _ in package(cases.plugin("p", cases.metadata_text(GOOD), latin1))})
        old = cases.metadata_text(dict(GOOD, qgisMinimumVersion="1.6"))
        self.assertIn(("PKG-INIT-UTF8", "error"), package(cases.plugin("p", old, latin1)))

    def test_later_checks_on_init_metadata(self):
        def init_rules(values):
            return {r for r, s in package(cases.plugin("old_plugin", None, cases.init_module(values))) if s == "error"}

        self.assertEqual(init_rules(GOOD), set())
        self.assertEqual(init_rules(dict(GOOD, homepage=None)), {"META-REQ-HOMEPAGE"})
        self.assertEqual(init_rules(dict(GOOD, homepage="git+https://x/y")), {"META-URL-REFUSED"})
        self.assertEqual(init_rules(dict(GOOD, tracker="http://bugs")), {"META-URL-PLACEHOLDER"})
        self.assertEqual(init_rules(dict(GOOD, repository="github.com/x")), {"META-URL-INVALID"})
        self.assertEqual(init_rules(dict(GOOD, author="A/B")), {"META-AUTHOR-SLASH"})
        self.assertEqual(init_rules(dict(GOOD, email=None)), {"PKG-INIT-METADATA"})

    def test_compression_methods(self):
        files = [("test_plugin/__init__.py", cases.INIT), ("test_plugin/metadata.txt", cases.metadata_text(GOOD)),
                 ("test_plugin/LICENSE", cases.LICENSE)]
        for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            with self.subTest(method=method):
                self.assertEqual({r for r, s in package(zip_of(files, method)) if s == "error"}, set())
        for method in (9, 93, 95):
            with self.subTest(method=method):
                data = cases.raw_zip([(n, 0, c, c) for n, c in files[:2]] + [(files[2][0], method, b"\0", files[2][1])])
                self.assertIn(("PKG-COMPRESSION", "error"), package(data))
                self.assertIn(("PKG-COMPRESSION", "error"), package(data, profile="qgis"))

    def test_a_stub_before_the_archive(self):
        files = [("test_plugin/__init__.py", cases.INIT), ("test_plugin/metadata.txt", cases.metadata_text(GOOD)),
                 ("test_plugin/LICENSE", cases.LICENSE)]
        data = b"#!/bin/sh\nexit 0\n" + zip_of(files, zipfile.ZIP_DEFLATED)
        with zipfile.ZipFile(io.BytesIO(data)) as z:  # Python reads it
            self.assertIsNone(z.testzip())
        self.assertEqual({r for r, s in package(data) if s == "error"}, set())


if __name__ == "__main__":
    unittest.main()
