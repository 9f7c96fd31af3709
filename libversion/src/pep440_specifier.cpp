// PEP 440 specifiers: a line-by-line port of packaging 23.0's Specifier and SpecifierSet
// semantics (the string-level helpers _version_split and _pad_version included, because
// prefix matching is defined on their output).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "error_position.hpp"
#include "grammar/pep440.hpp"

namespace qplug::version::pep440 {

namespace pegtl = tao::pegtl;
namespace g = grammar::pep440;

namespace {

struct SpecParts {
    Specifier::Op op = Specifier::Op::equal;
    std::string_view version;
};

template <class Rule>
struct spec_action : pegtl::nothing<Rule> {};

template <Specifier::Op Op>
struct set_op {
    template <class Input>
    static void apply(const Input&, SpecParts& p) {
        p.op = Op;
    }
};
// The operator actions fire only for the alternative that matched as a whole (they sit on
// the spec_* rules, which include the end of input).
template <>
struct spec_action<g::spec_arbitrary> : set_op<Specifier::Op::arbitrary> {};
template <>
struct spec_action<g::spec_compatible> : set_op<Specifier::Op::compatible> {};
template <>
struct spec_action<g::spec_equal> : set_op<Specifier::Op::equal> {};
template <>
struct spec_action<g::spec_not_equal> : set_op<Specifier::Op::not_equal> {};
template <>
struct spec_action<g::spec_less_equal> : set_op<Specifier::Op::less_equal> {};
template <>
struct spec_action<g::spec_greater_equal> : set_op<Specifier::Op::greater_equal> {};
template <>
struct spec_action<g::spec_less> : set_op<Specifier::Op::less> {};
template <>
struct spec_action<g::spec_greater> : set_op<Specifier::Op::greater> {};

template <class Rule>
struct capture_version {
    template <class Input>
    static void apply(const Input& in, SpecParts& p) {
        p.version = {in.begin(), in.size()};
    }
};
template <>
struct spec_action<g::spec_version_arbitrary> : capture_version<void> {};
template <>
struct spec_action<g::spec_version_compatible> : capture_version<void> {};
template <>
struct spec_action<g::spec_version_equal> : capture_version<void> {};
template <>
struct spec_action<g::spec_version_ordered> : capture_version<void> {};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}
bool is_ascii_digits(std::string_view s) {
    // str.isdigit() on text that is ASCII here, except for pre-release letters.
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isdigit_py(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < s.size();) {
        if (!unicode::is_digit(unicode::decode(s, i))) {
            return false;
        }
    }
    return true;
}

/// _version_split: split on "." and split "1rc2"-like items into "1", "rc2".
std::vector<std::string> version_split(std::string_view version) {
    std::vector<std::string> result;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = version.find('.', start);
        const std::string_view item = version.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        // _prefix_regex = ^([0-9]+)((?:a|b|c|rc)[0-9]+)$  (case-sensitive)
        std::size_t d = 0;
        while (d < item.size() && item[d] >= '0' && item[d] <= '9') {
            ++d;
        }
        bool split = false;
        if (d > 0 && d < item.size()) {
            std::string_view rest = item.substr(d);
            std::size_t letters = starts_with(rest, "rc")                                ? 2
                                  : (rest[0] == 'a' || rest[0] == 'b' || rest[0] == 'c') ? 1
                                                                                         : 0;
            if (letters > 0 && is_ascii_digits(rest.substr(letters))) {
                split = true;
                result.emplace_back(item.substr(0, d));
                result.emplace_back(rest);
            }
        }
        if (!split) {
            result.emplace_back(item);
        }
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return result;
}

bool is_not_suffix(std::string_view segment) {
    for (std::string_view prefix : {"dev", "a", "b", "rc", "post"}) {
        if (starts_with(segment, prefix)) {
            return false;
        }
    }
    return true;
}

/// _pad_version(left, right)[0]: left with "0"s inserted after its numeric head so that the
/// head is at least as long as right's.
std::vector<std::string> pad_left(const std::vector<std::string>& left,
                                  const std::vector<std::string>& right) {
    auto head = [](const std::vector<std::string>& v) {
        std::size_t n = 0;
        while (n < v.size() && isdigit_py(v[n])) {
            ++n;
        }
        return n;
    };
    const std::size_t left_head = head(left);
    const std::size_t right_head = head(right);
    std::vector<std::string> out(left.begin(),
                                 left.begin() + static_cast<std::ptrdiff_t>(left_head));
    for (std::size_t i = left_head; i < right_head; ++i) {
        out.emplace_back("0");
    }
    out.insert(out.end(), left.begin() + static_cast<std::ptrdiff_t>(left_head), left.end());
    return out;
}

/// canonicalize_version(text) for a string: unchanged when it is not a valid version.
std::string canonicalize_text(std::string_view text, bool strip_trailing_zero) {
    auto v = Version::parse(text);
    if (!v) {
        return std::string(text);
    }
    return canonicalize(*v, strip_trailing_zero);
}

Error spec_error(std::string_view text, std::size_t offset, std::string message) {
    Error e;
    e.what = "PEP 440 specifier";
    e.input = std::string(text);
    e.offset = offset;
    e.message = std::move(message);
    return e;
}

Error describe_specifier_error(std::string_view text) {
    if (const std::size_t bad = unicode::find_invalid_utf8(text); bad != unicode::npos) {
        return spec_error(text, bad, "not valid UTF-8");
    }
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t next = pos;
        if (!unicode::is_space(unicode::decode(text, next))) {
            break;
        }
        pos = next;
    }
    const std::string_view rest = text.substr(pos);
    std::size_t op_len = 0;
    for (std::string_view op : {"===", "~=", "==", "!=", "<=", ">=", "<", ">"}) {
        if (starts_with(rest, op)) {
            op_len = op.size();
            break;
        }
    }
    if (op_len == 0) {
        return spec_error(text, pos,
                          "expected an operator (~=, ==, !=, <=, >=, <, >, ===), found " +
                              detail::describe_at(text, pos));
    }
    const std::string_view op = rest.substr(0, op_len);
    std::size_t vpos = pos + op_len;
    while (vpos < text.size()) {
        std::size_t next = vpos;
        if (!unicode::is_space(unicode::decode(text, next))) {
            break;
        }
        vpos = next;
    }
    std::string_view version = unicode::rstrip(text.substr(vpos));
    if (version.empty()) {
        return spec_error(text, vpos, "expected a version after '" + std::string(op) + "'");
    }
    const bool wildcard = ends_with(version, ".*");
    if (wildcard && op != "==" && op != "!=") {
        return spec_error(text, vpos + version.size() - 2,
                          "a '.*' wildcard is only allowed with == and !=");
    }
    if (wildcard) {
        version.remove_suffix(2);
    }
    auto parsed = Version::parse(version);
    if (!parsed) {
        return spec_error(text, vpos + parsed.error().offset, parsed.error().message);
    }
    if (wildcard) {
        return spec_error(text, vpos, "a '.*' wildcard may only follow the release numbers");
    }
    if (parsed->has_local() && op != "==" && op != "!=") {
        return spec_error(text, vpos + version.find('+'),
                          "a local version label is only allowed with == and !=");
    }
    if (op == "~=") {
        return spec_error(text, vpos, "~= needs a version with at least two release numbers");
    }
    return spec_error(text, vpos, "not a valid version for '" + std::string(op) + "'");
}

} // namespace

