#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side-by-side version benchmarks: qplug (bench_version, Google Benchmark) and the Python
status quo on the same inputs, in one run: packaging 23.0 for pep440, QGIS's own
compareVersions (tests/python/reference_qgis.py) for qgis and qgis-classic.

Usage: bench/run_version_bench.py BUILD_DIR [--markdown FILE]
Prints a table; with --markdown, writes it between the BEGIN/END markers of FILE.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

from measure import run_measured

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

from packaging.specifiers import SpecifierSet  # noqa: E402
from packaging.version import InvalidVersion, Version  # noqa: E402

import reference_qgis  # noqa: E402

SORT_N = 1_000_000


def inputs():
    with open(os.path.join(HERE, "data", "versions.txt"), encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def valid_pep440(vs):
    out = []
    for v in vs:
        try:
            Version(v)
            out.append(v)
        except InvalidVersion:
            pass
    return out


def per_op(fn, n):
    best = None
    for _ in range(3):
        t = time.perf_counter()
        fn(n)
        dt = (time.perf_counter() - t) / n * 1e9
        best = dt if best is None else min(best, dt)
    return best


def python_timings(vs):
    pep = valid_pep440(vs)
    n = len(pep)
    a, b = pep, pep[n // 3:] + pep[: n // 3]
    out = {}

    def parse(count):
        for k in range(count):
            Version(a[k % n])

    def parse_compare(count):
        for k in range(count):
            Version(a[k % n]) < Version(b[k % n])

    parsed_a = [Version(x) for x in a]
    parsed_b = [Version(x) for x in b]

    def compare_parsed(count):
        for k in range(count):
            parsed_a[k % n] < parsed_b[k % n]

    spec = SpecifierSet(">=1.0,!=1.3.*,<3")

    def spec_match(count):
        for k in range(count):
            spec.contains(parsed_a[k % n])

    out["BM_Pep440Parse"] = per_op(parse, 100_000)
    out["BM_Pep440ParseCompare"] = per_op(parse_compare, 50_000)
    out["BM_Pep440CompareParsed"] = per_op(compare_parsed, 500_000)
    out["BM_Pep440SpecifierMatch"] = per_op(spec_match, 50_000)

    qa, qb = vs, vs[len(vs) // 3:] + vs[: len(vs) // 3]
    m = len(vs)

    def qgis_new(count):
        for k in range(count):
            reference_qgis.compareVersions_pep440(qa[k % m], qb[k % m])

    def qgis_classic(count):
        for k in range(count):
            try:
                reference_qgis.compareVersions_classic(qa[k % m], qb[k % m])
            except (IndexError, ValueError):
                pass

    out["BM_ParseCompare/qgis"] = per_op(qgis_new, 50_000)
    out["BM_ParseCompare/qgis-classic"] = per_op(qgis_classic, 50_000)

    rng = random.Random(42)
    big = [pep[rng.randrange(n)] for _ in range(SORT_N)]
    t = time.perf_counter()
    sorted(big, key=Version)
    out["BM_Sort/pep440/1000000"] = (time.perf_counter() - t) * 1e9 / SORT_N
    return out


def qplug_timings(build):
    exe = os.path.join(build, "bench", "bench_version")
    env = dict(os.environ, QPLUG_BENCH_VERSIONS=os.path.join(HERE, "data", "versions.txt"))
    r = subprocess.run([exe, "--benchmark_format=json", "--benchmark_repetitions=3",
                        "--benchmark_report_aggregates_only=true", "--benchmark_min_time=0.5"],
                       capture_output=True, text=True, env=env, check=True)
    data = json.loads(r.stdout)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        ns = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        if name.startswith("BM_Sort/"):
            ns /= SORT_N  # per version
        out[name] = ns
    return out, data["context"]


PYTHON_SORT = ("import sys; from packaging.version import Version; "
               "sys.stdout.writelines(sorted(sys.stdin, key=lambda v: Version(v)))")


def programs(build, vs):
    """`qplug version sort` and Python sorting the same 1,000,000 lines: time and memory."""
    pep = valid_pep440(vs)
    rng = random.Random(7)
    data = "".join(pep[rng.randrange(len(pep))] + "\n" for _ in range(SORT_N)).encode()
    qplug = run_measured([os.path.join(build, "cli", "qplug"), "version", "sort", "--scheme", "pep440"], data)
    python = run_measured(["/usr/bin/python3", "-c", PYTHON_SORT], data, rounds=1)
    return qplug, python


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    vs = inputs()
    q, context = qplug_timings(args.build)
    p = python_timings(vs)
    (q_ms, q_mb), (p_ms, p_mb) = programs(args.build, vs)
    lines = []
    lines.append(f"Inputs: the {len(vs)} version strings of the corpus (`bench/data/versions.txt`; "
                 f"{len(valid_pep440(vs))} are valid PEP 440). Machine: {context.get('num_cpus')} CPUs "
                 f"at {context.get('mhz_per_cpu')} MHz, `{context.get('library_build_type', '?')}` Google "
                 f"Benchmark library, qplug built RelWithDebInfo (-O2). Medians of 3.")
    lines.append("")
    lines.append("| operation | qplug | Python | Python's tool | qplug faster by |")
    lines.append("| --- | --- | --- | --- | --- |")
    rows = [
        ("PEP 440 parse", "BM_Pep440Parse", "packaging.version.Version(v)"),
        ("PEP 440 parse + compare (2 parses)", "BM_Pep440ParseCompare", "Version(a) < Version(b)"),
        ("PEP 440 compare, parsed", "BM_Pep440CompareParsed", "va < vb"),
        ("PEP 440 specifier match `>=1.0,!=1.3.*,<3`", "BM_Pep440SpecifierMatch", "SpecifierSet.contains"),
        ("qgis compare (strings)", "BM_ParseCompare/qgis", "QGIS >= 3.42 compareVersions"),
        ("qgis-classic compare (strings)", "BM_ParseCompare/qgis-classic", "QGIS <= 3.40 compareVersions"),
        ("sort 1,000,000 PEP 440 versions, per version", "BM_Sort/pep440/1000000", "sorted(vs, key=Version)"),
    ]
    for label, key, tool in rows:
        lines.append(f"| {label} | {fmt_ns(q[key])} | {fmt_ns(p[key])} | {tool} | {p[key] / q[key]:.0f}x |")
    lines.append("")
    lines.append("| qplug only | time |")
    lines.append("| --- | --- |")
    for key in ("BM_ParseCompare/pep440", "BM_ParseCompare/conda", "BM_SortKey/qgis",
                "BM_SortKey/qgis-classic", "BM_SortKey/pep440", "BM_SortKey/conda", "BM_CondaSpecMatch"):
        lines.append(f"| `{key}` | {fmt_ns(q[key])} |")
    for scheme in ("qgis", "qgis-classic", "pep440", "conda"):
        key = f"BM_Sort/{scheme}/1000000"
        lines.append(f"| sort 1,000,000 `{scheme}` versions (parse, key, sort) | {q[key] * SORT_N / 1e6:.0f} ms |")
    lines.append("")
    lines.append("| sort 1,000,000 PEP 440 versions from stdin, whole program | wall time | peak memory |")
    lines.append("| --- | --- | --- |")
    lines.append(f"| `qplug version sort --scheme pep440` | {q_ms:.0f} ms | {q_mb:.0f} MB |")
    lines.append(f"| `python3`: `sorted(sys.stdin, key=Version)` | {p_ms:.0f} ms | {p_mb:.0f} MB |")
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, encoding="utf-8") as fh:
            doc = fh.read()
        begin, end = "<!-- BEGIN version-bench -->", "<!-- END version-bench -->"
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(head + begin + "\n" + table + "\n" + end + tail)


if __name__ == "__main__":
    main()
