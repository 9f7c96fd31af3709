// SPDX-License-Identifier: GPL-2.0-or-later
// Changing PythonPlugins/<key> in QGIS3.ini text with every other byte kept, and the profile's
// file replaced atomically under QSettings' lock. The differential test against Qt's own
// QSettings is tests/python/test_qsettings_reference.py.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/solver/qgis_settings.hpp>

#include "formats/settings_file.hpp"
#include "test_data.hpp"

using namespace qplug::solver;
namespace fs = std::filesystem;

namespace {

std::string edited(std::string_view text, std::string_view key,
                   PythonPluginChange change = PythonPluginChange::enable) {
    auto out = edit_qsettings_ini(text, python_plugin_edits(key, change));
    EXPECT_TRUE(out) << out.error().to_string();
    return out ? *out : std::string("<failed>");
}

PythonPluginSetting setting_of(std::string_view text, std::string_view key) {
    auto entries = read_qsettings_ini(text);
    EXPECT_TRUE(entries) << entries.error().to_string();
    return entries ? python_plugin_setting(*entries, key) : PythonPluginSetting{};
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& p, std::string_view text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

struct TempDir {
    TempDir() {
        std::string t = (fs::temp_directory_path() / "qplug-settings-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path path;
};

} // namespace

// --- the key as QSettings writes it (iniEscapedKey) -----------------------------------------

TEST(QSettingsEscape, KeysAsQSettingsWritesThem) {
    EXPECT_EQ(qsettings_escaped_key("a.b-c_D9"), "a.b-c_D9");
    EXPECT_EQ(qsettings_escaped_key("my plugin"), "my%20plugin");
    EXPECT_EQ(qsettings_escaped_key("group/key"), "group\\key");
    EXPECT_EQ(qsettings_escaped_key("100%\\x"), "100%25%5Cx");
    EXPECT_EQ(qsettings_escaped_key("caf\u00e9"), "caf%E9");
    EXPECT_EQ(qsettings_escaped_key("\u6e2c\u8a66"), "%U6E2C%U8A66");
    // Above the BMP: the two UTF-16 code units, each as %U.
    EXPECT_EQ(qsettings_escaped_key("\U0001F600"), "%UD83D%UDE00");
}

// --- enable, disable, forget on text ---------------------------------------------------------

TEST(QSettingsEdit, EmptyFileGetsTheSection) {
    EXPECT_EQ(edited("", "foo"), "[PythonPlugins]\nfoo=true\n");
    EXPECT_EQ(edited("", "foo", PythonPluginChange::disable), "[PythonPlugins]\nfoo=false\n");
    EXPECT_EQ(edited("", "foo", PythonPluginChange::forget), "");
}

TEST(QSettingsEdit, NewSectionAtTheEndAfterABlankLine) {
    EXPECT_EQ(edited("[app]\nx=1\n", "foo"), "[app]\nx=1\n\n[PythonPlugins]\nfoo=true\n");
    EXPECT_EQ(edited("[app]\nx=1\n\n", "foo"), "[app]\nx=1\n\n[PythonPlugins]\nfoo=true\n");
    // No line break at the end: one is added first.
    EXPECT_EQ(edited("[app]\nx=1", "foo"), "[app]\nx=1\n\n[PythonPlugins]\nfoo=true\n");
}

TEST(QSettingsEdit, AddedAfterTheSectionsLastEntry) {
    EXPECT_EQ(edited("[PythonPlugins]\na=true\nz=false\n\n[app]\nx=1\n", "m"),
              "[PythonPlugins]\na=true\nz=false\nm=true\n\n[app]\nx=1\n");
    EXPECT_EQ(edited("[PythonPlugins]\n[app]\nx=1\n", "m"),
              "[PythonPlugins]\nm=true\n[app]\nx=1\n");
    // The entry's comment stays on its line.
    EXPECT_EQ(edited("[PythonPlugins]\na=true ; mine\n[app]\n", "m"),
              "[PythonPlugins]\na=true ; mine\nm=true\n[app]\n");
}

TEST(QSettingsEdit, ValueChangedInPlace) {
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=false\nbar=true\n", "foo"),
              "[PythonPlugins]\nfoo=true\nbar=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=true\n", "foo", PythonPluginChange::disable),
              "[PythonPlugins]\nfoo=false\n");
    // Spacing and the comment are kept.
    EXPECT_EQ(edited("[PythonPlugins]\n  foo =  false  ; off for now\n", "foo"),
              "[PythonPlugins]\n  foo =  true  ; off for now\n");
    // An empty value, a quoted one, one continued on the next line.
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=\n", "foo"), "[PythonPlugins]\nfoo=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=\"no\"\n", "foo"), "[PythonPlugins]\nfoo=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=fa\\\nlse\nx=1\n", "foo"),
              "[PythonPlugins]\nfoo=true\nx=1\n");
    // Already so: not a byte changes.
    const std::string same = "[PythonPlugins]\nfoo = true ;x\r\n";
    EXPECT_EQ(edited(same, "foo"), same);
}

