# SPDX-License-Identifier: GPL-2.0-or-later
"""Feeds the QPLUG_CDEF region of qplug.h to cffi's cdef() unchanged and calls the library
through it (cffi's ABI mode)."""
import sys

import cffi

header, library = sys.argv[1], sys.argv[2]
text = open(header, encoding="utf-8").read()
begin = text.index("/* QPLUG_CDEF_BEGIN */")
end = text.index("/* QPLUG_CDEF_END */")
ffi = cffi.FFI()
ffi.cdef(text[begin:end])
lib = ffi.dlopen(library)
out = ffi.new("int *")
assert lib.qplug_version_compare(out, lib.QPLUG_SCHEME_QGIS_CLASSIC, b"1.0", b"1.0.0") == lib.QPLUG_OK
assert out[0] == -1
assert lib.qplug_version_compare(out, lib.QPLUG_SCHEME_PEP440, b"1.0+", b"1") == lib.QPLUG_EPARSE
assert b"1.0+" in ffi.string(lib.qplug_error_last().message)
print("cffi parsed qplug.h and called libqplug")
