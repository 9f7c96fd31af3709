# SPDX-License-Identifier: GPL-2.0-or-later
"""Every metadata fixture of tests/data/qgis (QGIS, plugins.qgis.org, qgis-plugin-manager and
qgis-plugin-ci test data) read and judged as its source says it should be."""
import glob
import json
import os
import unittest
import xml.etree.ElementTree as ET

import exits
import qplug

DATA = os.environ["QPLUG_TEST_DATA"]
QGIS = os.path.join(DATA, "qgis")
QPLUG = os.environ["QPLUG_CLI"]


def read(path, keys="qgis"):
    return qplug.parse_metadata_file(path, keys=keys)


def rules(diagnostics, severity=None):
    return {d.rule for d in diagnostics if severity is None or d.severity == severity}


def helloworld(variant):
    return os.path.join(QGIS, "qgis-plugins-website", "helloworld", variant, "HelloWorld", "metadata.txt")


class PluginsWebsiteHelloWorld(unittest.TestCase):
    """qgis-app/plugins/tests/HelloWorld: the README says what each variant tests."""

    def test_every_variant_reads_except_the_unicode_error(self):
        for path in glob.glob(helloworld("*")):
            variant = path.split(os.sep)[-3]
            for keys in ("qgis", "site"):
                with self.subTest(variant=variant, keys=keys):
                    self.assertEqual(read(path, keys).ok, variant != "1.6-full-md-no-init-unicode-error")

    def test_unicode_error(self):
        doc = read(helloworld("1.6-full-md-no-init-unicode-error"), "site")
        self.assertEqual(rules(doc.diagnostics), {"META-PARSE-UTF8"})

    def test_incomplete_metadata(self):
        found = rules(read(helloworld("1.2-md-txt-incomplete"), "site").validate("site"), "error")
        self.assertTrue({"META-REQ-NAME", "META-REQ-VERSION", "META-REQ-DESCRIPTION"} <= found, found)

    def test_author_with_slashes(self):
        self.assertIn("META-AUTHOR-SLASH", rules(read(helloworld("1.8-author-slashes-error"), "site").validate("site"), "error"))

    def test_max_version_variants(self):
        self.assertIn("META-QGIS-VERSION-FORMAT",
                      rules(read(helloworld("2.1-full-md-max_qgs_version_2.999")).validate("qgis"), "error"))
        self.assertNotIn("META-QGIS-VERSION-FORMAT",
                         rules(read(helloworld("2.0-full-md-empty-max_qgs_version")).validate("qgis")))
        self.assertNotIn("META-QGIS-VERSION-FORMAT",
                         rules(read(helloworld("1.9-full-md-max_qgs_version")).validate("qgis")))

    def test_category_web(self):
        self.assertIn("META-CATEGORY", rules(read(helloworld("2.2-full-md-empty-max_qgs_category_web"), "site").validate("strict")))

    def test_deprecated_is_one(self):
        doc = read(helloworld("1.2-md-full"), "site")
        self.assertEqual(doc.get("deprecated"), "1")
        j = doc.to_json()["plugin"]["deprecated"]
        self.assertEqual((j["qgis"], j["site"]), (False, True))  # '1' is false in QGIS, true on the site
        self.assertIn("META-BOOL-VALUE", rules(doc.validate("site"), "warning"))