TEST(QSettingsEdit, LineBreaksAndBomKept) {
    EXPECT_EQ(edited("\xEF\xBB\xBF[app]\r\nx=1\r\n", "foo"),
              "\xEF\xBB\xBF[app]\r\nx=1\r\n\r\n[PythonPlugins]\r\nfoo=true\r\n");
    EXPECT_EQ(edited("\xEF\xBB\xBF[PythonPlugins]\r\na=true\r\n", "foo"),
              "\xEF\xBB\xBF[PythonPlugins]\r\na=true\r\nfoo=true\r\n");
    EXPECT_EQ(edited("\xEF\xBB\xBF", "foo"), "\xEF\xBB\xBF[PythonPlugins]\nfoo=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\rfoo=false\r", "foo"), "[PythonPlugins]\rfoo=true\r");
}

TEST(QSettingsEdit, KeysEscapedAsQSettingsDoes) {
    EXPECT_EQ(edited("", "my plugin"), "[PythonPlugins]\nmy%20plugin=true\n");
    EXPECT_EQ(edited("", "\u6e2c\u8a66"), "[PythonPlugins]\n%U6E2C%U8A66=true\n");
    // A key written with another escape is the same key: changed where it is.
    EXPECT_EQ(edited("[PythonPlugins]\nf%6fo=false\n", "foo"), "[PythonPlugins]\nf%6fo=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\nmy%U0020plugin=false\n", "my plugin"),
              "[PythonPlugins]\nmy%U0020plugin=true\n");
    EXPECT_EQ(edited("[Python%50lugins]\nfoo=false\n", "foo"), "[Python%50lugins]\nfoo=true\n");
    // In [General] with the group in the key.
    EXPECT_EQ(edited("[General]\nPythonPlugins\\foo=false\n", "foo"),
              "[General]\nPythonPlugins\\foo=true\n");
    EXPECT_EQ(edited("PythonPlugins\\foo=false\n[app]\n", "foo"),
              "PythonPlugins\\foo=true\n[app]\n");
}

TEST(QSettingsEdit, TheEntryQSettingsReadsIsTheOneChanged) {
    // The same key twice in one section: the later one counts.
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=false\nfoo=false\n", "foo"),
              "[PythonPlugins]\nfoo=false\nfoo=true\n");
    // Sections are read in the order of their names, [General] first: [PythonPlugins] wins
    // even when it comes first in the file.
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=false\n[General]\nPythonPlugins\\foo=false\n", "foo"),
              "[PythonPlugins]\nfoo=true\n[General]\nPythonPlugins\\foo=false\n");
    // A repeated section continues the first.
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=false\n[app]\n[PythonPlugins]\nf%6Fo=false\n", "foo"),
              "[PythonPlugins]\nfoo=false\n[app]\n[PythonPlugins]\nf%6Fo=true\n");
    EXPECT_TRUE(setting_of("[PythonPlugins]\nfoo=false\nfoo=true\n", "foo").enabled);
}

TEST(QSettingsEdit, EnableRemovesTheWatchDog) {
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=false\nwatchDog\\foo=true\nwatchDog\\bar=true\n", "foo"),
              "[PythonPlugins]\nfoo=true\nwatchDog\\bar=true\n");
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=true\nwatchDog\\foo=true\n", "foo",
                     PythonPluginChange::disable),
              "[PythonPlugins]\nfoo=false\nwatchDog\\foo=true\n");
}

TEST(QSettingsEdit, ForgetRemovesTheKeyAndItsSubKeys) {
    EXPECT_EQ(edited("[PythonPlugins]\r\na=1\r\nfoo=true ; c\r\nfoo\\x=1\r\nfoobar=1\r\n[app]\r\n"
                     "PythonPlugins\\foo=2\r\n",
                     "foo", PythonPluginChange::forget),
              "[PythonPlugins]\r\na=1\r\nfoobar=1\r\n[app]\r\nPythonPlugins\\foo=2\r\n");
    // A value continued over two lines goes with both; indentation too.
    EXPECT_EQ(edited("[PythonPlugins]\n  foo=a\\\n b\nz=1\n", "foo", PythonPluginChange::forget),
              "[PythonPlugins]\nz=1\n");
    EXPECT_EQ(edited("[PythonPlugins]\nfoo=true", "foo", PythonPluginChange::forget),
              "[PythonPlugins]\n");
}

