// PEP 440 versions: parsing (grammar/pep440.hpp), normalization and the sort key.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "grammar/pep440.hpp"

#include <cstring>
#include <optional>

#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "byte_builder.hpp"
#include "error_position.hpp"
#include "number_key.hpp"

namespace qplug::version::pep440 {

namespace pegtl = tao::pegtl;
namespace g = grammar::pep440;
using detail::append_int_text;
using detail::append_number_key;

// Key layout (each field self-delimiting, so bytewise order = packaging's _cmpkey order):
//   epoch      number
//   release    number* with trailing zeros dropped, then kEnd
//   pre        kNegInf (dev-only release) | kPresent letter number | kPosInf (none)
//   post       kNegInf (none)             | kPresent letter number
//   dev        kPresent number            | kPosInf (none)
//   local      kNegInf (none)             | kPresent segment* kNegInf
//              segment = kPresent text 0x00 (strings sort first) | kPosInf number
namespace {
constexpr char kNegInf = 0x00;
constexpr char kEnd = 0x01;
constexpr char kPresent = 0x01;
constexpr char kPosInf = 0x02;

// packaging lower-cases the letter and maps spellings; the only letters that survive
// unmapped are the Unicode look-alikes that re.IGNORECASE let through ("previ̇ew", "prevıew",
// "poſt"). Python compares the letter strings; these codes keep that order.
enum PreLetter : char {
    pre_a = 1,
    pre_b = 2,
    pre_preview_dot_i = 3,
    pre_preview_dotless_i = 4,
    pre_rc = 5
};

struct Parts {
    detail::ByteBuilder text;
    detail::ByteBuilder key;
    bool epoch_seen = false;
    bool first_release = true;
    std::size_t key_after_nonzero = 0;
    std::size_t base_key_size = 0;
    std::size_t base_text_size = 0;
    std::string_view pre_letter, pre_number;
    std::string_view post_letter, post_number;
    std::string_view dev_number;
    std::string_view local;
    bool has_pre = false, has_post = false, has_dev = false, has_local = false;
};

template <class Rule>
struct action : pegtl::nothing<Rule> {};

template <>
struct action<g::epoch> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        const std::string_view digits(in.begin(), in.size() - 1); // without '!'
        if (!detail::significant_digits(digits).empty()) {
            append_int_text(p.text, digits);
            p.text.push_back('!');
        }
        append_number_key(p.key, digits);
        p.epoch_seen = true;
    }
};

template <>
struct action<g::release_number> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        const std::string_view digits(in.begin(), in.size());
        if (!p.epoch_seen) {
            append_number_key(p.key, "0");
            p.epoch_seen = true;
            p.key_after_nonzero = p.key.size();
        }
        if (p.first_release) {
            p.first_release = false;
            p.key_after_nonzero = p.key.size();
        } else {
            p.text.push_back('.');
        }
        append_int_text(p.text, digits);
        append_number_key(p.key, digits);
        if (!detail::significant_digits(digits).empty()) {
            p.key_after_nonzero = p.key.size();
        }
    }
};

template <>
struct action<g::release> {
    template <class Input>
    static void apply(const Input&, Parts& p) {
        p.key.truncate(p.key_after_nonzero);
        p.key.push_back(kEnd);
        p.base_key_size = p.key.size();
        p.base_text_size = p.text.size();
    }
};

template <>
struct action<g::pre_letter> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.pre_letter = {in.begin(), in.size()};
        p.has_pre = true;
    }
};
template <>
struct action<g::pre_number> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.pre_number = {in.begin(), in.size()};
    }
};
template <>
struct action<g::post_letter> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.post_letter = {in.begin(), in.size()};
    }
};
template <>
struct action<g::post_number> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.post_number = {in.begin(), in.size()};
    }
};
template <>
struct action<g::post> {
    template <class Input>
    static void apply(const Input&, Parts& p) {
        p.has_post = true;
    }
};
template <>
struct action<g::dev_number> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.dev_number = {in.begin(), in.size()};
    }
};
template <>
struct action<g::dev> {
    template <class Input>
    static void apply(const Input&, Parts& p) {
        p.has_dev = true;
    }
};
template <>
struct action<g::local_label> {
    template <class Input>
    static void apply(const Input& in, Parts& p) {
        p.local = {in.begin(), in.size()};
        p.has_local = true;
    }
};

PreLetter classify_pre(std::string_view letter) {
    if (letter.size() == 1 || unicode::is_ascii(letter)) {
        switch (letter[0]) {
        case 'a':
        case 'A':
            return pre_a;
        case 'b':
        case 'B':
            return pre_b;
        case 'c':
        case 'C':
            return pre_rc;
        case 'r':
        case 'R':
            return pre_rc;
        default:
            return pre_rc; // "pre", "preview"
        }
    }
    // A non-ASCII spelling can only be "preview" with U+0130 or U+0131 for the 'i'.
    return letter.find("\xC4\xB0") != std::string_view::npos ? pre_preview_dot_i
                                                             : pre_preview_dotless_i;
}

