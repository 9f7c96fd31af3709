# SPDX-License-Identifier: GPL-2.0-or-later
"""plugins.xml as QGIS's plugin installer reads it (pyplugin_installer/installer_data.py,
xmlDownloaded), with Python's xml.etree instead of QtXml: the reference the index is compared
with. qgis-facts.md section 4.2."""
import xml.etree.ElementTree as ET

FIELDS = ["file_name", "download_url", "description", "about", "author_name", "author_email",
          "homepage", "category", "tags", "changelog", "tracker", "repository", "downloads",
          "average_vote", "rating_votes", "create_date", "update_date", "icon",
          "plugin_dependencies", "qgis_minimum_version", "qgis_maximum_version"]
FLAGS = ["experimental", "deprecated", "trusted", "disabled"]


def text(element, name):
    child = element.find(name)
    if child is None:
        return ""
    return "".join(child.itertext()).strip()


def key_of(entry):
    # fileName = file_name or QFileInfo(download_url.split("?")[0]).fileName(); key = before "."
    name = entry["file_name"] or entry["download_url"].split("?")[0].rsplit("/", 1)[-1]
    return name.partition(".")[0]


def read(data):
    """The entries (dicts) of a plugins.xml, in document order; raises ET.ParseError."""
    root = ET.fromstring(data.replace(b"& ", b"&amp; "))
    entries = []
    for element in root.iter("pyqgis_plugin"):
        entry = {"name": element.get("name", "").strip(), "version": element.get("version", "").strip(),
                 "plugin_id": element.get("plugin_id", "").strip()}
        for field in FIELDS:
            entry[field] = text(element, field)
        for flag in FLAGS:
            entry[flag] = text(element, flag).upper() in ("TRUE", "YES")
        entries.append(entry)
    return entries
