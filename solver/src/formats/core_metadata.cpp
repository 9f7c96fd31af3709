// Core metadata (METADATA in a wheel, PKG-INFO in an sdist): RFC 822 style headers read
// exactly as Python's email.parser reads them with the compat32 policy (what pip,
// importlib.metadata and packaging use), then the fields a resolver needs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <qplug/solver/pypi.hpp>

#include "formats/reader_error.hpp"

namespace qplug::solver::pypi {

namespace {

constexpr std::string_view kWhat = "core metadata";

/// One physical line: email splits at "\r\n", "\r" and "\n" and keeps the terminator.
struct Line {
    std::size_t begin = 0;
    std::size_t end = 0; ///< after the terminator
};

Line line_at(std::string_view text, std::size_t pos) {
    const std::size_t brk = text.find_first_of("\r\n", pos);
    if (brk == std::string_view::npos) {
        return {pos, text.size()};
    }
    const std::size_t len =
        text[brk] == '\r' && brk + 1 < text.size() && text[brk + 1] == '\n' ? 2 : 1;
    return {pos, brk + len};
}

/// email.feedparser's headerRE: ^(From |[\041-\071\073-\176]*:|[\t ])
bool is_header_line(std::string_view line) {
    if (line.starts_with("From ") || line.starts_with(' ') || line.starts_with('\t')) {
        return true;
    }
    for (const char c : line) {
        if (c == ':') {
            return true;
        }
        if (c < '\x21' || c > '\x7E') {
            return false;
        }
    }
    return false;
}

struct RawHeader {
    std::size_t offset = 0;       ///< of the header's first line
    std::size_t value_offset = 0; ///< of the value's first byte
    std::string name;
    std::string value;
};

/// FeedParser._parsegen and _parse_headers with compat32's header_source_parse: the
/// headers, and the body (usually the text after the first blank line).
void split_message(std::string_view text, std::vector<RawHeader>& headers, std::string& body) {
    std::vector<Line> lines;
    std::size_t pos = 0;
    std::size_t body_start = text.size();
    while (pos < text.size()) {
        const Line line = line_at(text, pos);
        const std::string_view content = text.substr(line.begin, line.end - line.begin);
        if (!is_header_line(content)) {
            // A blank line separates headers and body and is dropped; any other line
            // starts the body.
            body_start = content[0] == '\r' || content[0] == '\n' ? line.end : line.begin;
            break;
        }
        lines.push_back(line);
        pos = line.end;
    }
    std::string_view pushed_back; // a "From " line that ends the headers goes to the body
    std::optional<RawHeader> current;
    auto flush = [&] {
        if (current) {
            // compat32: rstrip('\r\n') of the whole value.
            const std::size_t keep = current->value.find_last_not_of("\r\n");
            current->value.resize(keep == std::string::npos ? 0 : keep + 1);
            headers.push_back(std::move(*current));
            current.reset();
        }
    };
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const std::string_view line = text.substr(lines[k].begin, lines[k].end - lines[k].begin);
        if (line[0] == ' ' || line[0] == '\t') {
            if (current) { // a continuation before any header is dropped
                current->value += line;
            }
            continue;
        }
        flush();
        if (line.starts_with("From ")) {
            // A Unix "From " envelope line: ignored first, body when last, dropped between.
            if (k != 0 && k + 1 == lines.size()) {
                pushed_back = line;
                break;
            }
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == 0) {
            continue; // no name: dropped, with its continuation lines
        }
        RawHeader h;
        h.offset = lines[k].begin;
        h.name = std::string(line.substr(0, colon));
        std::size_t v = colon + 1;
        while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) {
            ++v;
        }
        h.value_offset = lines[k].begin + v;
        h.value = std::string(line.substr(v));
        current = std::move(h);
    }
    flush();
    body = std::string(pushed_back);
    body += text.substr(body_start);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
               };
               return lower(x) == lower(y);
           });
}

/// A folded value on one line: the line breaks of folding removed, blanks around stripped.
std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c != '\r' && c != '\n') {
            out += c;
        }
    }
    const std::size_t b = out.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return {};
    }
    return out.substr(b, out.find_last_not_of(" \t") - b + 1);
}

/// A Description header of metadata 1.x: continuation lines are indented by eight spaces
/// (distutils) or by seven and a '|' (setuptools); the indent is not part of the text.
std::string unindent_description(std::string_view value) {
    std::string out;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= value.size()) {
        const std::size_t brk = value.find_first_of("\r\n", pos);
        std::string_view line = value.substr(pos, brk == std::string_view::npos ? brk : brk - pos);
        if (!first) {
            out += '\n';
            if (line.starts_with("       |")) {
                line.remove_prefix(8);
            } else {
                const std::size_t spaces = std::min<std::size_t>(line.find_first_not_of(' '), 8);
                line.remove_prefix(std::min(spaces, line.size()));
            }
        }
        out += line;
        first = false;
        if (brk == std::string_view::npos) {
            break;
        }
        pos =
            brk + (value[brk] == '\r' && brk + 1 < value.size() && value[brk + 1] == '\n' ? 2 : 1);
    }
    return out;
}

