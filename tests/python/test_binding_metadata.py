# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python binding's metadata API, and a Django-style upload form validating a plugin ZIP
through it, the way plugins.qgis.org's forms.py would."""
import io
import os
import tempfile
import unittest
import zipfile

import qplug

GOOD = b"""[general]
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
experimental=False
tags=testing, QGIS ,tools
"""


def plugin_zip(metadata=GOOD, folder="test_plugin", license=True):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{folder}/__init__.py", "def classFactory(iface):\n    return None\n")
        z.writestr(f"{folder}/metadata.txt", metadata)
        if license:
            z.writestr(f"{folder}/LICENSE", "GPL-2.0-or-later\n")
    return buf.getvalue()


# --- a Django-style form, shaped like plugins.qgis.org's PackageUploadForm -----------------

class ValidationError(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class UploadedFile:
    """What Django hands a form for an uploaded file: a name, a size and read()."""

    def __init__(self, name, content):
        self.name = name
        self.size = len(content)
        self._content = content

    def read(self):
        return self._content


class PackageUploadForm:
    def __init__(self, files, is_new=False):
        self.files = files
        self.is_new = is_new
        self.errors = {}
        self.cleaned_data = {}
        self.warnings = []

    def clean_package(self):
        package = self.files["package"]
        report = qplug.check_package(package, profile="site", new_plugin=self.is_new)
        if not report.valid:
            raise ValidationError([f"{d.message} [{d.rule}]" for d in report.errors])
        self.warnings = [d.message for d in report.warnings]
        self.cleaned_data["package_name"] = report.package_name
        self.cleaned_data["metadata"] = dict(report.metadata.items())
        return package

    def is_valid(self):
        try:
            self.cleaned_data["package"] = self.clean_package()
        except ValidationError as e:
            self.errors["package"] = e.messages
        return not self.errors


class DjangoStyleUpload(unittest.TestCase):
    def test_valid_upload(self):
        form = PackageUploadForm({"package": UploadedFile("test_plugin.zip", plugin_zip())}, is_new=True)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["package_name"], "test_plugin")
        self.assertEqual(form.cleaned_data["metadata"]["qgisMinimumVersion"], "3.22")
        self.assertEqual(form.cleaned_data["metadata"]["name"], "Test Plugin")

    def test_invalid_upload_lists_every_problem(self):
        bad = GOOD.replace(b"author=Jane Doe", b"author=Jane/Doe").replace(b"tracker=https://github.com/example/test_plugin/issues", b"tracker=http://bugs")
        form = PackageUploadForm({"package": UploadedFile("p.zip", plugin_zip(bad, folder="test-plugin", license=False))},
                                 is_new=True)
        self.assertFalse(form.is_valid())
        text = "\n".join(form.errors["package"])
        for rule in ("META-AUTHOR-SLASH", "META-URL-PLACEHOLDER", "PKG-NO-LICENSE", "PKG-FOLDER-NOT-IDENTIFIER"):
            self.assertIn(rule, text)

    def test_not_a_zip(self):
        form = PackageUploadForm({"package": UploadedFile("p.zip", b"garbage")})
        self.assertFalse(form.is_valid())
        self.assertIn("PKG-NOT-ZIP", form.errors["package"][0])


class MetadataBinding(unittest.TestCase):
    def test_parse_and_get(self):
        doc = qplug.parse_metadata(GOOD)
        self.assertTrue(doc.ok)
        self.assertEqual(doc["qgisminimumversion"], "3.22")  # qgis mode: keys lower-cased
        self.assertEqual(doc.get("QGISMinimumVersion"), "3.22")
        site = qplug.parse_metadata(GOOD, keys="site")
        self.assertEqual(site.get("qgisMinimumVersion"), "3.22")
        self.assertIsNone(site.get("qgisminimumversion"))
        self.assertEqual(site.get("qgisminimumversion", "absent"), "absent")
        self.assertNotIn("qgisminimumversion", site)
        self.assertIn("QGISMINIMUMVERSION", doc)
        broken = qplug.parse_metadata(b"[general]\nname=%(missing)s\n")
        self.assertIn("name", broken)
        self.assertIsNone(broken.get("name", "absent"))  # present but unreadable
        self.assertIn("name", doc)
        self.assertEqual(len(doc.keys()), 13)

    def test_broken_file(self):
        doc = qplug.parse_metadata(b"\xef\xbb\xbf[general]\nname=x\n")
        self.assertFalse(doc.ok)
        self.assertEqual(doc.keys(), [])
        self.assertEqual(doc.diagnostics[0].rule, "META-PARSE-BOM")
        lenient = qplug.parse_metadata(b"\xef\xbb\xbf[general]\nname=x\n", lenient=True)
        self.assertEqual(lenient["name"], "x")
        self.assertIn("META-LENIENT-BOM", [d.rule for d in lenient.diagnostics])

    def test_validate_profiles(self):
        doc = qplug.parse_metadata(GOOD)
        self.assertEqual([d for d in doc.validate("qgis") if d.severity == "error"], [])
        strict = qplug.parse_metadata(GOOD.replace(b"version=1.0.0", b"version=1.0 beta"), keys="site")
        rules = {d.rule: d for d in strict.validate("strict")}
        d = rules["META-VERSION-NOT-PEP440"]
        self.assertEqual((d.line, d.column, d.key), (7, 9, "version"))
        self.assertEqual(d.source_line, "version=1.0 beta")
        self.assertEqual(d.file, "metadata.txt")
        self.assertTrue(d.hint)  # the spec's advice, as the CLI prints it
        self.assertEqual(d.hint, next(r["hint"] for r in qplug.metadata_spec()["rules"]
                                      if r["id"] == "META-VERSION-NOT-PEP440"))
        with self.assertRaises(qplug.NotFoundError):
            doc.validate("nonsense")

    def test_json_and_format(self):
        doc = qplug.parse_metadata(GOOD)
        j = doc.to_json()
        self.assertEqual(j["plugin"]["tags"], ["testing", "qgis", "tools"])
        self.assertFalse(j["plugin"]["experimental"]["qgis"])
        again = qplug.parse_metadata(doc.format())
        self.assertEqual(dict(again.items()), dict(doc.items()))

    def test_package_report_keeps_metadata_alive(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.zip")
            with open(path, "wb") as fh:
                fh.write(plugin_zip())
            report = qplug.check_package(path)
            meta = report.metadata
            del report
            self.assertEqual(meta["name"], "Test Plugin")

    def test_spec(self):
        spec = qplug.metadata_spec()
        self.assertIn("META-REQ-EMAIL", {r["id"] for r in spec["rules"]})


if __name__ == "__main__":
    unittest.main()
