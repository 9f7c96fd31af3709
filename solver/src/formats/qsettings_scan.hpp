// The logical lines of a QSettings INI text as QSettings' reader finds them: shared by the
// reader (read_qsettings_ini) and the editor that changes single entries in place
// (qgis_settings_edit.cpp), so that both agree on what each byte belongs to.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver {

struct QSettingsLine {
    enum class Kind { section, entry };
    Kind kind = Kind::entry;
    /// The logical line (readIniLine: comments left out, continued lines joined), as offsets
    /// into the whole text, a BOM included.
    std::size_t start = 0;
    std::size_t length = 0;
    std::size_t equals = 0; ///< entries: the offset of the first '=' outside quotes
    /// The section the header opens, or the entry is in: "" for [General], else "name/"
    /// (unescaped).
    std::string section;
    std::string key; ///< entries: the full key, section included, unescaped
    std::size_t line = 0;
    std::size_t column = 0;
};

struct QSettingsScan {
    std::size_t bom = 0; ///< 3 when the text starts with a UTF-8 BOM
    std::vector<QSettingsLine> lines;
};

/// Every section header and entry in file order; fails where read_qsettings_ini fails.
Expected<QSettingsScan> scan_qsettings_ini(std::string_view text, std::string_view file_name);

} // namespace qplug::solver
