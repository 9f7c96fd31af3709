# SPDX-License-Identifier: GPL-2.0-or-later
"""Whole-program measurements for the side-by-side benchmarks: wall time and peak memory."""
import os
import subprocess
import tempfile
import time

GNU_TIME = "/usr/bin/time"  # Debian package "time" (scripts/setup-deps installs it)


def run_measured(cmd, stdin_bytes=None, rounds=3):
    """Runs cmd `rounds` times; returns (best wall time in ms, peak RSS in MB of that run).

    Peak RSS comes from GNU time, whose child is forked from time's own small image: measuring
    the rusage of a child forked from this Python process would count this process's memory,
    since Linux keeps the high-water mark across fork and exec. Output goes to /dev/null; a
    failing command raises (exit 1, findings, is a normal outcome of a check).
    """
    best = None
    for _ in range(rounds):
        with tempfile.TemporaryFile() as stdin, tempfile.NamedTemporaryFile("r") as report:
            if stdin_bytes is not None:
                stdin.write(stdin_bytes)
                stdin.seek(0)
            t = time.perf_counter()
            p = subprocess.run([GNU_TIME, "-q", "-f", "%M", "-o", report.name, *cmd], stdin=stdin,
                               stdout=subprocess.DEVNULL)
            wall = (time.perf_counter() - t) * 1e3
            if p.returncode not in (0, 1):
                raise subprocess.CalledProcessError(p.returncode, cmd)
            rss_mb = int(report.read().split()[-1]) / 1024  # KiB
        if best is None or wall < best[0]:
            best = (wall, rss_mb)
    return best
