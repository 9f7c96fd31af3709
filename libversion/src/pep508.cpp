// PEP 508 requirements and markers: packaging 23.0's parser (pep508_grammar.hpp) with its
// actions and messages, the Python string literals of marker values (ast.literal_eval), the
// URL checks of Requirement (urllib.parse, ipaddress), str() and Marker.evaluate().
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdint>

#include <fmt/format.h>

#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/pep508.hpp>

#include "pep508_grammar.hpp"
#include "pep508_tables.hpp"

namespace qplug::version::pep508 {

namespace pegtl = tao::pegtl;
namespace g = grammar::pep508;

// Friend of Marker: the parser fills its tree.
struct MarkerAccess {
    static std::vector<Marker::Node>& nodes(Marker& m) { return m.nodes_; }
};

bool is_word(char32_t cp) noexcept {
    if (cp < 0x80) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    }
    const tables::Range* const begin = tables::word;
    const tables::Range* const end = tables::word + tables::word_size;
    const auto* it = std::upper_bound(
        begin, end, cp, [](char32_t c, const tables::Range& r) { return c < r.first; });
    return it != begin && cp <= (it - 1)->last;
}

bool nfkc_has_url_delimiter(char32_t cp) noexcept {
    return std::binary_search(tables::nfkc_url_delimiter,
                              tables::nfkc_url_delimiter + tables::nfkc_url_delimiter_size, cp);
}

namespace {

/// Parentheses nest at most this deep; packaging itself fails near 500 (RecursionError).
constexpr int kMaxDepth = 200;

/// A parse failure at a byte offset of the whole input: what packaging raises as
/// ParserSyntaxError (or SyntaxError from ast.literal_eval). Never leaves this file.
struct SyntaxFailure {
    std::size_t offset;
    std::string message;
};

// --- Error messages: packaging's `expected=` texts -----------------------------------------------

template <class Rule>
inline constexpr const char* message = nullptr;
template <>
inline constexpr const char* message<g::name> =
    "Expected package name at the start of dependency specifier";
template <>
inline constexpr const char* message<g::requirement_end> = "Expected end of dependency specifier";
template <>
inline constexpr const char* message<g::requirement_url> = "Expected URL after @";
template <>
inline constexpr const char* message<g::url_ws> = "Expected whitespace after URL";
template <>
inline constexpr const char* message<g::semicolon_after_url> =
    "Expected end or semicolon (after URL and whitespace)";
// The wording depends on whether a specifier was read: see parse_requirement().
template <>
inline constexpr const char* message<g::semicolon_after_specifier> =
    "Expected end or semicolon (after version specifier)";
template <>
inline constexpr const char* message<g::extras_close> = "Expected closing RIGHT_BRACKET";
template <>
inline constexpr const char* message<g::specifier_close> = "Expected closing RIGHT_PARENTHESIS";
template <>
inline constexpr const char* message<g::group_close> = "Expected closing RIGHT_PARENTHESIS";
template <>
inline constexpr const char* message<g::missing_comma> = "Expected comma between extra names";
template <>
inline constexpr const char* message<g::extra_next> = "Expected extra name after comma";
template <>
inline constexpr const char* message<g::marker_var> = "Expected a marker variable or quoted string";
template <>
inline constexpr const char* message<g::marker_op> =
    "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in";
template <>
inline constexpr const char* message<g::not_ws> = "Expected whitespace after 'not'";
template <>
inline constexpr const char* message<g::not_in> = "Expected 'in' after 'not'";

template <class Rule>
struct control : pegtl::normal<Rule> {
    // A rule that can fail under must<> gives the input back first, so the error names the
    // position where packaging's `expect` looked (must<> would leave a partial match eaten).
    template <pegtl::apply_mode A, pegtl::rewind_mode M, template <class...> class Action,
              template <class...> class Control, class ParseInput, class... States>
    static bool match(ParseInput& in, States&&... st) {
        constexpr pegtl::rewind_mode mode =
            message<Rule> != nullptr ? pegtl::rewind_mode::required : M;
        return pegtl::normal<Rule>::template match<A, mode, Action, Control>(in, st...);
    }

