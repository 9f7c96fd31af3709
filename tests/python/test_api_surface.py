# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing public goes untested: every function libqplug.so exports (nm -D) is named in a test
source, and every public name of the Python binding (qplug.__all__, the public attributes of
its classes, resolve()'s actions) is used by a Python test. A new entry point without a test
fails here."""
import glob
import importlib
import inspect
import os
import re
import unittest

import exits
import qplug

ACTIONS = importlib.import_module("qplug.resolve").ACTIONS  # qplug.resolve is the function

SOURCE = os.environ["QPLUG_SOURCE_DIR"]
LIBRARY = os.environ["QPLUG_LIBRARY"]
THIS = os.path.abspath(__file__)


def read_all(patterns):
    text = []
    for pattern in patterns:
        for path in glob.glob(os.path.join(SOURCE, "tests", pattern), recursive=True):
            if os.path.abspath(path) != THIS:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text.append(fh.read())
    return "\n".join(text)


def exported_functions():
    out = exits.run(["nm", "-D", "--defined-only", LIBRARY], 0, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "T" and parts[2].startswith("qplug_"):
            names.add(parts[2].split("@")[0])  # without the symbol version (@@QPLUG_0)
    return names


def instance_attributes(cls):
    """The public attributes a class's instances get: slots, dataclass fields, `self.x =` in
    __init__, properties and methods."""
    names = set(getattr(cls, "__slots__", ()))
    names |= set(getattr(cls, "__dataclass_fields__", {}))
    if "__init__" in cls.__dict__:
        try:
            names |= set(re.findall(r"self\.([A-Za-z]\w*) =", inspect.getsource(cls.__init__)))
        except (OSError, TypeError):
            pass
    names |= {n for n, v in cls.__dict__.items()
              if not n.startswith("_") and (callable(v) or isinstance(v, property))}
    return {n for n in names if not n.startswith("_")}


class Surface(unittest.TestCase):
    def test_every_exported_function_is_called_by_a_test(self):
        functions = exported_functions()
        self.assertGreater(len(functions), 60)
        tests = read_all(["**/*.c", "**/*.cpp", "**/*.py"])
        missing = sorted(f for f in functions if not re.search(r"\b" + f + r"\b", tests))
        self.assertEqual(missing, [], "exported, but no test calls them")

    def test_every_binding_name_is_used_by_a_test(self):
        tests = read_all(["python/**/*.py", "cli/**/*.py"])
        missing = []
        for name in qplug.__all__:
            value = getattr(qplug, name)
            if inspect.isclass(value) and not issubclass(value, BaseException):
                # A result class: what a test must use is what its instances hold.
                missing += [f"{name}.{a}" for a in sorted(instance_attributes(value))
                            if not re.search(r"\." + a + r"\b", tests)]
            elif not re.search(r"\bqplug\." + name + r"\b", tests):
                missing.append(name)
        self.assertEqual(missing, [], "public in the binding, but no test uses them")

    def test_every_resolve_action_is_used_by_a_test(self):
        tests = read_all(["python/**/*.py"])
        missing = [a for a in ACTIONS
                   if a != "install" and f'action="{a}"' not in tests]
        self.assertEqual(missing, [], "resolve() actions no test asks for")


if __name__ == "__main__":
    unittest.main()
