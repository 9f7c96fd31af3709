# SPDX-License-Identifier: GPL-2.0-or-later
"""qplug: QGIS plugin metadata, versions and dependency resolution (ctypes binding of libqplug).

Versions::

    >>> import qplug
    >>> qplug.compare("1.0", "1.0.0")                          # QGIS >= 3.42
    0
    >>> qplug.compare("1.0", "1.0.0", scheme="qgis-classic")   # QGIS <= 3.40
    -1
    >>> qplug.sorted(["1.10", "1.9", "1.0rc1"], scheme="pep440")
    ['1.0rc1', '1.9', '1.10']
    >>> qplug.satisfies("1.5", ">=1.0,<2", scheme="pep440")
    True
    >>> bool(qplug.compatible("3.34.5", "3.22", "3.34"))
    True

Schemes: "qgis" (default), "qgis-classic", "pep440", "conda".

Metadata::

    >>> doc = qplug.parse_metadata(b"[general]\\nname=Foo\\nversion=1.0\\n")
    >>> doc.ok, doc["name"]
    (True, 'Foo')
    >>> [d.rule for d in doc.validate(profile="site")][:2]
    ['META-REQ-QGISMINIMUMVERSION', 'META-REQ-DESCRIPTION']
    >>> report = qplug.check_package("plugin.zip")          # doctest: +SKIP

The plugin manager (docs/python.md)::

    >>> index = qplug.Index()                                 # doctest: +SKIP
    >>> index.add_repository("local", "/srv/zips", kind="folder")  # doctest: +SKIP
    >>> index.sync(progress=print)                            # doctest: +SKIP
    >>> target = qplug.Target(profile="default")              # doctest: +SKIP
    >>> index.resolve(["Koordinates"], target=target).apply()  # doctest: +SKIP
"""
import ctypes

from . import _lib
from .errors import (CancelledError, Error, InvalidError, IOError_, NotFoundError,
                     ParseError, UnsatisfiableError, from_code)

from .metadata import (Diagnostic, Document, PackageReport, check_package, metadata_spec,  # noqa: E402
                       parse_metadata, parse_metadata_file)
from .resolve import Resolution, resolve  # noqa: E402
from .manager import Index, Progress, SyncError, Target, read_lock_file  # noqa: E402
from .source_kinds import SourceSync, register_source_kind, unregister_source_kind  # noqa: E402

__all__ = ["compare", "sort_key", "sorted", "normalize", "satisfies", "is_valid", "compatible",
           "Compatibility", "Error", "ParseError", "InvalidError", "NotFoundError",
           "UnsatisfiableError", "library_version", "SCHEMES", "parse_metadata",
           "parse_metadata_file", "check_package", "metadata_spec", "Document", "Diagnostic",
           "PackageReport", "resolve", "Resolution", "Index", "Target", "Progress", "SyncError",
           "CancelledError", "IOError_", "read_lock_file", "register_source_kind",
           "unregister_source_kind", "SourceSync"]

_lib_handle = _lib.lib
SCHEMES = {"qgis": 0, "qgis-classic": 1, "pep440": 2, "conda": 3}


def library_version():
    """The linked libqplug's version string."""
    return _lib_handle.qplug_version().decode()


__version__ = library_version()


def _raise_last(code):
    err = _lib_handle.qplug_error_last().contents
    message = err.message.decode("utf-8", "replace") if err.message else ""
    raise from_code(code, message or _lib_handle.qplug_strerror(code).decode(), err.offset)


def _check(code):
    if code != 0:
        _raise_last(code)


