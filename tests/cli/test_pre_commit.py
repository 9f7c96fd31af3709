# SPDX-License-Identifier: GPL-2.0-or-later
"""The repository's .pre-commit-hooks.yaml, run by Debian's pre-commit on a scratch plugin
repository: the hooks pass on a good plugin and fail, naming the rule, on a broken one."""
import os
import shutil
import subprocess
import tempfile
import unittest

QPLUG = os.environ["QPLUG_CLI"]
SOURCE = os.environ.get("QPLUG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

METADATA = """[general]
name=Test Plugin
qgisMinimumVersion=3.22
qgisMaximumVersion=3.99
description=Tests qplug's hooks.
about=A plugin that exists to be checked.
version=1.0.0
author=Jane Doe
email=jane@example.org
repository=https://github.com/example/test_plugin
tracker=https://github.com/example/test_plugin/issues
homepage=https://example.org/test_plugin
"""


@unittest.skipIf(shutil.which("pre-commit") is None, "Debian's pre-commit is not installed")
class PreCommitHooks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.env = dict(os.environ,
                        PATH=os.path.dirname(QPLUG) + os.pathsep + os.environ.get("PATH", ""),
                        HOME=self.tmp, PRE_COMMIT_HOME=os.path.join(self.tmp, "cache"),
                        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
                        GIT_CONFIG_NOSYSTEM="1")
        # The hooks' repository: this checkout's hook definitions, committed.
        self.hooks = os.path.join(self.tmp, "hooks")
        os.makedirs(self.hooks)
        shutil.copy(os.path.join(SOURCE, ".pre-commit-hooks.yaml"), self.hooks)
        self.git(self.hooks, "init", "-q")
        self.git(self.hooks, "add", ".")
        self.git(self.hooks, "commit", "-q", "-m", "hooks")
        rev = self.git(self.hooks, "rev-parse", "HEAD").stdout.strip()
        # A plugin repository whose root is the plugin folder.
        self.plugin = os.path.join(self.tmp, "test_plugin")
        os.makedirs(self.plugin)
        self.write("__init__.py", "def classFactory(iface):\n    return None\n")
        self.write("LICENSE", "GPL-2.0-or-later\n")
        self.write("metadata.txt", METADATA)
        subprocess.run([QPLUG, "meta", "fmt", "-i", os.path.join(self.plugin, "metadata.txt")], check=True)
        self.write(".pre-commit-config.yaml",
                   f"repos:\n  - repo: {self.hooks}\n    rev: {rev}\n    hooks:\n"
                   "      - id: qplug-meta-check\n      - id: qplug-meta-fmt\n      - id: qplug-package-check\n")
        self.git(self.plugin, "init", "-q")
        self.git(self.plugin, "add", ".")
        self.git(self.plugin, "commit", "-q", "-m", "plugin")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def git(self, cwd, *args):
        return subprocess.run(["git", *args], cwd=cwd, env=self.env, capture_output=True, text=True,
                              check=True, timeout=60)

    def write(self, name, text):
        with open(os.path.join(self.plugin, name), "w", encoding="utf-8") as fh:
            fh.write(text)

    def pre_commit(self):
        return subprocess.run(["pre-commit", "run", "--all-files", "--color", "never"], cwd=self.plugin,
                              env=self.env, capture_output=True, text=True, timeout=300)

    def test_hooks_pass_then_fail(self):
        r = self.pre_commit()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for name in ("qplug meta check", "qplug meta fmt --check", "qplug package check"):
            self.assertRegex(r.stdout, name.replace(".", r"\.") + r"\.+Passed")
        # An author with a slash: refused by the site, so by the check hooks; blanks around
        # '=': not canonical.
        with open(os.path.join(self.plugin, "metadata.txt"), encoding="utf-8") as fh:
            text = fh.read()
        self.write("metadata.txt", text.replace("Jane Doe", "Jane/Doe").replace("name=", "name = "))
        self.git(self.plugin, "add", ".")
        r = self.pre_commit()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"qplug meta check\.+Failed")
        self.assertRegex(r.stdout, r"qplug meta fmt --check\.+Failed")
        self.assertRegex(r.stdout, r"qplug package check\.+Failed")
        self.assertIn("[META-AUTHOR-SLASH]", r.stdout)
        self.assertIn("metadata.txt: not in canonical form", r.stdout)


if __name__ == "__main__":
    unittest.main()