std::string_view Specifier::op_str() const noexcept {
    switch (op_) {
    case Op::compatible:
        return "~=";
    case Op::equal:
        return "==";
    case Op::not_equal:
        return "!=";
    case Op::less_equal:
        return "<=";
    case Op::greater_equal:
        return ">=";
    case Op::less:
        return "<";
    case Op::greater:
        return ">";
    case Op::arbitrary:
        return "===";
    }
    return "==";
}

std::pair<Specifier::Op, std::string> Specifier::canonical() const {
    return {op_, canonicalize_text(version_, op_ != Op::compatible)};
}

Expected<Specifier> Specifier::parse(std::string_view text) {
    SpecParts parts;
    bool ok = false;
    if (unicode::is_ascii(text) || unicode::find_invalid_utf8(text) == unicode::npos) {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.size(), "");
        ok = pegtl::parse<g::specifier, spec_action>(in, parts);
    }
    if (!ok) {
        return describe_specifier_error(text);
    }
    Specifier s;
    s.op_ = parts.op;
    s.version_ = std::string(unicode::strip(parts.version));
    std::string_view v = s.version_;
    if (s.op_ == Op::equal || s.op_ == Op::not_equal) {
        if (ends_with(v, ".*")) {
            v.remove_suffix(2);
        }
    }
    if (auto parsed = Version::parse(v)) {
        s.parsed_ = std::move(*parsed);
    }
    return s;
}