    template <class ParseInput, class... States>
    [[noreturn]] static void raise(const ParseInput& in, States&&...) {
        const char* m = message<Rule>;
        throw SyntaxFailure{static_cast<std::size_t>(in.current() - in.begin()),
                            m != nullptr ? m : "unexpected input"};
    }
};

// --- Python string literals (ast.literal_eval of a QUOTED_STRING token) -----------------------

using unicode::hex_value;

/// The value of a Python string literal 'body' or "body" (quotes included in `token`) as
/// ast.literal_eval gives it; `base` is the token's offset in the whole input. Throws
/// SyntaxFailure where Python raises.
std::string python_string_value(std::string_view token, std::size_t base) {
    const std::string_view body = token.substr(1, token.size() - 2);
    const std::size_t at = base + 1;
    if (const std::size_t nul = body.find('\0'); nul != std::string_view::npos) {
        throw SyntaxFailure{at + nul, "source code string cannot contain null bytes (Python "
                                      "refuses a NUL character inside the quotes)"};
    }
    // Python's tokenizer: a backslash takes the next character along (so the closing quote may
    // be escaped), "\r\n" and "\r" are line breaks, a line break ends a short string.
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\\') {
            if (i + 1 == body.size()) {
                throw SyntaxFailure{at + i, "unterminated string literal: the closing quote is "
                                            "escaped by the '\\' before it"};
            }
            ++i;
            if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
                ++i;
            }
        } else if (body[i] == '\n' || body[i] == '\r') {
            throw SyntaxFailure{at + i, "unterminated string literal: a line break inside the "
                                        "quotes needs a '\\' before it"};
        }
    }
    std::string out;
    out.reserve(body.size());
    std::size_t i = 0;
    while (i < body.size()) {
        if (body[i] != '\\') {
            out.push_back(body[i]);
            ++i;
            continue;
        }
        const std::size_t escape = i;
        const char c = body[i + 1];
        i += 2;
        switch (c) {
        case '\r': // a backslash before a line break joins the lines
            if (i < body.size() && body[i] == '\n') {
                ++i;
            }
            break;
        case '\n':
            break;
        case '\\':
        case '\'':
        case '"':
            out.push_back(c);
            break;
        case 'a':
            out.push_back('\a');
            break;
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'v':
            out.push_back('\v');
            break;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
            auto cp = static_cast<char32_t>(c - '0');
            for (int k = 0; k < 2 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++k) {
                cp = cp * 8 + static_cast<char32_t>(body[i] - '0');
                ++i;
            }
            unicode::append_utf8(out, cp); // at most 0o777: never a surrogate
            break;
        }
        case 'x':
        case 'u':
        case 'U': {
            const int count = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            std::uint32_t cp = 0;
            for (int k = 0; k < count; ++k) {
                const int h = i < body.size() ? hex_value(body[i]) : -1;
                if (h < 0) {
                    throw SyntaxFailure{
                        at + escape,
                        fmt::format("truncated \\{}{} escape", c,
                                    std::string(static_cast<std::size_t>(count), 'X'))};
                }
                cp = cp * 16 + static_cast<std::uint32_t>(h);
                ++i;
            }
            if (cp > 0x10FFFF) {
                throw SyntaxFailure{at + escape, "illegal Unicode character"};
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                throw SyntaxFailure{at + escape,
                                    fmt::format("the escape yields the lone surrogate U+{:04X}, "
                                                "which UTF-8 cannot hold (qplug refuses it)",
                                                cp)};
            }
            unicode::append_utf8(out, static_cast<char32_t>(cp));
            break;
        }
        case 'N':
            throw SyntaxFailure{at + escape, "\\N{...} escapes (Unicode character names) are not "
                                             "supported by qplug"};
        default:
            // An unknown escape keeps its backslash (Python only warns); the character after
            // it is copied on the next round, whatever its length.
            out.push_back('\\');
            i = escape + 1;
            break;
        }
    }
    return out;
}

// --- Actions ---------------------------------------------------------------------------------

struct State {
    const char* base = nullptr;
    // requirement
    std::string name;
    std::vector<std::string> extras;
    std::string_view specifier;
    std::size_t specifier_offset = 0;
    std::string_view url;
    std::size_t url_offset = 0;
    // marker
    std::vector<std::vector<Marker::Node>> lists = std::vector<std::vector<Marker::Node>>(1);
    std::vector<Marker::Operand> operands;
    Marker::Op op = Marker::Op::equal;
    int depth = 0;

    template <class Input>
    std::size_t offset(const Input& in) const noexcept {
        return static_cast<std::size_t>(in.begin() - base);
    }
};

template <class Rule>
struct action : pegtl::nothing<Rule> {};

template <>
struct action<g::name> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        s.name = in.string();
    }
};

