// plugins.xml with pugixml: parsed in place (one copy of the bytes), texts read as QGIS's
// QDomElement.text().strip() reads them.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>

#include <fmt/format.h>
#include <pugixml.hpp>

#include <qplug/solver/plugins_xml.hpp>
#include <qplug/unicode.hpp>

#include "errors.hpp"
#include "formats/plugins_xml_reading.hpp"

namespace qplug::solver::plugins_xml {

namespace {

/// installer_data.xmlDownloaded: content.replace(b"& ", b"&amp; ") before parsing. Keeps
/// where each replacement goes, to give positions in the bytes as they were.
struct Escaped {
    std::vector<std::size_t> inserted_at; ///< offsets in the text after which 4 bytes were added
    std::size_t size = 0;                 ///< of the escaped text

    /// The offset in the original bytes of an offset in the escaped text.
    /// An offset inside an inserted "amp;" maps to the blank after the original '&'.
    std::size_t original_offset(std::size_t offset) const {
        // Insertions wholly before `offset` (at + 4 < offset) shift it by 4 each.
        const auto passed =
            std::upper_bound(inserted_at.begin(), inserted_at.end(), offset,
                             [](std::size_t o, std::size_t at) { return o <= at + 4; });
        const auto before = static_cast<std::size_t>(passed - inserted_at.begin());
        if (passed != inserted_at.end() && *passed < offset) {
            return *passed - 4 * before + 1; // inside this insertion
        }
        return offset - 4 * before;
    }
};

Escaped find_bare_ampersands(std::string_view bytes) {
    Escaped out;
    for (std::size_t at = bytes.find("& "); at != std::string_view::npos;
         at = bytes.find("& ", at + 2)) {
        out.inserted_at.push_back(at + 4 * out.inserted_at.size());
    }
    out.size = bytes.size() + 4 * out.inserted_at.size();
    return out;
}

/// The escaped text, written into a buffer of its size as far as the reading needs it: the
/// pages of a large document are first touched (and the kernel's faults paid) while earlier
/// entries are being written, not all before the first entry.
class EscapedCopy {
public:
    static constexpr std::size_t kBlock = 64 * 1024;

    EscapedCopy(std::string_view bytes, const Escaped& escaped, char* out)
        : bytes_(bytes), escaped_(escaped), out_(out) {}

    /// The whole text, of which what until(), has() and find() reached is written. pugixml
    /// parses it in place.
    std::string_view text() const { return {out_, escaped_.size}; }
    char* data() { return out_; }

    /// Writes the text up to `end` (at least; all of it at most).
    void until(std::size_t end) {
        end = std::min(end, escaped_.size);
        while (done_ < end) {
            const std::size_t next = inserted_ < escaped_.inserted_at.size()
                                         ? escaped_.inserted_at[inserted_]
                                         : escaped_.size;
            if (done_ < next) {
                const std::size_t n = std::min(next, end) - done_;
                std::memcpy(out_ + done_, bytes_.data() + (done_ - 4 * inserted_), n);
                done_ += n;
            } else {
                std::memcpy(out_ + done_, "&amp; ", 6);
                done_ += 6;
                ++inserted_;
            }
        }
    }

    /// Whether the text has a byte at `i` (written from here on).
    bool has(std::size_t i) {
        if (i >= done_) {
            until(std::max(i + 1, done_ + kBlock));
        }
        return i < done_;
    }

    /// Where `needle` first occurs in the text at or after `from`, writing as far as needed.
    std::size_t find(std::string_view needle, std::size_t from) {
        for (std::size_t start = from;;) {
            if (done_ >= start + needle.size()) {
                if (const void* found =
                        ::memmem(out_ + start, done_ - start, needle.data(), needle.size())) {
                    return static_cast<std::size_t>(static_cast<const char*>(found) - out_);
                }
                start = done_ - needle.size() + 1;
            }
            if (done_ == escaped_.size) {
                return std::string_view::npos;
            }
            until(done_ + std::max(kBlock, done_ - from)); // a long search writes ever more
        }
    }

private:
    std::string_view bytes_;
    const Escaped& escaped_;
    char* out_;
    std::size_t done_ = 0;
    std::size_t inserted_ = 0; ///< insertions written
};

/// The node after `node` in document order below `root` (its first child, else the next
/// sibling of it or of the nearest ancestor that has one), or null: a walk without recursion,
/// so that no nesting depth can exhaust the stack.
pugi::xml_node next_in_document(const pugi::xml_node& node, const pugi::xml_node& root,
                                bool enter = true) {
    if (enter && node.first_child()) {
        return node.first_child();
    }
    for (pugi::xml_node up = node; up && up != root; up = up.parent()) {
        if (up.next_sibling()) {
            return up.next_sibling();
        }
    }
    return {};
}

/// Keeps the entries' texts: a text pugixml left in the parsed bytes is a view into them
/// (they stay in the Document); any other (a concatenation, a converted encoding's) is
/// copied into the Document's storage.
class Texts {
public:
    /// Texts of `parsed` (a buffer of `storage`) are views into it.
    Texts(Document::Storage& storage, std::string_view parsed)
        : storage_(storage), begin_(parsed.data()), end_(parsed.data() + parsed.size()) {}

