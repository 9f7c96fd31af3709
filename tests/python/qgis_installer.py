# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs Debian's QGIS 3.22 plugin installer code (pyplugin_installer.installer_data) on
plugins.xml files and prints, as JSON, what it makes of them. Run by
test_qgis_installer_reference.py as a separate process, with Debian's /usr/bin/python3,
QT_QPA_PLATFORM=offscreen and a scratch HOME (QgsSettings writes there).

No network: Repositories.xmlDownloaded reads the reply from self.sender(); a stand-in reply
object with the methods it calls (property, error, attribute, readAll, url, deleteLater)
hands it the file's bytes, as a QNetworkReply would after a download. Everything else is
QGIS's own code: the reading (QDomDocument, the "& " fix, keys, flags, isCompatible against
pyQgisVersion()) and the merge (Plugins.rebuild with its settings).

Usage: qgis_installer.py FILE... -> {"qgis": "3.22.16", "files": {FILE: {...}}} where each
file has "entries" (what xmlDownloaded kept: key, version, experimental, deprecated, in
document order) and, for each setting "experimental=E deprecated=D", what rebuild() offers
per key ("stable", "experimental"), once with the entries in document order ("document")
and once with them ordered oldest first by QGIS's compareVersions ("ascending").
"""
import functools
import json
import os
import sys

sys.path.insert(0, "/usr/share/qgis/python")

from qgis.core import QgsApplication, QgsSettings  # noqa: E402
from qgis.PyQt.QtCore import QByteArray, QUrl  # noqa: E402
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest  # noqa: E402

APP = QgsApplication([], False)

from pyplugin_installer import installer_data  # noqa: E402
from pyplugin_installer.version_compare import compareVersions  # noqa: E402

REPOSITORY = "qplug-test"
URL = "https://example.org/plugins.xml"


class Reply:
    """What xmlDownloaded asks of the QNetworkReply of a finished download (HTTP 200)."""

    def __init__(self, body):
        self.body = body

    def property(self, name):
        return {"reposName": REPOSITORY, "redirectionCounter": 0}[name]

    def error(self):
        return QNetworkReply.NoError

    def attribute(self, attribute):
        return 200 if attribute == QNetworkRequest.HttpStatusCodeAttribute else None

    def readAll(self):
        return QByteArray(self.body)

    def url(self):
        return QUrl(URL)

    def deleteLater(self):
        pass


def read(body):
    """xmlDownloaded on the bytes: the entries QGIS keeps, in document order."""
    repositories = installer_data.repositories
    repositories.mRepositories = {REPOSITORY: {"url": URL, "state": 1, "error": ""}}
    installer_data.plugins.repoCache = {}
    installer_data.plugins.localCache = {}
    repositories.sender = lambda: Reply(body)
    repositories.xmlDownloaded()
    return list(installer_data.plugins.repoCache.get(REPOSITORY, []))


def offers(entries, experimental, deprecated):
    """rebuild() over the entries with the two settings: key -> stable, experimental."""
    settings = QgsSettings()
    settings.setValue("app/plugin_installer/allowExperimental", experimental)
    settings.setValue("app/plugin_installer/allowDeprecated", deprecated)
    installer_data.plugins.localCache = {}
    installer_data.plugins.repoCache = {REPOSITORY: entries}
    installer_data.plugins.rebuild()
    return {key: {"stable": p["version_available_stable"],
                  "experimental": p["version_available_experimental"]}
            for key, p in installer_data.plugins.all().items()}


def ascending(entries):
    """The entries oldest first by QGIS's compareVersions (0 equal, 1 greater, 2 smaller), a
    stable entry before an experimental one of the same version, otherwise as listed."""
    def order(a, b):
        c = compareVersions(a["version_available"], b["version_available"])
        if c == 0:
            return int(a["experimental"]) - int(b["experimental"])
        return 1 if c == 1 else -1
    return sorted(entries, key=functools.cmp_to_key(order))


def main(paths):
    result = {"qgis": installer_data.pyQgisVersion(), "files": {}}
    for path in paths:
        with open(path, "rb") as fh:
            entries = read(fh.read())
        out = {"entries": [{"key": e["id"], "version": e["version_available"],
                            "experimental": e["experimental"], "deprecated": e["deprecated"]}
                           for e in entries]}
        for experimental in (False, True):
            for deprecated in (False, True):
                setting = f"experimental={int(experimental)} deprecated={int(deprecated)}"
                out[setting] = {
                    "document": offers(entries, experimental, deprecated),
                    "ascending": offers(ascending(entries), experimental, deprecated),
                }
        result["files"][path] = out
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