void append_local(Parts& p) {
    p.text.push_back('+');
    p.key.push_back(kPresent);
    std::size_t start = 0;
    const std::string_view local = p.local;
    bool first = true;
    for (std::size_t i = 0; i <= local.size(); ++i) {
        if (i < local.size() && local[i] != '.' && local[i] != '-' && local[i] != '_') {
            continue;
        }
        const std::string_view part = local.substr(start, i - start);
        start = i + 1;
        if (!first) {
            p.text.push_back('.');
        }
        first = false;
        const bool numeric =
            std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (numeric) {
            append_int_text(p.text, part);
            p.key.push_back(kPosInf);
            append_number_key(p.key, part);
        } else {
            std::string lowered =
                unicode::is_ascii(part) ? std::string(part) : unicode::to_lower(part);
            if (unicode::is_ascii(part)) {
                for (char& c : lowered) {
                    if (c >= 'A' && c <= 'Z') {
                        c = static_cast<char>(c - 'A' + 'a');
                    }
                }
            }
            p.text.append(lowered);
            p.key.push_back(kPresent);
            p.key.append(lowered);
            p.key.push_back('\0');
        }
    }
    p.key.push_back(kNegInf);
}

} // namespace

struct VersionBuilder {
    static Version build(Parts&& p) {
        // (Version::parse sets ascii_input_ afterwards.)
        Version v;
        // pre
        if (p.has_pre) {
            const PreLetter letter = classify_pre(p.pre_letter);
            switch (letter) {
            case pre_a:
                p.text.push_back('a');
                break;
            case pre_b:
                p.text.push_back('b');
                break;
            case pre_rc:
                p.text.append("rc");
                break;
            default:
                p.text.append(unicode::to_lower(p.pre_letter));
                break;
            }
            append_int_text(p.text, p.pre_number);
            p.key.push_back(kPresent);
            p.key.push_back(letter);
            append_number_key(p.key, p.pre_number);
        } else if (!p.has_post && p.has_dev) {
            p.key.push_back(kNegInf);
        } else {
            p.key.push_back(kPosInf);
        }
        // post ("post", "rev", "r" all read as "post"; "poſt" keeps its own letter)
        if (p.has_post) {
            p.text.append(".post");
            append_int_text(p.text, p.post_number);
            p.key.push_back(kPresent);
            const bool long_s = p.post_letter.find("\xC5\xBF") != std::string_view::npos;
            p.key.push_back(long_s ? 2 : 1);
            append_number_key(p.key, p.post_number);
        } else {
            p.key.push_back(kNegInf);
        }
        // dev
        if (p.has_dev) {
            p.text.append(".dev");
            append_int_text(p.text, p.dev_number);
            p.key.push_back(kPresent);
            append_number_key(p.key, p.dev_number);
        } else {
            p.key.push_back(kPosInf);
        }
        v.public_key_size_ = p.key.size();
        v.public_text_size_ = p.text.size();
        if (p.has_local) {
            append_local(p);
        } else {
            p.key.push_back(kNegInf);
        }
        v.base_key_size_ = p.base_key_size;
        v.base_text_size_ = p.base_text_size;
        v.has_pre_ = p.has_pre;
        v.has_post_ = p.has_post;
        v.has_dev_ = p.has_dev;
        v.key_size_ = p.key.size();
        v.data_.reserve(p.key.size() + p.text.size());
        v.data_.append(p.key.view());
        v.data_.append(p.text.view());
        return v;
    }
};

namespace {

Error version_error(std::string_view text) {
    Error e;
    e.what = "PEP 440 version";
    e.input = std::string(text);
    if (const std::size_t bad = unicode::find_invalid_utf8(text); bad != unicode::npos) {
        e.offset = bad;
        e.message = "not valid UTF-8";
        return e;
    }
    // How far does the longest valid beginning reach?
    pegtl::memory_input<pegtl::tracking_mode::lazy> probe(text.data(), text.size(), "");
    if (pegtl::parse<g::version_prefix>(probe)) {
        e.offset = static_cast<std::size_t>(probe.current() - text.data());
        if (e.offset < text.size() && text[e.offset] == '+') {
            e.message = "'+' must be followed by a local version label such as 'ubuntu.1'";
        } else if (e.offset < text.size() &&
                   (text[e.offset] == '.' || text[e.offset] == '-' || text[e.offset] == '_')) {
            e.message = detail::describe_unexpected(text, e.offset) +
                        "; a separator must be followed by a number or a pre, post or dev label";
        } else {
            e.message = detail::describe_unexpected(text, e.offset) +
                        "; expected [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]";
        }
        return e;
    }
    pegtl::memory_input<pegtl::tracking_mode::lazy> lead(text.data(), text.size(), "");
    pegtl::parse<pegtl::seq<grammar::py_spaces, pegtl::opt<g::v_prefix>>>(lead);
    e.offset = static_cast<std::size_t>(lead.current() - text.data());
    e.message =
        "expected a release number such as 1.0, found " + detail::describe_at(text, e.offset);
    return e;
}

} // namespace