    std::string_view keep(std::string_view text) {
        if (text.empty()) {
            return {};
        }
        const std::less_equal<const char*> at_most;
        if (at_most(begin_, text.data()) && at_most(text.data() + text.size(), end_)) {
            return text;
        }
        return storage_.built.emplace_back(text);
    }

private:
    Document::Storage& storage_;
    const char* begin_;
    const char* end_;
};

/// QDomElement::text(): every text and CDATA node below the element, concatenated. The
/// document is parsed with parse_embed_pcdata: an element's first child, when it is text, is
/// kept as the element's value (no node of its own), so each element's value comes before its
/// children.
void append_text(const pugi::xml_node& element, std::string& out) {
    out += element.value();
    for (pugi::xml_node n = element.first_child(); n; n = next_in_document(n, element)) {
        const auto type = n.type();
        if (type == pugi::node_element || type == pugi::node_pcdata || type == pugi::node_cdata) {
            out += n.value();
        }
    }
}

/// The element's text as QGIS reads it: QDomElement.text().strip(). `only` is the element's
/// first child.
std::string_view stripped_text(const pugi::xml_node& element, const pugi::xml_node& only,
                               Texts& texts) {
    // The common cases, one text (the element's value) or one CDATA node: no concatenation.
    if (!only) {
        return texts.keep(unicode::strip(element.value()));
    }
    if (*element.value() == '\0' && !only.next_sibling() &&
        (only.type() == pugi::node_pcdata || only.type() == pugi::node_cdata)) {
        return texts.keep(unicode::strip(only.value()));
    }
    std::string text;
    append_text(element, text);
    return texts.keep(std::string(unicode::strip(text)));
}

bool is_true(std::string_view text) {
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) { // (no allocation; Python's upper() of other letters may give ASCII ones)
        auto upper_is = [&](std::string_view word) {
            return text.size() == word.size() &&
                   std::equal(text.begin(), text.end(), word.begin(), [](char c, char w) {
                       return (c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) == w;
                   });
        };
        return upper_is("TRUE") || upper_is("YES");
    }
    const std::string upper = unicode::to_upper(text);
    return upper == "TRUE" || upper == "YES";
}

/// The children of <pyqgis_plugin> that are read, in the order plugins.qgis.org writes them
/// (so that the lookup below mostly succeeds at its first comparison).
struct ChildField {
    std::string_view name;
    std::string_view Entry::*text = nullptr;
    bool Entry::*flag = nullptr;
};
constexpr ChildField kChildFields[] = {
    {"description", &Entry::description},
    {"about", &Entry::about},
    {"version", nullptr}, // not read (the attribute is); listed to keep the cursor in step
    {"trusted", nullptr, &Entry::trusted},
    {"qgis_minimum_version", &Entry::qgis_minimum_version},
    {"qgis_maximum_version", &Entry::qgis_maximum_version},
    {"homepage", &Entry::homepage},
    {"file_name", &Entry::file_name},
    {"icon", &Entry::icon},
    {"author_name", &Entry::author_name},
    {"author_email", &Entry::author_email},
    {"download_url", &Entry::download_url},
    {"uploaded_by", &Entry::uploaded_by},
    {"create_date", &Entry::create_date},
    {"update_date", &Entry::update_date},
    {"experimental", nullptr, &Entry::experimental},
    {"deprecated", nullptr, &Entry::deprecated},
    {"tracker", &Entry::tracker},
    {"repository", &Entry::repository},
    {"tags", &Entry::tags},
    {"downloads", &Entry::downloads},
    {"average_vote", &Entry::average_vote},
    {"rating_votes", &Entry::rating_votes},
    {"external_dependencies", &Entry::external_dependencies},
    {"server", nullptr, &Entry::server},
    {"category", &Entry::category},
    {"changelog", &Entry::changelog},
    {"plugin_dependencies", &Entry::plugin_dependencies},
    {"disabled", nullptr, &Entry::disabled},
};
constexpr std::size_t kFieldCount = std::size(kChildFields);

/// Reads every field of the entry in one pass over its children; the first child of a name
/// counts, as QDomElement::firstChildElement(name) (and pugixml's child(name)) find it.
/// Returns whether an entry could be nested in it: a child <pyqgis_plugin>, or a child with
/// elements of its own.
bool read_children(const pugi::xml_node& element, Entry& e, Texts& texts) {
    std::array<bool, kFieldCount> seen{};
    std::size_t cursor = 0; // where the previous child matched: the next one usually follows
    bool nested = false;
    for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
        const pugi::xml_node first = child.first_child();
        for (pugi::xml_node g = first; g && !nested; g = g.next_sibling()) {
            nested = g.type() == pugi::node_element;
        }
        const std::string_view name = child.name();
        if (name.empty()) {
            continue; // text between the elements
        }
        nested = nested || name == "pyqgis_plugin";
        for (std::size_t k = 0; k < kFieldCount; ++k) {
            const std::size_t i = (cursor + k) % kFieldCount;
            if (kChildFields[i].name != name) {
                continue;
            }
            cursor = i + 1;
            if (seen[i]) {
                break;
            }
            seen[i] = true;
            if (kChildFields[i].text != nullptr) {
                e.*kChildFields[i].text = stripped_text(child, first, texts);
            } else if (kChildFields[i].flag != nullptr) {
                e.*kChildFields[i].flag = is_true(stripped_text(child, first, texts));
            }
            break;
        }
    }
    return nested;
}