TEST(QSettingsEdit, NeverSwallowedByAnOpenQuote) {
    // A quote left open runs to the end of the file: a line after it would be part of that
    // value, so the new entry goes right after the section header.
    const std::string open = "[PythonPlugins]\nx=\"abc\n";
    const std::string out = edited(open, "foo");
    EXPECT_EQ(out, "[PythonPlugins]\nfoo=true\nx=\"abc\n");
    // No place is safe: refused, nothing changed.
    auto refused = edit_qsettings_ini("[app]\nx=\"abc\n",
                                      python_plugin_edits("foo", PythonPluginChange::enable));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().to_string().find("without changing other settings"),
              std::string::npos);
}

TEST(QSettingsEdit, RefusesWhatQSettingsDidNotWrite) {
    auto r = edit_qsettings_ini("[PythonPlugins]\nnot a key\n",
                                python_plugin_edits("foo", PythonPluginChange::enable));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 2U);
    EXPECT_FALSE(edit_qsettings_ini("", {{QSettingsEdit::Action::set, "//", "true"}}));
    EXPECT_FALSE(edit_qsettings_ini("", {{QSettingsEdit::Action::set, "a/b", "x y"}}));
    EXPECT_FALSE(edit_qsettings_ini("", {{QSettingsEdit::Action::set, "a/\xff", "1"}}));
}

TEST(QSettingsEdit, KeysNormalizedAsQSettingsDoes) {
    auto out = edit_qsettings_ini("", {{QSettingsEdit::Action::set, "/a//b/", "1"}});
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, "[a]\nb=1\n");
    out = edit_qsettings_ini("", {{QSettingsEdit::Action::set, "top", "1"}});
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, "top=1\n"); // [General]'s keys need no header at the top
    out = edit_qsettings_ini("[x]\ny=1\n", {{QSettingsEdit::Action::set, "General/k", "1"}});
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, "[x]\ny=1\n\n[%General]\nk=1\n");
}

TEST(QSettingsEdit, RealQgisFileKeepsEveryOtherByte) {
    const std::string text =
        qplug::test::read_file(qplug::test::data_path("qgis-settings/qgis-3.22-QGIS3.ini"));
    const std::string out = edited(text, "newplugin");
    const std::string added = "sagaprovider=true\nnewplugin=true\n";
    ASSERT_NE(out.find(added), std::string::npos);
    std::string back = out;
    back.erase(back.find("newplugin=true\n"), 15);
    EXPECT_EQ(back, text);
    EXPECT_TRUE(setting_of(out, "newplugin").starts());
    EXPECT_EQ(edited(out, "newplugin", PythonPluginChange::forget), text);
}

// --- reading what QGIS would do --------------------------------------------------------------

TEST(QSettingsEdit, SettingReadsAsQVariantToBool) {
    for (const char* on : {"true", "True", "1", "yes", "@ByteArray(true)"}) {
        EXPECT_TRUE(setting_of(std::string("[PythonPlugins]\nk=") + on + "\n", "k").enabled) << on;
    }
    for (const char* off : {"false", "FALSE", "0", "", "@Invalid()", "a,b"}) {
        const auto s = setting_of(std::string("[PythonPlugins]\nk=") + off + "\n", "k");
        EXPECT_TRUE(s.present) << off;
        EXPECT_FALSE(s.enabled) << off;
    }
    EXPECT_FALSE(setting_of("[app]\nk=true\n", "k").present);
    const auto dog = setting_of("[PythonPlugins]\nk=true\nwatchDog\\k=true\n", "k");
    EXPECT_TRUE(dog.enabled);
    EXPECT_TRUE(dog.watchdog);
    EXPECT_FALSE(dog.starts());
}

// --- the profile's file ----------------------------------------------------------------------

