#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two builds' first sync of the same plugins.xml, interleaved, with Python's ET.parse of the
file timed in the same loop: how a change to the sync is measured on a VM whose speed drifts
(docs/performance.md, "The fourth pass").

Each round runs the whole `qplug repo sync` process of build A, then of build B (a repository
added beforehand to a fresh index, as bench/run_index_bench.py does), under /usr/bin/time for
CPU, peak memory and page faults, then ET.parse in a fresh Python. Prints the medians.

Usage: bench/compare_sync.py BUILD_A BUILD_B [--file plugins.xml] [--rounds 15]
(without --file: run_index_bench.py's generated 5,000 x 3 file, 19 MB)
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_index_bench import generated_plugins_xml  # noqa: E402

ET_PARSE = ("import sys, time, xml.etree.ElementTree as ET\n"
            "t = time.perf_counter(); ET.parse(sys.argv[1]); print(time.perf_counter() - t)")


def sync_once(build, path, tmp):
    qplug = os.path.join(build, "cli", "qplug")
    index = os.path.join(tmp, "index.sqlite")
    subprocess.run([qplug, "repo", "add", "bench", path, "--index", index],
                   check=True, capture_output=True)
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M %R", qplug, "repo", "sync", "bench",
                           "--index", index], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    user, system, peak_kb, faults = done.stderr.split()[-4:]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(index + suffix):
            os.remove(index + suffix)
    return wall * 1000, (float(user) + float(system)) * 1000, int(peak_kb) / 1024, int(faults)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_a")
    parser.add_argument("build_b")
    parser.add_argument("--file")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = os.path.join(tmp, "generated.xml")
            generated_plugins_xml(path)
        runs = [("A " + args.build_a, args.build_a, []), ("B " + args.build_b, args.build_b, [])]
        python = []
        for _ in range(args.rounds):
            for _, build, samples in runs:
                samples.append(sync_once(build, path, tmp))
            out = subprocess.run([sys.executable, "-c", ET_PARSE, path], check=True,
                                 capture_output=True, text=True).stdout
            python.append(float(out) * 1000)
        et = statistics.median(python)
        print(f"ET.parse alone: {et:.1f} ms (median of {args.rounds})")
        for label, _, samples in runs:
            wall, cpu, peak, faults = (statistics.median(column) for column in zip(*samples))
            print(f"{label}: {wall:.1f} ms wall ({et / wall:.2f}x ET.parse), {cpu:.0f} ms CPU, "
                  f"peak {peak:.0f} MB, {faults:.0f} page faults")


if __name__ == "__main__":
    main()