Expected<bool> Specifier::prereleases() const {
    switch (op_) {
    case Op::equal:
    case Op::greater_equal:
    case Op::less_equal:
    case Op::compatible:
    case Op::arbitrary:
        break;
    default:
        return false;
    }
    if (!parsed_) {
        // Version(version) raises in packaging: only reachable with === and a non-PEP 440
        // version.
        Error e = Version::parse(version_).error();
        e.kind = Error::Kind::invalid;
        e.message = "the === clause names no PEP 440 version, so its pre-release rule is "
                    "undefined (" +
                    e.message + ")";
        return e;
    }
    return parsed_->is_prerelease();
}

Expected<bool> Specifier::contains(const Version& item, std::optional<bool> prereleases) const {
    bool allow_pre = false;
    if (prereleases) {
        allow_pre = *prereleases;
    } else {
        auto own = this->prereleases();
        if (!own) {
            return own.error();
        }
        allow_pre = *own;
    }
    if (item.is_prerelease() && !allow_pre) {
        return false;
    }
    const std::string_view spec = version_;
    // packaging re-reads str(item.public) for these comparisons: a spelling such as "poſt"
    // is then read as plain "post", and a normal form holding U+0307 (from lower-casing
    // U+0130) is not a version at all, so packaging raises.
    const bool reparses_public =
        (op_ == Op::equal || op_ == Op::not_equal)
            ? !ends_with(spec, ".*") && parsed_ && !parsed_->has_local()
            : op_ == Op::less_equal || op_ == Op::greater_equal || op_ == Op::compatible;
    std::optional<Version> reparsed;
    if (reparses_public && !item.ascii_input_) {
        auto again = Version::parse(item.public_str());
        if (!again) {
            Error e = again.error();
            e.kind = Error::Kind::invalid;
            e.message = "packaging cannot compare this version with " + str() +
                        ": its normalized form '" + std::string(item.public_str()) +
                        "' is not a valid version (" + e.message + ")";
            return e;
        }
        reparsed = std::move(*again);
    }
    const std::string_view item_public = reparsed ? reparsed->public_key() : item.public_key();
    switch (op_) {
    case Op::arbitrary:
        return unicode::to_lower(item.str()) == unicode::to_lower(spec);
    case Op::equal:
    case Op::not_equal: {
        bool equal = false;
        if (ends_with(spec, ".*")) {
            const std::string prospective = canonicalize_text(item.public_str(), true);
            const std::string normalized_spec =
                canonicalize_text(spec.substr(0, spec.size() - 2), false);
            const auto split_spec = version_split(normalized_spec);
            const auto split_prospective = version_split(prospective);
            auto padded = pad_left(split_prospective, split_spec);
            padded.resize(std::min(padded.size(), split_spec.size()));
            equal = padded == split_spec;
        } else {
            const Version& spec_version = *parsed_;
            equal = spec_version.has_local() ? item == spec_version
                                             : item_public == spec_version.public_key();
        }
        return op_ == Op::equal ? equal : !equal;
    }
    case Op::less_equal:
        return item_public <= parsed_->public_key();
    case Op::greater_equal:
        return item_public >= parsed_->public_key();
    case Op::less: {
        if (!(item < *parsed_)) {
            return false;
        }
        if (!parsed_->is_prerelease() && item.is_prerelease() &&
            item.base_key() == parsed_->base_key()) {
            return false;
        }
        return true;
    }
    case Op::greater: {
        if (!(item > *parsed_)) {
            return false;
        }
        if (!parsed_->is_postrelease() && item.is_postrelease() &&
            item.base_key() == parsed_->base_key()) {
            return false;
        }
        if (item.has_local() && item.base_key() == parsed_->base_key()) {
            return false;
        }
        return true;
    }
    case Op::compatible: {
        // >= spec and == prefix.*, prefix = release items before the suffixes, minus the last.
        auto items = version_split(spec);
        std::vector<std::string> head;
        for (auto& it : items) {
            if (!is_not_suffix(it)) {
                break;
            }
            head.push_back(it);
        }
        if (!head.empty()) {
            head.pop_back();
        }
        std::string prefix;
        for (std::size_t i = 0; i < head.size(); ++i) {
            if (i > 0) {
                prefix.push_back('.');
            }
            prefix += head[i];
        }
        prefix += ".*";
        if (!(item_public >= parsed_->public_key())) {
            return false;
        }
        Specifier eq;
        eq.op_ = Op::equal;
        eq.version_ = prefix;
        return eq.contains(item, true);
    }
    }
    return false;
}

