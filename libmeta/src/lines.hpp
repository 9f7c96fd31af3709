// Splitting the text into lines the way each consumer's reader does.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include <qplug/meta/document.hpp>

namespace qplug::meta::detail {

/// Where a line starts and ends (bytes, its line break excluded), as Document::lines holds it.
using SourceLine = std::pair<std::size_t, std::size_t>;

/// KeyMode::qgis: codecs.open's readline, i.e. str.splitlines: \n, \r\n, \r, \v, \f, \x1c,
/// \x1d, \x1e, U+0085, U+2028, U+2029. KeyMode::site: io.StringIO's default, '\n' only.
void split_lines(std::string_view text, KeyMode mode, Document::Lines& lines);
/// split_lines() into `lines`, copying the text to `out` (text.size() bytes) in the same
/// pass: the parser's one look at every byte. Whether the text is all ASCII.
bool copy_and_split_lines(std::string_view text, char* out, KeyMode mode, Document::Lines& lines);

/// Code points before `bytes` in `line` (for 1-based columns add one).
std::size_t columns(std::string_view line, std::size_t bytes);
/// columns() for a line known to be valid UTF-8, `bytes` at a code point boundary: the
/// bytes that do not continue a sequence, counted eight at a time.
std::size_t columns_in_valid_utf8(std::string_view line, std::size_t bytes);

} // namespace qplug::meta::detail
