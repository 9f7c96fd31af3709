// QGIS3.ini (QSettings' INI format): reading any bytes fails with a position or gives
// entries; enabling, disabling or forgetting a plugin key in a text that reads gives a text
// that reads, with the key as intended and every other key as before (or, when no place in
// the file is safe, a refusal); doing it again changes nothing. Input: KEY \0 TEXT.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/solver/qgis_settings.hpp>
#include <qplug/unicode.hpp>

#include "fuzz_input.hpp"

using namespace qplug::solver;
using qplug::fuzz::require;

namespace {

bool same(const QSettingsEntry& a, const QSettingsEntry& b) {
    return a.key == b.key && a.type == b.type && a.text == b.text && a.items == b.items;
}

/// The entries but those of the key `change` touches.
std::vector<QSettingsEntry> others(const std::vector<QSettingsEntry>& entries,
                                   const std::string& key, PythonPluginChange change) {
    const std::string setting = "PythonPlugins/" + key;
    const std::string dog = "PythonPlugins/watchDog/" + key;
    std::vector<QSettingsEntry> out;
    for (const auto& e : entries) {
        const bool under = [&](const std::string& k) {
            return e.key == k || e.key.compare(0, k.size() + 1, k + "/") == 0;
        }(change == PythonPluginChange::enable ? dog : setting);
        if (e.key != setting && !under) {
            out.push_back(e);
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    const std::string key(parts[0]);
    const std::string_view text = parts[1];
    const auto before = read_qsettings_ini(text);
    if (!before) {
        require(before.error().line >= 1 && before.error().line_column >= 1);
        return 0;
    }
    for (const auto& e : *before) {
        require(e.line >= 1 && e.column >= 1);
    }
    if (key.empty() || key.find('/') != std::string::npos ||
        qplug::unicode::find_invalid_utf8(key) != qplug::unicode::npos) {
        return 0;
    }
    for (const auto change :
         {PythonPluginChange::enable, PythonPluginChange::disable, PythonPluginChange::forget}) {
        const auto out = edit_qsettings_ini(text, python_plugin_edits(key, change));
        if (!out) {
            // Only a file where no line can be added safely (a quote open to its end) is refused.
            require(change != PythonPluginChange::forget);
            continue;
        }
        const auto after = read_qsettings_ini(*out);
        require(after.has_value());
        const PythonPluginSetting setting = python_plugin_setting(*after, key);
        switch (change) {
        case PythonPluginChange::enable:
            require(setting.starts());
            break;
        case PythonPluginChange::disable:
            require(setting.present && !setting.enabled);
            break;
        case PythonPluginChange::forget:
            require(!setting.present);
            break;
        }
        const auto kept_before = others(*before, key, change);
        const auto kept_after = others(*after, key, change);
        require(kept_before.size() == kept_after.size());
        for (std::size_t i = 0; i < kept_before.size(); ++i) {
            require(same(kept_before[i], kept_after[i]));
        }
        const auto again = edit_qsettings_ini(*out, python_plugin_edits(key, change));
        require(again.has_value() && *again == *out);
    }
    // The key as QSettings writes it reads back as the key.
    const auto escaped =
        read_qsettings_ini("[PythonPlugins]\n" + qsettings_escaped_key(key) + "=1\n");
    require(escaped.has_value() && escaped->size() == 1 &&
            (*escaped)[0].key == "PythonPlugins/" + key);
    return 0;
}