/// The number of '\n' in `text`, 8 bytes at a time (a memchr per line cost more than the
/// counting: plugins.xml lines are short).
std::size_t count_newlines(std::string_view text) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t lows = 0x7F7F7F7F7F7F7F7FULL;
    std::size_t count = 0;
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + i, 8);
        const std::uint64_t t = word ^ (ones * '\n');
        // The high bit of each byte of `t` that is zero (exact, no carries between bytes).
        const std::uint64_t zeros = ~(((t & lows) + lows) | t) & ~lows;
        // One bit per matching byte, summed by a multiplication into the top byte (no
        // popcount instruction in the baseline x86-64 this is built for).
        count += static_cast<std::size_t>(((zeros >> 7) * ones) >> 56);
    }
    for (; i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++count;
        }
    }
    return count;
}

/// Line and column of byte offsets, counted on demand: entries come in document order, so the
/// count goes on from the previous offset (one pass over the bytes in all, and no table of
/// line starts for a file of hundreds of thousands of lines).
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : text_(text) {}

    /// 1-based line and column (in code points) of a byte offset. An offset before the
    /// previous one counts again from the start.
    std::pair<std::size_t, std::size_t> at(std::size_t offset) const {
        offset = std::min(offset, text_.size());
        if (offset < scanned_) {
            scanned_ = 0;
            line_ = 1;
            line_start_ = 0;
            last_offset_ = std::string_view::npos;
        }
        if (const std::size_t newlines = count_newlines(text_.substr(scanned_, offset - scanned_));
            newlines > 0) {
            line_ += newlines;
            const void* last = ::memrchr(text_.data() + scanned_, '\n', offset - scanned_);
            line_start_ =
                static_cast<std::size_t>(static_cast<const char*>(last) - text_.data()) + 1;
        }
        scanned_ = offset;
        // On the same line as the previous offset, the column goes on from it: a file of one
        // long line costs its length, not its length times its entries.
        std::size_t from = line_start_;
        std::size_t column = 1;
        if (last_offset_ != std::string_view::npos && last_offset_ >= line_start_ &&
            last_offset_ <= offset) {
            from = last_offset_;
            column = last_column_;
        }
        column += unicode::code_points(text_.substr(from), offset - from);
        last_offset_ = offset;
        last_column_ = column;
        return {line_, column};
    }

private:
    std::string_view text_;
    mutable std::size_t scanned_ = 0;    ///< newlines before this offset are counted
    mutable std::size_t line_ = 1;       ///< the line `scanned_` is on
    mutable std::size_t line_start_ = 0; ///< where that line starts
    mutable std::size_t last_offset_ = std::string_view::npos; ///< the last offset asked for
    mutable std::size_t last_column_ = 1;                      ///< and its column
};

} // namespace

