# SPDX-License-Identifier: GPL-2.0-or-later
"""Repository kinds written in Python (docs/python.md, "Source kinds"): registered through
qplug_source_kind_register, synced by a Python function the library calls with the GIL taken
(ctypes callbacks take it), on whichever thread runs the sync."""
import ctypes
import json

from . import _lib
from .errors import from_code

_h = _lib.lib
_vp = ctypes.c_void_p
_cp = ctypes.c_char_p

_SYNC_FN = ctypes.CFUNCTYPE(ctypes.c_int, _vp, _vp, _cp, _cp)
_FREE_FN = ctypes.CFUNCTYPE(None, _vp)


class _Kind(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("tag", _cp), ("summary", _cp), ("backend", _cp),
                ("settings_schema", _cp), ("sync", _SYNC_FN), ("user_data", _vp),
                ("free_user_data", _FREE_FN)]


SOURCE_KIND_VERSION = 1

for _name, (_args, _res) in {
        "qplug_source_kind_init": ([ctypes.POINTER(_Kind), ctypes.c_uint], ctypes.c_int),
        "qplug_source_kind_register": ([ctypes.POINTER(_Kind)], ctypes.c_int),
        "qplug_source_kind_unregister": ([_cp], ctypes.c_int),
        "qplug_source_sync_add_package": ([_vp, _cp], ctypes.c_int),
        "qplug_source_sync_add_plugin_archive": ([ctypes.POINTER(ctypes.c_int), _vp, _cp,
                                                  ctypes.c_size_t, _cp], ctypes.c_int),
        "qplug_source_sync_fetch": ([ctypes.POINTER(_vp), ctypes.POINTER(ctypes.c_size_t), _vp,
                                     _cp], ctypes.c_int),
        "qplug_source_sync_warn": ([_vp, _cp], ctypes.c_int),
        "qplug_source_sync_fail": ([_vp, _cp], ctypes.c_int)}.items():
    _fn = getattr(_h, _name)
    _fn.argtypes = _args
    _fn.restype = _res

# tag -> the C callbacks, kept alive while the library may call them
_registered = {}


def _check(code):
    if code != 0:
        err = _h.qplug_error_last().contents
        message = err.message.decode("utf-8", "replace") if err.message else ""
        raise from_code(code, message or _h.qplug_strerror(code).decode(), err.offset)


class SourceSync:
    """What a sync function receives: hands packages to the index, fetches with qplug's
    fetcher (download limits, proxies, the repository's credentials, cancellation). Valid only
    while the sync function runs."""

    def __init__(self, handle):
        self._handle = handle

    def add_package(self, package):
        """One package: a dict in the shape `qplug info --json` prints a package
        ({"name", "display_name", "summary", "releases": [{"version", "download_url", ...}]})."""
        _check(_h.qplug_source_sync_add_package(self._handle, json.dumps(package).encode()))

    def add_plugin_archive(self, data, download_url, file_name=None, channel=None,
                           update_date=None):
        """A plugin ZIP (bytes), read as a "folder" repository reads its ZIPs. False when QGIS
        would refuse it (a warning then says why)."""
        release = {"download_url": download_url}
        for key, value in (("file_name", file_name), ("channel", channel),
                           ("update_date", update_date)):
            if value is not None:
                release[key] = value
        accepted = ctypes.c_int()
        _check(_h.qplug_source_sync_add_plugin_archive(ctypes.byref(accepted), self._handle,
                                                       bytes(data), len(data),
                                                       json.dumps(release).encode()))
        return bool(accepted.value)

    def fetch(self, url):
        """The body at `url` (bytes)."""
        out = _vp()
        size = ctypes.c_size_t()
        _check(_h.qplug_source_sync_fetch(ctypes.byref(out), ctypes.byref(size), self._handle,
                                          url.encode()))
        try:
            return ctypes.string_at(out, size.value)
        finally:
            _h.qplug_free(out)

    def warn(self, message):
        _check(_h.qplug_source_sync_warn(self._handle, str(message).encode()))


def register_source_kind(tag, schema, sync_function, summary="", backend="legacy"):
    """Registers the repository kind `tag` for this process (replacing one of that tag).

    schema: the options a repository of the kind takes, {"NAME": {"type": "string" | "boolean"
    | "integer" | "number" | "array" | "object", "required": bool, "summary": str}}, checked
    by the library when a repository is added and at each sync. sync_function(sync, url,
    options) reads the repository and hands its packages to `sync` (a SourceSync); an
    exception it raises fails that repository's sync with the exception's message, and the
    index keeps the repository's previous contents."""

    def call(_user, handle, url, options):
        try:
            sync_function(SourceSync(handle), url.decode("utf-8"),
                          json.loads(options.decode("utf-8")))
            return 0
        except BaseException as exc:  # noqa: B036 - nothing may cross back into C
            text = str(exc) or type(exc).__name__
            _h.qplug_source_sync_fail(handle, text.encode("utf-8", "replace"))
            return 1

    kind = _Kind()
    _check(_h.qplug_source_kind_init(ctypes.byref(kind), SOURCE_KIND_VERSION))
    callback = _SYNC_FN(call)
    encoded = (tag.encode(), summary.encode(), backend.encode(),
               json.dumps(schema or {}).encode())
    kind.tag, kind.summary, kind.backend, kind.settings_schema = encoded
    kind.sync = callback
    _check(_h.qplug_source_kind_register(ctypes.byref(kind)))
    _registered[tag] = callback  # (replaces, and so releases, a previous kind's callback)


def unregister_source_kind(tag):
    """Drops a kind registered by register_source_kind (NotFoundError when none)."""
    _check(_h.qplug_source_kind_unregister(tag.encode()))
    # (the callback stays referenced: a sync may still be running with it)
