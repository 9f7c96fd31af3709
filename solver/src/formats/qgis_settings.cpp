// QSettings' INI reading, ported rule by rule from qtbase's qsettings.cpp (Qt 6:
// readIniLine, readIniFile, readIniSection, iniUnescapedKey, iniUnescapedStringList,
// stringToVariant), and the plugin installer's Repositories.load() (installer_data.py).
// Text is kept in UTF-16 while it is unescaped, as QString holds it: \x and %U escapes
// give UTF-16 code units, and a surrogate pair written as two escapes must join up.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include <qplug/solver/qgis_settings.hpp>
#include <qplug/unicode.hpp>

#include "errors.hpp"
#include "formats/qsettings_scan.hpp"

namespace qplug::solver {

namespace {

constexpr std::size_t npos = std::string_view::npos;

// readIniLine's character classes.
constexpr unsigned kSpace = 1;
constexpr unsigned kSpecial = 2;

unsigned traits(char c) {
    switch (c) {
    case '\t':
    case ' ':
        return kSpace;
    case '\n':
    case '\r':
        return kSpace | kSpecial;
    case '"':
    case ';':
    case '=':
    case '\\':
        return kSpecial;
    default:
        return 0;
    }
}

using unicode::hex_value;

/// QStringDecoder(Utf8): ill-formed bytes become U+FFFD.
void append_utf8(std::u16string& out, std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t bad = unicode::find_invalid_utf8(bytes.substr(pos));
        const std::size_t good_end = bad == unicode::npos ? bytes.size() : pos + bad;
        const std::string_view good = bytes.substr(0, good_end);
        while (pos < good_end) {
            const char32_t cp = unicode::decode(good, pos);
            if (cp >= 0x10000) {
                const char32_t v = cp - 0x10000;
                out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
                out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
            } else {
                out.push_back(static_cast<char16_t>(cp));
            }
        }
        if (pos < bytes.size()) {
            out.push_back(u'\uFFFD');
            ++pos;
        }
    }
}

/// UTF-16 to UTF-8; a lone surrogate becomes U+FFFD.
std::string to_utf8(std::u16string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            ++i;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        unicode::append_utf8(out, cp);
    }
    return out;
}

/// QByteArrayView::trimmed(): ASCII white space.
std::string_view trimmed(std::string_view s) {
    constexpr std::string_view kWhite = " \t\n\v\f\r";
    const std::size_t b = s.find_first_not_of(kWhite);
    if (b == npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(kWhite) - b + 1);
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

/// readIniLine: one logical line from `pos`. Leading white space and blank lines are
/// skipped, a ';' at the start skips the rest of the physical line, a ';' elsewhere
/// outside quotes ends the line (the comment is skipped by the next call), a quoted part
/// and a '\' before a line break continue the line. `equals` is the first '=' outside
/// quotes, or npos.
bool read_ini_line(std::string_view data, std::size_t& pos, std::size_t& start, std::size_t& length,
                   std::size_t& equals) {
    const std::size_t n = data.size();
    bool in_quotes = false;
    equals = npos;
    start = pos;
    while (start < n && (traits(data[start]) & kSpace) != 0) {
        ++start;
    }
    std::size_t i = start;
    while (i < n) {
        while (i < n && (traits(data[i]) & kSpecial) == 0) {
            ++i;
        }
        if (i == n) {
            break;
        }
        const char ch = data[i++];
        if (ch == '=') {
            if (!in_quotes && equals == npos) {
                equals = i - 1;
            }
        } else if (ch == '\n' || ch == '\r') {
            if (i == start + 1) {
                ++start;
            } else if (!in_quotes) {
                --i;
                break;
            }
        } else if (ch == '\\') {
            if (i < n) {
                const char c = data[i++];
                if (i < n) {
                    const char c2 = data[i];
                    if ((c == '\n' && c2 == '\r') || (c == '\r' && c2 == '\n')) {
                        ++i;
                    }
                }
            }
        } else if (ch == '"') {
            in_quotes = !in_quotes;
        } else { // ';'
            if (i == start + 1) {
                while (i < n && data[i] != '\n' && data[i] != '\r') {
                    ++i;
                }
                while (i < n && (traits(data[i]) & kSpace) != 0) {
                    ++i;
                }
                start = i;
            } else if (!in_quotes) {
                --i;
                break;
            }
        }
    }
    pos = i;
    length = i - start;
    return length > 0;
}

/// iniUnescapedKey: '\' is the group separator '/', %XX and %UXXXX are code units; a '%'
/// without the right number of hex digits stays a '%'.
std::u16string unescape_key(std::string_view key) {
    std::u16string decoded;
    append_utf8(decoded, key);
    std::u16string out;
    out.reserve(decoded.size());
    std::size_t i = 0;
    const std::size_t size = decoded.size();
    while (i < size) {
        const char16_t ch = decoded[i];
        if (ch == u'\\') {
            out.push_back(u'/');
            ++i;
            continue;
        }
        if (ch != u'%' || i == size - 1) {
            out.push_back(ch);
            ++i;
            continue;
        }
        std::size_t digits = 2;
        std::size_t first = i + 1;
        if (decoded[i + 1] == u'U') {
            ++first;
            digits = 4;
        }
        bool ok = first + digits <= size;
        unsigned value = 0;
        for (std::size_t k = first; ok && k < first + digits; ++k) {
            const int h = decoded[k] < 0x80 ? hex_value(static_cast<char>(decoded[k])) : -1;
            ok = h >= 0;
            value = value * 16 + static_cast<unsigned>(h);
        }
        if (!ok) {
            out.push_back(u'%');
            ++i;
            continue;
        }
        out.push_back(static_cast<char16_t>(value));
        i = first + digits;
    }
    return out;
}

} // namespace

