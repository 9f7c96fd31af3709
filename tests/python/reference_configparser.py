# SPDX-License-Identifier: GPL-2.0-or-later
"""How QGIS desktop and plugins.qgis.org read a metadata.txt with Python's configparser, as the
reference `qplug meta show --json` is held to:

  qgis: ConfigParser(); read_file(codecs.open(path, "r", "utf8"))        (qgis.utils.findPlugins)
  site: ConfigParser(); optionxform = str;
        read_file(StringIO(codecs.decode(bytes, "utf8")))              (plugins/validator.py)

The result is {"ok", "general"}: ok is whether read_file raised; general maps options('general')
to get('general', key), None where interpolation fails; None when there is no [general].
"""
import codecs
import configparser
import io
import os
import tempfile


def read(data: bytes, mode: str):
    cp = configparser.ConfigParser()
    if mode == "site":
        cp.optionxform = str
    try:
        if mode == "qgis":
            with tempfile.NamedTemporaryFile(delete=False) as tmp:
                tmp.write(data)
            try:
                with codecs.open(tmp.name, "r", "utf8") as f:
                    cp.read_file(f)
            finally:
                os.unlink(tmp.name)
        else:
            cp.read_file(io.StringIO(codecs.decode(data, "utf8")))
    except Exception:
        return {"ok": False, "general": None}
    if not cp.has_section("general"):
        return {"ok": True, "general": None}
    general = {}
    for key in cp.options("general"):
        try:
            general[key] = cp.get("general", key)
        except Exception:
            general[key] = None
    return {"ok": True, "general": general}


def read_raw(data: bytes, mode: str):
    """Every section's raw values (no interpolation), [DEFAULT] included; None when
    read_file raises."""
    cp = configparser.ConfigParser(interpolation=None)
    if mode == "site":
        cp.optionxform = str
    try:
        text = codecs.decode(data, "utf8")
        if mode == "qgis":
            cp.read_file(io.StringIO(text, newline=None) if False else _codecs_lines(text))
        else:
            cp.read_file(io.StringIO(text))
    except Exception:
        return None
    out = {"DEFAULT": dict(cp.defaults())}
    for s in cp.sections():
        out[s] = {k: v for k, v in cp._sections[s].items()}
    return out


def _codecs_lines(text):
    """The lines codecs.open yields: str.splitlines with the line breaks kept."""
    return iter(text.splitlines(keepends=True))
