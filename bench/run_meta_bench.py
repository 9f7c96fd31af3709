#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side-by-side metadata benchmark: qplug (bench_meta) and Python's configparser, as QGIS and
plugins.qgis.org use it, reading the same corpus files in one run.

Usage: bench/run_meta_bench.py BUILD_DIR [--markdown FILE]
"""
import argparse
import configparser
import glob
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from urllib.parse import urlparse

from measure import run_measured

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def corpus_paths():
    return sorted(glob.glob(os.path.join(ROOT, "tests", "data", "metadata", "*.txt")))


def corpus():
    out = []
    for path in corpus_paths():
        with open(path, "rb") as fh:
            out.append(fh.read())
    return out


def python_parse(files, rounds=5):
    """configparser as QGIS reads metadata.txt: read_file, then get() of every [general] key."""
    def one(data):
        cp = configparser.ConfigParser()
        try:
            cp.read_file(io.StringIO(data.decode("utf-8")))
            if cp.has_section("general"):
                for key in cp.options("general"):
                    try:
                        cp.get("general", key)
                    except Exception:
                        pass
        except Exception:
            pass
    return best_of(rounds, files, one)


# plugins.qgis.org's validator as far as metadata.txt goes (qgis-facts.md 6.1 steps 10-20,
# without network): decode, configparser with case-sensitive keys, [general], the required
# keys, URL form and placeholders, the author pattern, booleans, the model's length limits.
REQUIRED = ("name", "description", "version", "qgisMinimumVersion", "author", "email", "about",
            "tracker", "repository")
PLACEHOLDERS = ("http://bugs", "http://repo", "http://homepage")
AUTHOR = re.compile(r"^[^/]+$")
LIMITS = {"name": 256, "author": 256, "email": 254, "homepage": 200, "tracker": 200, "repository": 200}


def site_check(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["decode"]
    cp = configparser.ConfigParser()
    cp.optionxform = str
    try:
        cp.read_file(io.StringIO(text))
    except Exception:
        return ["parse"]
    if not cp.has_section("general"):
        return ["no [general]"]
    try:
        md = {k: v.strip() for k, v in cp.items("general")}
    except Exception:
        return ["interpolation"]
    errors = [f"missing {k}" for k in REQUIRED if k not in md]
    for k in ("tracker", "repository", "homepage"):
        if k in md:
            u = urlparse(md[k])
            if md[k] in PLACEHOLDERS or not u.scheme or not u.netloc:
                errors.append(f"bad url {k}")
    if "author" in md and not AUTHOR.match(md["author"]):
        errors.append("author")
    for b in ("experimental", "deprecated", "server"):
        if b in md:
            md[b] = md[b].lower() in ("true", "yes", "1")
    for k, n in LIMITS.items():
        if len(md.get(k, "")) > n:
            errors.append(f"long {k}")
    return errors


def python_site(files, rounds=5):
    return best_of(rounds, files, site_check)


def best_of(rounds, files, fn):
    best = None
    for _ in range(rounds):
        t = time.perf_counter()
        for data in files:
            fn(data)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best * 1e3


def qplug_parse(build, repetitions=5):
    """The best of `repetitions` Google Benchmark runs of each benchmark (ms): the statistic the
    Python side uses (best of 5), so both sides are measured the same way."""
    r = subprocess.run([os.path.join(build, "bench", "bench_meta"), "--benchmark_format=json",
                        f"--benchmark_repetitions={repetitions}"],
                       capture_output=True, text=True, check=True)
    out = {}
    for b in json.loads(r.stdout)["benchmarks"]:
        if b.get("run_type") == "iteration":
            name = b["run_name"]
            out[name] = min(out.get(name, b["real_time"]), b["real_time"])  # ms
    return out


# The same site check as a program over the files (site_check above, read from this file).
PYTHON_SITE_CHECK = r"""
import sys
sys.path.insert(0, %r)
from run_meta_bench import site_check
bad = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        bad += bool(site_check(fh.read()))
print(bad)
""" % HERE


# plugins.qgis.org's validator on a ZIP, the package steps (qgis-facts.md 6.1 steps 1-11, 15,
# 18, 19) with zipfile, as the site runs them: names, CRC of every member (testzip), the top
# folder, __init__.py, metadata.txt through site_check, LICENSE.
PYTHON_PACKAGE_CHECK = r"""
import io, os, re, sys, zipfile
sys.path.insert(0, %r)
from run_meta_bench import site_check
path = sys.argv[1]
errors = []
if os.path.getsize(path) > 25000000:
    errors.append("too big")
with zipfile.ZipFile(path) as z:
    for name in z.namelist():
        if ".." in name or name.startswith("/"):
            errors.append("path")
        if ".pyc" in name:
            errors.append("pyc")
        for part in name.split("/"):
            if part in ("__MACOSX", ".git", "__pycache__"):
                errors.append("dir")
        if "\\" in name or re.match(r"^[A-Za-z]:", name):
            errors.append("backslash")
    bad = z.testzip()
    if bad:
        errors.append("crc " + bad)
    names = z.namelist()
    package = names[0].split("/")[0]
    if not re.match(r"^[A-Za-z][A-Za-z0-9-_]+$", package):
        errors.append("package name")
    if package + "/__init__.py" not in names:
        errors.append("init")
    if package + "/metadata.txt" in names:
        errors += site_check(z.read(package + "/metadata.txt"))
    if package + "/LICENSE" not in names:
        errors.append("license")
