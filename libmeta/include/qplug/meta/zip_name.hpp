// The name Python's zipfile gives a ZIP entry, the one decoder of entry names (what a
// package check reads and what an install writes must agree).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace qplug::meta {

/// zipfile's name for an entry: its bytes as they are when the entry's UTF-8 flag is set,
/// else the bytes decoded as Python's cp437 codec decodes them (0x00-0x7F are themselves).
/// `raw` is the name libzip gives with ZIP_FL_ENC_RAW, `strict` the one with
/// ZIP_FL_ENC_STRICT (or null): libzip returns the raw bytes there exactly when the flag is
/// set or the name is plain ASCII, and its own CP437 table otherwise, which maps control
/// characters and 0x7F to symbols, unlike Python.
std::string zip_entry_name(std::string_view raw, const char* strict);

} // namespace qplug::meta