template <class Input>
void add_extra(const Input& in, State& s) {
    s.extras.push_back(in.string());
}
template <>
struct action<g::extra_first> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        add_extra(in, s);
    }
};
template <>
struct action<g::extra_next> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        add_extra(in, s);
    }
};

template <>
struct action<g::version_many> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        s.specifier = {in.begin(), in.size()};
        s.specifier_offset = s.offset(in);
    }
};

template <>
struct action<g::requirement_url> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        s.url = {in.begin(), in.size()};
        s.url_offset = s.offset(in);
    }
};

template <>
struct action<g::marker_variable> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        std::string v = in.string();
        std::replace(v.begin(), v.end(), '.', '_');
        if (v == "python_implementation") {
            v = "platform_python_implementation";
        }
        s.operands.push_back({true, std::move(v)});
    }
};

template <>
struct action<g::marker_value> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        s.operands.push_back({false, python_string_value({in.begin(), in.size()}, s.offset(in))});
    }
};

template <>
struct action<g::op_in> {
    static void apply0(State& s) { s.op = Marker::Op::in; }
};
template <>
struct action<g::op_not_in> {
    static void apply0(State& s) { s.op = Marker::Op::not_in; }
};
template <>
struct action<g::op_compare> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        static constexpr std::array<std::pair<std::string_view, Marker::Op>, 8> ops{{
            {"===", Marker::Op::arbitrary},
            {"==", Marker::Op::equal},
            {"~=", Marker::Op::compatible},
            {"!=", Marker::Op::not_equal},
            {"<=", Marker::Op::less_equal},
            {">=", Marker::Op::greater_equal},
            {"<", Marker::Op::less},
            {">", Marker::Op::greater},
        }};
        const std::string_view text(in.begin(), in.size());
        for (const auto& [spelling, op] : ops) {
            if (text == spelling) {
                s.op = op;
            }
        }
    }
};

template <>
struct action<g::marker_item> {
    static void apply0(State& s) {
        Marker::Node node;
        node.kind = Marker::Node::Kind::item;
        node.item.lhs = std::move(s.operands.at(0));
        node.item.op = s.op;
        node.item.rhs = std::move(s.operands.at(1));
        s.operands.clear();
        s.lists.back().push_back(std::move(node));
    }
};

template <>
struct action<g::marker_boolop> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        Marker::Node node;
        node.kind = in.size() == 2 ? Marker::Node::Kind::op_or : Marker::Node::Kind::op_and;
        s.lists.back().push_back(std::move(node));
    }
};

template <>
struct action<g::group_open> {
    template <class Input>
    static void apply(const Input& in, State& s) {
        if (++s.depth > kMaxDepth) {
            throw SyntaxFailure{s.offset(in),
                                fmt::format("parentheses nested deeper than {} levels", kMaxDepth)};
        }
        s.lists.emplace_back();
    }
};

template <>
struct action<g::marker_group> {
    static void apply0(State& s) {
        --s.depth;
        Marker::Node node;
        node.kind = Marker::Node::Kind::group;
        node.group = std::move(s.lists.back());
        s.lists.pop_back();
        s.lists.back().push_back(std::move(node));
    }
};

// --- Helpers -----------------------------------------------------------------------------------

/// packaging.utils.canonicalize_name: runs of - _ . become one '-', then str.lower().
std::string canonicalize_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool in_run = false;
    for (const char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (!in_run) {
                out.push_back('-');
            }
            in_run = true;
        } else {
            out.push_back(c);
            in_run = false;
        }
    }
    return unicode::to_lower(out);
}

/// markers._normalize_extra_values: only the first element, when it is a comparison.
void normalize_extra_values(std::vector<Marker::Node>& nodes) {
    if (nodes.empty() || nodes.front().kind != Marker::Node::Kind::item) {
        return;
    }
    Marker::Item& item = nodes.front().item;
    if (item.lhs.variable && item.lhs.text == "extra") {
        item.rhs = {false, canonicalize_name(item.rhs.text)};
    } else if (item.rhs.variable && item.rhs.text == "extra") {
        item.lhs = {false, canonicalize_name(item.lhs.text)};
    }
}

Error make_error(std::string_view what, std::string_view input, std::size_t offset,
                 std::string message, Error::Kind kind = Error::Kind::parse) {
    Error e;
    e.kind = kind;
    e.what = std::string(what);
    e.input = std::string(input);
    e.offset = offset;
    e.message = std::move(message);
    return e;
}

