# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the real QGIS desktop (Debian's `qgis`) on a scratch profile under xvfb-run and reports
what it did: the plugins it started (qgis.utils.active_plugins), in which order their initGui
ran (from the log the test plugins append to), what its own plugin installer
(pyplugin_installer) reads of every installed plugin, and its version.

    report = run_qgis(profiles_root, "test", plugin_log)

`profiles_root` is the folder that holds profiles/ (QGIS's --profiles-path). QGIS runs in its
own process group and is killed with that group when it has not quit within `timeout`
seconds. Its HOME and XDG folders point into a scratch folder, so nothing outside it is
written."""
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time

# Runs inside QGIS (--code): records, then quits once the event loop runs.
CODE = r'''
import json, os, traceback
report = {}
try:
    import qgis.utils
    from qgis.core import Qgis
    report["qgis_version"] = Qgis.QGIS_VERSION
    report["qgis_version_int"] = Qgis.QGIS_VERSION_INT
    report["active_plugins"] = list(qgis.utils.active_plugins)
    from pyplugin_installer.installer_data import plugins
    plugins.getAllInstalled()
    report["installer"] = {
        key: {"name": p["name"], "version_installed": p["version_installed"],
              "experimental": p["experimental"], "readonly": p["readonly"],
              "error": p["error"], "error_details": p["error_details"]}
        for key, p in plugins.localCache.items()}
except Exception:
    report["error"] = traceback.format_exc()
with open(os.environ["QPLUG_QGIS_REPORT"], "w", encoding="utf-8") as fh:
    json.dump(report, fh)
from qgis.PyQt.QtCore import QTimer
QTimer.singleShot(1000, qgis.utils.iface.actionExit().trigger)
'''


def missing_programs():
    """What is missing to run the desktop ([] when qgis and xvfb-run are there)."""
    return [p for p in ("qgis", "xvfb-run", "xauth") if shutil.which(p) is None]


class QgisRunError(Exception):
    """QGIS did not write its report: it failed to start, crashed, or was killed (then
    `killed` is true; `pgid` is the process group it ran in)."""

    def __init__(self, message, killed=False, pgid=None):
        super().__init__(message)
        self.killed, self.pgid = killed, pgid


def run_qgis(profiles_root, profile, plugin_log, timeout=60, code=CODE, env_extra=None):
    """Starts `qgis --profiles-path ROOT --profile NAME --nologo --noversioncheck --code ...`
    under `xvfb-run -a` and returns the report (a dict) with "seconds" (wall time of the
    run), "cpu_seconds" and "output" (the last lines QGIS printed). QPLUG_QGIS_TEST_LOG is set to
    plugin_log for the plugins to append to. `code` is the script QGIS runs (it writes the
    report to $QPLUG_QGIS_REPORT and quits); `env_extra` adds variables (None values remove
    them)."""
    scratch = tempfile.mkdtemp(prefix="qplug-qgis-run-")
    try:
        script = os.path.join(scratch, "record.py")
        report_path = os.path.join(scratch, "report.json")
        with open(script, "w", encoding="utf-8") as fh:
            fh.write(code)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("QT_", "QGIS_", "PYQGIS_", "XDG_")) and k != "DISPLAY"}
        home = os.path.join(scratch, "home")
        runtime = os.path.join(scratch, "runtime")
        os.makedirs(home)
        os.makedirs(runtime, mode=0o700)
        env.update({"HOME": home, "XDG_RUNTIME_DIR": runtime,
                    "XDG_CONFIG_HOME": os.path.join(home, ".config"),
                    "XDG_CACHE_HOME": os.path.join(home, ".cache"),
                    "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
                    "QPLUG_QGIS_REPORT": report_path, "QPLUG_QGIS_TEST_LOG": plugin_log,
                    "PYTHONDONTWRITEBYTECODE": "1"})
        for key, value in (env_extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", "qgis",
                   "--profiles-path", profiles_root, "--profile", profile,
                   "--nologo", "--noversioncheck", "--code", script]
        started = time.monotonic()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(command, env=env, cwd=scratch, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group
        killed = False
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            killed = True
            kill_group(proc)
            output, _ = proc.communicate()
        seconds = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        text = output.decode("utf-8", "replace")
        tail = "\n".join(text.splitlines()[-40:])
        if killed:
            raise QgisRunError(f"QGIS did not quit within {timeout} s and was killed "
                               f"(its process group); its output:\n{tail}", True, proc.pid)
        if not os.path.exists(report_path):
            raise QgisRunError(f"QGIS exited with {proc.returncode} without running the "
                               f"--code script; its output:\n{tail}")
        with open(report_path, encoding="utf-8") as fh:
            report = json.load(fh)
        if "error" in report:
            raise QgisRunError("the --code script failed inside QGIS:\n" + report["error"])
        report["seconds"] = seconds
        report["cpu_seconds"] = cpu  # of the processes waited for: xvfb-run and what it reaped
        report["returncode"] = proc.returncode
        report["output"] = tail
        return report
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def kill_group(proc):
    """SIGTERM to QGIS's process group (xvfb-run then removes its X server's lock), SIGKILL
    to whatever of it is left 5 s later; returns once the group is gone (or 10 s later)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and group_alive(proc):
            time.sleep(0.1)
        if not group_alive(proc):
            break


def group_alive(proc):
    """Whether a process of QGIS's group still runs (zombies do not count: in a container
    whose first process does not reap orphans they would stay forever)."""
    proc.poll()  # reaps xvfb-run itself
    return bool(group_members(proc.pid))


def group_members(pgid):
    """The PIDs of the processes of group `pgid` that are not zombies (from /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def start_order(plugin_log):
    """The plugin keys in the order their initGui ran (the test plugins log "initGui KEY")."""
    if not os.path.exists(plugin_log):
        return []
    with open(plugin_log, encoding="utf-8") as fh:
        return [line.split()[1] for line in fh if line.startswith("initGui ")]
