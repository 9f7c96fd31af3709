# SPDX-License-Identifier: GPL-2.0-or-later
"""QGIS's own plugin installer reading a plugins.xml, offscreen and without network: Debian's
QGIS 3.22 (python3-qgis; pyplugin_installer in /usr/share/qgis/python).
Repositories.xmlDownloaded() reads the reply it is called for through self.sender(); a stand-in
reply hands it the file, then Plugins.rebuild() merges the entries as the plugin manager does.

Run as a program (QGIS's application is one per process):
    python3 qgis_installer_read.py PLUGINS_XML REPOSITORY_URL [--experimental] [--deprecated]
prints {"state": ..., "error": ..., "plugins": {key: the installer's record}} as JSON.

(A harness reading plugins.xml through QGIS is also being written on the `hostile` branch to
compare qplug's reading with QGIS's; the two could share this stand-in.)"""
import json
import os
import sys


class StandInReply:
    """What xmlDownloaded asks of the QNetworkReply it was sent by."""

    def __init__(self, name, data, url):
        from qgis.PyQt.QtCore import QByteArray, QUrl

        self._name, self._data, self._url = name, QByteArray(data), QUrl(url)

    def property(self, name):
        return {"reposName": self._name, "redirectionCounter": 0}.get(name)

    def error(self):
        from qgis.PyQt.QtNetwork import QNetworkReply

        return QNetworkReply.NoError

    def errorString(self):
        return ""

    def attribute(self, attribute):
        from qgis.PyQt.QtNetwork import QNetworkRequest

        return 200 if attribute == QNetworkRequest.HttpStatusCodeAttribute else None

    def readAll(self):
        return self._data

    def url(self):
        return self._url

    def deleteLater(self):
        pass


def main(argv):
    path, url = argv[0], argv[1]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, "/usr/share/qgis/python")
    from qgis.core import QgsApplication, QgsSettings

    app = QgsApplication([], False)
    app.initQgis()
    settings = QgsSettings()
    settings.setValue("app/plugin_installer/allowExperimental", "--experimental" in argv)
    settings.setValue("app/plugin_installer/allowDeprecated", "--deprecated" in argv)
    from pyplugin_installer import installer_data
    from pyplugin_installer.version_compare import pyQgisVersion

    repositories = installer_data.repositories
    repositories.mRepositories = {"test": {"url": url, "authcfg": "", "enabled": True, "valid": True,
                                           "xmlData": None, "state": 1, "error": ""}}
    with open(path, "rb") as fh:
        reply = StandInReply("test", fh.read(), url)
    repositories.sender = lambda: reply
    repositories.xmlDownloaded()
    plugins = installer_data.plugins
    plugins.localCache = {}  # nothing installed
    plugins.rebuild()
    keep = ("id", "name", "version_available", "version_available_stable", "version_available_experimental",
            "download_url", "download_url_stable", "download_url_experimental", "filename", "icon",
            "plugin_dependencies", "experimental", "deprecated", "description", "about", "author_name",
            "homepage", "tracker", "code_repository", "tags", "create_date", "update_date", "status",
            "zip_repository")
    out = {"qgis": pyQgisVersion(), "state": repositories.mRepositories["test"]["state"],
           "error": repositories.mRepositories["test"]["error"],
           "plugins": {k: {f: v.get(f) for f in keep} for k, v in plugins.all().items()}}
    print(json.dumps(out, sort_keys=True))
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1:])