std::string_view op_spelling(Marker::Op op) noexcept {
    switch (op) {
    case Marker::Op::less:
        return "<";
    case Marker::Op::less_equal:
        return "<=";
    case Marker::Op::equal:
        return "==";
    case Marker::Op::not_equal:
        return "!=";
    case Marker::Op::greater_equal:
        return ">=";
    case Marker::Op::greater:
        return ">";
    case Marker::Op::compatible:
        return "~=";
    case Marker::Op::arbitrary:
        return "===";
    case Marker::Op::in:
        return "in";
    case Marker::Op::not_in:
        return "not in";
    }
    return "==";
}

// --- URL checks: urllib.parse.urlparse / urlunparse and ipaddress (Python 3.11) ----------------

struct SplitUrl {
    std::string scheme, netloc, path, query, fragment;
};

bool is_ascii_letter(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_scheme_char(char c) noexcept {
    return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/// ipaddress.IPv4Address(text) succeeds.
bool is_ipv4(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    int octets = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = text.find('.', start);
        const std::string_view o = text.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (o.empty() || o.size() > 3 ||
            !std::all_of(o.begin(), o.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            (o.size() > 1 && o[0] == '0')) {
            return false;
        }
        int value = 0;
        for (const char c : o) {
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            return false;
        }
        ++octets;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return octets == 4;
}

/// ipaddress.IPv6Address(text) succeeds (scope ids "%x" included).
bool is_ipv6(std::string_view text) {
    if (text.find('/') != std::string_view::npos) {
        return false;
    }
    if (const std::size_t pct = text.find('%'); pct != std::string_view::npos) {
        const std::string_view scope = text.substr(pct + 1);
        if (scope.empty() || scope.find('%') != std::string_view::npos) {
            return false;
        }
        text = text.substr(0, pct);
    }
    if (text.empty()) {
        return false;
    }
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string_view::npos ? std::string_view::npos
                                                                           : colon - start));
        if (colon == std::string_view::npos) {
            break;
        }
        start = colon + 1;
    }
    if (parts.size() < 3) {
        return false;
    }
    if (parts.back().find('.') != std::string_view::npos) {
        if (!is_ipv4(parts.back())) {
            return false;
        }
        parts.back() = "0"; // two hextets stand for the IPv4 address
        parts.emplace_back("0");
    }
    constexpr std::size_t kHextets = 8;
    if (parts.size() > kHextets + 1) {
        return false;
    }
    std::optional<std::size_t> skip;
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        if (parts[i].empty()) {
            if (skip) {
                return false;
            }
            skip = i;
        }
    }
    std::size_t hi = 0, lo = 0;
    if (skip) {
        hi = *skip;
        lo = parts.size() - *skip - 1;
        if (parts.front().empty()) {
            if (--hi != 0) {
                return false;
            }
        }
        if (parts.back().empty()) {
            if (--lo != 0) {
                return false;
            }
        }
        if (hi + lo >= kHextets) {
            return false;
        }
    } else {
        if (parts.size() != kHextets || parts.front().empty() || parts.back().empty()) {
            return false;
        }
        hi = parts.size();
        lo = 0;
    }
    auto hextet = [](std::string_view h) {
        return !h.empty() && h.size() <= 4 &&
               std::all_of(h.begin(), h.end(), [](char c) { return hex_value(c) >= 0; });
    };
    for (std::size_t i = 0; i < hi; ++i) {
        if (!hextet(parts[i])) {
            return false;
        }
    }
    for (std::size_t i = parts.size() - lo; i < parts.size(); ++i) {
        if (!hextet(parts[i])) {
            return false;
        }
    }
    return true;
}