/// The core metadata spec's name rule: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, any case.
bool is_project_name(std::string_view name) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (name.empty() || !alnum(name.front()) || !alnum(name.back())) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

} // namespace

Expected<CoreMetadata> parse_core_metadata(std::string_view text) {
    if (auto bad = detail::utf8_error(kWhat, text)) {
        return std::move(*bad);
    }
    CoreMetadata m;
    std::vector<RawHeader> raw;
    std::string body;
    split_message(text, raw, body);

    // Fields that may appear once: a second one would make the reading ambiguous.
    struct Single {
        std::string_view name;
        std::string* field;
        const RawHeader* seen = nullptr;
    };
    std::array<Single, 5> singles = {{{"Metadata-Version", &m.metadata_version},
                                      {"Name", &m.name},
                                      {"Version", &m.version},
                                      {"Summary", &m.summary},
                                      {"Requires-Python", &m.requires_python}}};
    const RawHeader* description = nullptr;
    for (const RawHeader& h : raw) {
        bool single = false;
        for (Single& s : singles) {
            if (iequals(h.name, s.name)) {
                if (s.seen != nullptr) {
                    return detail::document_error(kWhat, text, h.offset,
                                                  fmt::format("a second {} header", s.name));
                }
                s.seen = &h;
                *s.field = unfold(h.value);
                single = true;
            }
        }
        if (single) {
            continue;
        }
        if (iequals(h.name, "Requires-Dist") || iequals(h.name, "Provides-Extra") ||
            iequals(h.name, "Dynamic")) {
            std::string value = unfold(h.value);
            if (value.empty()) {
                continue;
            }
            if (iequals(h.name, "Dynamic")) {
                // PEP 643: these three are never dynamic.
                for (const std::string_view never : {"Name", "Version", "Metadata-Version"}) {
                    if (iequals(value, never)) {
                        return detail::document_error(
                            kWhat, text, h.value_offset,
                            fmt::format("{} cannot be Dynamic (PEP 643)", never));
                    }
                }
                m.dynamic.push_back(std::move(value));
            } else {
                (iequals(h.name, "Requires-Dist") ? m.requires_dist : m.provides_extra)
                    .push_back(std::move(value));
            }
        } else if (iequals(h.name, "Description") && description == nullptr) {
            description = &h;
        }
    }

    const RawHeader* version_header = singles[0].seen;
    if (version_header == nullptr) {
        return detail::document_error(
            kWhat, text, 0,
            text.starts_with("\xEF\xBB\xBF")
                ? "no Metadata-Version header (the file starts with a byte order mark, which "
                  "hides the first header)"
                : "no Metadata-Version header");
    }
    const std::string& mv = m.metadata_version;
    const std::size_t dot = mv.find('.');
    auto digits = [](std::string_view s) {
        return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dot == std::string::npos || !digits(std::string_view(mv).substr(0, dot)) ||
        !digits(std::string_view(mv).substr(dot + 1))) {
        return detail::document_error(kWhat, text, version_header->value_offset,
                                      fmt::format("'{}' is not a metadata version", mv));
    }
    // 1.0-1.2 and 2.x; a newer 2.x only adds fields, a new major version may change them.
    if (const std::string_view major = std::string_view(mv).substr(0, dot);
        major != "1" && major != "2") {
        return detail::document_error(kWhat, text, version_header->value_offset,
                                      fmt::format("metadata version {} is not supported", mv),
                                      Error::Kind::invalid);
    }
    if (singles[1].seen == nullptr || m.name.empty()) {
        return detail::document_error(
            kWhat, text, singles[1].seen ? singles[1].seen->value_offset : 0, "no Name");
    }
    if (!is_project_name(m.name)) {
        return detail::document_error(kWhat, text, singles[1].seen->value_offset,
                                      fmt::format("'{}' is not a valid project name", m.name));
    }
    if (singles[2].seen == nullptr || m.version.empty()) {
        return detail::document_error(
            kWhat, text, singles[2].seen ? singles[2].seen->value_offset : 0, "no Version");
    }
    if (!body.empty()) {
        m.description = body;
    } else if (description != nullptr) {
        m.description = unindent_description(description->value);
    }
    m.headers.reserve(raw.size());
    for (RawHeader& h : raw) {
        m.headers.emplace_back(std::move(h.name), std::move(h.value));
    }
    return m;
}

} // namespace qplug::solver::pypi
