// Changing single entries of a QSettings INI text in place, and what QGIS writes under
// [PythonPlugins]. The text is scanned exactly as the reader scans it (qsettings_scan.hpp),
// so an entry is found under every spelling QSettings would read it from, and only the bytes
// of the entries that change are touched: QGIS3.ini holds a user's whole QGIS configuration.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <fmt/format.h>

#include <qplug/solver/qgis_settings.hpp>
#include <qplug/unicode.hpp>

#include "errors.hpp"
#include "formats/qsettings_scan.hpp"

namespace qplug::solver {

namespace {

constexpr std::string_view kPythonPlugins = "PythonPlugins/";
constexpr std::string_view kWatchDog = "PythonPlugins/watchDog/";

bool is_line_break(char c) {
    return c == '\n' || c == '\r';
}

/// QSettingsPrivate::normalizedKey: no empty groups.
std::string normalized_key(std::string_view key) {
    std::string out;
    std::size_t i = 0;
    while (i < key.size()) {
        const std::size_t slash = std::min(key.find('/', i), key.size());
        if (slash > i) {
            if (!out.empty()) {
                out += '/';
            }
            out.append(key.substr(i, slash - i));
        }
        i = slash + 1;
    }
    return out;
}

bool plain_value(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

/// The line break new lines get: the file's first one, "\n" when it has none.
std::string_view line_break_of(std::string_view text) {
    const std::size_t i = text.find_first_of("\r\n");
    if (i == std::string_view::npos || text[i] == '\n') {
        return "\n";
    }
    return i + 1 < text.size() && text[i + 1] == '\n' ? "\r\n" : "\r";
}

/// Where the physical line that holds `offset` begins (after a BOM: `floor`).
std::size_t physical_line_begin(std::string_view text, std::size_t offset, std::size_t floor) {
    while (offset > floor && !is_line_break(text[offset - 1])) {
        --offset;
    }
    return offset;
}

/// Where the physical line that holds `offset` ends, its line break included ("\r\n" is one).
std::size_t physical_line_end(std::string_view text, std::size_t offset) {
    while (offset < text.size() && !is_line_break(text[offset])) {
        ++offset;
    }
    if (offset < text.size()) {
        offset +=
            text[offset] == '\r' && offset + 1 < text.size() && text[offset + 1] == '\n' ? 2U : 1U;
    }
    return offset;
}

/// The entry QSettings takes the key's value from: the last in the order it parses sections
/// (by name; file order within a section), as read_qsettings_ini() keeps it.
const QSettingsLine* effective_entry(const QSettingsScan& scan, std::string_view key) {
    const QSettingsLine* found = nullptr;
    for (const auto& l : scan.lines) {
        if (l.kind == QSettingsLine::Kind::entry && l.key == key &&
            (found == nullptr || !(l.section < found->section))) {
            found = &l;
        }
    }
    return found;
}

std::string with_value(std::string_view text, const QSettingsLine& entry, std::string_view value) {
    // The value's own text: after '=' and its blanks, up to the logical line's end less the
    // blanks before a ';' comment (QSettings drops those too).
    std::size_t begin = entry.equals + 1;
    std::size_t end = entry.start + entry.length;
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) {
        ++begin;
    }
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) {
        --end;
    }
    std::string out(text);
    out.replace(begin, end - begin, value);
    return out;
}

/// Inserts `line` at `at`, first ending the physical line before it when it has no line break
/// (a BOM, up to `floor`, is no line).
std::string inserted(std::string_view text, std::size_t at, std::string_view line,
                     std::string_view eol, std::size_t floor) {
    std::string out(text.substr(0, at));
    if (at > floor && at == text.size() && !is_line_break(text[at - 1])) {
        out += eol;
    }
    out += line;
    out += text.substr(at);
    return out;
}

/// Where `key=value` could go, best first: after the last entry of the key's section (its
/// last occurrence), right after one of its headers, or in a new section at the end. The
/// caller keeps the first that changes nothing else (after a quote left open at the end of
/// the file, a new line would be part of that value).
std::vector<std::string> additions(std::string_view text, const QSettingsScan& scan,
                                   const std::string& key, std::string_view value) {
    const std::size_t slash = key.find('/');
    const std::string section = slash == std::string::npos ? "" : key.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
    const std::string_view eol = line_break_of(text);
    const std::string line =
        qsettings_escaped_key(name) + "=" + std::string(value) + std::string(eol);

    std::vector<std::string> out;
    const QSettingsLine* last = nullptr;       // the section's last entry or header
    std::vector<const QSettingsLine*> headers; // the section's headers
    bool in_section = section.empty();         // keys before any header are [General]'s
    for (const auto& l : scan.lines) {
        if (l.kind == QSettingsLine::Kind::section) {
            in_section = l.section == section;
            if (in_section) {
                last = &l;
                headers.push_back(&l);
            }
        } else if (in_section) {
            last = &l;
        }
    }
    if (last != nullptr) {
        out.push_back(inserted(text, physical_line_end(text, last->start + last->length), line, eol,
                               scan.bom));
    }
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
        if (*it != last) {
            out.push_back(inserted(text, physical_line_end(text, (*it)->start + (*it)->length),
                                   line, eol, scan.bom));
        }
    }
    if (section.empty()) {
        out.push_back(inserted(text, scan.bom, line, eol, scan.bom)); // before the first header
        return out;
    }
    // A new section at the end, after a blank line as QSettings separates sections.
    std::string end(text);
    if (end.size() > scan.bom) {
        if (!is_line_break(end.back())) {
            end += eol;
        }
        const std::size_t last_break =
            end.size() - (end.size() >= 2 && end.compare(end.size() - 2, 2, "\r\n") == 0 ? 2U : 1U);
        if (last_break > scan.bom && !is_line_break(end[last_break - 1])) {
            end += eol;
        }
    }
    std::string header = qsettings_escaped_key(section.substr(0, section.size() - 1));
    std::string lower = header;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    if (lower == "general") {
        header = "%" + header; // a group really named General, as QSettings writes it
    }
    out.push_back(end + "[" + header + "]" + std::string(eol) + line);
    return out;
}

