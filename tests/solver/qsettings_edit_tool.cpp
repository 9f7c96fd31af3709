// A test driver over edit_qsettings_ini() for the differential test against Qt's QSettings
// (tests/python/test_qsettings_reference.py): reads INI text on stdin, makes one change for
// each plugin key and writes the new text on stdout.
// Usage: qsettings_edit_tool enable|disable|forget KEY...; exit 1 with a message on failure.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <qplug/solver/qgis_settings.hpp>

using namespace qplug::solver;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: qsettings_edit_tool enable|disable|forget KEY...\n";
        return 2;
    }
    const std::string action = argv[1];
    PythonPluginChange change = PythonPluginChange::enable;
    if (action == "disable") {
        change = PythonPluginChange::disable;
    } else if (action == "forget") {
        change = PythonPluginChange::forget;
    } else if (action != "enable") {
        std::cerr << "unknown action " << action << '\n';
        return 2;
    }
    std::vector<QSettingsEdit> edits;
    for (int i = 2; i < argc; ++i) {
        auto more = python_plugin_edits(argv[i], change);
        edits.insert(edits.end(), more.begin(), more.end());
    }
    std::cin >> std::noskipws;
    const std::string text{std::istreambuf_iterator<char>(std::cin),
                           std::istreambuf_iterator<char>()};
    auto out = edit_qsettings_ini(text, edits);
    if (!out) {
        std::cerr << out.error().to_string() << '\n';
        return 1;
    }
    std::cout << *out;
    return 0;
}
