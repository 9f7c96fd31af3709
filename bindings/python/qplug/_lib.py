# SPDX-License-Identifier: GPL-2.0-or-later
"""Loading libqplug.so and declaring its C functions (ctypes, standard library only)."""
import ctypes
import ctypes.util
import os

c_int_p = ctypes.POINTER(ctypes.c_int)
c_size_p = ctypes.POINTER(ctypes.c_size_t)


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char_p), ("offset", ctypes.c_size_t)]


class CompatOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("rules", ctypes.c_int),
                ("bump_dev_major", ctypes.c_int), ("installed_plugin", ctypes.c_int)]


class ParseOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("keys", ctypes.c_int), ("lenient", ctypes.c_int),
                ("file_name", ctypes.c_char_p)]


class ValidateOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("profile", ctypes.c_int), ("check_links", ctypes.c_int),
                ("plugin_dir", ctypes.c_char_p)]


class PackageOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("profile", ctypes.c_int), ("new_plugin", ctypes.c_int),
                ("expected_package_name", ctypes.c_char_p), ("check_links", ctypes.c_int),
                ("max_size", ctypes.c_ulonglong)]


def _candidates():
    env = os.environ.get("QPLUG_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    # `cmake --install` writes where it put the library, relative to this folder.
    try:
        from ._installed import LIBRARY_RELATIVE
        yield os.path.normpath(os.path.join(here, LIBRARY_RELATIVE))
    except ImportError:
        pass
    for name in ("libqplug.so.0", "libqplug.so"):
        path = os.path.join(here, name)
        if os.path.exists(path):
            yield path
    found = ctypes.util.find_library("qplug")
    if found:
        yield found
    yield "libqplug.so.0"


def _load():
    errors = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
    raise ImportError("cannot load libqplug (set QPLUG_LIBRARY to its path): " + "; ".join(errors))


lib = _load()

# name: (argtypes, restype)
_SIGNATURES = {
    "qplug_error_last": ([], ctypes.POINTER(_Error)),
    "qplug_strerror": ([ctypes.c_int], ctypes.c_char_p),
    "qplug_version": ([], ctypes.c_char_p),
    "qplug_version_number": ([], ctypes.c_int),
    "qplug_free": ([ctypes.c_void_p], None),
    "qplug_scheme_from_name": ([c_int_p, ctypes.c_char_p], ctypes.c_int),
    "qplug_version_compare": ([c_int_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "qplug_version_normalize": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_char_p],
                                ctypes.c_int),
    "qplug_version_sort_key": ([ctypes.POINTER(ctypes.c_void_p), c_size_p, ctypes.c_int,
                                ctypes.c_char_p], ctypes.c_int),
    "qplug_version_sort": ([c_size_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t],
                           ctypes.c_int),
    "qplug_version_satisfies": ([c_int_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int],
                                ctypes.c_int),
    "qplug_version_is_valid": ([c_int_p, ctypes.c_int, ctypes.c_char_p], ctypes.c_int),
    "qplug_compat_options_init": ([ctypes.POINTER(CompatOptions), ctypes.c_uint], ctypes.c_int),
    "qplug_compat_check": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_char_p,
                            ctypes.c_char_p, ctypes.POINTER(CompatOptions)], ctypes.c_int),
    "qplug_compat_is_compatible": ([ctypes.c_void_p], ctypes.c_int),
    "qplug_compat_qgis": ([ctypes.c_void_p], ctypes.c_char_p),
    "qplug_compat_minimum": ([ctypes.c_void_p], ctypes.c_char_p),
    "qplug_compat_maximum": ([ctypes.c_void_p], ctypes.c_char_p),
    "qplug_compat_reason": ([ctypes.c_void_p], ctypes.c_char_p),
    "qplug_compat_free": ([ctypes.c_void_p], None),
    "qplug_parse_options_init": ([ctypes.POINTER(ParseOptions), ctypes.c_uint], ctypes.c_int),
    "qplug_metadata_parse": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t,
                              ctypes.POINTER(ParseOptions)], ctypes.c_int),
    "qplug_metadata_parse_file": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                                   ctypes.POINTER(ParseOptions)], ctypes.c_int),
    "qplug_document_ok": ([ctypes.c_void_p], ctypes.c_int),
    "qplug_document_get": ([ctypes.c_void_p, ctypes.c_char_p], ctypes.c_char_p),
    "qplug_document_has": ([ctypes.c_void_p, ctypes.c_char_p], ctypes.c_int),
    "qplug_document_key_count": ([ctypes.c_void_p], ctypes.c_size_t),
    "qplug_document_key": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_document_diagnostics": ([ctypes.c_void_p], ctypes.c_void_p),
    "qplug_document_to_json": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p], ctypes.c_int),
    "qplug_document_format": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p], ctypes.c_int),
    "qplug_document_free": ([ctypes.c_void_p], None),
    "qplug_validate_options_init": ([ctypes.POINTER(ValidateOptions), ctypes.c_uint], ctypes.c_int),
    "qplug_metadata_validate": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
                                 ctypes.POINTER(ValidateOptions)], ctypes.c_int),
    "qplug_package_options_init": ([ctypes.POINTER(PackageOptions), ctypes.c_uint], ctypes.c_int),
    "qplug_package_check": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t,
                             ctypes.POINTER(PackageOptions)], ctypes.c_int),
    "qplug_package_check_file": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                                  ctypes.POINTER(PackageOptions)], ctypes.c_int),
    "qplug_package_valid": ([ctypes.c_void_p], ctypes.c_int),
    "qplug_package_name": ([ctypes.c_void_p], ctypes.c_char_p),
    "qplug_package_diagnostics": ([ctypes.c_void_p], ctypes.c_void_p),
    "qplug_package_metadata": ([ctypes.c_void_p], ctypes.c_void_p),
    "qplug_package_free": ([ctypes.c_void_p], None),
    "qplug_diagnostics_count": ([ctypes.c_void_p], ctypes.c_size_t),
    "qplug_diagnostic_rule": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostic_severity": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_int),
    "qplug_diagnostic_file": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostic_line": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_size_t),
    "qplug_diagnostic_column": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_size_t),
    "qplug_diagnostic_offset": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_size_t),
    "qplug_diagnostic_key": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostic_message": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostic_hint": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostic_source_line": ([ctypes.c_void_p, ctypes.c_size_t], ctypes.c_char_p),
    "qplug_diagnostics_to_json": ([ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p], ctypes.c_int),
    "qplug_diagnostics_free": ([ctypes.c_void_p], None),
    "qplug_metadata_spec_json": ([], ctypes.c_char_p),
}

for _name, (_args, _res) in _SIGNATURES.items():
    _fn = getattr(lib, _name)
    _fn.argtypes = _args
    _fn.restype = _res

COMPAT_OPTIONS_VERSION = 1
PARSE_OPTIONS_VERSION = 1
VALIDATE_OPTIONS_VERSION = 1
PACKAGE_OPTIONS_VERSION = 1
