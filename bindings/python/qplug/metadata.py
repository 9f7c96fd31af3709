# SPDX-License-Identifier: GPL-2.0-or-later
"""metadata.txt and plugin ZIPs: parse, validate by profile, check packages."""
import ctypes
import json
import os
from dataclasses import dataclass

from . import _lib
from .errors import InvalidError, NotFoundError, from_code

_l = _lib.lib
PROFILES = {"qgis": 0, "site": 1, "strict": 2}
KEY_MODES = {"qgis": 0, "site": 1}
SEVERITIES = {1: "info", 2: "warning", 3: "error"}


def _check(code):
    if code != 0:
        err = _l.qplug_error_last().contents
        message = err.message.decode("utf-8", "replace") if err.message else ""
        raise from_code(code, message or _l.qplug_strerror(code).decode(), err.offset)


def _text(p):
    return p.decode("utf-8", "replace") if p is not None else None


def _take_string(out):
    try:
        return ctypes.string_at(out).decode("utf-8", "replace")
    finally:
        _l.qplug_free(out)


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a stable rule id (spec/metadata.json), where, what, and what to do."""

    rule: str
    severity: str
    file: str
    line: int
    column: int
    offset: int
    key: str
    message: str
    hint: str
    source_line: str

    def __str__(self):
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


def _diagnostics(handle):
    out = []
    for i in range(_l.qplug_diagnostics_count(handle)):
        out.append(Diagnostic(
            rule=_text(_l.qplug_diagnostic_rule(handle, i)),
            severity=SEVERITIES.get(_l.qplug_diagnostic_severity(handle, i), "off"),
            file=_text(_l.qplug_diagnostic_file(handle, i)),
            line=_l.qplug_diagnostic_line(handle, i),
            column=_l.qplug_diagnostic_column(handle, i),
            offset=_l.qplug_diagnostic_offset(handle, i),
            key=_text(_l.qplug_diagnostic_key(handle, i)),
            message=_text(_l.qplug_diagnostic_message(handle, i)),
            hint=_text(_l.qplug_diagnostic_hint(handle, i)),
            source_line=_text(_l.qplug_diagnostic_source_line(handle, i))))
    return out


def _choice(table, value, what):
    try:
        return table[value]
    except KeyError:
        raise NotFoundError(f"unknown {what} {value!r} (known: {', '.join(table)})") from None


class Document:
    """A parsed metadata.txt. Mapping-like over [general]: doc["name"], "version" in doc, dict(doc)
    (values as configparser's get() returns them; None for a key whose interpolation fails)."""

    def __init__(self, handle, owner=None):
        self._handle = handle
        self._owner = owner  # a package report keeps the handle alive when it owns it

    def __del__(self):
        if self._owner is None and getattr(self, "_handle", None):
            _l.qplug_document_free(self._handle)
            self._handle = None

    @property
    def ok(self):
        """True when configparser reads the file without raising."""
        return bool(_l.qplug_document_ok(self._handle))

    def keys(self):
        return [_text(_l.qplug_document_key(self._handle, i))
                for i in range(_l.qplug_document_key_count(self._handle))]

    def get(self, key, default=None):
        """get("general", key) in the document's key mode: `default` when the key is absent,
        None when its interpolation fails."""
        if not self._has(key):
            return default
        return _text(_l.qplug_document_get(self._handle, key.encode("utf-8")))

    def _has(self, key):
        return bool(_l.qplug_document_has(self._handle, key.encode("utf-8")))

    def __getitem__(self, key):
        if key not in self:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key):
        return self._has(key)

    def __iter__(self):
        return iter(self.keys())

    def items(self):
        return [(k, self.get(k)) for k in self.keys()]

    @property
    def diagnostics(self):
        """The parse's own findings."""
        return _diagnostics(_l.qplug_document_diagnostics(self._handle))

    def validate(self, profile="qgis", check_links=False, plugin_dir=None):
        """Every finding under the profile ("qgis", "site", "strict")."""
        options = _lib.ValidateOptions()
        _check(_l.qplug_validate_options_init(ctypes.byref(options), _lib.VALIDATE_OPTIONS_VERSION))
        options.profile = _choice(PROFILES, profile, "profile")
        options.check_links = int(bool(check_links))
        options.plugin_dir = os.fsencode(plugin_dir) if plugin_dir is not None else None
        out = ctypes.c_void_p()
        _check(_l.qplug_metadata_validate(ctypes.byref(out), self._handle, ctypes.byref(options)))
        try:
            return _diagnostics(out)
        finally:
            _l.qplug_diagnostics_free(out)

    def to_json(self):
        """Entries with positions and the typed view, as a dict."""
        out = ctypes.c_void_p()
        _check(_l.qplug_document_to_json(ctypes.byref(out), self._handle))
        return json.loads(_take_string(out))

    def format(self):
        """Canonical metadata.txt text."""
        out = ctypes.c_void_p()
        _check(_l.qplug_document_format(ctypes.byref(out), self._handle))
        return _take_string(out)