print(errors)
""" % HERE


def build_big_package(path):
    """A 25 MB plugin: 2,000 Python modules, 300 KB images of noise (incompressible), metadata."""
    rng = random.Random(3)
    metadata = (b"[general]\nname=Big Plugin\nqgisMinimumVersion=3.22\nqgisMaximumVersion=4.99\n"
                b"description=A big plugin\nabout=Many files\nversion=1.0\nauthor=Jane\n"
                b"email=jane@example.org\nrepository=https://example.org/r\ntracker=https://example.org/t\n"
                b"homepage=https://example.org\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big_plugin/__init__.py", b"def classFactory(iface):\n    pass\n")
        z.writestr("big_plugin/metadata.txt", metadata)
        z.writestr("big_plugin/LICENSE", b"GPL-2.0-or-later\n")
        for i in range(2000):
            z.writestr(f"big_plugin/module_{i}.py", ("x = %d\n" % i * 400).encode())
        k = 0
        while os.path.getsize(path) < 24_500_000 - 310_000:
            z.writestr(f"big_plugin/images/{k}.png", rng.randbytes(300_000))
            k += 1
    return os.path.getsize(path)


def package_programs(build):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big_plugin.zip")
        size = build_big_package(path)
        qplug = run_measured([os.path.join(build, "cli", "qplug"), "package", "check", path])
        python = run_measured(["/usr/bin/python3", "-c", PYTHON_PACKAGE_CHECK, path])
    return size, qplug, python


def programs(build, paths):
    qplug = run_measured([os.path.join(build, "cli", "qplug"), "meta", "check", "--profile", "site", *paths])
    python = run_measured(["/usr/bin/python3", "-c", PYTHON_SITE_CHECK, *paths])
    return qplug, python


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--markdown")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of both sides in turn; each side's best round is reported")
    args = ap.parse_args()
    paths = corpus_paths()
    files = corpus()
    size = sum(len(f) for f in files)
    # Rounds of both sides in turn, the best of each kept: this VM's speed drifts by phases,
    # and one side measured in a slow phase and the other in a fast one is no comparison.
    q, p, ps = {}, None, None
    for _ in range(args.rounds):
        for name, ms in qplug_parse(args.build).items():
            q[name] = min(q.get(name, ms), ms)
        p = min(p or float("inf"), python_parse(files))
        ps = min(ps or float("inf"), python_site(files))
    (q_ms, q_mb), (p_ms, p_mb) = programs(args.build, paths)
    zip_size, (qz_ms, qz_mb), (pz_ms, pz_mb) = package_programs(args.build)
    qv = q["BM_ParseAndValidateCorpus/1"]
    lines = [f"Inputs: the {len(files)} metadata.txt files of `tests/data/metadata` ({size / 1e6:.1f} MB), "
             f"in memory. Both sides: best of 5 runs (qplug: Google Benchmark repetitions; Python: "
             f"`time.perf_counter` around the loop), in {args.rounds} rounds taken in turn in one run "
             "of the script, each side's best round.",
             "",
             "| operation, whole corpus | qplug | Python | qplug faster by |",
             "| --- | --- | --- | --- |",
             f"| read as plugins.qgis.org does and check every site rule (qplug: `parse` + `validate`, site profile; Python: configparser + the site's metadata checks) | {qv:.1f} ms | {ps:.1f} ms | {ps / qv:.0f}x |",
             f"| parse as QGIS reads it, get every key (Python: configparser) | {q['BM_ParseCorpus/0']:.1f} ms | {p:.1f} ms | {p / q['BM_ParseCorpus/0']:.0f}x |",
             f"| parse as the site reads it | {q['BM_ParseCorpus/1']:.1f} ms | | |",
             f"| parse and validate with the strict profile | {q['BM_ParseAndValidateCorpus/2']:.1f} ms | | |",
             f"| canonical formatting (files that parse) | {q['BM_FormatCorpus']:.1f} ms | | |",
             "",
             "Whole programs on the same files, start-up included (best of 3; peak RSS of that run):",
             "",
             "| program | wall time | peak memory |",
             "| --- | --- | --- |",
             f"| `qplug meta check --profile site` (every site rule, line and column for each finding) | {q_ms:.0f} ms | {q_mb:.1f} MB |",
             f"| `python3`: configparser + the site's metadata checks (`site_check` in bench/run_meta_bench.py) | {p_ms:.0f} ms | {p_mb:.1f} MB |",
             "",
             f"Checking a {zip_size / 1e6:.1f} MB plugin ZIP (2,003 text files, {(zip_size - 1e6) / 3e5:.0f} incompressible 300 KB "
             "images; built by the script), whole programs, best of 3:",
             "",
             "| program | wall time | peak memory |",
             "| --- | --- | --- |",
             f"| `qplug package check` (every check, CRC of every entry, nothing extracted) | {qz_ms:.0f} ms | {qz_mb:.1f} MB |",
             f"| `python3`: the site's package steps with zipfile (`PYTHON_PACKAGE_CHECK`) | {pz_ms:.0f} ms | {pz_mb:.1f} MB |"]
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, encoding="utf-8") as fh:
            doc = fh.read()
        begin, end = "<!-- BEGIN meta-bench -->", "<!-- END meta-bench -->"
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(head + begin + "\n" + table + "\n" + end + tail)


if __name__ == "__main__":
    main()