def _text(value, name):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidError(f"{name} must not contain NUL characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidError(f"{name} is not encodable as UTF-8: {exc}") from None


def _scheme(scheme):
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise NotFoundError(f"unknown version scheme {scheme!r} (known: {', '.join(SCHEMES)})") from None


def compare(a, b, scheme="qgis"):
    """-1, 0 or 1 as `a` is older than, equal to or newer than `b`."""
    out = ctypes.c_int()
    _check(_lib_handle.qplug_version_compare(ctypes.byref(out), _scheme(scheme), _text(a, "a"),
                                             _text(b, "b")))
    return out.value


def normalize(version, scheme="qgis"):
    """The scheme's normalized spelling of `version`."""
    out = ctypes.c_void_p()
    _check(_lib_handle.qplug_version_normalize(ctypes.byref(out), _scheme(scheme),
                                               _text(version, "version")))
    try:
        return ctypes.string_at(out).decode("utf-8")
    finally:
        _lib_handle.qplug_free(out)


def sort_key(version, scheme="qgis"):
    """Bytes whose order is the scheme's order: sorted(vs, key=qplug.sort_key)."""
    out = ctypes.c_void_p()
    size = ctypes.c_size_t()
    _check(_lib_handle.qplug_version_sort_key(ctypes.byref(out), ctypes.byref(size), _scheme(scheme),
                                              _text(version, "version")))
    try:
        return ctypes.string_at(out, size.value)
    finally:
        _lib_handle.qplug_free(out)


def sorted(versions, scheme="qgis", reverse=False):
    """The versions in ascending order (stable), newest first with reverse=True."""
    items = list(versions)
    encoded = [_text(v, "version") for v in items]
    array = (ctypes.c_char_p * len(encoded))(*encoded)
    order = (ctypes.c_size_t * len(encoded))()
    _check(_lib_handle.qplug_version_sort(order, _scheme(scheme), array, len(encoded)))
    result = [items[i] for i in order]
    if reverse:
        result.reverse()
    return result


def satisfies(version, spec, scheme="qgis", prereleases=None):
    """Whether `version` satisfies `spec` in the scheme's specifier language.

    prereleases: None for the scheme's rule, True or False to override it (pep440)."""
    out = ctypes.c_int()
    pre = -1 if prereleases is None else int(bool(prereleases))
    _check(_lib_handle.qplug_version_satisfies(ctypes.byref(out), _scheme(scheme),
                                               _text(version, "version"), _text(spec, "spec"), pre))
    return bool(out.value)


def is_valid(version, scheme="qgis"):
    """Whether `version` is a valid version of the scheme."""
    out = ctypes.c_int()
    _check(_lib_handle.qplug_version_is_valid(ctypes.byref(out), _scheme(scheme),
                                              _text(version, "version")))
    return bool(out.value)


class Compatibility:
    """The answer of compatible(); true when compatible."""

    __slots__ = ("compatible", "qgis", "minimum", "maximum", "reason", "rules")

    def __init__(self, compatible, qgis, minimum, maximum, reason, rules):
        self.compatible = compatible
        self.qgis = qgis
        self.minimum = minimum
        self.maximum = maximum
        self.reason = reason
        self.rules = rules

    def __bool__(self):
        return self.compatible

    def __repr__(self):
        return (f"Compatibility(compatible={self.compatible!r}, qgis={self.qgis!r}, "
                f"minimum={self.minimum!r}, maximum={self.maximum!r}, reason={self.reason!r}, "
                f"rules={self.rules!r})")


def compatible(qgis, minimum, maximum=None, rules="installer", bump_dev_major=True,
               installed_plugin=False):
    """Whether a plugin with qgisMinimumVersion `minimum` and qgisMaximumVersion `maximum`
    runs on QGIS `qgis`, under the plugin installer's rules or the C++ loader's."""
    if rules not in ("installer", "loader"):
        raise InvalidError(f"rules must be 'installer' or 'loader', not {rules!r}")
    options = _lib.CompatOptions()
    _check(_lib_handle.qplug_compat_options_init(ctypes.byref(options), _lib.COMPAT_OPTIONS_VERSION))
    options.rules = 0 if rules == "installer" else 1
    options.bump_dev_major = int(bool(bump_dev_major))
    options.installed_plugin = int(bool(installed_plugin))
    handle = ctypes.c_void_p()
    _check(_lib_handle.qplug_compat_check(ctypes.byref(handle), _text(qgis, "qgis"),
                                          _text(minimum, "minimum"),
                                          None if maximum is None else _text(maximum, "maximum"),
                                          ctypes.byref(options)))
    try:
        def text(fn):
            return fn(handle).decode("utf-8")
        return Compatibility(bool(_lib_handle.qplug_compat_is_compatible(handle)),
                             text(_lib_handle.qplug_compat_qgis),
                             text(_lib_handle.qplug_compat_minimum),
                             text(_lib_handle.qplug_compat_maximum),
                             text(_lib_handle.qplug_compat_reason), rules)
    finally:
        _lib_handle.qplug_compat_free(handle)