/// urllib.parse._check_bracketed_netloc: an error message, or "".
std::string check_bracketed_netloc(std::string_view netloc) {
    std::string_view host_port = netloc;
    if (const std::size_t at = netloc.rfind('@'); at != std::string_view::npos) {
        host_port = netloc.substr(at + 1);
    }
    std::string_view hostname;
    if (const std::size_t open = host_port.find('['); open != std::string_view::npos) {
        if (open != 0) {
            return "Invalid IPv6 URL";
        }
        const std::string_view bracketed = host_port.substr(1);
        const std::size_t close = bracketed.find(']');
        hostname = bracketed.substr(0, close);
        const std::string_view port =
            close == std::string_view::npos ? std::string_view() : bracketed.substr(close + 1);
        if (!port.empty() && port.front() != ':') {
            return "Invalid IPv6 URL";
        }
    } else {
        hostname = host_port.substr(0, host_port.find(':'));
    }
    // _check_bracketed_host
    if (!hostname.empty() && hostname.front() == 'v') {
        // \Av[a-fA-F0-9]+\..+\Z
        std::size_t i = 1;
        while (i < hostname.size() && hex_value(hostname[i]) >= 0) {
            ++i;
        }
        if (i == 1 || i >= hostname.size() || hostname[i] != '.' || i + 1 >= hostname.size()) {
            return "IPvFuture address is invalid";
        }
        return "";
    }
    if (is_ipv4(hostname)) {
        return "An IPv4 address cannot be in brackets";
    }
    if (!is_ipv6(hostname)) {
        return fmt::format("'{}' does not appear to be an IPv4 or IPv6 address", hostname);
    }
    return "";
}

/// urllib.parse.urlsplit(url): the parts, or an error message (ValueError).
std::string urlsplit(std::string_view raw, SplitUrl& out) {
    // lstrip C0 controls and space, then drop every tab, CR and LF
    std::size_t lead = 0;
    while (lead < raw.size() && static_cast<unsigned char>(raw[lead]) <= 0x20) {
        ++lead;
    }
    std::string url;
    for (const char c : raw.substr(lead)) {
        if (c != '\t' && c != '\r' && c != '\n') {
            url.push_back(c);
        }
    }
    const std::size_t colon = url.find(':');
    if (colon != std::string::npos && colon > 0 && is_ascii_letter(url[0]) &&
        std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                    is_scheme_char)) {
        out.scheme = url.substr(0, colon);
        for (char& c : out.scheme) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        url.erase(0, colon + 1);
    }
    if (url.compare(0, 2, "//") == 0) {
        std::size_t delim = url.size();
        for (const char c : {'/', '?', '#'}) {
            delim = std::min(delim, url.find(c, 2));
        }
        out.netloc = url.substr(2, delim - 2);
        url.erase(0, delim);
        const bool open = out.netloc.find('[') != std::string::npos;
        const bool close = out.netloc.find(']') != std::string::npos;
        if (open != close) {
            return "Invalid IPv6 URL";
        }
        if (open && close) {
            if (std::string problem = check_bracketed_netloc(out.netloc); !problem.empty()) {
                return problem;
            }
        }
    }
    if (const std::size_t hash = url.find('#'); hash != std::string::npos) {
        out.fragment = url.substr(hash + 1);
        url.erase(hash);
    }
    if (const std::size_t q = url.find('?'); q != std::string::npos) {
        out.query = url.substr(q + 1);
        url.erase(q);
    }
    out.path = std::move(url);
    // _checknetloc: characters that NFKC turns into URL delimiters
    if (!unicode::is_ascii(out.netloc)) {
        for (std::size_t i = 0; i < out.netloc.size();) {
            if (nfkc_has_url_delimiter(unicode::decode(out.netloc, i))) {
                return fmt::format(
                    "netloc '{}' contains invalid characters under NFKC normalization", out.netloc);
            }
        }
    }
    return "";
}

/// urllib.parse.urlunsplit for a "file" URL.
std::string urlunsplit(const SplitUrl& u) {
    static constexpr std::array<std::string_view, 25> uses_netloc{
        "",        "ftp",   "http",  "gopher", "nntp",     "telnet", "imap",  "wais",  "file",
        "mms",     "https", "shttp", "snews",  "prospero", "rtsp",   "rtspu", "rsync", "svn",
        "svn+ssh", "sftp",  "nfs",   "git",    "git+ssh",  "ws",     "wss"};
    std::string url = u.path;
    const bool netloc_scheme =
        std::find(uses_netloc.begin(), uses_netloc.end(), u.scheme) != uses_netloc.end();
    if (!u.netloc.empty() || (!u.scheme.empty() && netloc_scheme && url.compare(0, 2, "//") != 0)) {
        if (!url.empty() && url[0] != '/') {
            url.insert(0, "/");
        }
        url = "//" + u.netloc + url;
    }
    if (!u.scheme.empty()) {
        url = u.scheme + ":" + url;
    }
    if (!u.query.empty()) {
        url += "?" + u.query;
    }
    if (!u.fragment.empty()) {
        url += "#" + u.fragment;
    }
    return url;
}