def _parse_options(keys, lenient, file_name):
    options = _lib.ParseOptions()
    _check(_l.qplug_parse_options_init(ctypes.byref(options), _lib.PARSE_OPTIONS_VERSION))
    options.keys = _choice(KEY_MODES, keys, "key mode")
    options.lenient = int(bool(lenient))
    options.file_name = file_name.encode("utf-8") if file_name else None
    return options


def parse_metadata(data, keys="qgis", lenient=False, file_name="metadata.txt"):
    """Parses metadata.txt bytes (or str, encoded as UTF-8) as QGIS (keys="qgis") or
    plugins.qgis.org (keys="site") reads them."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("data must be bytes or str")
    options = _parse_options(keys, lenient, file_name)
    out = ctypes.c_void_p()
    _check(_l.qplug_metadata_parse(ctypes.byref(out), bytes(data), len(data), ctypes.byref(options)))
    return Document(out)


def parse_metadata_file(path, keys="qgis", lenient=False):
    options = _parse_options(keys, lenient, None)
    out = ctypes.c_void_p()
    _check(_l.qplug_metadata_parse_file(ctypes.byref(out), os.fsencode(path), ctypes.byref(options)))
    return Document(out)


class PackageReport:
    """The result of check_package: valid, package_name, diagnostics, metadata (a Document as
    the site reads it, or None)."""

    def __init__(self, handle):
        self._handle = handle
        self.valid = bool(_l.qplug_package_valid(handle))
        self.package_name = _text(_l.qplug_package_name(handle))
        self.diagnostics = _diagnostics(_l.qplug_package_diagnostics(handle))
        meta = _l.qplug_package_metadata(handle)
        self.metadata = Document(meta, owner=self) if meta else None

    def __del__(self):
        if getattr(self, "_handle", None):
            _l.qplug_package_free(self._handle)
            self._handle = None

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self):
        return [d for d in self.diagnostics if d.severity == "warning"]


def check_package(package, profile="site", new_plugin=False, package_name=None, check_links=False,
                  max_size=None):
    """Checks a plugin ZIP (bytes, a file object, or a path) as plugins.qgis.org does on upload."""
    options = _lib.PackageOptions()
    _check(_l.qplug_package_options_init(ctypes.byref(options), _lib.PACKAGE_OPTIONS_VERSION))
    options.profile = _choice(PROFILES, profile, "profile")
    options.new_plugin = int(bool(new_plugin))
    options.expected_package_name = package_name.encode("utf-8") if package_name else None
    options.check_links = int(bool(check_links))
    options.max_size = int(max_size or 0)
    out = ctypes.c_void_p()
    if isinstance(package, (bytes, bytearray)):
        _check(_l.qplug_package_check(ctypes.byref(out), bytes(package), len(package), ctypes.byref(options)))
    elif hasattr(package, "read"):
        data = package.read()
        _check(_l.qplug_package_check(ctypes.byref(out), data, len(data), ctypes.byref(options)))
    elif isinstance(package, (str, os.PathLike)):
        _check(_l.qplug_package_check_file(ctypes.byref(out), os.fsencode(package), ctypes.byref(options)))
    else:
        raise InvalidError("package must be bytes, a file object or a path")
    return PackageReport(out)


def metadata_spec():
    """spec/metadata.json as a dict."""
    return json.loads(_l.qplug_metadata_spec_json().decode("utf-8"))