TEST(QgisProfileSettings, CreatesFolderAndFile) {
    TempDir tmp;
    auto r = change_python_plugins(tmp.path, {"b", "a"}, PythonPluginChange::enable);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->created);
    EXPECT_TRUE(r->written);
    EXPECT_EQ(read_all(tmp.path / "QGIS" / "QGIS3.ini"), "[PythonPlugins]\nb=true\na=true\n");
    ASSERT_EQ(r->plugins.size(), 2U);
    EXPECT_EQ(r->plugins[0].key, "b");
    EXPECT_TRUE(r->plugins[0].changed());
    EXPECT_FALSE(fs::exists(tmp.path / "QGIS" / "QGIS3.ini.lock"));
    struct stat st {};
    ASSERT_EQ(::stat((tmp.path / "QGIS" / "QGIS3.ini").c_str(), &st), 0);
    const mode_t mask = ::umask(022);
    ::umask(mask);
    EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
    auto enabled = is_plugin_enabled(tmp.path, "a");
    ASSERT_TRUE(enabled);
    EXPECT_TRUE(*enabled);
    // Again: nothing to change, nothing written.
    r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::enable);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->written);
    EXPECT_FALSE(r->plugins[0].changed());
}

TEST(QgisProfileSettings, AbsentFileStaysAbsentWhenNothingChanges) {
    TempDir tmp;
    auto r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::forget);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->written);
    EXPECT_FALSE(fs::exists(tmp.path / "QGIS" / "QGIS3.ini"));
    auto enabled = is_plugin_enabled(tmp.path, "a");
    ASSERT_TRUE(enabled);
    EXPECT_FALSE(*enabled);
}

TEST(QgisProfileSettings, KeepsModeAndFollowsLinks) {
    TempDir tmp;
    const fs::path real = tmp.path / "elsewhere.ini";
    write_all(real, "[app]\r\nx=1\r\n");
    ::chmod(real.c_str(), 0640);
    fs::create_directories(tmp.path / "QGIS");
    fs::create_symlink(real, tmp.path / "QGIS" / "QGIS3.ini");
    auto r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::disable);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(fs::is_symlink(tmp.path / "QGIS" / "QGIS3.ini"));
    EXPECT_EQ(read_all(real), "[app]\r\nx=1\r\n\r\n[PythonPlugins]\r\na=false\r\n");
    struct stat st {};
    ASSERT_EQ(::stat(real.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640U);
    // No temporary file left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path)) {
        ++files;
    }
    EXPECT_EQ(files, 2U);
}

TEST(QgisProfileSettings, DryRunAndRefusalsWriteNothing) {
    TempDir tmp;
    const fs::path file = tmp.path / "QGIS" / "QGIS3.ini";
    write_all(file, "[PythonPlugins]\na=false\n");
    SettingsWriteOptions dry;
    dry.dry_run = true;
    auto r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::enable, dry);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->written);
    EXPECT_TRUE(r->plugins[0].after.enabled);
    EXPECT_EQ(read_all(file), "[PythonPlugins]\na=false\n");
    EXPECT_FALSE(change_python_plugins(tmp.path, {"a", "b/c"}, PythonPluginChange::enable));
    EXPECT_FALSE(change_python_plugins(tmp.path, {""}, PythonPluginChange::enable));
    write_all(file, "[PythonPlugins]\n# a comment QSettings cannot read\n");
    auto bad = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::enable);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().to_string().find("QGIS3.ini:2:1"), std::string::npos)
        << bad.error().to_string();
    EXPECT_EQ(read_all(file), "[PythonPlugins]\n# a comment QSettings cannot read\n");
}

TEST(QgisProfileSettings, WaitsForQSettingsLock) {
    TempDir tmp;
    const fs::path file = tmp.path / "QGIS" / "QGIS3.ini";
    write_all(file, "");
    // A lock held by a live process (as QGIS while it saves): waited for, then given up.
    const pid_t child = ::fork();
    if (child == 0) {
        ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // QLockFile names the holder's program: wait until the child is `sleep`.
    const auto program = [&] {
        std::error_code ec;
        return fs::read_symlink("/proc/" + std::to_string(child) + "/exe", ec).filename();
    };
    for (int i = 0; i < 500 && program() != "sleep"; ++i) {
        ::usleep(10000);
    }
    write_all(file.string() + ".lock", std::to_string(child) + "\nsleep\n\n\n\n");
    SettingsWriteOptions quick;
    quick.lock_wait = std::chrono::milliseconds(200);
    auto r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::enable, quick);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().to_string().find("locked by sleep (PID " + std::to_string(child)),
              std::string::npos)
        << r.error().to_string();
    EXPECT_EQ(read_all(file), "");
    // The holder is gone: the lock is stale, removed, and the change made.
    r = change_python_plugins(tmp.path, {"a"}, PythonPluginChange::enable, quick);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(read_all(file), "[PythonPlugins]\na=true\n");
    EXPECT_FALSE(fs::exists(file.string() + ".lock"));
}