/// Requirement.__init__'s URL check: an error message, or "".
std::string check_url(std::string_view url) {
    SplitUrl u;
    if (std::string problem = urlsplit(url, u); !problem.empty()) {
        return problem;
    }
    if (u.scheme == "file") {
        // urlparse splits ";params" off only for schemes of uses_params, which "file" is not.
        return urlunsplit(u) == url ? "" : "Invalid URL given";
    }
    if (u.scheme.empty() || u.netloc.empty()) {
        return fmt::format("Invalid URL: {}", url);
    }
    return "";
}

// --- str(Marker) and Marker.evaluate -------------------------------------------------------------

void format_list(const std::vector<Marker::Node>& list, bool first, std::string& out);

void format_item(const Marker::Item& item, std::string& out) {
    auto operand = [&](const Marker::Operand& o) {
        if (o.variable) {
            out += o.text;
        } else {
            out.push_back('"');
            out += o.text;
            out.push_back('"');
        }
    };
    operand(item.lhs);
    out.push_back(' ');
    out += op_spelling(item.op);
    out.push_back(' ');
    operand(item.rhs);
}

void format_node(const Marker::Node& node, bool first, std::string& out) {
    switch (node.kind) {
    case Marker::Node::Kind::item:
        format_item(node.item, out);
        break;
    case Marker::Node::Kind::group:
        format_list(node.group, first, out);
        break;
    case Marker::Node::Kind::op_and:
        out += "and";
        break;
    case Marker::Node::Kind::op_or:
        out += "or";
        break;
    }
}

/// markers._format_marker: a one-element list is its element, printed as if at the top.
void format_list(const std::vector<Marker::Node>& list, bool first, std::string& out) {
    if (list.size() == 1 &&
        (list[0].kind == Marker::Node::Kind::item || list[0].kind == Marker::Node::Kind::group)) {
        format_node(list[0], true, out);
        return;
    }
    if (!first) {
        out.push_back('(');
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) {
            out.push_back(' ');
        }
        format_node(list[i], false, out);
    }
    if (!first) {
        out.push_back(')');
    }
}

Error evaluation_error(const Marker& marker, std::string message) {
    return make_error("PEP 508 marker", marker.to_string(), 0, std::move(message),
                      Error::Kind::invalid);
}

/// markers._eval_op
Expected<bool> eval_op(const Marker& marker, const std::string& lhs, Marker::Op op,
                       const std::string& rhs) {
    if (op != Marker::Op::in && op != Marker::Op::not_in) {
        const std::string spec_text = std::string(op_spelling(op)) + rhs;
        if (auto spec = pep440::Specifier::parse(spec_text)) {
            auto version = pep440::Version::parse(lhs);
            if (!version) {
                return evaluation_error(
                    marker, fmt::format("'{}' is not a valid version, so it cannot be compared "
                                        "with '{}' (packaging raises InvalidVersion)",
                                        lhs, spec_text));
            }
            auto r = spec->contains(*version, true);
            if (!r) {
                return evaluation_error(marker, r.error().message);
            }
            return *r;
        }
    }
    switch (op) {
    case Marker::Op::in:
        return rhs.find(lhs) != std::string::npos;
    case Marker::Op::not_in:
        return rhs.find(lhs) == std::string::npos;
    case Marker::Op::less:
        return lhs < rhs;
    case Marker::Op::less_equal:
        return lhs <= rhs;
    case Marker::Op::equal:
        return lhs == rhs;
    case Marker::Op::not_equal:
        return lhs != rhs;
    case Marker::Op::greater_equal:
        return lhs >= rhs;
    case Marker::Op::greater:
        return lhs > rhs;
    case Marker::Op::compatible:
    case Marker::Op::arbitrary:
        break;
    }
    return evaluation_error(marker, fmt::format("'{}' is undefined on '{}' and '{}' "
                                                "(packaging raises UndefinedComparison)",
                                                op_spelling(op), lhs, rhs));
}

