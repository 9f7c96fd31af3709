# SPDX-License-Identifier: GPL-2.0-or-later
"""Resolution against a qplug index (qplug_resolve): a plan, or an explanation."""
import ctypes
import json

from . import _lib
from .errors import InvalidError, UnsatisfiableError, from_code

_h = _lib.lib
ACTIONS = {"install": 0, "upgrade": 1, "remove": 2}


class ResolveOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("qgis_version", ctypes.c_char_p),
                ("python_version", ctypes.c_char_p), ("platform", ctypes.c_char_p),
                ("allow_experimental", ctypes.c_int), ("allow_deprecated", ctypes.c_int),
                ("allow_downgrade", ctypes.c_int), ("allow_uninstall", ctypes.c_int),
                ("exclude_newer", ctypes.c_char_p),
                # version 2: the target
                ("profile", ctypes.c_char_p), ("profiles_path", ctypes.c_char_p),
                ("plugins_dir", ctypes.c_char_p), ("python_exe", ctypes.c_char_p),
                ("lock_file", ctypes.c_char_p), ("offline", ctypes.c_int)]


for _name, (_args, _res) in {
        "qplug_resolve_options_init": ([ctypes.POINTER(ResolveOptions), ctypes.c_uint], ctypes.c_int),
        "qplug_resolve": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_int,
                           ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
                           ctypes.POINTER(ResolveOptions)], ctypes.c_int),
        "qplug_resolution_solved": ([ctypes.c_void_p], ctypes.c_int),
        "qplug_index_resolve": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_void_p,
                                 ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
                                 ctypes.POINTER(ResolveOptions)], ctypes.c_int),
        "qplug_resolution_to_json": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p], ctypes.c_int),
        "qplug_resolution_free": ([ctypes.c_void_p], None)}.items():
    _fn = getattr(_h, _name)
    _fn.argtypes = _args
    _fn.restype = _res


def _check(code):
    if code != 0:
        err = _h.qplug_error_last().contents
        raise from_code(err.code, err.message.decode("utf-8", "replace"), err.offset)


class ProblemNode:
    """A node of the problem graph: `kind` ("root", "package", "missing", "constraint"),
    `name` (a package's key, "qgis", "python", a pin's target, a missing dependency),
    `display`, `backend` ("legacy", "pip", "conda" or None), `versions`, `installed`."""

    def __init__(self, data):
        self.id = data["id"]
        self.kind = data["kind"]
        self.name = data.get("name", "")
        self.display = data.get("display", "")
        self.backend = data.get("backend")
        self.versions = data.get("versions", [])
        self.installed = data.get("installed", [])

    def __repr__(self):
        if self.kind == "root":
            return "<ProblemNode root>"
        return f"<ProblemNode {self.kind} {self.display} {', '.join(self.versions)}>".replace(
            " >", ">")


class ProblemEdge:
    """`kind` ("requires", "conflicts", "excludes") from node `source` to node `target`;
    `dependency` as the user reads it (requires)."""

    def __init__(self, data, nodes):
        self.kind = data["kind"]
        self.source = nodes[data["from"]]
        self.target = nodes[data["to"]]
        self.dependency = data["dependency"]

    def __repr__(self):
        return f"<ProblemEdge {self.source.display or 'root'} {self.kind} {self.target.display}>"


class ProblemCause:
    """A root cause: `kind` ("missing", "platform", "constraint", "module_conflict",
    "one_version", "pin", "removal_needed", "external", "installed_kept", "not_downgraded",
    "unknown"), `subject`, the `nodes` it involves, libsolv's `problems` it comes from, and
    its sentence `text` (the same as Resolution.causes)."""

    def __init__(self, data, nodes):
        self.kind = data["kind"]
        self.subject = data["subject"]
        self.nodes = [nodes[n] for n in data["nodes"]]
        self.problems = data["problems"]
        self.text = data["text"]

    @property
    def names(self):
        """The names of the nodes it involves."""
        return [n.name for n in self.nodes]

    def __repr__(self):
        return f"<ProblemCause {self.kind}: {self.text}>"


