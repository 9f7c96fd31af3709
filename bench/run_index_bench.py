#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Index benchmarks side by side with the Python status quo, on the same files.

Runs the whole `qplug repo sync` process on the same files (the issue's measure: start to
exit, a repository added beforehand to a fresh index), and build/bench/bench_index (Google
Benchmark): a whole sync (read, parse, write, commit) of
the largest corpus plugins.xml and of a generated one (5,000 plugins x 3 versions) into a
fresh index, the same syncs repeated on the unchanged files, and the import of a generated 50,000-package / 500,000-release index; and
Python's xml.etree.ElementTree merely parsing the same plugins.xml files (what QGIS-side
Python tools do before any work). Prints a Markdown table; with --markdown FILE, replaces
the part between the index-bench markers of FILE.

Usage: bench/run_index_bench.py BUILD_DIR [--markdown docs/performance.md] [--repetitions N]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "tests", "data", "plugins-xml")


def largest_corpus_file():
    files = [os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".xml")]
    return max(files, key=os.path.getsize)


def generated_plugins_xml(path, plugins=5000, versions=3):
    """A plugins.xml as plugins.qgis.org writes it, 5,000 plugins x 3 versions."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<plugins>\n')
        for i in range(plugins):
            for v in range(versions):
                version = f"{v + 1}.{i % 7}.{i % 3}"
                out.write(
                    f'<pyqgis_plugin name="Generated plugin {i}" version="{version}" '
                    f'plugin_id="{i}">\n'
                    f"<description><![CDATA[Generated plugin number {i} for benchmarks]]></description>\n"
                    f"<about><![CDATA[It does nothing, {i} times over, but says so at length so that "
                    f"the entry has the size of a real one.]]></about>\n"
                    f"<version>{version}</version>\n<trusted>False</trusted>\n"
                    f"<qgis_minimum_version>3.{i % 30}.0</qgis_minimum_version>\n"
                    f"<qgis_maximum_version>3.99.0</qgis_maximum_version>\n"
                    f"<homepage><![CDATA[https://example.org/p{i}]]></homepage>\n"
                    f"<file_name>generated_{i}.{version}.zip</file_name>\n"
                    f"<icon>/media/packages/p{i}/icon.png</icon>\n"
                    f"<author_name><![CDATA[Author {i % 97}]]></author_name>\n"
                    f"<download_url>https://plugins.example.org/plugins/generated_{i}/version/"
                    f"{version}/download/</download_url>\n"
                    f"<uploaded_by><![CDATA[user{i % 89}]]></uploaded_by>\n"
                    f"<create_date>2020-01-0{1 + i % 9}T10:00:00.000000</create_date>\n"
                    f"<update_date>2024-02-0{1 + v}T10:00:00.000000</update_date>\n"
                    f"<experimental>{'True' if v == 2 else 'False'}</experimental>\n"
                    f"<deprecated>False</deprecated>\n"
                    f"<tracker><![CDATA[https://example.org/p{i}/issues]]></tracker>\n"
                    f"<repository><![CDATA[https://example.org/p{i}.git]]></repository>\n"
                    f"<tags><![CDATA[vector,raster,generated]]></tags>\n"
                    f"<downloads>{i * 13}</downloads>\n<average_vote>4.5</average_vote>\n"
                    f"<rating_votes>{i % 50}</rating_votes>\n"
                    f"<external_dependencies></external_dependencies>\n<server>False</server>\n"
                    f"</pyqgis_plugin>\n")
        out.write("</plugins>\n")


def python_parse_ms(path, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        ET.parse(path)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def qplug_process_ms(build, path, repetitions, tmp):
    """The whole `qplug repo sync` process (start, read, parse, write, commit, exit) of a
    repository added beforehand to a fresh index: what a user waits for at a first sync."""
    qplug = os.path.join(build, "cli", "qplug")
    times = []
    for i in range(repetitions):
        index = os.path.join(tmp, f"process-{i}.sqlite")
        subprocess.run([qplug, "repo", "add", "bench", path, "--index", index],
                       check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([qplug, "repo", "sync", "bench", "--index", index],
                       check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(index + suffix):
                os.remove(index + suffix)
    return statistics.median(times)


def changed_copy(path, out, every=100):
    """The file with the <about> of every `every`-th entry changed (a day's uploads)."""
    count = [0]

    def change(match):
        count[0] += 1
        return match.group(0).replace("It does nothing", "It does something") \
            if count[0] % every == 0 else match.group(0)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(re.sub(r"<about><!\[CDATA\[It does nothing[^\]]*\]\]></about>", change, text))


def run_bench(build, env, repetitions):
    out = subprocess.run(
        [os.path.join(build, "bench", "bench_index"), "--benchmark_format=json",
         f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true"],
        env=env, capture_output=True, text=True, check=True)
    results = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            unit = {"ms": 1, "s": 1000, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
            results[b["run_name"]] = (b["real_time"] * unit, b["cpu_time"] * unit,
                                      b.get("releases", b.get("written")))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--markdown")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = largest_corpus_file()
        generated = os.path.join(tmp, "generated-5000x3.xml")
        generated_plugins_xml(generated)
        changed = os.path.join(tmp, "generated-5000x3-changed.xml")
        changed_copy(generated, changed)
        env = dict(os.environ, QPLUG_BENCH_CORPUS_XML=corpus, QPLUG_BENCH_GENERATED_XML=generated,
                   QPLUG_BENCH_CHANGED_XML=changed)
        qplug = run_bench(args.build, env, args.repetitions)
        rows = []
        for name, path, label in (("BM_SyncPluginsXml/largest_corpus", corpus,
                                   f"largest corpus plugins.xml ({os.path.getsize(corpus) // 1000} kB)"),
                                  ("BM_SyncPluginsXml/generated_5000x3", generated,
                                   f"generated 5,000 x 3 ({os.path.getsize(generated) // 1000000} MB)")):
            wall, cpu, releases = qplug[name]
            py = python_parse_ms(path, args.repetitions * 2)
            process = qplug_process_ms(args.build, path, args.repetitions * 2, tmp)
            rows.append(f"| {label}: the whole `qplug repo sync` process (start to exit) | "
                        f"{process:.1f} ms | {py:.1f} ms | {py / process:.2f}x |")
            rows.append(f"| the same sync in process (bench_index: no start, no exit), {int(releases)} "
                        f"releases | {wall:.1f} ms ({cpu:.1f} ms CPU of the writing thread) "
                        f"| {py:.1f} ms | {py / wall:.2f}x |")
            parse_only, _, _ = qplug[name.replace("BM_SyncPluginsXml", "BM_XmlParseOnly")]
            rows.append(f"| its XML parse alone (pugixml in memory; nothing read or written), the floor "
                        f"under any sync | {parse_only:.2f} ms | {py:.1f} ms | {py / parse_only:.1f}x |")
            again, again_cpu, _ = qplug[name.replace("BM_SyncPluginsXml", "BM_ResyncUnchanged")]
            rows.append(f"| the same file again, unchanged (a scheduled sync) | {again:.2f} ms "
                        f"({again_cpu:.2f} ms CPU) | {py:.1f} ms | {py / again:.0f}x |")
            changed_name = name.replace("BM_SyncPluginsXml", "BM_ResyncChanged")
            if changed_name in qplug:
                resync, resync_cpu, written = qplug[changed_name]
                rows.append(f"| the file with 1% of its entries changed, into the index of its "
                            f"previous version ({int(written)} releases written, the others "
                            f"kept; in process) | {resync:.1f} ms ({resync_cpu:.1f} ms CPU of the writing thread) | "
                            f"{py:.1f} ms | {py / resync:.2f}x |")
        wall, cpu, releases = qplug["BM_ImportGenerated/50000/10/iterations:1"]
    lines = ["<!-- BEGIN index-bench -->",
             f"Machine: {os.cpu_count()} CPUs; medians of {args.repetitions}. Reproduce: "
             "`bench/run_index_bench.py build`.", "",
             "| first sync into a fresh index | qplug | Python `ET.parse` alone (in process) | qplug/Python speed |",
             "| --- | --- | --- | --- |", *rows, "",
             "| import | wall | CPU |", "| --- | --- | --- |",
             f"| generated 50,000 packages / {int(releases):,} releases (5 dependencies, 1 module "
             f"each), one transaction | {wall / 1000:.1f} s | {cpu / 1000:.1f} s |",
             "<!-- END index-bench -->"]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, encoding="utf-8") as fh:
            doc = fh.read()
        start = doc.index("<!-- BEGIN index-bench -->")
        end = doc.index("<!-- END index-bench -->") + len("<!-- END index-bench -->")
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(doc[:start] + text + doc[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