class QgisTestPluginPath(unittest.TestCase):
    """QGIS tests/testdata/test_plugin_path: plugins QGIS's own tests load."""

    def path(self, plugin):
        return os.path.join(QGIS, "qgis", "test_plugin_path", plugin, "metadata.txt")

    def test_all_read_in_qgis_mode(self):
        for plugin in os.listdir(os.path.join(QGIS, "qgis", "test_plugin_path")):
            with self.subTest(plugin=plugin):
                self.assertTrue(read(self.path(plugin)).ok)

    def test_server_plugin(self):
        doc = read(self.path("server_plugin_1"))
        plugin = doc.to_json()["plugin"]
        self.assertTrue(plugin["server"]["server"])  # QGIS Server needs exactly 'True'
        self.assertEqual(qplug.normalize(doc["version"]), "0.0.1")  # 'version 0.0.1'
        # qgisMinimumVersion=3: QGIS desktop would call the plugin incompatible.
        self.assertIn("META-QGIS-VERSION-FORMAT", rules(doc.validate("qgis"), "error"))
        self.assertFalse(qplug.compatible("3.34.5", doc["qgisminimumversion"]))

    def test_processing_plugins(self):
        for plugin in ("ProcessingPluginTest", "ProcessingPluginTest2"):
            with self.subTest(plugin=plugin):
                self.assertTrue(read(self.path(plugin)).to_json()["plugin"]["has_processing_provider"]["qgis"])

    def test_dependent_plugins(self):
        for plugin in ("dependent_plugin_1", "dependent_plugin_2"):
            with self.subTest(plugin=plugin):
                deps = read(self.path(plugin)).to_json()["plugin"]["plugin_dependencies"]
                self.assertTrue(deps)
                self.assertEqual(rules(read(self.path(plugin)).validate("qgis"), "error"), set())

    def test_plugin_dependencies_vectors(self):
        with open(os.path.join(QGIS, "derived", "plugin_dependencies_parse_vectors.json"), encoding="utf-8") as fh:
            cases = json.load(fh)["cases"]
        for case in cases:
            with self.subTest(value=case["value"]):
                text = "[general]\nplugin_dependencies=" + case["value"] + "\n"
                doc = qplug.parse_metadata(text)
                if "error" in case["parsed"]:
                    # QGIS raises here ("A==1==2"); qplug reports it instead.
                    self.assertIn("META-DEPENDENCIES", rules(doc.validate("qgis")))
                    continue
                deps = doc.to_json()["plugin"]["plugin_dependencies"]
                self.assertEqual({d["name"]: d["version"] for d in deps}, case["parsed"])


class PluginManagerAndCi(unittest.TestCase):
    def test_qgis_plugin_manager_plugins(self):
        base = os.path.join(QGIS, "qgis-plugin-manager", "plugins")
        a = read(os.path.join(base, "plugin_a", "metadata.txt")).to_json()["plugin"]
        self.assertTrue(a["server"]["server"])
        self.assertTrue(a["has_processing_provider"]["qgis"])
        for path in glob.glob(os.path.join(base, "**", "*metadata*.txt"), recursive=True):
            with self.subTest(path=path):
                self.assertTrue(read(path).ok)

    def test_qgis_plugin_ci_release_entry(self):
        metadata = os.path.join(QGIS, "qgis-plugin-ci", "qgis_plugin_CI_testing", "metadata.txt")
        expected = ET.parse(os.path.join(QGIS, "qgis-plugin-ci", "plugins.xml.expected")).find("pyqgis_plugin")
        out = exits.run([QPLUG, "meta", "export", "--format", "plugins-xml", "--download-url",
                         expected.findtext("download_url"), metadata], 0, capture_output=True).stdout
        ours = ET.fromstring(out)
        self.assertEqual(ours.get("name"), expected.get("name"))
        # qgis-plugin-ci publishes the release tag (0.1.2) where metadata.txt says 'dev'.
        self.assertEqual(ours.get("version"), read(metadata)["version"])
        for element in ("about", "author_name", "description", "homepage", "repository", "tracker",
                        "experimental", "deprecated", "server", "icon", "qgis_maximum_version", "download_url"):
            with self.subTest(element=element):
                self.assertEqual(ours.findtext(element), expected.findtext(element))
        # The site stores QGIS versions with three parts; qgis-plugin-ci copies them raw.
        self.assertEqual(ours.findtext("qgis_minimum_version"), expected.findtext("qgis_minimum_version") + ".0")


if __name__ == "__main__":
    unittest.main()
