// SPDX-License-Identifier: GPL-2.0-or-later
#include "formats/html_scan.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include <qplug/unicode.hpp>

#include "formats/html_entities.hpp"

namespace qplug::solver::detail {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// Elements whose content is text up to their own end tag (HTML5 raw text and RCDATA).
bool has_text_content(std::string_view name) {
    static constexpr std::array<std::string_view, 8> kNames = {
        "script", "style", "xmp", "iframe", "noembed", "noframes", "title", "textarea"};
    for (const auto n : kNames) {
        if (n == name) {
            return true;
        }
    }
    return false;
}

/// The numeric reference's text as html.unescape gives it (html._replace_charref).
void append_numeric(std::string& out, std::uint32_t number, bool too_big) {
    using namespace html_entities;
    if (!too_big) {
        const Replaced* const end = replaced + replaced_size;
        const Replaced* r = std::lower_bound(
            replaced, end, number, [](const Replaced& x, std::uint32_t n) { return x.number < n; });
        if (r != end && r->number == number) {
            out += r->text;
            return;
        }
    }
    if (too_big || (number >= 0xD800 && number <= 0xDFFF)) {
        unicode::append_utf8(out, U'\uFFFD');
        return;
    }
    const Range* const end = dropped + dropped_size;
    const Range* d = std::upper_bound(dropped, end, number,
                                      [](std::uint32_t n, const Range& x) { return n < x.first; });
    if (d != dropped && number <= (d - 1)->last) {
        return; // html.unescape drops these
    }
    unicode::append_utf8(out, static_cast<char32_t>(number));
}

/// Decodes the numeric reference at raw[i] == '&', raw[i + 1] == '#' (html.unescape's
/// "#[0-9]+;?" and "#[xX][0-9a-fA-F]+;?"); returns the index after it, or i when there are
/// no digits (then the text stays as written).
std::size_t numeric_reference(std::string& out, std::string_view raw, std::size_t i) {
    std::size_t j = i + 2;
    const bool hex = j + 1 < raw.size() && (raw[j] == 'x' || raw[j] == 'X') &&
                     unicode::hex_value(raw[j + 1]) >= 0;
    if (hex) {
        ++j;
    }
    const std::size_t digits = j;
    std::uint32_t value = 0;
    bool too_big = false;
    for (; j < raw.size(); ++j) {
        const int d =
            hex ? unicode::hex_value(raw[j]) : (raw[j] >= '0' && raw[j] <= '9' ? raw[j] - '0' : -1);
        if (d < 0) {
            break;
        }
        value = value * (hex ? 16U : 10U) + static_cast<std::uint32_t>(d);
        if (value > 0x10FFFF) {
            too_big = true;
            value = 0x110000; // keep reading digits without overflowing
        }
    }
    if (j == digits) {
        return i;
    }
    if (j < raw.size() && raw[j] == ';') {
        ++j;
    }
    append_numeric(out, value, too_big);
    return j;
}

const html_entities::Named* find_named(std::string_view name) {
    using namespace html_entities;
    const Named* const end = named + named_size;
    const Named* n = std::lower_bound(
        named, end, name, [](const Named& x, std::string_view v) { return x.name < v; });
    return n != end && n->name == name ? n : nullptr;
}

/// Decodes the named reference at raw[i] == '&' as html.unescape does: up to 32 characters
/// other than "\t\n\f <&#;" and an optional ';' are the candidate; it is replaced when
/// html.entities.html5 names it, else its longest prefix of two or more characters that is a
/// name (legacy names need no ';': "&ampx" is "&x", in attribute values too), else it stays.
/// Returns the index after what was read, or i when nothing follows the '&'.
std::size_t named_reference(std::string& out, std::string_view raw, std::size_t i) {
    std::size_t end = i + 1;
    for (std::size_t characters = 0; end < raw.size() && characters < 32; ++characters) {
        const char c = raw[end];
        if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' ||
            c == ';') {
            break;
        }
        ++end; // one character: a UTF-8 lead byte and its continuation bytes
        while (end < raw.size() && (static_cast<unsigned char>(raw[end]) & 0xC0) == 0x80) {
            ++end;
        }
    }
    if (end == i + 1) {
        return i;
    }
    if (end < raw.size() && raw[end] == ';') {
        ++end;
    }
    const std::string_view candidate = raw.substr(i + 1, end - i - 1);
    if (const auto* n = find_named(candidate)) {
        out += n->text;
        return end;
    }
    for (std::size_t length = candidate.size() - 1; length >= 2; --length) {
        if (const auto* n = find_named(candidate.substr(0, length))) {
            out += n->text;
            out += candidate.substr(length);
            return end;
        }
    }
    out += '&';
    out += candidate;
    return end;
}

} // namespace

const std::string* HtmlToken::attribute(std::string_view attribute_name) const {
    for (const auto& a : attributes) {
        if (a.name == attribute_name) {
            return &a.value;
        }
    }
    return nullptr;
}

void append_decoded(std::string& out, std::string_view raw) {
    std::size_t i = 0;
    while (i < raw.size()) {
        const std::size_t amp = raw.find('&', i);
        if (amp == std::string_view::npos) {
            out.append(raw.substr(i));
            return;
        }
        out.append(raw.substr(i, amp - i));
        const std::size_t next = amp + 1 < raw.size() && raw[amp + 1] == '#'
                                     ? numeric_reference(out, raw, amp)
                                     : named_reference(out, raw, amp);
        if (next == amp) {
            out += '&';
            i = amp + 1;
        } else {
            i = next;
        }
    }
}