bool detail_parse_plain_release(std::string_view text, Version& v) {
    // The common case, "N(.N)*" in ASCII with nothing around it, built directly: the grammar
    // gives the same Version (fuzz/fuzz_pep440_version.cpp checks that on every input), only
    // several times slower. Longer inputs take the grammar path.
    constexpr std::size_t kMax = 48;
    if (text.empty() || text.size() > kMax) {
        return false;
    }
    char key[kMax * 3 + 8];
    char* out = key;
    *out++ = static_cast<char>(detail::kNumberBase); // epoch 0
    char* after_nonzero = out;
    bool canonical = true; // no leading zeros: the normal form is the input itself
    const char* p = text.data();
    const char* const end = p + text.size();
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    while (true) {
        if (p == end || !is_digit(*p)) {
            return false; // empty component, or another character
        }
        const char* const first = p;
        unsigned value = 0;
        while (p != end && is_digit(*p) && p - first < 3) {
            value = value * 10 + static_cast<unsigned>(*p - '0');
            ++p;
        }
        if ((p == end || !is_digit(*p)) && value < detail::kSmallNumbers) {
            *out++ = static_cast<char>(detail::kNumberBase + value);
            canonical = canonical && (p - first == 1 || *first != '0');
            if (value != 0) {
                after_nonzero = out;
            }
        } else {
            while (p != end && is_digit(*p)) {
                ++p;
            }
            const std::string_view digits(first, static_cast<std::size_t>(p - first));
            canonical = canonical && *first != '0';
            struct Sink {
                char*& at;
                void push_back(char c) { *at++ = c; }
                void append(std::string_view s) {
                    std::memcpy(at, s.data(), s.size());
                    at += s.size();
                }
            } sink{out};
            detail::append_number_key(sink, digits);
            if (!detail::significant_digits(digits).empty()) {
                after_nonzero = out;
            }
        }
        if (p == end) {
            break;
        }
        if (*p != '.') {
            return false;
        }
        ++p;
    }
    out = after_nonzero;
    *out++ = kEnd;
    const auto base_key_size = static_cast<std::size_t>(out - key);
    *out++ = kPosInf; // pre
    *out++ = kNegInf; // post
    *out++ = kPosInf; // dev
    const auto public_key_size = static_cast<std::size_t>(out - key);
    *out++ = kNegInf; // local
    const auto k = static_cast<std::size_t>(out - key);
    if (canonical) {
        std::memcpy(out, text.data(), text.size()); // key, then the text: one copy out
        v.data_.assign(key, k + text.size());
    } else {
        v.data_.assign(key, k);
        std::size_t s0 = 0;
        for (std::size_t i = 0; i <= text.size(); ++i) {
            if (i == text.size() || text[i] == '.') {
                if (s0 > 0) {
                    v.data_.push_back('.');
                }
                detail::append_int_text(v.data_, text.substr(s0, i - s0));
                s0 = i + 1;
            }
        }
    }
    v.key_size_ = k;
    v.public_key_size_ = public_key_size;
    v.base_key_size_ = base_key_size;
    v.public_text_size_ = v.data_.size() - k;
    v.base_text_size_ = v.public_text_size_;
    return true;
}

Expected<Version> Version::parse(std::string_view text) {
    Expected<Version> result{Version{}}; // filled in place: no copy of the strings
    if (!detail_parse_plain_release(text, *result)) {
        result = parse_with_grammar(text);
    }
    return result;
}

Expected<Version> Version::parse_with_grammar(std::string_view text) {
    // (Ill-formed UTF-8 cannot match: the grammar's non-ASCII rules decode strictly.)
    Parts parts;
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
    if (!pegtl::parse<g::version, action>(in, parts)) {
        return version_error(text);
    }
    Version v = VersionBuilder::build(std::move(parts));
    v.ascii_input_ = unicode::is_ascii(text);
    return v;
}

bool Version::is_valid(std::string_view text) {
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
    return pegtl::parse<g::version>(in);
}

std::string canonicalize(const Version& version, bool strip_trailing_zero) {
    // packaging.utils.canonicalize_version: str() with, optionally, the trailing ".0"s of the
    // release segment removed (the epoch prefix "N!" never ends in ".0").
    const std::string_view text = version.str();
    if (!strip_trailing_zero) {
        return std::string(text);
    }
    std::string_view base = version.base_version();
    const std::size_t base_size = base.size();
    while (base.size() >= 2 && base.substr(base.size() - 2) == ".0") {
        base.remove_suffix(2);
    }
    std::string out(base);
    out.append(text, base_size);
    return out;
}

} // namespace qplug::version::pep440
