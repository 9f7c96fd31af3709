// A small, tolerant HTML tokenizer for the pages of the simple repository API (PEP 503).
//
// Hand-written on purpose: those pages are HTML5, which is not XML (unclosed and upper-case
// tags, unquoted or valueless attributes, "&gt;" in attribute values), so an XML parser
// (pugixml) must not read them, and no HTML parser is among the Debian packages the project
// may depend on. It follows the HTML5 tokenizer where anchors depend on it: tag and attribute
// syntax (names lower-cased, the first of repeated attributes wins, at most 256 attributes
// kept per tag), comments, doctypes and other bogus comments, the raw text of <script> and
// <style> and the text of <title>/<textarea> (no tags inside). Character references are
// decoded as pip's html.parser decodes them (html.unescape). It builds no tree and never
// fails: malformed markup degrades to text, and a tag cut off by the end of the document is
// dropped. One pass, no backtracking: linear in the page size.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::solver::detail {

struct HtmlAttribute {
    std::string name;  ///< lower-cased
    std::string value; ///< character references decoded
};

struct HtmlToken {
    enum class Kind { start_tag, end_tag, text };
    Kind kind = Kind::text;
    std::size_t offset = 0;                ///< of the '<', or of the text's first byte
    std::string name;                      ///< tags: lower-cased
    std::vector<HtmlAttribute> attributes; ///< start tags
    std::string_view text;                 ///< text tokens: raw (references not decoded)

    /// The value of an attribute, or nullptr when the tag has none of that name.
    const std::string* attribute(std::string_view attribute_name) const;
};

class HtmlTokenizer {
public:
    explicit HtmlTokenizer(std::string_view html) : html_(html) {}
    /// The next tag or run of text; false at the end of the document. Text may come in
    /// several consecutive tokens.
    bool next(HtmlToken& token);

private:
    bool tag(HtmlToken& token);
    std::size_t skip_comment(std::size_t pos) const;
    void skip_element_text();

    std::string_view html_;
    std::size_t pos_ = 0;
    std::string text_end_; ///< after <script>, <title> ...: the element whose end tag ends its text
};

/// Appends `raw` with its character references decoded as Python's html.unescape decodes them
/// (pip's html.parser applies it to attribute values and text): every name of
/// html.entities.html5, legacy names without ';' also before other letters ("&ampx" is "&x"),
/// numeric references with html's fix-ups (0x80-0x9F as windows-1252; 0, surrogates and values
/// above U+10FFFF as U+FFFD; control and non-characters dropped). Tables: html_entities.cpp.
void append_decoded(std::string& out, std::string_view raw);

} // namespace qplug::solver::detail