std::size_t HtmlTokenizer::skip_comment(std::size_t pos) const {
    // pos is at "<!--". HTML5 also ends a comment at "<!-->", "<!--->" and "--!>".
    std::size_t p = pos + 4;
    if (html_.substr(p, 1) == ">") {
        return p + 1;
    }
    if (html_.substr(p, 2) == "->") {
        return p + 2;
    }
    while (true) {
        const std::size_t dashes = html_.find("--", p);
        if (dashes == std::string_view::npos) {
            return html_.size();
        }
        if (html_.substr(dashes + 2, 1) == ">") {
            return dashes + 3;
        }
        if (html_.substr(dashes + 2, 2) == "!>") {
            return dashes + 4;
        }
        p = dashes + 1;
    }
}

void HtmlTokenizer::skip_element_text() {
    // Up to "</name" followed by a blank, '/' or '>' (HTML5's "appropriate end tag").
    std::size_t p = pos_;
    while (true) {
        const std::size_t lt = html_.find("</", p);
        if (lt == std::string_view::npos) {
            pos_ = html_.size();
            break;
        }
        std::size_t q = lt + 2;
        std::size_t k = 0;
        while (k < text_end_.size() && q < html_.size() && lower(html_[q]) == text_end_[k]) {
            ++q;
            ++k;
        }
        if (k == text_end_.size() && q < html_.size() &&
            (is_space(html_[q]) || html_[q] == '/' || html_[q] == '>')) {
            pos_ = lt;
            break;
        }
        p = lt + 2;
    }
    text_end_.clear();
}

bool HtmlTokenizer::tag(HtmlToken& token) {
    // pos_ is at '<' followed by a letter, or at "</" followed by a letter.
    const std::size_t n = html_.size();
    const bool end_tag = html_[pos_ + 1] == '/';
    std::size_t p = pos_ + (end_tag ? 2 : 1);
    token.kind = end_tag ? HtmlToken::Kind::end_tag : HtmlToken::Kind::start_tag;
    token.offset = pos_;
    token.name.clear();
    token.attributes.clear();
    token.text = {};
    while (p < n && !is_space(html_[p]) && html_[p] != '/' && html_[p] != '>') {
        token.name += lower(html_[p]);
        ++p;
    }
    std::string name;
    while (true) {
        while (p < n && (is_space(html_[p]) || html_[p] == '/')) {
            ++p;
        }
        if (p >= n) {
            pos_ = n; // a tag cut off by the end of the document is dropped
            return false;
        }
        if (html_[p] == '>') {
            pos_ = p + 1;
            return true;
        }
        name.clear();
        do { // '=' may start a name (a parse error HTML5 tolerates)
            name += lower(html_[p]);
            ++p;
        } while (p < n && !is_space(html_[p]) && html_[p] != '/' && html_[p] != '>' &&
                 html_[p] != '=');
        while (p < n && is_space(html_[p])) {
            ++p;
        }
        std::string_view raw_value;
        if (p < n && html_[p] == '=') {
            ++p;
            while (p < n && is_space(html_[p])) {
                ++p;
            }
            if (p < n && (html_[p] == '"' || html_[p] == '\'')) {
                const std::size_t close = html_.find(html_[p], p + 1);
                if (close == std::string_view::npos) {
                    pos_ = n;
                    return false;
                }
                raw_value = html_.substr(p + 1, close - p - 1);
                p = close + 1;
            } else {
                const std::size_t start = p;
                while (p < n && !is_space(html_[p]) && html_[p] != '>') {
                    ++p;
                }
                raw_value = html_.substr(start, p - start);
            }
        }
        // Past 256 attributes (no index writes so many) the rest are read and dropped: the
        // check for repeated names would otherwise be quadratic in a hostile tag.
        if (!end_tag && token.attributes.size() < 256 && token.attribute(name) == nullptr) {
            HtmlAttribute& a = token.attributes.emplace_back();
            a.name = name;
            append_decoded(a.value, raw_value);
        }
    }
}

bool HtmlTokenizer::next(HtmlToken& token) {
    const std::size_t n = html_.size();
    while (pos_ < n) {
        if (html_[pos_] != '<') {
            const std::size_t lt = html_.find('<', pos_ + 1);
            const std::size_t end = lt == std::string_view::npos ? n : lt;
            token.kind = HtmlToken::Kind::text;
            token.offset = pos_;
            token.text = html_.substr(pos_, end - pos_);
            pos_ = end;
            return true;
        }
        const char c = pos_ + 1 < n ? html_[pos_ + 1] : '\0';
        if (is_alpha(c) || (c == '/' && pos_ + 2 < n && is_alpha(html_[pos_ + 2]))) {
            if (!tag(token)) {
                continue;
            }
            if (token.kind == HtmlToken::Kind::start_tag && has_text_content(token.name)) {
                text_end_ = token.name;
                skip_element_text();
            }
            return true;
        }
        if (c == '!' && html_.substr(pos_, 4) == "<!--") {
            pos_ = skip_comment(pos_);
        } else if (c == '!' || c == '?' || (c == '/' && pos_ + 2 < n && html_[pos_ + 2] != '>')) {
            const std::size_t gt = html_.find('>', pos_ + 2);
            pos_ = gt == std::string_view::npos ? n : gt + 1; // bogus comment
        } else if (c == '/' && pos_ + 2 < n) {
            pos_ += 3; // "</>" is dropped
        } else {
            // A '<' that starts nothing is text.
            const std::size_t lt = html_.find('<', pos_ + 1);
            const std::size_t end = lt == std::string_view::npos ? n : lt;
            token.kind = HtmlToken::Kind::text;
            token.offset = pos_;
            token.text = html_.substr(pos_, end - pos_);
            pos_ = end;
            return true;
        }
    }
    return false;
}

} // namespace qplug::solver::detail