std::string Entry::key() const {
    // installer_data: fileName = file_name, or QFileInfo(download_url without its query)
    // .fileName() (the text after the last '/', "" after a trailing '/'); the key is what
    // comes before its first '.'.
    std::string_view file = file_name;
    if (file.empty()) {
        std::string_view url = download_url;
        url = url.substr(0, url.find('?'));
        const std::size_t slash = url.rfind('/');
        file = slash == std::string_view::npos ? url : url.substr(slash + 1);
    }
    return std::string(file.substr(0, file.find('.')));
}

/// The offset in `bytes` (in `encoding`) of an offset in pugixml's UTF-8 conversion of them:
/// pugixml converts Latin-1, UTF-16 and UTF-32 documents before parsing, and reports
/// positions in the converted text.
std::size_t unconverted_offset(std::string_view bytes, pugi::xml_encoding encoding,
                               std::size_t converted) {
    auto utf8_length = [](std::uint32_t cp) -> std::size_t {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    };
    auto byte = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
    };
    std::size_t unit = 1;
    bool big_endian = false;
    switch (encoding) {
    case pugi::encoding_latin1:
        break;
    case pugi::encoding_utf16_le:
    case pugi::encoding_utf16_be:
        unit = 2;
        big_endian = encoding == pugi::encoding_utf16_be;
        break;
    case pugi::encoding_utf32_le:
    case pugi::encoding_utf32_be:
        unit = 4;
        big_endian = encoding == pugi::encoding_utf32_be;
        break;
    default:
        return std::min(converted, bytes.size()); // UTF-8: parsed as it is
    }
    std::size_t done = 0; // converted bytes so far
    std::size_t i = 0;
    while (i + unit <= bytes.size() && done < converted) {
        std::uint32_t cp = 0;
        std::size_t width = unit;
        if (unit == 1) {
            cp = byte(i);
        } else if (unit == 2) {
            cp = big_endian ? (byte(i) << 8 | byte(i + 1)) : (byte(i + 1) << 8 | byte(i));
            if (cp >= 0xD800 && cp < 0xDC00 && i + 4 <= bytes.size()) {
                cp = 0x10000; // a surrogate pair: 4 UTF-8 bytes
                width = 4;
            }
        } else {
            cp = big_endian ? (byte(i) << 24 | byte(i + 1) << 16 | byte(i + 2) << 8 | byte(i + 3))
                            : (byte(i + 3) << 24 | byte(i + 2) << 16 | byte(i + 1) << 8 | byte(i));
            cp = std::min<std::uint32_t>(cp, 0x10FFFF);
        }
        done += utf8_length(cp);
        i += width;
    }
    return std::min(i, bytes.size());
}

namespace {

constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_embed_pcdata;
constexpr std::string_view kEntryStart = "<pyqgis_plugin";
constexpr std::string_view kEntryEnd = "</pyqgis_plugin";

bool is_xml_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::size_t skip_xml_space(std::string_view text, std::size_t at) {
    while (at < text.size() && is_xml_space(text[at])) {
        ++at;
    }
    return at;
}

/// Hands the <pyqgis_plugin> elements of a parsed tree to `on_entry`, in document order,
/// nested ones too (QGIS's elementsByTagName). The first `skip` entries were handed before
/// (by the reading in pieces): they are counted, not handed again.
class EntryWalk {
public:
    EntryWalk(const Escaped& escaped, const LineIndex& lines,
              const std::function<bool(const Entry&)>& on_entry)
        : escaped_(escaped), lines_(lines), on_entry_(on_entry) {}