std::string removed(std::string_view text, const QSettingsScan& scan, const std::string& key) {
    const std::string prefix = key + "/";
    std::vector<std::pair<std::size_t, std::size_t>> cuts;
    for (const auto& l : scan.lines) {
        if (l.kind == QSettingsLine::Kind::entry &&
            (l.key == key || l.key.compare(0, prefix.size(), prefix) == 0)) {
            cuts.emplace_back(physical_line_begin(text, l.start, scan.bom),
                              physical_line_end(text, l.start + l.length));
        }
    }
    // Distinct logical lines never share a physical line (a ';' comment runs to its end).
    std::string out(text);
    for (auto it = cuts.rbegin(); it != cuts.rend(); ++it) {
        out.erase(it->first, it->second - it->first);
    }
    return out;
}

bool same_entry(const QSettingsEntry& a, const QSettingsEntry& b) {
    return a.key == b.key && a.type == b.type && a.text == b.text && a.items == b.items;
}

/// The edit did what it says and nothing else: `after` reads as `before` but for the key (and,
/// for remove, its sub-keys).
bool only_changed(const std::vector<QSettingsEntry>& before,
                  const std::vector<QSettingsEntry>& after, const QSettingsEdit& edit,
                  const std::string& key) {
    const std::string prefix = key + "/";
    const auto touched = [&](const QSettingsEntry& e) {
        return e.key == key || (edit.action == QSettingsEdit::Action::remove &&
                                e.key.compare(0, prefix.size(), prefix) == 0);
    };
    std::vector<const QSettingsEntry*> kept_before;
    std::vector<const QSettingsEntry*> kept_after;
    for (const auto& e : before) {
        if (!touched(e)) {
            kept_before.push_back(&e);
        }
    }
    bool target_ok = edit.action == QSettingsEdit::Action::remove;
    for (const auto& e : after) {
        if (!touched(e)) {
            kept_after.push_back(&e);
        } else if (edit.action == QSettingsEdit::Action::remove) {
            return false;
        } else {
            target_ok = e.type == QSettingsEntry::Type::string && e.text == edit.value;
        }
    }
    return target_ok &&
           std::equal(
               kept_before.begin(), kept_before.end(), kept_after.begin(), kept_after.end(),
               [](const QSettingsEntry* a, const QSettingsEntry* b) { return same_entry(*a, *b); });
}

} // namespace