std::string qsettings_escaped_key(std::string_view key) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::u16string units;
    append_utf8(units, key);
    std::string out;
    out.reserve(units.size() * 3 / 2);
    for (const char16_t ch : units) {
        if (ch == u'/') {
            out += '\\';
        } else if ((ch >= u'a' && ch <= u'z') || (ch >= u'A' && ch <= u'Z') ||
                   (ch >= u'0' && ch <= u'9') || ch == u'_' || ch == u'-' || ch == u'.') {
            out += static_cast<char>(ch);
        } else if (ch <= 0xFF) {
            out += '%';
            out += kHex[ch / 16];
            out += kHex[ch % 16];
        } else {
            out += "%U";
            for (int shift = 12; shift >= 0; shift -= 4) {
                out += kHex[(ch >> shift) & 0xF];
            }
        }
    }
    return out;
}

namespace {

/// iniChopTrailingSpaces.
void chop_trailing_spaces(std::u16string& s, std::size_t limit) {
    while (s.size() > limit && (s.back() == u' ' || s.back() == u'\t')) {
        s.pop_back();
    }
}

/// iniUnescapedStringList: the value after '='. Returns true when an unquoted ',' made it a
/// list (in `list`), else the string is in `s`.
bool unescape_value(std::string_view str, std::u16string& s, std::vector<std::u16string>& list) {
    static constexpr std::pair<char, char16_t> kEscapes[] = {
        {'a', u'\a'}, {'b', u'\b'}, {'f', u'\f'}, {'n', u'\n'},  {'r', u'\r'},  {'t', u'\t'},
        {'v', u'\v'}, {'"', u'"'},  {'?', u'?'},  {'\'', u'\''}, {'\\', u'\\'},
    };
    const std::size_t n = str.size();
    std::size_t i = 0;
    bool is_list = false;
    bool in_quotes = false;
    bool quoted = false; // the current item had a quoted part: its spaces are kept
    const auto skip_spaces = [&] {
        while (i < n && (str[i] == ' ' || str[i] == '\t')) {
            ++i;
        }
    };
    skip_spaces();
    std::size_t chop_limit = s.size();
    bool chop_at_end = true; // Qt skips the final chop when the text ends inside an escape
    while (i < n) {
        const char c = str[i];
        if (c == '\\') {
            ++i;
            if (i >= n) {
                chop_at_end = false;
                break;
            }
            const char e = str[i++];
            const auto* known = std::find_if(std::begin(kEscapes), std::end(kEscapes),
                                             [e](const auto& p) { return p.first == e; });
            if (known != std::end(kEscapes)) {
                s.push_back(known->second);
                chop_limit = s.size();
                continue;
            }
            const bool hex = e == 'x';
            const bool octal = e >= '0' && e <= '7';
            if (hex && i >= n) {
                chop_at_end = false;
                break;
            }
            if ((hex && hex_value(str[i]) >= 0) || octal) {
                // As many digits as follow, in a 16-bit code unit (it wraps, as in Qt).
                const unsigned base = hex ? 16 : 8;
                unsigned value = octal ? static_cast<unsigned>(e - '0') : 0;
                const auto digit = [&](char d) {
                    const int h = hex_value(d);
                    return h >= 0 && static_cast<unsigned>(h) < base ? h : -1;
                };
                while (i < n && digit(str[i]) >= 0) {
                    value = ((value * base) + static_cast<unsigned>(digit(str[i]))) & 0xFFFF;
                    ++i;
                }
                s.push_back(static_cast<char16_t>(value));
                if (i >= n) {
                    chop_at_end = false;
                    break;
                }
                chop_limit = s.size();
                continue;
            }
            if (e == '\n' || e == '\r') {
                // An escaped line break continues the value ("\n", "\r", "\r\n", "\n\r").
                if (i < n && (str[i] == '\n' || str[i] == '\r') && str[i] != e) {
                    ++i;
                }
            }
            // Any other escaped character is dropped, with its '\'.
            chop_limit = s.size();
            continue;
        }
        if (c == '"') {
            ++i;
            quoted = true;
            in_quotes = !in_quotes;
            if (!in_quotes) {
                skip_spaces();
                chop_limit = s.size();
            }
            continue;
        }
        if (c == ',' && !in_quotes) {
            if (!quoted) {
                chop_trailing_spaces(s, chop_limit);
            }
            if (!is_list) {
                is_list = true;
                list.clear();
            }
            list.push_back(std::move(s));
            s.clear();
            quoted = false;
            ++i;
            skip_spaces();
            chop_limit = 0;
            continue;
        }
        std::size_t j = i + 1;
        while (j < n && str[j] != '\\' && str[j] != '"' && str[j] != ',') {
            ++j;
        }
        append_utf8(s, str.substr(i, j - i));
        i = j;
    }
    if (chop_at_end && !quoted) {
        chop_trailing_spaces(s, chop_limit);
    }
    if (is_list) {
        list.push_back(s);
    }
    return is_list;
}

/// Arguments of "@Rect(1 2 3 4)" as QSettingsPrivate::splitArgs counts them.
std::size_t count_args(std::string_view s, std::size_t open) {
    return static_cast<std::size_t>(
               std::count(s.begin() + static_cast<std::ptrdiff_t>(open), s.end(), ' ')) +
           1;
}

/// stringToVariant: what QSettings makes of a string read from the file.
QSettingsEntry::Type to_variant(std::string& s) {
    using Type = QSettingsEntry::Type;
    auto starts = [&](std::string_view p) { return s.compare(0, p.size(), p) == 0; };
    if (!starts("@")) {
        return Type::string;
    }
    if (s.back() == ')') {
        if (starts("@ByteArray(")) {
            s = s.substr(11, s.size() - 12);
            return Type::string;
        }
        if (starts("@String(")) {
            s = s.substr(8, s.size() - 9);
            return Type::string;
        }
        if (starts("@Variant(") || starts("@DateTime(")) {
            return Type::unsupported;
        }
        if ((starts("@Rect(") && count_args(s, 5) == 4) ||
            (starts("@Size(") && count_args(s, 5) == 2) ||
            (starts("@Point(") && count_args(s, 6) == 2)) {
            return Type::unsupported;
        }
        if (s == "@Invalid()") {
            return Type::invalid;
        }
    }
    if (starts("@@")) {
        s.erase(0, 1);
    }
    return Type::string;
}

/// Line starts of the text ("\r\n", "\n" and "\r" end a line), for error positions.
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : text_(text) {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            if (text[i] == '\n' || text[i] == '\r') {
                starts_.push_back(i + 1);
            }
        }
    }
    std::size_t line(std::size_t offset) const {
        return static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) -
                                        starts_.begin());
    }
    std::size_t column(std::size_t offset) const {
        const std::size_t start = starts_[line(offset) - 1];
        const std::string_view part = text_.substr(start, offset - start);
        return 1 + static_cast<std::size_t>(std::count_if(part.begin(), part.end(), [](char c) {
                   return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
               }));
    }

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

} // namespace