    /// The offset in the input bytes of an offset in `parsed` (which pugixml read as
    /// `encoding`).
    std::size_t original_offset(std::string_view parsed, pugi::xml_encoding encoding,
                                std::ptrdiff_t offset) const {
        return escaped_.original_offset(unconverted_offset(
            parsed, encoding, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, offset))));
    }

    /// Walks the tree below `root`, parsed from `parsed` starting at its offset `base`.
    /// False when `on_entry` asked to stop.
    bool walk(const pugi::xml_node& root, std::string_view parsed, std::size_t base,
              pugi::xml_encoding encoding, Texts& texts) {
        bool enter = true; // into the children of the node just read
        for (pugi::xml_node n = root.first_child(); n; n = next_in_document(n, root, enter)) {
            enter = true;
            if (n.type() != pugi::node_element || std::strcmp(n.name(), "pyqgis_plugin") != 0) {
                continue;
            }
            if (skip_ > 0) {
                --skip_;
                continue;
            }
            Entry e;
            e.name = texts.keep(unicode::strip(n.attribute("name").value()));
            e.version = texts.keep(unicode::strip(n.attribute("version").value()));
            e.plugin_id = texts.keep(unicode::strip(n.attribute("plugin_id").value()));
            // An entry whose children hold no elements has no nested entry: the walk goes
            // past it.
            enter = read_children(n, e, texts);
            // offset_debug() points at the element's name: step back to its '<'.
            e.offset = original_offset(parsed, encoding,
                                       static_cast<std::ptrdiff_t>(base) + n.offset_debug() - 1);
            std::tie(e.line, e.column) = lines_.at(e.offset);
            ++read_;
            if (!on_entry_(e)) {
                return false;
            }
        }
        return true;
    }

    /// Entries handed so far.
    std::size_t read() const { return read_; }
    /// The next walk passes over the entries handed so far.
    void skip_read() { skip_ = read_; }

private:
    const Escaped& escaped_;
    const LineIndex& lines_;
    const std::function<bool(const Entry&)>& on_entry_;
    std::size_t read_ = 0;
    std::size_t skip_ = 0;
};

enum class Pieces {
    done,       ///< every entry handed
    stopped,    ///< on_entry asked to stop
    not_simple, ///< some pieces were parsed in place
    not_read,   ///< no piece was parsed: the bytes are as they were
};

/// The name of the root element when `head` (the bytes before the first entry) is a UTF-8
/// prolog and the root's start tag, the root left open with nothing in it yet: the whole
/// document's parse is then inside the root, between elements, where `head` ends. Checked by
/// parsing a copy of `head` with the root closed (the copy: the head is small, and pugixml
/// writes into what it parses).
std::optional<std::string> open_root(std::string_view head) {
    std::string copy(head);
    pugi::xml_document xml;
    xml.load_buffer_inplace(copy.data(), copy.size(), kParseOptions, pugi::encoding_auto);
    const pugi::xml_node opened = xml.first_child();
    if (opened.type() != pugi::node_element) {
        return std::nullopt;
    }
    std::string name = opened.name();
    copy.assign(head).append("</").append(name).append(">");
    const auto closed =
        xml.load_buffer_inplace(copy.data(), copy.size(), kParseOptions, pugi::encoding_auto);
    const pugi::xml_node root = xml.first_child();
    if (!closed || closed.encoding != pugi::encoding_utf8 || root.type() != pugi::node_element ||
        root.next_sibling() || root.first_child() || *root.value() != '\0' || root.name() != name ||
        name == "pyqgis_plugin") {
        return std::nullopt;
    }
    return name;
}

/// Whether `tail` (what follows the last entry) closes the root and ends the document.
bool closes_root(std::string_view tail, std::string_view root) {
    if (tail.substr(0, 2) != "</" || tail.substr(2, root.size()) != root) {
        return false;
    }
    const std::size_t end = skip_xml_space(tail, 2 + root.size());
    return end < tail.size() && tail[end] == '>' && skip_xml_space(tail, end + 1) == tail.size();
}