class SolutionAction:
    """`kind` ("drop_request", "drop_pin", "remove", "replace", "change_external", "retarget",
    "accept_older", "add_repository"), `subject` (a pin), the `nodes` of the releases it
    names and their `versions`."""

    def __init__(self, data, nodes):
        self.kind = data["kind"]
        self.subject = data["subject"]
        self.nodes = [nodes[n] for n in data["nodes"]]
        self.versions = data["versions"]

    def __repr__(self):
        return f"<SolutionAction {self.kind} {[n.display for n in self.nodes]} {self.versions}>"


class ProblemSolution:
    """Its `actions` and its sentence `text` (the same as Resolution.solutions)."""

    def __init__(self, data, nodes):
        self.actions = [SolutionAction(a, nodes) for a in data["actions"]]
        self.text = data["text"]

    def __repr__(self):
        return f"<ProblemSolution: {self.text}>"


class Problems:
    """Why there is no plan, as data (docs/resolve.md, "The problem graph"): `count`
    (libsolv's independent problems), `nodes` (node 0 is the request), `edges`, `causes`,
    `paths` (lists of nodes from the request to a cause) and `solutions`."""

    def __init__(self, data):
        data = data or {"count": 0, "nodes": [], "edges": [], "causes": [], "paths": [],
                        "solutions": []}
        self.data = data
        self.count = data["count"]
        self.nodes = [ProblemNode(n) for n in data["nodes"]]
        self.edges = [ProblemEdge(e, self.nodes) for e in data["edges"]]
        self.causes = [ProblemCause(c, self.nodes) for c in data["causes"]]
        self.paths = [[self.nodes[n] for n in path] for path in data["paths"]]
        self.solutions = [ProblemSolution(s, self.nodes) for s in data["solutions"]]

    def __bool__(self):
        return bool(self.causes)

    def __repr__(self):
        return f"<Problems: {len(self.causes)} causes, {len(self.nodes)} nodes>"


class Resolution:
    """What qplug_resolve found: `solved`, the plan's `steps` (dicts with action, backend,
    name, display_name, version, from_version, download_url, reason ...), `load_order`,
    `why` (name -> chain of requirements), and when not solved `causes`, `paths`,
    `solutions` and `proof` (sentences) and `problems` (the same as objects: Problems)
    (docs/resolve.md). `data` is `qplug resolve --json --proof`.
    One made by Index.resolve() can be applied (apply()) and locked (write_lock())."""

    def __init__(self, data, handle=None, index=None, target=None):
        self.data = data
        self._handle = handle
        self._index = index    # kept alive with the resolution: apply() needs both
        self._target = target
        self.solved = data["solved"]
        self.steps = data["plan"]["steps"]
        self.load_order = data["plan"]["load_order"]
        self.warnings = data["plan"]["warnings"]
        self.why = data["why"]
        explanation = data.get("explanation", {})
        self.causes = explanation.get("summary", [])
        self.paths = explanation.get("paths", [])
        self.solutions = explanation.get("solutions", [])
        self.proof = explanation.get("proof", [])
        self.problems = Problems(explanation.get("problems"))

    def __bool__(self):
        return self.solved

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None:
            _h.qplug_resolution_free(handle)

    def _applicable(self):
        if self._handle is None:
            raise InvalidError("only a resolution made by Index.resolve() can be applied")

    def apply(self, progress=None, dry_run=False, log_file=None):
        """Carries the plan out in its target, as `qplug install|upgrade|remove` does: under
        the target's lock the plan is made again and must be the same (else InvalidError:
        resolve again), pip and conda run, plugin folders are swapped atomically, the plugins
        installed are enabled in the profile. progress(qplug.Progress) is called with
        "download" (bytes) and "step" reports; a true return value stops before the plugin
        folders change (CancelledError). Returns `qplug install --json` (with "applied",
        "enabled"). UnsatisfiableError when there is no plan."""
        self._applicable()
        from .manager import _apply
        return _apply(self, progress, dry_run, log_file)

    def write_lock(self, path):
        """Writes the lock file of the plan (requests, versions, URLs, hashes) to `path`."""
        self._applicable()
        _check(_h.qplug_resolution_write_lock(self._handle, str(path).encode("utf-8")))

    def raise_if_unsolved(self):
        """Raises UnsatisfiableError with the root causes when there is no solution."""
        if not self.solved:
            raise UnsatisfiableError("; ".join(self.causes))
        return self

    def __repr__(self):
        if self.solved:
            return "<Resolution: " + ", ".join(
                f"{s['action']} {s['display_name']} {s['version']}" for s in self.steps) + ">"
        return "<Resolution unsolved: " + "; ".join(self.causes) + ">"


