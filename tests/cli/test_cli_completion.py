# SPDX-License-Identifier: GPL-2.0-or-later
"""Shell completion and the man page, loaded in the real shells and the real man: the script
of `qplug completion bash` run through bash's completion machinery, fish's `complete -C`, zsh
loading its script under compinit, and `man -l` rendering the generated qplug.1."""
import os
import re
import shutil
import subprocess
import unittest

import exits
from test_cli_conventions import Scratch  # a scratch index with a folder repository

QPLUG = os.environ["QPLUG_CLI"]
MAN_PAGE = os.path.join(os.environ["QPLUG_BINARY_DIR"], "cli", "qplug.1")


class Shells(Scratch):
    def setUp(self):
        super().setUp()
        self.env["PATH"] = os.path.dirname(QPLUG) + os.pathsep + os.environ["PATH"]
        # (a sanitizer run preloads libasan for Python; the shells are not ours to check)
        self.env.pop("LD_PRELOAD", None)
        self.script = os.path.join(self.tmp, "qplug.completion")

    def script_for(self, shell):
        r = exits.run([QPLUG, "completion", shell], 0, capture_output=True, text=True,
                      env=self.env)
        with open(self.script, "w") as fh:
            fh.write(r.stdout)
        return self.script

    def bash(self, line):
        """Candidates bash offers for `line` (the cursor at its end)."""
        words = line.split(" ")
        program = (f"source {self.script_for('bash')}\n"
                   f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
                   f"COMP_CWORD={len(words) - 1}\n"
                   "_qplug\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
        r = exits.run(["bash", "--norc", "--noprofile", "-c", program], 0,
                      capture_output=True, text=True, env=self.env, timeout=60)
        return [c for c in r.stdout.splitlines() if c]

    def test_bash(self):
        self.assertEqual(self.bash("qplug ver"), ["version"])
        self.assertEqual(self.bash("qplug repo sy"), ["sync"])
        self.assertIn("--profile", self.bash("qplug meta check --pro"))
        self.assertEqual(self.bash("qplug meta check --profile s"), ["site", "strict"])
        self.assertEqual(self.bash("qplug --color a"), ["auto", "always"])
        self.assertEqual(self.bash("qplug completion f"), ["fish"])
        # files where a command takes files
        os.makedirs(os.path.join(self.tmp, "plugin"))
        open(os.path.join(self.tmp, "plugin", "metadata.txt"), "w").close()
        self.assertEqual(self.bash(f"qplug meta check {self.tmp}/plugin/met"),
                         [f"{self.tmp}/plugin/metadata.txt"])
        # names from the index: repositories, packages (a name with a space, quoted)
        self.folder_repository()
        self.assertEqual(self.bash(f"qplug --index {self.index} repo remove l"), ["local"])
        self.assertEqual(self.bash(f"qplug install --index {self.index} Prof"),
                         ["Profile\\ tool"])
        self.assertEqual(self.bash(f"qplug --index {self.index} info qgis2"), ["qgis2web"])

    def test_fish(self):
        if shutil.which("fish") is None:
            self.skipTest("fish is not installed (scripts/setup-deps installs it)")
        self.folder_repository()
        script = self.script_for("fish")

        def complete(line):
            r = exits.run(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
                          0, capture_output=True, text=True, env=self.env, timeout=60)
            return [c.split("\t")[0] for c in r.stdout.splitlines()]

        self.assertEqual(complete("qplug ver"), ["version"])
        self.assertEqual(complete("qplug meta check --profile s"), ["site", "strict"])
        self.assertEqual(complete(f"qplug --index {self.index} install Prof"), ["Profile tool"])

    def test_zsh(self):
        if shutil.which("zsh") is None:
            self.skipTest("zsh is not installed (scripts/setup-deps installs it)")
        script = self.script_for("zsh")
        r = exits.run(["zsh", "-f", "-c",
                       f"autoload -U compinit && compinit -u -D && source {script} && "
                       "print -r -- $_comps[qplug] && whence -w _qplug"],
                      0, capture_output=True, text=True, env=self.env, timeout=60)
        self.assertEqual(r.stdout.splitlines(), ["_qplug", "_qplug: function"])


class ManPage(unittest.TestCase):
    def test_renders(self):
        if shutil.which("man") is None:
            self.skipTest("man-db is not installed (scripts/setup-deps installs it)")
        env = dict(os.environ, MANWIDTH="100")
        env.pop("LD_PRELOAD", None)  # (man and troff are not ours to check under ASan)
        r = exits.run(["man", "-l", MAN_PAGE], 0, capture_output=True, text=True, env=env,
                      timeout=60)
        text = re.sub(".\x08", "", r.stdout)  # man's overstrike bold and underline
        self.assertIn("QPLUG(1)", text)
        for heading in ("NAME", "SYNOPSIS", "GLOBAL OPTIONS", "COMMANDS", "EXIT STATUS",
                        "ENVIRONMENT"):
            self.assertIn("\n" + heading + "\n", text)
        self.assertIn("qplug repo add [OPTIONS] NAME URL", text)
        self.assertIn("qplug version compare [OPTIONS] A B", text)
        self.assertIn("qplug install 'Profile tool'", text)  # an example
        self.assertNotIn("__complete", text)  # hidden commands stay hidden
        # man's own checker finds nothing to complain about
        lint = subprocess.run(["man", "--warnings", "-l", MAN_PAGE], capture_output=True,
                              text=True, env=env, timeout=60)
        exits.check_exit(lint, 0)
        self.assertEqual(lint.stderr, "")


if __name__ == "__main__":
    unittest.main()
