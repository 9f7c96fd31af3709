// SPDX-License-Identifier: GPL-2.0-or-later
#include "html_scan.hpp"

#include <array>
#include <cstdint>

#include <qplug/unicode.hpp>

namespace qplug::solver::detail {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_alnum(char c) {
    return is_alpha(c) || (c >= '0' && c <= '9');
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

struct NamedReference {
    std::string_view name;
    char32_t code_point;
    bool legacy; ///< also recognised without the ';' (HTML5's legacy list)
};

constexpr std::array<NamedReference, 10> kNamed = {{
    {"amp", U'&', true},
    {"AMP", U'&', true},
    {"lt", U'<', true},
    {"LT", U'<', true},
    {"gt", U'>', true},
    {"GT", U'>', true},
    {"quot", U'"', true},
    {"QUOT", U'"', true},
    {"nbsp", U'\u00A0', true},
    {"apos", U'\'', false},
}};

/// HTML5's reading of numeric references 0x80-0x9F as windows-1252 (0 where it keeps them).
constexpr std::array<char16_t, 32> kWindows1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/// Decodes the numeric reference at raw[i] == '&', raw[i + 1] == '#'; returns the index after
/// it, or i when there are no digits (then the text stays as written).
std::size_t numeric_reference(std::string& out, std::string_view raw, std::size_t i) {
    std::size_t j = i + 2;
    const bool hex = j < raw.size() && (raw[j] == 'x' || raw[j] == 'X');
    if (hex) {
        ++j;
    }
    const std::size_t digits = j;
    std::uint32_t value = 0;
    bool too_big = false;
    for (; j < raw.size(); ++j) {
        const char c = raw[j];
        std::uint32_t d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<std::uint32_t>(c - '0');
        } else if (hex && lower(c) >= 'a' && lower(c) <= 'f') {
            d = static_cast<std::uint32_t>(lower(c) - 'a' + 10);
        } else {
            break;
        }
        value = value * (hex ? 16U : 10U) + d;
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
    char32_t cp = value;
    if (too_big || value == 0 || (value >= 0xD800 && value <= 0xDFFF)) {
        cp = U'\uFFFD';
    } else if (value >= 0x80 && value <= 0x9F && kWindows1252[value - 0x80] != 0) {
        cp = kWindows1252[value - 0x80];
    }
    unicode::append_utf8(out, cp);
    return j;
}

/// Decodes the named reference at raw[i] == '&'; returns the index after it, or i.
std::size_t named_reference(std::string& out, std::string_view raw, std::size_t i,
                            RefContext context) {
    std::size_t end = i + 1;
    while (end < raw.size() && end - i <= 32 && is_alnum(raw[end])) {
        ++end;
    }
    const std::string_view name = raw.substr(i + 1, end - i - 1);
    if (name.empty()) {
        return i;
    }
    if (end < raw.size() && raw[end] == ';') {
        for (const auto& ref : kNamed) {
            if (ref.name == name) {
                unicode::append_utf8(out, ref.code_point);
                return end + 1;
            }
        }
    }
    // Without ';': the longest legacy name the text starts with.
    const NamedReference* best = nullptr;
    for (const auto& ref : kNamed) {
        if (ref.legacy && name.starts_with(ref.name) &&
            (best == nullptr || ref.name.size() > best->name.size())) {
            best = &ref;
        }
    }
    if (best == nullptr) {
        return i;
    }
    const std::size_t after = i + 1 + best->name.size();
    if (context == RefContext::attribute && after < raw.size() &&
        (raw[after] == '=' || is_alnum(raw[after]))) {
        return i;
    }
    unicode::append_utf8(out, best->code_point);
    return after;
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

void append_decoded(std::string& out, std::string_view raw, RefContext context) {
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
                                     : named_reference(out, raw, amp, context);
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
            append_decoded(a.value, raw_value, RefContext::attribute);
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