Expected<QSettingsScan> scan_qsettings_ini(std::string_view text, std::string_view file_name) {
    QSettingsScan scan;
    std::string_view data = text;
    if (data.substr(0, 3) == "\xEF\xBB\xBF") {
        data.remove_prefix(3);
        scan.bom = 3;
    }
    const LineIndex lines(data);
    const auto error_at = [&](std::size_t offset, std::string message) {
        return file_error(std::string(file_name), lines.line(offset), lines.column(offset),
                          std::move(message));
    };
    std::string section;
    std::size_t pos = 0;
    std::size_t start = 0;
    std::size_t length = 0;
    std::size_t equals = 0;
    while (read_ini_line(data, pos, start, length, equals)) {
        const std::string_view line = data.substr(start, length);
        QSettingsLine l;
        l.start = scan.bom + start;
        l.length = length;
        l.line = lines.line(start);
        l.column = lines.column(start);
        if (line.front() == '[') {
            const std::size_t close = line.find(']');
            if (close == npos) {
                return error_at(start, "a section header without ']'");
            }
            const std::string_view name = trimmed(line.substr(1, close - 1));
            if (iequals_ascii(name, "general")) {
                section.clear();
            } else {
                // "[%General]" is how QSettings writes a group that is really named General.
                section = iequals_ascii(name, "%general") ? std::string(name.substr(1))
                                                          : to_utf8(unescape_key(name));
                section += '/';
            }
            l.kind = QSettingsLine::Kind::section;
            l.section = section;
            scan.lines.push_back(std::move(l));
            continue;
        }
        if (equals == npos) {
            return error_at(start, fmt::format("'{}' is neither a section header, a comment nor "
                                               "KEY=VALUE",
                                               line.substr(0, std::min<std::size_t>(40, length))));
        }
        l.kind = QSettingsLine::Kind::entry;
        l.equals = scan.bom + equals;
        l.section = section;
        l.key = section + to_utf8(unescape_key(trimmed(data.substr(start, equals - start))));
        scan.lines.push_back(std::move(l));
    }
    return scan;
}

