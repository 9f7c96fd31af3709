#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start-up of whole programs, side by side: light qplug commands beside `git --version` and
`/bin/true`, as CPU time (user + system) of each child process.

Each command runs N times, the commands taken in turn (so that a busy moment of the machine
falls on all of them alike); the CPU time of a run is the child's rusage from os.wait4, which
Linux takes from the scheduler's exact run time. Children are started with posix_spawn (vfork),
so the cost of copying this Python process is not theirs. Reported: the median and the 10th
percentile of each command's runs, and the ratio of the medians to `git --version`.

Usage: bench/run_startup_bench.py BUILD_DIR [--runs N] [--markdown FILE]
"""
import argparse
import os
import platform
import shutil
import statistics

QPLUG_COMMANDS = [
    ("qplug version compare 1.0 1.0.0", ["version", "compare", "1.0", "1.0.0"]),
    ("qplug --version", ["--version"]),
    ("qplug meta check metadata.txt", ["meta", "check", "{metadata}"]),
    ("qplug repo list (a fresh index)", ["repo", "list", "--index", "{index}"]),
]
BAR = "qplug version compare 1.0 1.0.0"  # issue 14: at most 2.5x `git --version`


def cpu_ms(argv):
    """One run of argv, output to /dev/null; the child's user + system CPU time in ms."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                           (os.POSIX_SPAWN_DUP2, devnull, 1),
                                           (os.POSIX_SPAWN_DUP2, devnull, 2)])
    finally:
        os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{argv} exited with {code}")
    return (usage.ru_utime + usage.ru_stime) * 1e3


def commands(build, scratch):
    exe = os.path.abspath(os.path.join(build, "cli", "qplug"))
    metadata = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                            "metadata", "0xNima__QSWOT__metadata.txt")
    index = os.path.join(scratch, "index.sqlite")
    out = [("/bin/true", ["/bin/true"]), ("git --version", [shutil.which("git"), "--version"])]
    for label, args in QPLUG_COMMANDS:
        out.append((label, [exe] + [a.format(metadata=metadata, index=index) for a in args]))
    return out


def measure(cmds, runs):
    samples = {label: [] for label, _ in cmds}
    for _ in range(3):  # warm the page cache and the loader's caches
        for _, argv in cmds:
            cpu_ms(argv)
    for _ in range(runs):
        for label, argv in cmds:
            samples[label].append(cpu_ms(argv))
    return samples


def table(samples, runs):
    git = statistics.median(samples["git --version"])
    lines = [
        f"CPU time (user + system) per run, {runs} runs of each command taken in turn; "
        f"{os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}.",
        "",
        "| command | median | 10th percentile | median / `git --version` |",
        "| --- | --- | --- | --- |",
    ]
    for label, xs in samples.items():
        xs = sorted(xs)
        p10 = xs[len(xs) // 10]
        lines.append(f"| `{label}` | {statistics.median(xs):.2f} ms | {p10:.2f} ms | "
                     f"{statistics.median(xs) / git:.1f}x |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--markdown")
    args = ap.parse_args()
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        samples = measure(commands(args.build, scratch), args.runs)
    text = table(samples, args.runs)
    print(text)
    ratio = statistics.median(samples[BAR]) / statistics.median(samples["git --version"])
    print(f"\n{BAR}: {ratio:.2f}x git --version (bar: at most 2.5x)")
    if args.markdown:
        with open(args.markdown, encoding="utf-8") as fh:
            doc = fh.read()
        begin, end = "<!-- BEGIN startup-bench -->", "<!-- END startup-bench -->"
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(head + begin + "\n" + text + "\n" + end + tail)


if __name__ == "__main__":
    main()
