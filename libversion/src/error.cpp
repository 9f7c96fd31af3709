// SPDX-License-Identifier: GPL-2.0-or-later
#include <fmt/format.h>

#include <qplug/expected.hpp>
#include <qplug/unicode.hpp>

namespace qplug {

std::size_t Error::column() const noexcept {
    if (unicode::find_invalid_utf8(input.substr(0, std::min(offset, input.size()))) !=
        unicode::npos) {
        return offset + 1;
    }
    return unicode::code_points(input, offset) + 1;
}

std::string Error::to_string() const {
    if (line > 0) {
        return fmt::format("{}:{}:{}: {}", file, line, line_column, message);
    }
    if (input.empty() && offset == 0 && what.empty()) {
        return message;
    }
    return fmt::format("invalid {} '{}': column {}: {}", what, input, column(), message);
}

std::string_view error_kind_name(Error::Kind kind) noexcept {
    switch (kind) {
    case Error::Kind::parse:
        return "parse";
    case Error::Kind::invalid:
        return "invalid";
    case Error::Kind::not_found:
        return "not_found";
    case Error::Kind::io:
        return "io";
    case Error::Kind::refused:
        return "refused";
    case Error::Kind::unsat:
        return "unsat";
    case Error::Kind::internal:
        return "internal";
    case Error::Kind::cancelled:
        return "cancelled";
    }
    return "invalid";
}

} // namespace qplug
