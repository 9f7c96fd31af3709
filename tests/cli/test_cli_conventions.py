# SPDX-License-Identifier: GPL-2.0-or-later
"""The conventions of the command line, as a user of git, cargo or uv expects them: global
options before or after the command, "did you mean" for commands, options, choices and
package names, usage errors as JSON under --json, colour rules, an example in every --help,
external commands (qplug-NAME on PATH), `qplug check`, and light commands that load none of
the heavy libraries."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import exits

QPLUG = os.environ["QPLUG_CLI"]


def run(*args, expect=0, env=None, stdin=None):
    return exits.run([QPLUG, *args], expect, input=stdin, capture_output=True, text=True,
                     timeout=60, env=env)


class Scratch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qplug-conventions-")
        self.index = os.path.join(self.tmp, "index.sqlite")
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                        XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        self.env.pop("QPLUG_INDEX", None)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def folder_repository(self):
        """An index with one folder repository of two plugins, synced (no network)."""
        zips = os.path.join(self.tmp, "zips")
        os.makedirs(zips)
        import zipfile
        for key, name in (("profiletool", "Profile tool"), ("qgis2web", "qgis2web")):
            with zipfile.ZipFile(os.path.join(zips, f"{key}.1.0.zip"), "w") as z:
                z.writestr(f"{key}/__init__.py", "def classFactory(iface):\n    return None\n")
                z.writestr(f"{key}/metadata.txt",
                           f"[general]\nname={name}\nversion=1.0\nqgisMinimumVersion=3.22\n"
                           "description=d\nabout=a\nauthor=qplug\nemail=q@example.org\n"
                           "repository=https://example.org/r\n")
        run("--index", self.index, "repo", "add", "local", zips, "--kind", "folder", env=self.env)
        run("--index", self.index, "repo", "sync", "local", "--qgis", "3.34.0", env=self.env)


class GlobalOptions(Scratch):
    def test_before_and_after_the_command(self):
        before = run("--index", self.index, "--json", "repo", "list", env=self.env)
        after = run("repo", "list", "--index", self.index, "--json", env=self.env)
        between = run("repo", "--index", self.index, "list", "--json", env=self.env)
        self.assertEqual(json.loads(before.stdout), json.loads(after.stdout))
        self.assertEqual(json.loads(before.stdout), json.loads(between.stdout))
        self.assertTrue(os.path.exists(self.index))

    def test_json_before_a_light_command(self):
        r = run("--json", "version", "compare", "1.0", "1.0.0")
        self.assertEqual(json.loads(r.stdout)["result"], "=")

    def test_quiet_verbose_and_color_everywhere(self):
        for args in (["version", "normalize", "1.0"], ["meta", "spec"],
                     ["repo", "list", "--index", self.index], ["completion", "bash"]):
            run("-q", *args, env=self.env)
            run(*args, "-v", "--color", "never", env=self.env)
            run("--color=always", *args, "--quiet", env=self.env)

    def test_index_verbose_names_the_index(self):
        r = run("-v", "repo", "list", "--index", self.index, env=self.env)
        self.assertIn(f"qplug: index {self.index}", r.stderr)


class DidYouMean(Scratch):
    def test_command(self):
        r = run("instal", "Kart", expect=2)
        self.assertIn("'instal' is not a qplug command; did you mean 'install'?", r.stderr)
        r = run("repo", "lst", expect=2)
        self.assertIn("did you mean 'list'?", r.stderr)
        r = run("zzzzzz", expect=2)
        self.assertNotIn("did you mean", r.stderr)

    def test_option(self):
        r = run("meta", "check", "--profle", "site", "x.txt", expect=2)
        self.assertIn("unknown option '--profle' for 'qplug meta check'; did you mean "
                      "'--profile'?", r.stderr)

    def test_choice_in_plain_words(self):
        r = run("meta", "check", "--profile", "sit", "x.txt", expect=2)
        self.assertIn("'sit' is not one of qgis, site, strict; did you mean 'site'?", r.stderr)
        self.assertNotIn("->", r.stderr)
        self.assertNotIn("FAILED", r.stderr)
        r = run("version", "compare", "--scheme", "pep404", "1", "2", expect=2)
        self.assertIn("did you mean 'pep440'?", r.stderr)
        # a heavy command's choice (qplug-commands.so's validator, the executable's report)
        r = run("resolve", "x", "--platform", "linx", expect=2)
        self.assertIn("--platform: 'linx' is not one of linux, win32, darwin; did you mean "
                      "'linux'?", r.stderr)
        # choices stay case-insensitive
        run("meta", "check", "--profile", "SITE", "--help")

    def test_package_name_from_the_index(self):
        self.folder_repository()
        r = run("--index", self.index, "resolve", "Profil tool", "--qgis", "3.34.0",
                "--python-exe", "none", "--plugins-dir", os.path.join(self.tmp, "plugins"),
                env=self.env, expect=1)
        self.assertIn("did you mean 'Profile tool'?", r.stderr)
        r = run("--index", self.index, "resolve", "Profil tool", "--qgis", "3.34.0",
                "--python-exe", "none", "--plugins-dir", os.path.join(self.tmp, "plugins"),
                "--json", env=self.env, expect=1)
        self.assertEqual(json.loads(r.stdout)["did_you_mean"], {"Profil tool": ["Profile tool"]})


class UsageErrorsAsJson(unittest.TestCase):
    def test_exit_2_with_an_error_object(self):
        for args in (["--json", "instal"], ["version", "compare", "1.0", "--json"],
                     ["--json", "meta", "check", "--profile", "sit", "x"],
                     ["--json", "repo"], ["--json"]):
            r = run(*args, expect=2)
            err = json.loads(r.stdout)["error"]
            self.assertEqual(err["kind"], "usage", args)
            self.assertTrue(err["message"], args)

    def test_without_json_stdout_stays_empty(self):
        r = run("instal", expect=2)
        self.assertEqual(r.stdout, "")


class Help(unittest.TestCase):
    def test_every_command_has_an_example(self):
        names = [line.split()[0] for line in run("--list").stdout.splitlines()
                 if line.startswith("  ")]
        self.assertIn("install", names)
        commands = []
        for name in names:
            if name in ("version", "meta", "package", "repo"):
                sub = run(name, "--help").stdout.split("Subcommands:", 1)[1]
                commands += [[name, line.split()[0]] for line in sub.splitlines()
                             if line.startswith("  ")]
            else:
                commands.append([name])
        self.assertGreater(len(commands), 30)
        for c in commands:
            r = run(*c, "--help")
            self.assertRegex(r.stdout, r"Example:\n  qplug ", c)
            self.assertIn("Global options", r.stdout, c)


class Colour(unittest.TestCase):
    CHECK = ["meta", "check", os.path.join(os.environ["QPLUG_SOURCE_DIR"], "tests", "data",
                                           "metadata", "0xNima__QSWOT__metadata.txt")]

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CLICOLOR_FORCE")}
        env.update(extra)
        return env

    def test_rules(self):
        plain = run(*self.CHECK, env=self.env(), expect=None)
        self.assertNotIn("\x1b[", plain.stdout)  # not a terminal
        forced = run(*self.CHECK, env=self.env(CLICOLOR_FORCE="1"), expect=None)
        self.assertIn("\x1b[", forced.stdout)
        no = run(*self.CHECK, env=self.env(CLICOLOR_FORCE="1", NO_COLOR="1"), expect=None)
        self.assertNotIn("\x1b[", no.stdout)
        always = run("--color", "always", *self.CHECK, env=self.env(NO_COLOR="1"), expect=None)
        self.assertIn("\x1b[", always.stdout)
        never = run(*self.CHECK, "--color", "never", env=self.env(CLICOLOR_FORCE="1"),
                    expect=None)
        self.assertNotIn("\x1b[", never.stdout)


class ExternalCommands(Scratch):
    def test_runs_qplug_name_from_path(self):
        bin_dir = os.path.join(self.tmp, "bin")
        os.makedirs(bin_dir)
        script = os.path.join(bin_dir, "qplug-hello")
        with open(script, "w") as fh:
            fh.write("#!/bin/sh\necho \"hello $# [$1] [$2] index=$QPLUG_INDEX\"\nexit 7\n")
        os.chmod(script, 0o755)
        env = dict(self.env, PATH=bin_dir + os.pathsep + os.environ["PATH"])
        r = run("--index", "/x.sqlite", "hello", "a b", "--json", env=env, expect=7)
        self.assertEqual(r.stdout, "hello 2 [a b] [--json] index=/x.sqlite\n")
        listed = run("--list", env=env).stdout
        self.assertRegex(listed, r"External commands.*\n  hello +" + re.escape(script))
        self.assertEqual(json.loads(run("--list", "--json", env=env).stdout)["external"],
                         [{"name": "hello", "path": script}])
        # a built-in command wins over qplug-version on PATH
        shutil.copy(script, os.path.join(bin_dir, "qplug-version"))
        self.assertEqual(run("version", "compare", "1", "2", env=env).stdout, "<\n")
        # an unknown name that no program answers is a usage error
        run("hellp", env=env, expect=2)


class CheckInstalled(Scratch):
    def plugin(self, key, name, minimum="3.22", maximum=None, deps=None):
        folder = os.path.join(self.tmp, "plugins", key)
        os.makedirs(folder)
        with open(os.path.join(folder, "__init__.py"), "w") as fh:
            fh.write("def classFactory(iface):\n    return None\n")
        meta = (f"[general]\nname={name}\nversion=1.0\nqgisMinimumVersion={minimum}\n"
                "description=d\nabout=a\nauthor=qplug\nemail=q@example.org\n")
        if maximum:
            meta += f"qgisMaximumVersion={maximum}\n"
        if deps:
            meta += f"plugin_dependencies={deps}\n"
        with open(os.path.join(folder, "metadata.txt"), "w") as fh:
            fh.write(meta)

    def check(self, expect, *extra):
        return run("check", "--plugins-dir", os.path.join(self.tmp, "plugins"), "--python-exe",
                   "none", "--qgis", "3.22.4", *extra, env=self.env, expect=expect)

    def test_compatible(self):
        self.plugin("base", "Base")
        self.plugin("user", "User", deps="Base")
        r = self.check(0)
        self.assertIn("2 plugins", r.stdout)

    def test_incompatible_and_missing(self):
        self.plugin("base", "Base")
        self.plugin("future", "Future", minimum="3.34")
        self.plugin("old", "Old", minimum="2.0", maximum="2.99")
        self.plugin("user", "User", deps="Base==2.0,Missing")
        r = self.check(1)
        self.assertRegex(r.stdout, r"future 1.0: incompatible: .*3\.34")
        self.assertRegex(r.stdout, r"old 1.0: incompatible: ")
        self.assertIn("user 1.0: missing_dependency: needs the plugin 'Missing'", r.stdout)
        self.assertIn("user 1.0: dependency_version: needs 'Base' ==2.0", r.stdout)
        out = json.loads(self.check(1, "--json").stdout)
        self.assertFalse(out["ok"])
        self.assertEqual(sorted(p["problem"] for p in out["problems"]),
                         ["dependency_version", "incompatible", "incompatible",
                          "missing_dependency"])


class DefaultRepository(Scratch):
    """A fresh index has plugins.qgis.org, protected, as QGIS ships it (never synced here:
    no test reaches the network)."""
    OFFICIAL = "QGIS Official Plugin Repository"

    def setUp(self):
        super().setUp()
        self.env.pop("QPLUG_NO_DEFAULT_REPOSITORY", None)

    def repos(self):
        r = run("--index", self.index, "repo", "list", "--json", env=self.env)
        return json.loads(r.stdout)["repositories"]

    def test_fresh_index(self):
        [repo] = self.repos()
        self.assertEqual((repo["name"], repo["kind"], repo["url"], repo["protected"]),
                         (self.OFFICIAL, "legacy", "https://plugins.qgis.org/plugins/plugins.xml",
                          True))
        r = run("--index", self.index, "repo", "remove", self.OFFICIAL, env=self.env, expect=1)
        self.assertIn("protected; remove it with --force", r.stderr)
        self.assertEqual(len(self.repos()), 1)
        run("--index", self.index, "repo", "remove", self.OFFICIAL, "--force", env=self.env)
        self.assertEqual(self.repos(), [])  # and it does not come back

    def test_opt_out(self):
        env = dict(self.env, QPLUG_NO_DEFAULT_REPOSITORY="1")
        r = run("--index", self.index, "repo", "list", "--json", env=env)
        self.assertEqual(json.loads(r.stdout)["repositories"], [])


class LightStartUp(unittest.TestCase):
    """`version` and `meta` load none of libcurl, libsolv, SQLite and libzip (nor the
    command library that links them): the loader's own record of what it opened says so."""

    def loaded(self, *args):
        env = dict(os.environ, LD_DEBUG="files")
        r = subprocess.run([QPLUG, *args], env=env, capture_output=True, text=True, timeout=60)
        exits.check_exit(r, None)
        return set(re.findall(r"file=(\S+)", r.stderr))

    def test_light_commands(self):
        heavy = re.compile(r"libcurl|libsolv|libsqlite3|libzip|qplug-commands")
        for args in (["version", "compare", "1.0", "1.0.0"], ["--version"], ["meta", "spec"]):
            files = self.loaded(*args)
            self.assertTrue(files, args)
            self.assertEqual([f for f in files if heavy.search(f)], [], args)
        files = self.loaded("repo", "list", "--index", "/nonexistent/dir/i.sqlite")
        self.assertTrue([f for f in files if "qplug-commands" in f])

    def test_check_links_loads_the_commands_on_demand(self):
        # meta check stays light; with --check-links it opens qplug-commands.so for libcurl
        # and checks the links for real, here against a server on 127.0.0.1.
        import http.server
        import threading
        folder = tempfile.mkdtemp(prefix="qplug-links-")
        self.addCleanup(shutil.rmtree, folder)

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=folder, **kwargs)

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        base = f"http://127.0.0.1:{server.server_port}"
        path = os.path.join(folder, "metadata.txt")
        with open(path, "w") as fh:
            fh.write("[general]\nname=Links\nversion=1.0\nqgisMinimumVersion=3.22\n"
                     "description=d\nabout=a\nauthor=q\nemail=q@example.org\n"
                     f"tracker={base}/missing\nrepository={base}/\nhomepage={base}/\n")
        files = self.loaded("meta", "check", "--profile", "site", path)
        self.assertEqual([f for f in files if "qplug-commands" in f], [])
        r = exits.run([QPLUG, "meta", "check", "--profile", "site", "--check-links", "--json",
                       path], 1, capture_output=True, text=True, timeout=60)
        [report] = json.loads(r.stdout)["files"]
        unreachable = [d["key"] for d in report["diagnostics"]
                       if d["rule"] == "META-URL-UNREACHABLE"]
        self.assertEqual(unreachable, ["tracker"])
        files = self.loaded("meta", "check", "--profile", "site", "--check-links", path)
        self.assertTrue([f for f in files if "qplug-commands" in f])

if __name__ == "__main__":
    unittest.main()