Expected<bool> evaluate_list(const Marker& marker, const std::vector<Marker::Node>& list,
                             const Environment& env, std::string_view extra) {
    // any(all(group) for group in groups), every item evaluated (errors propagate in order)
    bool any_group = false;
    bool group_true = true;
    for (const Marker::Node& node : list) {
        switch (node.kind) {
        case Marker::Node::Kind::group: {
            auto r = evaluate_list(marker, node.group, env, extra);
            if (!r) {
                return r;
            }
            group_true = group_true && *r;
            break;
        }
        case Marker::Node::Kind::item: {
            const Marker::Item& item = node.item;
            const std::string& key = item.lhs.variable ? item.lhs.text : item.rhs.text;
            const bool is_extra = key == "extra";
            const std::string* found = is_extra ? nullptr : env.find(key);
            if (!is_extra && found == nullptr) {
                return evaluation_error(
                    marker, fmt::format("'{}' is not a marker variable (packaging raises "
                                        "KeyError looking it up in the environment)",
                                        key));
            }
            const std::string value = is_extra ? std::string(extra) : *found;
            std::string lhs = item.lhs.variable ? value : item.lhs.text;
            std::string rhs = item.lhs.variable ? item.rhs.text : value;
            if (is_extra) {
                lhs = canonicalize_name(lhs);
                rhs = canonicalize_name(rhs);
            }
            auto r = eval_op(marker, lhs, item.op, rhs);
            if (!r) {
                return r;
            }
            group_true = group_true && *r;
            break;
        }
        case Marker::Node::Kind::op_and:
            break;
        case Marker::Node::Kind::op_or:
            any_group = any_group || group_true;
            group_true = true;
            break;
        }
    }
    return any_group || group_true;
}

/// Refuses ill-formed UTF-8 (Python text is code points).
std::optional<Error> check_utf8(std::string_view what, std::string_view text) {
    if (const std::size_t bad = unicode::find_invalid_utf8(text); bad != unicode::npos) {
        return make_error(what, text, bad, "not valid UTF-8");
    }
    return std::nullopt;
}

} // namespace

// --- Environment ---------------------------------------------------------------------------------

const std::string* Environment::find(std::string_view name) const noexcept {
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"implementation_name", &implementation_name},
        {"implementation_version", &implementation_version},
        {"os_name", &os_name},
        {"platform_machine", &platform_machine},
        {"platform_release", &platform_release},
        {"platform_system", &platform_system},
        {"platform_version", &platform_version},
        {"python_full_version", &python_full_version},
        {"platform_python_implementation", &platform_python_implementation},
        {"python_version", &python_version},
        {"sys_platform", &sys_platform},
    };
    for (const auto& [key, value] : fields) {
        if (key == name) {
            return value;
        }
    }
    return nullptr;
}

Expected<Environment> default_environment(std::string_view python_full_version,
                                          std::string_view platform, std::string_view machine) {
    auto fail = [&](std::size_t offset, std::string message) {
        return make_error("Python version", python_full_version, offset, std::move(message),
                          Error::Kind::invalid);
    };
    // X.Y[.Z][(a|b|rc)N], numbers without leading zeros
    std::array<unsigned long, 3> numbers{0, 0, 0};
    std::size_t pos = 0;
    auto number = [&](unsigned long& out) {
        const std::size_t start = pos;
        while (pos < python_full_version.size() && pos - start < 9 &&
               python_full_version[pos] >= '0' && python_full_version[pos] <= '9') {
            out = out * 10 + static_cast<unsigned long>(python_full_version[pos] - '0');
            ++pos;
        }
        return pos > start && (pos - start == 1 || python_full_version[start] != '0');
    };
    int count = 0;
    for (; count < 3; ++count) {
        if (count > 0) {
            if (pos >= python_full_version.size() || python_full_version[pos] != '.') {
                break;
            }
            ++pos;
        }
        if (!number(numbers[static_cast<std::size_t>(count)])) {
            return fail(pos, "expected a number without leading zeros");
        }
    }
    if (count < 2) {
        return fail(pos, "expected MAJOR.MINOR[.MICRO], e.g. 3.12.4");
    }
    std::string level;
    unsigned long serial = 0;
    const std::string_view rest = python_full_version.substr(pos);
    for (std::string_view l : {"rc", "a", "b"}) {
        if (rest.substr(0, l.size()) == l) {
            level = std::string(l);
            pos += l.size();
            if (!number(serial)) {
                return fail(pos, "expected the pre-release's number");
            }
            break;
        }
    }
    if (pos != python_full_version.size()) {
        return fail(pos, "expected MAJOR.MINOR[.MICRO][aN|bN|rcN], e.g. 3.13.0rc1");
    }
    Environment env;
    const std::string release = fmt::format("{}.{}.{}", numbers[0], numbers[1], numbers[2]);
    env.implementation_name = "cpython";
    env.platform_python_implementation = "CPython";
    env.python_full_version = release + (level.empty() ? "" : level + std::to_string(serial));
    // format_full_version: releaselevel[0] + serial ("candidate" gives "c")
    env.implementation_version =
        release +
        (level.empty() ? "" : level.substr(level == "rc" ? 1 : 0, 1) + std::to_string(serial));
    env.python_version = fmt::format("{}.{}", numbers[0], numbers[1]);
    env.sys_platform = std::string(platform);
    if (platform == "linux") {
        env.os_name = "posix";
        env.platform_system = "Linux";
        env.platform_machine = "x86_64";
        env.platform_release = "6.1.0";
        env.platform_version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0";
    } else if (platform == "win32") {
        env.os_name = "nt";
        env.platform_system = "Windows";
        env.platform_machine = "AMD64";
        env.platform_release = "10";
        env.platform_version = "10.0.19045";
    } else if (platform == "darwin") {
        env.os_name = "posix";
        env.platform_system = "Darwin";
        env.platform_machine = "arm64";
        env.platform_release = "23.6.0";
        env.platform_version = "Darwin Kernel Version 23.6.0";
    } else {
        return make_error("platform", platform, 0,
                          "expected a sys.platform value: linux, win32 or darwin",
                          Error::Kind::invalid);
    }
    if (!machine.empty()) {
        env.platform_machine = std::string(machine);
    }
    return env;
}

