# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin manager: an Index (repositories, sync, queries, resolution) and a Target (a QGIS
profile or a plugins folder: what is installed, enabling plugins), over the C ABI's handles
(qplug_index_*, qplug_target_*, qplug_resolution_apply; docs/python.md).

Results are the dicts the CLI prints with --json for the same command: one contract.

Threads: an Index or a Target may be used from several threads (the library serializes calls
on one handle; a sync works on a connection of its own, so another thread may search while it
runs). ctypes lets go of the GIL while the library works; progress callbacks run on the thread
that runs the sync or apply, with the GIL taken around them."""
import ctypes
import json

from . import _lib
from .errors import CancelledError, Error, IOError_, from_code

_h = _lib.lib
_vp = ctypes.c_void_p
_out = ctypes.POINTER(ctypes.c_void_p)
_cp = ctypes.c_char_p
_sz = ctypes.c_size_t


class _Progress(ctypes.Structure):
    _fields_ = [("phase", ctypes.c_int), ("name", ctypes.c_char_p),
                ("done", ctypes.c_ulonglong), ("total", ctypes.c_ulonglong)]


_PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_Progress))
PHASES = {0: "fetch", 1: "store", 2: "download", 3: "step"}


class _RepositoryOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("priority", ctypes.c_int),
                ("disabled", ctypes.c_int), ("is_protected", ctypes.c_int),
                ("credentials", _cp), ("options_json", _cp)]


class _SyncOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("qgis_version", _cp), ("force", ctypes.c_int),
                ("progress", _PROGRESS_FN), ("user_data", _vp)]


class _TargetOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("profile", _cp), ("profiles_path", _cp),
                ("plugins_dir", _cp), ("python_exe", _cp), ("conda_prefix", _cp)]


class _ApplyOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("dry_run", ctypes.c_int),
                ("progress", _PROGRESS_FN), ("user_data", _vp), ("log_file", _cp),
                ("conda_executable", _cp), ("break_system_packages", ctypes.c_int),
                ("lock_wait_ms", ctypes.c_int)]


for _name, (_args, _res) in {
        "qplug_index_open": ([_out, _cp, ctypes.c_int], ctypes.c_int),
        "qplug_index_path": ([_vp], _cp),
        "qplug_index_close": ([_vp], None),
        "qplug_repository_options_init": ([ctypes.POINTER(_RepositoryOptions), ctypes.c_uint],
                                          ctypes.c_int),
        "qplug_index_add_repository": ([_out, _vp, _cp, _cp, _cp,
                                        ctypes.POINTER(_RepositoryOptions)], ctypes.c_int),
        "qplug_index_remove_repository": ([_vp, _cp, ctypes.c_int], ctypes.c_int),
        "qplug_index_enable_repository": ([_vp, _cp, ctypes.c_int], ctypes.c_int),
        "qplug_index_repositories": ([_out, _vp], ctypes.c_int),
        "qplug_repositories_to_json": ([_out, _vp], ctypes.c_int),
        "qplug_repositories_free": ([_vp], None),
        "qplug_sync_options_init": ([ctypes.POINTER(_SyncOptions), ctypes.c_uint], ctypes.c_int),
        "qplug_index_sync": ([_out, _vp, ctypes.POINTER(_cp), _sz, ctypes.POINTER(_SyncOptions)],
                             ctypes.c_int),
        "qplug_sync_to_json": ([_out, _vp], ctypes.c_int),
        "qplug_sync_free": ([_vp], None),
        "qplug_index_search": ([_out, _vp, _cp], ctypes.c_int),
        "qplug_index_available": ([_out, _vp, _cp], ctypes.c_int),
        "qplug_index_info": ([_out, _vp, _cp, _cp], ctypes.c_int),
        "qplug_packages_to_json": ([_out, _vp], ctypes.c_int),
        "qplug_packages_free": ([_vp], None),
        "qplug_target_options_init": ([ctypes.POINTER(_TargetOptions), ctypes.c_uint],
                                      ctypes.c_int),
        "qplug_target_open": ([_out, ctypes.POINTER(_TargetOptions)], ctypes.c_int),
        "qplug_target_kind": ([_vp], ctypes.c_int),
        "qplug_target_root": ([_vp], _cp),
        "qplug_target_plugins_dir": ([_vp], _cp),
        "qplug_target_describe": ([_vp], _cp),
        "qplug_target_free": ([_vp], None),
        "qplug_target_installed": ([_out, _vp, _cp, ctypes.c_int], ctypes.c_int),
        "qplug_target_enable": ([_out, _vp, ctypes.POINTER(_cp), _sz, ctypes.c_int],
                                ctypes.c_int),
        "qplug_apply_options_init": ([ctypes.POINTER(_ApplyOptions), ctypes.c_uint],
                                     ctypes.c_int),
        "qplug_resolution_apply": ([_out, _vp, _vp, _vp, ctypes.POINTER(_ApplyOptions)],
                                   ctypes.c_int),
        "qplug_applied_to_json": ([_out, _vp], ctypes.c_int),
        "qplug_applied_free": ([_vp], None),
        "qplug_resolution_write_lock": ([_vp, _cp], ctypes.c_int),
        "qplug_lock_file_read": ([_out, _cp], ctypes.c_int)}.items():
    _fn = getattr(_h, _name)
    _fn.argtypes = _args
    _fn.restype = _res


def _check(code):
    if code != 0:
        err = _h.qplug_error_last().contents
        raise from_code(err.code, err.message.decode("utf-8", "replace"), err.offset)


def _enc(value, name):
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)  # paths
    if "\0" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    return value.encode("utf-8")


def _take_json(pointer):
    """The JSON text the library returned (freed here) as Python data."""
    try:
        return json.loads(ctypes.string_at(pointer.value).decode("utf-8"))
    finally:
        _h.qplug_free(pointer)


def _handle_json(to_json, free, handle):
    try:
        text = _vp()
        _check(to_json(ctypes.byref(text), handle))
        return _take_json(text)
    finally:
        free(handle)


class Progress:
    """What a progress callback receives: `phase` ("fetch": bytes of a repository read,
    "store": packages written into the index, "download": bytes of a package's download,
    "step": steps of a plan carried out), `name` (the repository or package), `done` and
    `total` (0 when unknown)."""

    __slots__ = ("phase", "name", "done", "total")

    def __init__(self, phase, name, done, total):
        self.phase, self.name, self.done, self.total = phase, name, done, total

    def __repr__(self):
        return f"Progress({self.phase!r}, {self.name!r}, {self.done}, {self.total})"


class _Callback:
    """A Python progress callable as a C callback: a true return value stops the operation
    (qplug.CancelledError); an exception it raises stops it too and is raised again once the
    library has returned."""

    def __init__(self, progress):
        self.progress = progress
        self.error = None
        self.c = _PROGRESS_FN(self._call) if progress is not None else _PROGRESS_FN()

    def _call(self, _user, p):
        try:
            c = p.contents
            return 1 if self.progress(Progress(PHASES.get(c.phase, str(c.phase)),
                                               c.name.decode("utf-8", "replace"), c.done,
                                               c.total)) else 0
        except BaseException as exc:  # noqa: B902 (it is raised again after the call)
            self.error = exc
            return 1

    def check(self, code):
        if self.error is not None:
            raise self.error
        _check(code)


def _names(names):
    if names is None:
        return None, 0
    if isinstance(names, str):
        names = [names]
    encoded = [_enc(n, "name") for n in names]
    return (_cp * max(1, len(encoded)))(*encoded), len(encoded)


class SyncError(IOError_):
    """Some repositories could not be synced; `results` holds every repository's outcome (as
    `qplug repo sync --json` lists them), `failed` the ones with an "error"."""

    def __init__(self, message, results):
        super().__init__(message)
        self.results = results
        self.failed = [r for r in results if "error" in r]


class Index:
    """An index database (`path`: default $QPLUG_INDEX or the per-user one), created when it
    does not exist unless `read_only`. Use it as a context manager, or close() it."""

    def __init__(self, path=None, read_only=False):
        self._handle = None
        handle = _vp()
        _check(_h.qplug_index_open(ctypes.byref(handle), _enc(path, "path"), 1 if read_only else 0))
        self._handle = handle
        self.read_only = bool(read_only)

    @property
    def path(self):
        return _h.qplug_index_path(self._live()).decode("utf-8")

    def _live(self):
        if self._handle is None:
            raise Error("the index is closed")
        return self._handle

    def close(self):
        if self._handle is not None:
            _h.qplug_index_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    # ---- repositories ----------------------------------------------------------------

    def add_repository(self, name, url, kind="legacy", options=None, priority=0, enabled=True,
                       protected=False, credentials=None):
        """Adds a repository (kind: "legacy", "folder", "pip", "conda", "installed"; options:
        a dict of the kind's settings). Returns it as `qplug repo add --json` prints it."""
        o = _RepositoryOptions()
        _check(_h.qplug_repository_options_init(ctypes.byref(o), 1))
        o.priority = int(priority)
        o.disabled = 0 if enabled else 1
        o.is_protected = 1 if protected else 0
        o.credentials = _enc(credentials, "credentials")
        o.options_json = None if options is None else json.dumps(options).encode("utf-8")
        out = _vp()
        _check(_h.qplug_index_add_repository(ctypes.byref(out), self._live(), _enc(name, "name"),
                                             _enc(url, "url"), _enc(kind, "kind"),
                                             ctypes.byref(o)))
        return _take_json(out)

    def remove_repository(self, name, force=False):
        _check(_h.qplug_index_remove_repository(self._live(), _enc(name, "name"), int(bool(force))))

    def enable_repository(self, name):
        _check(_h.qplug_index_enable_repository(self._live(), _enc(name, "name"), 1))

    def disable_repository(self, name):
        _check(_h.qplug_index_enable_repository(self._live(), _enc(name, "name"), 0))

    def repositories(self):
        """Every repository as `qplug repo list --json` lists them."""
        handle = _vp()
        _check(_h.qplug_index_repositories(ctypes.byref(handle), self._live()))
        return _handle_json(_h.qplug_repositories_to_json, _h.qplug_repositories_free,
                            handle)["repositories"]

    def sync(self, name=None, progress=None, qgis=None, force=False):
        """Syncs one repository (a name), several (a list) or every enabled one (None), as
        `qplug repo sync` does, each in its own transaction. progress(Progress) is called on
        this thread; a true return value stops the sync: CancelledError, and the repository
        being synced keeps exactly its previous contents. Returns each repository's outcome
        as `qplug repo sync --json` lists them; raises SyncError when one failed."""
        array, count = _names(name)
        callback = _Callback(progress)
        o = _SyncOptions()
        _check(_h.qplug_sync_options_init(ctypes.byref(o), 1))
        o.qgis_version = _enc(qgis, "qgis")
        o.force = int(bool(force))
        o.progress = callback.c
        handle = _vp()
        callback.check(_h.qplug_index_sync(ctypes.byref(handle), self._live(), array, count,
                                           ctypes.byref(o)))
        results = _handle_json(_h.qplug_sync_to_json, _h.qplug_sync_free, handle)["synced"]
        failed = [r for r in results if "error" in r]
        if failed:
            raise SyncError("; ".join(f"{r['repository']}: {r['error']}" for r in failed), results)
        return results

    # ---- queries ---------------------------------------------------------------------

    def _packages(self, function, *args):
        handle = _vp()
        _check(function(ctypes.byref(handle), self._live(), *args))
        return _handle_json(_h.qplug_packages_to_json, _h.qplug_packages_free, handle)

    def search(self, text=""):
        """Packages whose name, display name, summary or tags contain `text` (any case), as
        `qplug search TEXT --json` lists them ("" lists every package)."""
        return self._packages(_h.qplug_index_search, _enc(text, "text"))["packages"]

    def available(self, qgis=None):
        """Every package of the enabled repositories with what QGIS `qgis` (default: as
        resolution detects it) is offered of it: `qplug list --json`."""
        return self._packages(_h.qplug_index_available, _enc(qgis, "qgis"))["packages"]

    def info(self, name, qgis=None):
        """One package, every repository's releases: `qplug info NAME --json`. NotFoundError
        when no repository has it."""
        out = _vp()
        _check(_h.qplug_index_info(ctypes.byref(out), self._live(), _enc(name, "name"),
                                   _enc(qgis, "qgis")))
        return _take_json(out)

    def resolve(self, requests, target=None, qgis=None, action="install", **policy):
        """Plans requests ("Name", "Name==1.2", "pip:numpy>=1.26", ...) for a Target (None:
        the default profile) exactly as `qplug resolve` does. Keywords: python, platform,
        allow_experimental, allow_deprecated, allow_downgrade, allow_uninstall,
        exclude_newer, lock_file, offline. Returns a Resolution; apply() carries it out."""
        from .resolve import _resolve_with_handles
        return _resolve_with_handles(self, target, requests, qgis, action, policy)


class Target:
    """Where plugins are installed: a QGIS profile (`profile`: a folder, or a name under
    `profiles_path`; neither: QGIS's default profile) or a plain `plugins_dir`, with the
    Python environment of `python` (an interpreter; "none": no environment)."""

    def __init__(self, profile=None, plugins_dir=None, python=None, profiles_path=None,
                 conda_prefix=None):
        self._handle = None
        o = _TargetOptions()
        _check(_h.qplug_target_options_init(ctypes.byref(o), 1))
        o.profile = _enc(profile, "profile")
        o.profiles_path = _enc(profiles_path, "profiles_path")
        o.plugins_dir = _enc(plugins_dir, "plugins_dir")
        o.python_exe = _enc(python, "python")
        o.conda_prefix = _enc(conda_prefix, "conda_prefix")
        handle = _vp()
        _check(_h.qplug_target_open(ctypes.byref(handle), ctypes.byref(o)))
        self._handle = handle

    def _live(self):
        if self._handle is None:
            raise Error("the target is closed")
        return self._handle

    @property
    def kind(self):
        """"profile" or "plugins_dir"."""
        return "profile" if _h.qplug_target_kind(self._live()) == 0 else "plugins_dir"

    @property
    def root(self):
        return _h.qplug_target_root(self._live()).decode("utf-8")

    @property
    def plugins_dir(self):
        return _h.qplug_target_plugins_dir(self._live()).decode("utf-8")

    def __repr__(self):
        if self._handle is None:
            return "<qplug.Target (closed)>"
        return f"<qplug.Target {_h.qplug_target_describe(self._handle).decode('utf-8')}>"

    def close(self):
        if self._handle is not None:
            _h.qplug_target_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def installed(self, qgis=None, environment=False):
        """What is installed, as `qplug list --installed --json` lists it (with
        environment=True also the Python environment's own packages)."""
        handle = _vp()
        _check(_h.qplug_target_installed(ctypes.byref(handle), self._live(), _enc(qgis, "qgis"),
                                         int(bool(environment))))
        return _handle_json(_h.qplug_packages_to_json, _h.qplug_packages_free,
                            handle)["installed"]

    def _enable(self, names, enable):
        array, count = _names(list(names))
        out = _vp()
        _check(_h.qplug_target_enable(ctypes.byref(out), self._live(), array, count, enable))
        return _take_json(out)

    def enable(self, *names):
        """Has QGIS start installed plugins (folder names) of this profile, as its Plugin
        Manager does; returns `qplug enable --json`."""
        return self._enable(names, 1)

    def disable(self, *names):
        """Has QGIS no longer start them; returns `qplug disable --json`."""
        return self._enable(names, 0)


def _apply(resolution, progress, dry_run, log_file):
    callback = _Callback(progress)
    o = _ApplyOptions()
    _check(_h.qplug_apply_options_init(ctypes.byref(o), 1))
    o.dry_run = int(bool(dry_run))
    o.progress = callback.c
    o.log_file = _enc(log_file, "log_file")
    handle = _vp()
    callback.check(_h.qplug_resolution_apply(ctypes.byref(handle), resolution._handle,
                                             resolution._index._live(),
                                             resolution._target._live(), ctypes.byref(o)))
    return _handle_json(_h.qplug_applied_to_json, _h.qplug_applied_free, handle)


def read_lock_file(path):
    """A lock file's contents (requests, QGIS, Python, packages) as a dict."""
    out = _vp()
    _check(_h.qplug_lock_file_read(ctypes.byref(out), _enc(path, "path")))
    return _take_json(out)


__all__ = ["Index", "Target", "Progress", "SyncError", "CancelledError", "read_lock_file"]
