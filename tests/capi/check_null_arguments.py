# SPDX-License-Identifier: GPL-2.0-or-later
"""Every function of qplug.h called with NULL and garbage arguments (issue 15): codes, never a
crash. The declarations come from the header's QPLUG_CDEF region through cffi, so a function
added to the header is called here without being listed. Run under ASan in the sanitizer
build (LD_PRELOAD of the runtime, as the other Python tests).

For each function: every pointer NULL and every number 0; then every pointer NULL and every
number garbage (-1, 999, SIZE_MAX). A function returning int whose first parameter is an
out-parameter (a pointer to a pointer or a number) must fail with a QPLUG_E* code and a
message; getters must return NULL or a number; _free and _close must accept NULL. Option
structs of an unknown version and strings that are not UTF-8 are refused with
QPLUG_EINVALID or QPLUG_EPARSE."""
import re
import sys

import cffi

header, library = sys.argv[1], sys.argv[2]
text = open(header, encoding="utf-8").read()
region = text[text.index("/* QPLUG_CDEF_BEGIN */"):text.index("/* QPLUG_CDEF_END */")]
ffi = cffi.FFI()
ffi.cdef(region)
lib = ffi.dlopen(library)

CODES = {0, -1, -2, -3, -4, -5, -6, -7}
SIZE_MAX = 2 ** (8 * ffi.sizeof("size_t")) - 1
# qplug_version_sort(order, scheme, versions, count): count 0 with NULL arrays is a valid call.
EMPTY_IS_VALID = {"qplug_version_sort"}

declarations = re.findall(r"^[a-z][\w ]*?\**\s*\**(qplug_\w+)\((.*?)\);", region, re.M | re.S)
functions = sorted({name for name, _ in declarations})
failures = []


def arguments(name, function, garbage):
    args = []
    for i, arg in enumerate(ffi.typeof(function).args):
        if arg.kind == "pointer" or arg.kind == "function":
            args.append(ffi.NULL)
        elif arg.kind == "primitive":
            if not garbage:
                args.append(0)
            elif arg.cname in ("size_t", "unsigned long long"):
                args.append(SIZE_MAX if arg.cname == "size_t" else 2 ** 64 - 1)
            elif arg.cname == "unsigned int":
                args.append(999)
            else:
                args.append(-1 if i % 2 else 999)
        else:
            failures.append(f"{name}: an argument of kind {arg.kind} this test cannot make")
            return None
    return args


for name in functions:
    function = getattr(lib, name)
    kind = ffi.typeof(function)
    for garbage in (False, True):
        args = arguments(name, function, garbage)
        if args is None:
            break
        result = function(*args)
        first = kind.args[0] if kind.args else None
        status = kind.result.cname == "int" and first is not None and first.kind == "pointer" \
            and (first.item.kind == "pointer" or first.item.cname in ("int", "size_t")
                 or name.endswith("_options_init"))
        if status and not (name in EMPTY_IS_VALID and not garbage):
            if result not in CODES - {0}:
                failures.append(f"{name}{' (garbage)' if garbage else ''}: returned {result}, "
                                f"not a QPLUG_E* code")
            elif ffi.string(lib.qplug_error_last().message) == b"":
                failures.append(f"{name}: failed with {result} but no message")
            elif lib.qplug_error_last().code != result:
                failures.append(f"{name}: qplug_error_last()->code is not {result}")
        elif kind.result.cname == "int" and kind.args and result not in CODES \
                and not -1 <= result <= 1:
            # getters: 0 or 1 (or -1 for "unknown"); status functions with handles: a code
            failures.append(f"{name}: returned {result}")

# Options of an unknown version, strings that are not UTF-8.
for init in [n for n in functions if n.endswith("_options_init")]:
    struct = ffi.typeof(getattr(lib, init)).args[0].item.cname
    options = ffi.new(struct + " *")
    for version in (0, 999):
        if getattr(lib, init)(options, version) != lib.QPLUG_EINVALID:
            failures.append(f"{init}: version {version} accepted")
# A source kind (issue 14): of an unknown version, with a tag or schema that is garbage.
kind = ffi.new("qplug_source_kind *")
for version in (0, 999):
    if lib.qplug_source_kind_init(kind, version) != lib.QPLUG_EINVALID:
        failures.append(f"qplug_source_kind_init: version {version} accepted")
kind.version = 999
if lib.qplug_source_kind_register(kind) != lib.QPLUG_EINVALID:
    failures.append("qplug_source_kind_register: version 999 accepted")
lib.qplug_source_kind_init(kind, lib.QPLUG_SOURCE_KIND_VERSION)
kept = [ffi.new("char[]", b"\xff\xfe/../x"), ffi.new("char[]", b"ok-tag"),
        ffi.new("char[]", b"{\"a\": {\"type\": 7}}")]
kind.sync = ffi.cast("qplug_source_sync_fn", 1)  # never called: every registration fails
kind.tag = kept[0]
if lib.qplug_source_kind_register(kind) != lib.QPLUG_EINVALID:
    failures.append("qplug_source_kind_register accepted a tag that is not one")
kind.tag, kind.settings_schema = kept[1], kept[2]
if lib.qplug_source_kind_register(kind) != lib.QPLUG_EINVALID:
    failures.append("qplug_source_kind_register accepted a schema that is not one")
out = ffi.new("int *")
if lib.qplug_version_compare(out, lib.QPLUG_SCHEME_PEP440, b"1.\xff", b"1") not in (
        lib.QPLUG_EPARSE, lib.QPLUG_EINVALID):
    failures.append("qplug_version_compare accepted a version that is not UTF-8")
index = ffi.new("qplug_index **")
if lib.qplug_index_open(index, b"/nonexistent/\xff/index.sqlite", lib.QPLUG_INDEX_READ_ONLY) >= 0:
    failures.append("qplug_index_open opened a missing index read-only")

if len(functions) < 100:
    failures.append(f"only {len(functions)} functions found in the header")
for line in failures:
    print(line)
if failures:
    sys.exit(1)
print(f"{len(functions)} functions called with NULL and garbage arguments: codes, no crash")
