// Errors of the pip and conda readers: where a short string or a whole document goes wrong.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

/// An error in a short string (a file name, a match spec): the whole string is the input.
Error text_error(std::string_view what, std::string_view text, std::size_t offset,
                 std::string message, Error::Kind kind = Error::Kind::parse);

/// An error in a document (a page, repodata.json, a METADATA file). Documents can be hundreds
/// of megabytes, so `input` is only the offending line (at most 160 bytes of it, around the
/// problem) with `offset` into that excerpt, and the message starts with
/// "line L, byte B: " to place it in the whole document.
Error document_error(std::string_view what, std::string_view doc, std::size_t offset,
                     std::string message, Error::Kind kind = Error::Kind::parse);

/// The document error for the first byte that is not well-formed UTF-8, if any.
std::optional<Error> utf8_error(std::string_view what, std::string_view doc);

} // namespace qplug::solver::detail