Expected<std::string> edit_qsettings_ini(std::string_view text,
                                         const std::vector<QSettingsEdit>& edits,
                                         std::string_view file_name) {
    std::string out(text);
    for (const auto& edit : edits) {
        const std::string key = normalized_key(edit.key);
        if (key.empty()) {
            return failure(fmt::format("'{}' is not a settings key", edit.key));
        }
        if (unicode::find_invalid_utf8(key) != unicode::npos) {
            return failure(fmt::format("the settings key '{}' is not UTF-8", edit.key));
        }
        if (edit.action == QSettingsEdit::Action::set && !plain_value(edit.value)) {
            return failure(
                fmt::format("'{}' is not a value qplug writes into {}", edit.value, file_name));
        }
        auto scan = scan_qsettings_ini(out, file_name);
        QPLUG_RETURN_IF_ERROR(scan);
        auto before = read_qsettings_ini(out, file_name);
        QPLUG_RETURN_IF_ERROR(before);
        std::vector<std::string> candidates;
        if (edit.action == QSettingsEdit::Action::remove) {
            candidates.push_back(removed(out, *scan, key));
        } else if (const QSettingsLine* entry = effective_entry(*scan, key)) {
            candidates.push_back(with_value(out, *entry, edit.value));
        } else {
            candidates = additions(out, *scan, key, edit.value);
        }
        // Every candidate is read back: the file is a user's whole QGIS configuration.
        const auto good =
            std::find_if(candidates.begin(), candidates.end(), [&](const std::string& c) {
                auto after = read_qsettings_ini(c, file_name);
                return after && only_changed(*before, *after, edit, key);
            });
        if (good == candidates.end()) {
            return failure(fmt::format(
                "{}: cannot {} '{}' without changing other settings (does "
                "the file end inside a quoted value?)",
                file_name, edit.action == QSettingsEdit::Action::remove ? "remove" : "set", key));
        }
        out = std::move(*good);
    }
    return out;
}

std::vector<QSettingsEdit> python_plugin_edits(std::string_view key, PythonPluginChange change) {
    using Action = QSettingsEdit::Action;
    const std::string setting = std::string(kPythonPlugins) + std::string(key);
    switch (change) {
    case PythonPluginChange::enable:
        return {{Action::set, setting, "true"},
                {Action::remove, std::string(kWatchDog) + std::string(key), ""}};
    case PythonPluginChange::disable:
        return {{Action::set, setting, "false"}};
    case PythonPluginChange::forget:
        break;
    }
    return {{Action::remove, setting, ""}};
}

PythonPluginSetting python_plugin_setting(const std::vector<QSettingsEntry>& entries,
                                          std::string_view key) {
    const auto find = [&](std::string_view prefix) -> const QSettingsEntry* {
        const std::string full = std::string(prefix) + std::string(key);
        const auto it = std::lower_bound(
            entries.begin(), entries.end(), full,
            [](const QSettingsEntry& e, const std::string& k) { return e.key < k; });
        return it != entries.end() && it->key == full ? &*it : nullptr;
    };
    PythonPluginSetting out;
    if (const QSettingsEntry* e = find(kPythonPlugins)) {
        out.present = true;
        // QVariant::toBool() of a string; a list, @Invalid() or binary data is not true.
        std::string lower = e->text;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
        out.enabled = e->type == QSettingsEntry::Type::string && !lower.empty() && lower != "0" &&
                      lower != "false";
    }
    out.watchdog = find(kWatchDog) != nullptr;
    return out;
}

} // namespace qplug::solver
