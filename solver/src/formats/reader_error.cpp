// SPDX-License-Identifier: GPL-2.0-or-later
#include "formats/reader_error.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <qplug/unicode.hpp>

namespace qplug::solver::detail {

namespace {

constexpr std::size_t kExcerpt = 160;

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

Error text_error(std::string_view what, std::string_view text, std::size_t offset,
                 std::string message, Error::Kind kind) {
    Error e;
    e.kind = kind;
    e.what = std::string(what);
    e.input = std::string(text);
    e.offset = std::min(offset, text.size());
    e.message = std::move(message);
    return e;
}

Error document_error(std::string_view what, std::string_view doc, std::size_t offset,
                     std::string message, Error::Kind kind) {
    offset = std::min(offset, doc.size());
    const std::size_t previous_nl =
        offset == 0 ? std::string_view::npos : doc.rfind('\n', offset - 1);
    std::size_t begin = previous_nl == std::string_view::npos ? 0 : previous_nl + 1;
    std::size_t end = doc.find('\n', offset);
    if (end == std::string_view::npos) {
        end = doc.size();
    }
    if (end > offset + 1 && doc[end - 1] == '\r') {
        --end;
    }
    if (end - begin > kExcerpt) {
        // A window around the problem, cut at character boundaries.
        begin = std::max(begin, offset > kExcerpt / 2 ? offset - kExcerpt / 2 : 0);
        end = std::min(end, begin + kExcerpt);
        while (begin < offset && is_continuation(doc[begin])) {
            ++begin;
        }
        while (end > offset + 1 && end < doc.size() && is_continuation(doc[end])) {
            --end;
        }
    }
    const auto line =
        1 + static_cast<std::size_t>(
                std::count(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    Error e;
    e.kind = kind;
    e.what = std::string(what);
    e.input = std::string(doc.substr(begin, end - begin));
    e.offset = offset - begin;
    e.message = fmt::format("line {}, byte {}: {}", line, offset, message);
    return e;
}

std::optional<Error> utf8_error(std::string_view what, std::string_view doc) {
    const std::size_t bad = unicode::find_invalid_utf8(doc);
    if (bad == unicode::npos) {
        return std::nullopt;
    }
    return document_error(
        what, doc, bad,
        fmt::format("byte 0x{:02X} is not UTF-8", static_cast<unsigned char>(doc[bad])));
}

} // namespace qplug::solver::detail