def _options(qgis, python, platform, allow_experimental, allow_deprecated, allow_downgrade,
             allow_uninstall, exclude_newer, profile, profiles_path, plugins_dir, python_exe,
             lock_file, offline):
    options = ResolveOptions()
    _check(_h.qplug_resolve_options_init(ctypes.byref(options), 2))
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    options.qgis_version = enc(qgis)
    options.python_version = enc(python)
    options.platform = enc(platform)
    options.allow_experimental = int(bool(allow_experimental))
    options.allow_deprecated = int(bool(allow_deprecated))
    options.allow_downgrade = int(bool(allow_downgrade))
    options.allow_uninstall = int(bool(allow_uninstall))
    options.exclude_newer = enc(exclude_newer)
    options.profile = enc(profile)
    options.profiles_path = enc(profiles_path)
    options.plugins_dir = enc(plugins_dir)
    options.python_exe = enc(python_exe)
    options.lock_file = enc(lock_file)
    options.offline = int(bool(offline))
    return options


def _requests(requests, action):
    if isinstance(requests, str):
        requests = [requests]
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {sorted(ACTIONS)}")
    encoded = [r.encode() for r in requests]
    return (ctypes.c_char_p * max(1, len(encoded)))(*encoded), len(encoded)


def _json_of(handle):
    text = ctypes.c_void_p()
    _check(_h.qplug_resolution_to_json(ctypes.byref(text), handle))
    try:
        return json.loads(ctypes.string_at(text.value).decode())
    finally:
        _h.qplug_free(text)


def _resolve_with_handles(index, target, requests, qgis, action, policy):
    """Index.resolve(): qplug_index_resolve over the index's and the target's handles."""
    known = {"python", "platform", "allow_experimental", "allow_deprecated", "allow_downgrade",
             "allow_uninstall", "exclude_newer", "lock_file", "offline"}
    unknown = sorted(set(policy) - known)
    if unknown:
        raise TypeError(f"resolve() got unexpected keyword arguments {unknown}")
    array, count = _requests(requests, action)
    options = _options(qgis, policy.get("python"), policy.get("platform"),
                       policy.get("allow_experimental"), policy.get("allow_deprecated"),
                       policy.get("allow_downgrade"), policy.get("allow_uninstall"),
                       policy.get("exclude_newer"), None, None, None, None,
                       policy.get("lock_file"), policy.get("offline"))
    if target is None:
        from .manager import Target
        target = Target()
    handle = ctypes.c_void_p()
    _check(_h.qplug_index_resolve(ctypes.byref(handle), index._live(), target._live(),
                                  ACTIONS[action], array, count, ctypes.byref(options)))
    try:
        data = _json_of(handle)
    except BaseException:
        _h.qplug_resolution_free(handle)
        raise
    return Resolution(data, handle, index, target)


def resolve(requests, qgis=None, index=None, action="install", python=None, platform=None,
            allow_experimental=False, allow_deprecated=False, allow_downgrade=False,
            allow_uninstall=False, exclude_newer=None, profile=None, profiles_path=None,
            plugins_dir=None, python_exe=None, lock_file=None, offline=False):
    """Resolves requests ("Name", "Name==1.2", "pip:numpy>=1.26", ...) against the index at
    `index` (default: $QPLUG_INDEX or the per-user index) for a target: a QGIS `profile`
    (a folder, or a name under `profiles_path`; default: QGIS's default profile) or a
    `plugins_dir`, with the Python environment of `python_exe` ("none" for none), exactly as
    `qplug resolve` does. Returns a Resolution; bad requests raise ParseError, an unreadable
    index IOError_."""
    array, count = _requests(requests, action)
    options = _options(qgis, python, platform, allow_experimental, allow_deprecated,
                       allow_downgrade, allow_uninstall, exclude_newer, profile, profiles_path,
                       plugins_dir, python_exe, lock_file, offline)
    handle = ctypes.c_void_p()
    _check(_h.qplug_resolve(ctypes.byref(handle), None if index is None else str(index).encode(),
                            ACTIONS[action], array, count, ctypes.byref(options)))
    try:
        data = _json_of(handle)
    finally:
        _h.qplug_resolution_free(handle)
    return Resolution(data)
