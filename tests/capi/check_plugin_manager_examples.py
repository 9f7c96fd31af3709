# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin manager loops of docs/capi.md and docs/python.md, as the documents show them:
the C program compiled (C99, pedantic, warnings as errors) against qplug.h and libqplug.so,
the Python one run with the binding, each on a fresh index of the bundled plugin ZIPs and a
fresh profile; both must print exactly the output docs/capi.md shows.

Usage: check_plugin_manager_examples.py SOURCE_DIR BUILD_DIR LIBRARY C_COMPILER [SANITIZE]"""
import os
import re
import subprocess
import sys
import tempfile

source, build, library, compiler = sys.argv[1:5]
sanitize = sys.argv[5] if len(sys.argv) > 5 else ""


def block(document, marker, language):
    text = open(os.path.join(source, "docs", document), encoding="utf-8").read()
    found = re.search(re.escape(marker) + r"[^\n]*\n```" + language + r"\n(.*?)```", text, re.S)
    if not found:
        sys.exit(f"docs/{document}: no {language or 'text'} block after {marker!r}")
    return found.group(1)


def run(command, scratch, env):
    os.makedirs(scratch)
    arguments = [os.path.join(scratch, "index.sqlite"), os.path.join(build, "data", "plugins"),
                 os.path.join(scratch, "profiles", "work"), "Koordinates"]
    env = dict(env, XDG_CACHE_HOME=os.path.join(scratch, "cache"))
    r = subprocess.run(command + arguments, capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        sys.exit(f"{command[0]} exited with {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


expected = block("capi.md", "<!-- output: plugin_manager -->", "")
with tempfile.TemporaryDirectory() as tmp:
    program = os.path.join(tmp, "plugin_manager.c")
    with open(program, "w", encoding="utf-8") as fh:
        fh.write(block("capi.md", "<!-- example: plugin_manager.c", "c"))
    flags = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"]
    if sanitize:
        flags.append("-fsanitize=" + sanitize)
    subprocess.run([compiler, *flags, "-I", os.path.join(source, "capi", "include"), program,
                    library, "-Wl,-rpath," + os.path.dirname(library), "-o",
                    os.path.join(tmp, "plugin_manager")], check=True)
    c_output = run([os.path.join(tmp, "plugin_manager")], os.path.join(tmp, "c"), os.environ)

    script = os.path.join(tmp, "plugin_manager.py")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(block("python.md", "<!-- example: plugin_manager.py", "python"))
    python_output = run([sys.executable, script], os.path.join(tmp, "python"),
                        dict(os.environ, QPLUG_LIBRARY=library,
                             PYTHONPATH=os.path.join(source, "bindings", "python")))

failed = False
for name, output in (("C", c_output), ("Python", python_output)):
    if output != expected:
        failed = True
        print(f"the {name} loop printed\n{output}\ndocs/capi.md shows\n{expected}")
if failed:
    sys.exit(1)
print("the plugin manager loops of docs/capi.md and docs/python.md print what the docs show")