// --- Marker --------------------------------------------------------------------------------------

Expected<Marker> Marker::parse(std::string_view text) {
    constexpr std::string_view what = "PEP 508 marker";
    if (auto bad = check_utf8(what, text)) {
        return *bad;
    }
    State state;
    state.base = text.data();
    try {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
        if (!pegtl::parse<g::marker_text, action, control>(in, state)) {
            return make_error(what, text, 0, "Expected a marker variable or quoted string");
        }
    } catch (const SyntaxFailure& f) {
        return make_error(what, text, f.offset, f.message);
    }
    Marker m;
    m.nodes_ = std::move(state.lists.front());
    normalize_extra_values(m.nodes_);
    return m;
}

std::string Marker::to_string() const {
    std::string out;
    format_list(nodes_, true, out);
    return out;
}

Expected<bool> Marker::evaluate(const Environment& environment, std::string_view extra) const {
    return evaluate_list(*this, nodes_, environment, extra);
}

// --- Requirement ---------------------------------------------------------------------------------

Expected<Requirement> parse_requirement(std::string_view text) {
    constexpr std::string_view what = "PEP 508 requirement";
    if (auto bad = check_utf8(what, text)) {
        return *bad;
    }
    State state;
    state.base = text.data();
    try {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
        if (!pegtl::parse<g::requirement, action, control>(in, state)) {
            return make_error(what, text, 0, message<g::name>);
        }
    } catch (const SyntaxFailure& f) {
        std::string problem = f.message;
        if (problem == message<g::semicolon_after_specifier> && state.specifier.empty()) {
            problem = "Expected end or semicolon (after name and no valid version specifier)";
        }
        return make_error(what, text, f.offset, std::move(problem));
    }
    Requirement r;
    r.name = std::move(state.name);
    if (!state.url.empty()) {
        if (std::string problem = check_url(state.url); !problem.empty()) {
            return make_error(what, text, state.url_offset, std::move(problem));
        }
        r.url = std::string(state.url);
    }
    std::sort(state.extras.begin(), state.extras.end());
    state.extras.erase(std::unique(state.extras.begin(), state.extras.end()), state.extras.end());
    r.extras = std::move(state.extras);
    auto set = pep440::SpecifierSet::parse(state.specifier);
    if (!set) {
        return make_error(what, text, state.specifier_offset + set.error().offset,
                          set.error().message);
    }
    r.specifier = set->str();
    if (!state.lists.front().empty()) {
        Marker m;
        MarkerAccess::nodes(m) = std::move(state.lists.front());
        normalize_extra_values(MarkerAccess::nodes(m));
        r.marker = std::move(m);
    }
    return r;
}

std::string Requirement::to_string() const {
    std::string out = name;
    if (!extras.empty()) {
        out.push_back('[');
        for (std::size_t i = 0; i < extras.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            out += extras[i];
        }
        out.push_back(']');
    }
    out += specifier;
    if (!url.empty()) {
        out += "@ ";
        out += url;
        if (marker) {
            out.push_back(' ');
        }
    }
    if (marker) {
        out += "; ";
        out += marker->to_string();
    }
    return out;
}

} // namespace qplug::version::pep508
