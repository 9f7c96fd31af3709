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
import subprocess
import sys
import time

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
    best = None
    for _ in range(rounds):
        t = time.perf_counter()
        for data in files:
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
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best * 1e3


def qplug_parse(build):
    r = subprocess.run([os.path.join(build, "bench", "bench_meta"), "--benchmark_format=json",
                        "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"],
                       capture_output=True, text=True, check=True)
    out = {}
    for b in json.loads(r.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = b["real_time"]  # ms
    return out


# The site's upload check as far as the metadata goes: configparser reads each file
# (StringIO of the decoded bytes, keys case-sensitive) and the required keys must be there.
PYTHON_SITE_CHECK = r"""
import configparser, io, sys
REQUIRED = ("name", "description", "version", "qgisMinimumVersion", "author", "email", "about",
            "tracker", "repository")
bad = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        data = fh.read()
    cp = configparser.ConfigParser()
    cp.optionxform = str
    try:
        cp.read_file(io.StringIO(data.decode("utf-8")))
        general = dict(cp.items("general"))
        bad += any(not general.get(k) for k in REQUIRED)
    except Exception:
        bad += 1
print(bad)
"""


def programs(build, paths):
    qplug = run_measured([os.path.join(build, "cli", "qplug"), "meta", "check", "--profile", "site", *paths])
    python = run_measured(["/usr/bin/python3", "-c", PYTHON_SITE_CHECK, *paths])
    return qplug, python


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    paths = corpus_paths()
    files = corpus()
    size = sum(len(f) for f in files)
    q = qplug_parse(args.build)
    p = python_parse(files)
    (q_ms, q_mb), (p_ms, p_mb) = programs(args.build, paths)
    lines = [f"Inputs: the {len(files)} metadata.txt files of `tests/data/metadata` ({size / 1e6:.1f} MB). "
             "Python: `ConfigParser().read_file()` plus `get()` of every [general] key. Medians of 3 / best of 5.",
             "",
             "| operation, whole corpus | qplug | Python configparser | qplug faster by |",
             "| --- | --- | --- | --- |",
             f"| parse (keys as QGIS reads them), get every key | {q['BM_ParseCorpus/0']:.1f} ms | {p:.1f} ms | {p / q['BM_ParseCorpus/0']:.0f}x |",
             f"| parse (keys as the site reads them) | {q['BM_ParseCorpus/1']:.1f} ms | | |",
             f"| parse and validate with the strict profile | {q['BM_ParseAndValidateCorpus']:.1f} ms | | |",
             f"| canonical formatting (files that parse) | {q['BM_FormatCorpus']:.1f} ms | | |",
             "",
             "Whole programs on the same files, start-up included (best of 3; peak RSS of that run):",
             "",
             "| program | wall time | peak memory |",
             "| --- | --- | --- |",
             f"| `qplug meta check --profile site` (every site rule, line and column for each finding) | {q_ms:.0f} ms | {q_mb:.1f} MB |",
             f"| `python3`: configparser read + required-key check (the site's metadata step) | {p_ms:.0f} ms | {p_mb:.1f} MB |"]
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