/// The usual plugins.xml (a UTF-8 root holding <pyqgis_plugin> elements separated by blanks)
/// read one entry at a time: each element is parsed on its own, in place, and walked before
/// the next is parsed, so that the first entries go out while the rest is unread and the
/// tree's memory is reused. An element parses alone as in the whole document when the
/// whole parse is between the root's elements where it starts (the head is checked, then
/// each element parsed ends there again). Anything else (a comment or text between entries,
/// an XML error, an element that does not parse alone) stops the reading in pieces: the
/// caller then parses the whole document, as the entries handed so far were in it.
Pieces read_in_pieces(EscapedCopy& copy, EntryWalk& walk, Texts& texts) {
    const std::string_view all = copy.text();
    auto skip_space = [&](std::size_t at) {
        while (copy.has(at) && is_xml_space(all[at])) {
            ++at;
        }
        return at;
    };
    const std::size_t first = copy.find(kEntryStart, 0);
    if (first == std::string_view::npos) {
        return Pieces::not_read;
    }
    const std::optional<std::string> root = open_root(all.substr(0, first));
    if (!root) {
        return Pieces::not_read;
    }
    pugi::xml_document xml;
    for (std::size_t at = first;;) {
        // The element ends at the first end tag of its name (an entry nested in it, or the
        // name in a comment or CDATA, make the piece fail to parse as one element).
        const std::size_t found = copy.find(kEntryEnd, at);
        const Pieces give_up = at == first ? Pieces::not_read : Pieces::not_simple;
        if (found == std::string_view::npos) {
            return give_up;
        }
        std::size_t end = skip_space(found + kEntryEnd.size());
        if (!copy.has(end) || all[end] != '>') {
            return give_up;
        }
        end = skip_space(end + 1);
        const auto parsed =
            xml.load_buffer_inplace(copy.data() + at, end - at, kParseOptions, pugi::encoding_utf8);
        const pugi::xml_node element = xml.first_child();
        if (!parsed || element.next_sibling() || element.type() != pugi::node_element ||
            std::strcmp(element.name(), "pyqgis_plugin") != 0) {
            return Pieces::not_simple;
        }
        if (!walk.walk(xml, all, at, pugi::encoding_utf8, texts)) {
            return Pieces::stopped;
        }
        if (!copy.has(end + kEntryStart.size() - 1) ||
            all.compare(end, kEntryStart.size(), kEntryStart) != 0) {
            copy.until(all.size());
            return closes_root(all.substr(end), *root) ? Pieces::done : Pieces::not_simple;
        }
        at = end;
    }
}

} // namespace

Expected<Document> parse_each(std::string_view bytes,
                              const std::function<bool(const Entry&)>& on_entry) {
    return parse_each(bytes, on_entry, Reading::in_pieces);
}

Expected<Document> parse_each(std::string_view bytes,
                              const std::function<bool(const Entry&)>& on_entry, Reading reading) {
    // pugixml parses the escaped copy in place, and the entries' texts stay in it; positions
    // are computed on the input bytes.
    const Escaped escaped = find_bare_ampersands(bytes);
    Document doc;
    doc.storage = std::make_unique<Document::Storage>();
    doc.storage->bytes.reset(new char[escaped.size]); // (not zeroed: written as it is read)
    EscapedCopy copy(bytes, escaped, doc.storage->bytes.get());
    const LineIndex lines(bytes);
    EntryWalk walk(escaped, lines, on_entry);
    Pieces pieces = Pieces::not_read;
    {
        Texts texts(*doc.storage, copy.text());
        if (reading == Reading::in_pieces) {
            pieces = read_in_pieces(copy, walk, texts);
        }
        if (pieces == Pieces::done || pieces == Pieces::stopped) {
            return doc;
        }
    }
    // The whole document at once; from a fresh copy when pieces of the first were parsed in
    // place. The entries handed already are passed over.
    std::optional<EscapedCopy> fresh;
    if (pieces == Pieces::not_simple) {
        doc.storage->reparsed.reset(new char[escaped.size]);
        fresh.emplace(bytes, escaped, doc.storage->reparsed.get());
    }
    EscapedCopy& whole = fresh ? *fresh : copy;
    whole.until(escaped.size);
    const std::string_view text = whole.text();
    walk.skip_read();
    pugi::xml_document xml;
    const pugi::xml_parse_result result =
        xml.load_buffer_inplace(whole.data(), text.size(), kParseOptions, pugi::encoding_auto);
    if (!result) {
        const std::size_t offset = walk.original_offset(text, result.encoding, result.offset);
        const auto [line, column] = lines.at(offset);
        Error e = file_error("plugins.xml", line, column,
                             fmt::format("not well-formed XML: {}", result.description()));
        e.offset = offset;
        doc.error = std::move(e);
    }
    // After an error, pugixml keeps what it built before it, as QDomDocument does: QGIS
    // reads those entries (an element still open at the error with the children it had).
    Texts texts(*doc.storage, text);
    walk.walk(xml, text, 0, result.encoding, texts);
    if (doc.error && walk.read() == 0) {
        return std::move(*doc.error);
    }
    return doc;
}

Expected<Document> parse(std::string_view bytes) {
    std::vector<Entry> entries;
    // Room for an entry per KiB (real ones take 1-3 KiB): no regrowth, no copy of entries.
    entries.reserve(bytes.size() / 1024);
    auto doc = parse_each(bytes, [&](const Entry& e) {
        entries.push_back(e);
        return true;
    });
    if (doc) {
        doc->entries = std::move(entries);
    }
    return doc;
}

} // namespace qplug::solver::plugins_xml
