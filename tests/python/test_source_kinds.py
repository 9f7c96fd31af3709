# SPDX-License-Identifier: GPL-2.0-or-later
"""A repository kind written in Python (qplug.register_source_kind): its settings schema
checked when a repository is added, its sync function handing packages (JSON records and
plugin ZIPs) to the index through the library, an exception from it failing that sync with
its message while the index keeps what it had."""
import json
import os
import shutil
import tempfile
import unittest

import qplug

PLUGINS = os.path.join(os.environ["QPLUG_BINARY_DIR"], "data", "plugins")

SCHEMA = {"listing": {"type": "string", "required": True, "summary": "a JSON file of packages"},
          "with_zips": {"type": "boolean"}}


class PythonKind(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.calls = []
        self.listing = os.path.join(self.tmp, "listing.json")
        with open(self.listing, "w", encoding="utf-8") as fh:
            json.dump([{"name": "tool", "display_name": "Handy tool", "summary": "does things",
                        "releases": [{"version": "1.2", "qgis_minimum": "3.16",
                                      "download_url": "https://example.org/tool.1.2.zip"},
                                     {"version": "2.0", "channel": "experimental",
                                      "download_url": "https://example.org/tool.2.0.zip"}]}],
                      fh)
        qplug.register_source_kind("py-listing", SCHEMA, self.sync, summary="a test kind")
        self.index = qplug.Index(os.path.join(self.tmp, "index.sqlite"))

    def tearDown(self):
        self.index.close()
        try:
            qplug.unregister_source_kind("py-listing")
        except qplug.NotFoundError:
            pass
        shutil.rmtree(self.tmp)

    def sync(self, sync, url, options):
        self.calls.append((url, options))
        if options.get("listing") == "boom":
            raise RuntimeError("the listing server said no")
        assert isinstance(sync, qplug.SourceSync)
        for package in json.loads(sync.fetch(options["listing"])):
            sync.add_package(package)
        if options.get("with_zips"):
            zip_path = os.path.join(PLUGINS, "kart.1.0.10.zip")
            data = sync.fetch(zip_path)
            self.assertTrue(sync.add_plugin_archive(data, "https://example.org/kart.1.0.10.zip"))
            self.assertFalse(sync.add_plugin_archive(b"not a zip", "https://example.org/x.zip"))
        sync.warn("read by Python")

    def test_sync_hands_packages_to_the_index(self):
        self.index.add_repository("py", "https://example.org/unused", kind="py-listing",
                                  options={"listing": self.listing, "with_zips": True})
        results = self.index.sync("py")
        self.assertEqual(self.calls, [("https://example.org/unused",
                                       {"listing": self.listing, "with_zips": True})])
        self.assertEqual(results[0]["repository"], "py")
        found = {p["name"]: p for p in self.index.search("")}
        self.assertEqual(sorted(found), ["kart", "tool"])
        self.assertEqual(found["tool"]["display_name"], "Handy tool")
        info = self.index.info("tool")
        versions = {(r["version"], r["channel"]) for p in info["packages"] for r in p["releases"]}
        self.assertEqual(versions, {("1.2", "stable"), ("2.0", "experimental")})

    def test_the_schema_is_checked_at_add(self):
        with self.assertRaisesRegex(qplug.InvalidError, "requires the option 'listing'"):
            self.index.add_repository("py", "https://example.org", kind="py-listing")
        with self.assertRaisesRegex(qplug.InvalidError, "'with_zips' must be a boolean"):
            self.index.add_repository("py", "https://example.org", kind="py-listing",
                                      options={"listing": "x", "with_zips": "yes"})
        self.assertEqual(self.calls, [])

    def test_an_exception_fails_the_sync_and_keeps_the_index(self):
        self.index.add_repository("py", "https://example.org", kind="py-listing",
                                  options={"listing": self.listing})
        self.index.sync("py")
        self.index.add_repository("bad", "https://example.org", kind="py-listing",
                                  options={"listing": "boom"})
        with self.assertRaisesRegex(qplug.SyncError, "the listing server said no"):
            self.index.sync("bad")
        self.assertEqual([p["name"] for p in self.index.search("")], ["tool"])

    def test_a_bad_schema_or_tag_is_refused(self):
        with self.assertRaisesRegex(qplug.InvalidError, "'depth'"):
            qplug.register_source_kind("py-other", {"depth": {"type": "whole"}}, self.sync)
        with self.assertRaisesRegex(qplug.InvalidError, "built in"):
            qplug.register_source_kind("pip", {}, self.sync)
        qplug.unregister_source_kind("py-listing")
        with self.assertRaises(qplug.NotFoundError):
            qplug.unregister_source_kind("py-listing")


if __name__ == "__main__":
    unittest.main()