Expected<SpecifierSet> SpecifierSet::parse(std::string_view text) {
    if (const std::size_t bad = unicode::find_invalid_utf8(text); bad != unicode::npos) {
        return spec_error(text, bad, "not valid UTF-8");
    }
    SpecifierSet set;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        const std::string_view raw = text.substr(start, comma - start);
        const std::string_view item = unicode::strip(raw);
        if (!item.empty()) {
            auto spec = Specifier::parse(item);
            if (!spec) {
                Error e = spec.error();
                e.input = std::string(text);
                e.offset += static_cast<std::size_t>(item.data() - text.data());
                e.what = "PEP 440 specifier set";
                return e;
            }
            // A set: clauses equal after canonicalization (Specifier.__eq__) are kept once.
            const bool duplicate =
                std::any_of(set.specs_.begin(), set.specs_.end(),
                            [&](const Specifier& s) { return s.canonical() == spec->canonical(); });
            if (!duplicate) {
                set.specs_.push_back(std::move(*spec));
            }
        }
        start = comma + 1;
    }
    return set;
}

std::string SpecifierSet::str() const {
    std::vector<std::string> parts;
    parts.reserve(specs_.size());
    for (const auto& s : specs_) {
        parts.push_back(s.str());
    }
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        out += parts[i];
    }
    return out;
}

Expected<std::optional<bool>> SpecifierSet::prereleases() const {
    if (specs_.empty()) {
        return std::optional<bool>{};
    }
    // packaging evaluates any(...) over a frozenset, so whether a failing `===` clause is
    // reached before a clause that answers True depends on hash order. We answer True when
    // any clause does, and fail only when none does and one cannot answer.
    std::optional<Error> failure;
    for (const auto& s : specs_) {
        auto p = s.prereleases();
        if (!p) {
            failure = p.error();
        } else if (*p) {
            return std::optional<bool>{true};
        }
    }
    if (failure) {
        return *failure;
    }
    return std::optional<bool>{false};
}

Expected<bool> SpecifierSet::contains(const Version& item, std::optional<bool> prereleases) const {
    std::optional<bool> pre = prereleases;
    if (!pre) {
        auto own = this->prereleases();
        if (!own) {
            return own.error();
        }
        pre = *own;
    }
    if (!pre.value_or(false) && item.is_prerelease()) {
        return false;
    }
    // packaging stops at the first clause that fails, in frozenset order (hash order), so a
    // clause that raises may or may not be reached. qplug: any clause that answers False
    // decides; otherwise a clause that cannot answer makes the whole question fail.
    std::optional<Error> failure;
    for (const auto& s : specs_) {
        auto r = s.contains(item, pre);
        if (!r) {
            failure = r.error();
        } else if (!*r) {
            return false;
        }
    }
    if (failure) {
        return *failure;
    }
    return true;
}

} // namespace qplug::version::pep440
