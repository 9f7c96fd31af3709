# SPDX-License-Identifier: GPL-2.0-or-later
"""qplug's reading of plugins.xml against Debian's QGIS 3.22 plugin installer itself
(pyplugin_installer.installer_data, run by qgis_installer.py), on every plugins.xml of
tests/data/plugins-xml and tests/data/plugins-xml-cases:

- the entries: which versions of which plugin QGIS lists for its version (compatibility,
  disabled entries, keys, an XML error part way) are the releases qplug finds compatible;
- the offer: the stable and experimental version QGIS's plugin manager shows, with
  experimental and deprecated releases allowed or not, is what `qplug list` says.

The one deliberate difference (docs/index-sources.md, "What QGIS offers"): QGIS takes the last
stable (and experimental) entry in document order (QGIS issue #63672), qplug the newest. So
qplug is held to QGIS's answer for the same entries listed oldest first, and to QGIS's answer
for the document as it is wherever the document lists a plugin's entries oldest first.
Entries without a key (no file_name, no download_url) are left out by qplug, with a warning;
QGIS files them under "" and cannot install them.
"""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

QPLUG = os.environ["QPLUG_CLI"]
DATA = os.environ["QPLUG_TEST_DATA"]
HERE = os.path.dirname(os.path.abspath(__file__))
INSTALLER = "/usr/share/qgis/python/pyplugin_installer/installer_data.py"
SETTINGS = [(experimental, deprecated) for experimental in (False, True)
            for deprecated in (False, True)]


def qgis_missing():
    """Why the reference cannot run here, or None."""
    if not os.path.exists(INSTALLER):
        return f"python3-qgis is not installed ({INSTALLER} is missing)"
    r = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True,
                       text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if r.returncode != 0:
        return "python3-qgis cannot be imported: " + r.stderr.strip().splitlines()[-1]
    return None


def plugins_xml_files():
    files = sorted(glob.glob(os.path.join(DATA, "plugins-xml", "*.xml*")))
    files += sorted(glob.glob(os.path.join(DATA, "plugins-xml-cases", "*.xml")))
    return files