Expected<std::vector<QSettingsEntry>> read_qsettings_ini(std::string_view text,
                                                         std::string_view file_name) {
    auto scan = scan_qsettings_ini(text, file_name);
    QPLUG_RETURN_IF_ERROR(scan);
    struct Read {
        std::string section; ///< "" for [General], else "name/"
        QSettingsEntry entry;
    };
    std::vector<Read> read;
    for (auto& l : scan->lines) {
        if (l.kind != QSettingsLine::Kind::entry) {
            continue;
        }
        Read r;
        r.section = std::move(l.section);
        QSettingsEntry& e = r.entry;
        e.key = std::move(l.key);
        e.line = l.line;
        e.column = l.column;
        std::u16string value;
        std::vector<std::u16string> items;
        if (unescape_value(text.substr(l.equals + 1, l.start + l.length - l.equals - 1), value,
                           items)) {
            e.type = QSettingsEntry::Type::list;
            for (const auto& item : items) {
                std::string s = to_utf8(item);
                (void)to_variant(s); // stringListToVariantList: each item as stringToVariant
                e.items.push_back(std::move(s));
            }
        } else {
            e.text = to_utf8(value);
            e.type = to_variant(e.text);
        }
        read.push_back(std::move(r));
    }
    // QSettings parses section by section in the order of their names (file order within
    // one, a repeated section continuing the first): a key set twice keeps the value read
    // last in that order.
    std::stable_sort(read.begin(), read.end(),
                     [](const Read& a, const Read& b) { return a.section < b.section; });
    std::map<std::string, QSettingsEntry> by_key;
    for (auto& r : read) {
        by_key.insert_or_assign(r.entry.key, std::move(r.entry));
    }
    std::vector<QSettingsEntry> out;
    out.reserve(by_key.size());
    for (auto& [key, entry] : by_key) {
        out.push_back(std::move(entry));
    }
    return out;
}

