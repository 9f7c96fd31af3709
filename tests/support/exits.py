# SPDX-License-Identifier: GPL-2.0-or-later
"""Running programs in the Python tests: every run states the exact exit code it expects, and
a process that died by a signal (a negative return code: -11 is a segfault) always fails the
test, whatever was expected. (An assertion such as `returncode != 0` lets a crash pass.)"""
import subprocess


def check_exit(result, expect, what=None):
    """Fails unless `result` (a CompletedProcess or a finished Popen) exited with `expect`;
    with expect=None, only when it died by a signal (the caller checks the exact code once it
    has read what the output says the code must be)."""
    code = result.returncode
    args = what if what is not None else result.args
    out = getattr(result, "stdout", None)
    err = getattr(result, "stderr", None)
    detail = f"\nstdout: {out!r:.2000}\nstderr: {err!r:.2000}" if out is not None or err is not None else ""
    if code is None:
        raise AssertionError(f"{args}: still running{detail}")
    if code < 0:
        raise AssertionError(f"{args}: killed by signal {-code}{detail}")
    if expect is not None and code != expect:
        raise AssertionError(f"{args}: exit code {code}, expected {expect}{detail}")
    return result


def run(cmd, expect=0, **kwargs):
    """subprocess.run(cmd, **kwargs), then check_exit(result, expect)."""
    return check_exit(subprocess.run(cmd, **kwargs), expect)