@unittest.skipIf(qgis_missing(), qgis_missing())
class AgainstQgisInstaller(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.files = plugins_xml_files()
        home = os.path.join(cls.tmp, "home")
        os.makedirs(home, mode=0o700)
        # QGIS's code, in a process of its own with a scratch HOME for its settings.
        env = {**os.environ, "HOME": home, "XDG_RUNTIME_DIR": home,
               "QT_QPA_PLATFORM": "offscreen"}
        env.pop("LD_PRELOAD", None)  # (sanitizer builds: QGIS is not ours to check)
        r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "qgis_installer.py"),
                            *cls.files], capture_output=True, text=True, env=env, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("QGIS's installer code failed:\n" + r.stderr[-3000:])
        cls.qgis = json.loads(r.stdout)
        # qplug: one legacy repository per file, synced in one run.
        cls.index = os.path.join(cls.tmp, "index.sqlite")
        cls.repos = {}
        for n, path in enumerate(cls.files):
            name = f"f{n}"
            cls.repos[path] = name
            cls.run_qplug("repo", "add", name, path, "--kind", "legacy")
        cls.sync = cls.run_qplug("repo", "sync", "--json", expect=None)
        cls.listed = {}
        for deprecated in (False, True):
            args = ["list", "--json", "--versions", "--qgis", cls.qgis["qgis"]]
            if deprecated:
                args.append("--allow-deprecated")
            packages = json.loads(cls.run_qplug(*args).stdout)["packages"]
            by_repo = {}
            for p in packages:
                by_repo.setdefault(p["repository"], {})[p["name"]] = p
            cls.listed[deprecated] = by_repo

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_qplug(cls, *args, expect=0):
        r = subprocess.run([QPLUG, *args, "--index", cls.index], capture_output=True,
                           text=True, timeout=120)
        if expect is not None and r.returncode != expect:
            raise AssertionError(f"qplug {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
        return r

    def qplug_packages(self, path, deprecated):
        return self.listed[deprecated].get(self.repos[path], {})

    def test_entries_are_the_compatible_releases(self):
        compared = 0
        for path in self.files:
            with self.subTest(file=os.path.basename(path)):
                qgis = {(e["key"], e["version"], e["experimental"])
                        for e in self.qgis["files"][path]["entries"] if e["key"]}
                ours = {(name, r["version"], r["channel"] == "experimental")
                        for name, p in self.qplug_packages(path, True).items()
                        for r in p["releases"] if r["compatible"]}
                self.assertEqual(ours, qgis)
                compared += len(qgis)
        self.assertGreater(compared, 100)  # the comparison is not empty

    def test_offer_is_qgis_offer_for_entries_listed_oldest_first(self):
        compared = 0
        for path in self.files:
            for experimental, deprecated in SETTINGS:
                setting = f"experimental={int(experimental)} deprecated={int(deprecated)}"
                with self.subTest(file=os.path.basename(path), setting=setting):
                    qgis = self.qgis["files"][path][setting]["ascending"]
                    expected = {key: (o["stable"] or None, o["experimental"] or None)
                                for key, o in qgis.items() if key}
                    ours = {}
                    for name, p in self.qplug_packages(path, deprecated).items():
                        offer = (p["stable"], p["experimental"] if experimental else None)
                        if offer != (None, None):
                            ours[name] = offer
                    self.assertEqual(ours, expected)
                    compared += len(expected)
        self.assertGreater(compared, 100)

    def test_offer_is_qgis_offer_where_the_document_lists_oldest_first(self):
        """Where QGIS's answer depends on the order of the document, the test above holds
        qplug to the ascending order; everywhere else QGIS's answer for the document itself
        is qplug's. The plugins where the two differ are the documented choice."""
        differ = set()
        for path in self.files:
            for experimental, deprecated in SETTINGS:
                setting = f"experimental={int(experimental)} deprecated={int(deprecated)}"
                result = self.qgis["files"][path][setting]
                packages = self.qplug_packages(path, deprecated)
                for key, offer in result["document"].items():
                    if not key:
                        continue
                    if result["ascending"].get(key) != offer:
                        differ.add((os.path.basename(path), key))
                        continue
                    p = packages[key]
                    self.assertEqual((p["stable"], p["experimental"] if experimental else None),
                                     (offer["stable"] or None, offer["experimental"] or None),
                                     (path, key, setting))
        # The cases file has two such plugins (order, experimentalfirst); the real corpus has
        # plugins listed newest first too.
        self.assertIn(("qgis-installer-cases.xml", "order"), differ)
        self.assertIn(("qgis-installer-cases.xml", "experimentalfirst"), differ)
        print(f"\n{len(differ)} plugins whose offer depends on the document's order "
              f"(QGIS: last listed, qplug: newest): {sorted(differ)}")

    def test_the_cases_say_what_they_show(self):
        cases = os.path.join(DATA, "plugins-xml-cases", "qgis-installer-cases.xml")
        ours = self.qplug_packages(cases, False)
        self.assertIsNone(ours["nominimum"]["stable"])  # no minimum: "2", not QGIS 3
        self.assertIsNone(ours["nominimummax"]["stable"])
        self.assertEqual((ours["oldexperimental"]["stable"], ours["oldexperimental"]["experimental"]),
                         ("2.0", None))
        self.assertEqual(ours["deprecated"]["stable"], "1.0")
        self.assertEqual(self.qplug_packages(cases, True)["deprecated"]["stable"], "2.0")
        self.assertEqual(ours["order"]["stable"], "3.0")  # QGIS: 2.0, the last listed
        self.assertNotIn("disabled", ours)
        error = os.path.join(DATA, "plugins-xml-cases", "qgis-installer-xml-error.xml")
        self.assertEqual(sorted(self.qplug_packages(error, False)),
                         ["beforeone", "beforetwo", "open"])
        sync = {r["repository"]: r for r in json.loads(self.sync.stdout)["synced"]}
        warnings = sync[self.repos[error]]["warnings"]
        self.assertTrue(any("not well-formed XML" in w and ":17:40:" in w for w in warnings),
                        warnings)


if __name__ == "__main__":
    unittest.main()