namespace {

using Fields = std::map<std::string, const QSettingsEntry*, std::less<>>;

std::string where(std::string_view file, const QSettingsEntry& e) {
    return fmt::format("{}:{}:{}: {}", file, e.line, e.column, e.key);
}

/// settings.value(key, "", type=str); nullopt (with a warning) when it is not a string.
std::optional<std::string> string_field(const Fields& fields, std::string_view name,
                                        std::string_view file, std::vector<std::string>* warnings) {
    const auto it = fields.find(name);
    if (it == fields.end()) {
        return std::string();
    }
    const QSettingsEntry& e = *it->second;
    switch (e.type) {
    case QSettingsEntry::Type::string:
        return e.text;
    case QSettingsEntry::Type::invalid:
        return std::string();
    case QSettingsEntry::Type::list:
        if (warnings != nullptr) {
            warnings->push_back(
                fmt::format("{}: is a list (a ',' outside quotes), not a string", where(file, e)));
        }
        return std::nullopt;
    case QSettingsEntry::Type::unsupported:
        break;
    }
    if (warnings != nullptr) {
        warnings->push_back(fmt::format("{}: {}...) values are not read", where(file, e),
                                        e.text.substr(0, e.text.find('(') + 1)));
    }
    return std::nullopt;
}

/// settings.value(key, True, type=bool): QVariant's string-to-bool ("", "0" and "false" in
/// any case are false); anything else that is not a string takes the default, with a warning.
bool bool_field(const Fields& fields, std::string_view name, std::string_view file,
                std::vector<std::string>* warnings) {
    const auto it = fields.find(name);
    if (it == fields.end()) {
        return true;
    }
    const QSettingsEntry& e = *it->second;
    if (e.type == QSettingsEntry::Type::string) {
        return !(e.text.empty() || e.text == "0" || iequals_ascii(e.text, "false"));
    }
    if (warnings != nullptr) {
        warnings->push_back(fmt::format("{}: not a true/false value; read as true, QGIS's default",
                                        where(file, e)));
    }
    return true;
}

} // namespace

Expected<std::vector<QgisRepository>> read_qgis_repositories(std::string_view ini_text,
                                                             std::vector<std::string>* warnings,
                                                             std::string_view file_name) {
    auto entries = read_qsettings_ini(ini_text, file_name);
    QPLUG_RETURN_IF_ERROR(entries);
    // reposGroup = "app/plugin_repositories"; each child group is a repository.
    constexpr std::string_view kGroup = "app/plugin_repositories/";
    std::map<std::string, Fields> groups;
    for (const auto& e : *entries) {
        if (e.key.compare(0, kGroup.size(), kGroup) != 0) {
            continue;
        }
        const std::string_view rest = std::string_view(e.key).substr(kGroup.size());
        const std::size_t slash = rest.find('/');
        if (slash == npos) {
            continue; // a key of the group itself, not a repository
        }
        groups[std::string(rest.substr(0, slash))].emplace(std::string(rest.substr(slash + 1)), &e);
    }
    // Repositories.load() first looks for the official URL in every group (even unusable
    // ones); without it, setValue(officialRepo[0] + "/url", officialRepo[1]) adds the
    // official repository, or replaces the URL of a group of that name.
    bool official_present = false;
    for (const auto& [name, fields] : groups) {
        const auto it = fields.find("url");
        official_present = official_present || (it != fields.end() &&
                                                it->second->type == QSettingsEntry::Type::string &&
                                                it->second->text == kQgisOfficialRepositoryUrl);
    }
    std::vector<QgisRepository> out;
    for (const auto& [name, fields] : groups) {
        QgisRepository r;
        r.name = name;
        const auto url_it = fields.find("url");
        r.line = url_it == fields.end() ? 0 : url_it->second->line;
        std::optional<std::string> url;
        if (!official_present && name == kQgisOfficialRepositoryName) {
            url = std::string(kQgisOfficialRepositoryUrl);
            if (url_it != fields.end() && warnings != nullptr) {
                warnings->push_back(fmt::format("{}: QGIS replaces the URL of '{}' with {}",
                                                where(file_name, *url_it->second), name, *url));
            }
            official_present = true;
        } else {
            url = string_field(fields, "url", file_name, warnings);
        }
        if (name.empty() || !url || url->empty()) {
            if (warnings != nullptr) {
                warnings->push_back(fmt::format(
                    "{}: repository '{}' left out: {}", file_name, name,
                    name.empty() ? "it has no name" : "QGIS cannot fetch it without a URL"));
            }
            continue;
        }
        r.url = std::move(*url);
        r.enabled = bool_field(fields, "enabled", file_name, warnings);
        r.valid = bool_field(fields, "valid", file_name, warnings);
        if (auto authcfg = string_field(fields, "authcfg", file_name, warnings)) {
            r.authcfg = std::string(unicode::strip(*authcfg)); // QGIS strips it before use
        }
        out.push_back(std::move(r));
    }
    if (!official_present) {
        QgisRepository r;
        r.name = std::string(kQgisOfficialRepositoryName);
        r.url = std::string(kQgisOfficialRepositoryUrl);
        r.implied = true;
        const auto at = std::upper_bound(
            out.begin(), out.end(), r,
            [](const QgisRepository& a, const QgisRepository& b) { return a.name < b.name; });
        out.insert(at, std::move(r));
    }
    return out;
}

} // namespace qplug::solver
