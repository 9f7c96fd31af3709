// The field rules of spec/metadata.json, applied to [general] (plus what it inherits).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include <fmt/format.h>

#include <qplug/meta/spec.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/qgis.hpp>

#include "bytes.hpp"
#include "lines.hpp"
#include "site_url.hpp"

namespace qplug::meta {

namespace {

using Args = MessageArgs;

char ascii_lower_char(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower_char);
    return out;
}

std::string upper_strip(std::string_view s) {
    return unicode::to_upper(unicode::strip(s));
}

/// The key without a [locale] suffix, and the suffix.
std::pair<std::string_view, std::string_view> split_locale(std::string_view key) {
    if (!key.empty() && key.back() == ']') {
        const std::size_t open = key.rfind('[');
        if (open != std::string_view::npos && open > 0) {
            return {key.substr(0, open), key.substr(open)};
        }
    }
    return {key, {}};
}

/// A tag such as <b>, </p> or <!-- -->: '<', a letter, '/' or '!', then a '>' later.
bool has_html_tag(std::string_view s) {
    for (std::size_t i = s.find('<'); i != std::string_view::npos; i = s.find('<', i + 1)) {
        if (i + 1 < s.size()) {
            const char c = s[i + 1];
            const bool opens =
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!';
            if (opens && s.find('>', i + 2) != std::string_view::npos) {
                return true;
            }
        }
    }
    return false;
}

/// local@domain.tld without blanks: what an EmailField would accept, roughly.
bool looks_like_email(std::string_view s) {
    const std::size_t at = s.find('@');
    if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80 ? (++i, unicode::detail::is_ascii_space(c))
                     : unicode::is_space(unicode::decode(s, i))) {
            return false;
        }
    }
    const std::string_view domain = s.substr(at + 1);
    const std::size_t dot = domain.rfind('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

/// Whether `lowered` is `key` (ASCII) lower-cased.
bool equals_ascii_lower(std::string_view lowered, std::string_view key) {
    if (lowered.size() != key.size()) {
        return false;
    }
    return std::equal(key.begin(), key.end(), lowered.begin(),
                      [](char k, char l) { return ascii_lower_char(k) == l; });
}

/// ASCII case-insensitive equality (both sides ASCII).
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    return std::equal(a.begin(), a.end(), b.begin(),
                      [](char x, char y) { return ascii_lower_char(x) == ascii_lower_char(y); });
}

/// urllib.parse.urlsplit's scheme (not lower-cased) and netloc, as views of `raw` or, when
/// tabs or line breaks must be dropped first, of `scratch`.
struct UrlViews {
    std::string_view scheme;
    std::string_view netloc;
};

UrlViews split_url_views(std::string_view raw, std::string& scratch) {
    // urlsplit (3.11): strip leading C0 controls and spaces, drop tab/CR/LF.
    std::size_t i = 0;
    while (i < raw.size() && static_cast<unsigned char>(raw[i]) <= ' ') {
        ++i;
    }
    std::string_view rest = raw.substr(i);
    const auto dropped = [](char c) {
        return static_cast<unsigned char>(c) <= '\r' && (c == '\t' || c == '\r' || c == '\n');
    };
    if (std::any_of(rest.begin(), rest.end(), dropped)) {
        scratch.clear();
        for (const char c : rest) {
            if (!dropped(c)) {
                scratch.push_back(c);
            }
        }
        rest = scratch;
    }
    // The scheme: a letter, then letters, digits, '+', '-' or '.', up to the first ':'.
    const auto scheme_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '-' || c == '.';
    };
    UrlViews parts;
    const std::size_t colon = static_cast<std::size_t>(
        std::find_if_not(rest.begin(), rest.end(), scheme_char) - rest.begin());
    if (colon > 0 && colon < rest.size() && rest[colon] == ':' &&
        ((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z'))) {
        parts.scheme = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
    }
    if (rest.substr(0, 2) == "//") {
        rest.remove_prefix(2);
        const auto end = std::find_if(rest.begin(), rest.end(),
                                      [](char c) { return c == '/' || c == '?' || c == '#'; });
        parts.netloc = rest.substr(0, static_cast<std::size_t>(end - rest.begin()));
    }
    return parts;
}

/// What check_entry() does with a spec field, worked out once per field: comparing each
/// entry's field type and key with strings cost more than most of the checks themselves.
struct FieldTraits {
    enum class Kind : std::uint8_t {
        other,
        url,
        email,
        boolean,
        qgis_version,
        dependencies,
        enumeration,
        icon,
    };
    Kind kind = Kind::other;
    bool author = false;      ///< plugins.qgis.org's author pattern
    bool version = false;     ///< a version pip must read
    bool description = false; ///< one line only
    bool html = false;        ///< description and about: no HTML
    bool templates = false;   ///< has Plugin Builder template texts
    bool tags = false;
    std::string_view key;
    std::string_view placeholder;      ///< the Plugin Builder placeholder of `key`
    const RuleInfo* missing = nullptr; ///< META-REQ-<KEY>, for a field that can be required
};

const std::vector<FieldTraits>& field_traits() {
    static const std::vector<FieldTraits> traits = [] {
        using Kind = FieldTraits::Kind;
        std::vector<FieldTraits> out;
        for (const FieldInfo& f : fields()) {
            const std::string_view type = f.type;
            FieldTraits t;
            t.kind = type == "url"                       ? Kind::url
                     : type == "email"                   ? Kind::email
                     : type == "bool"                    ? Kind::boolean
                     : type == "qgis_version"            ? Kind::qgis_version
                     : type == "dependencies"            ? Kind::dependencies
                     : type == "enum"                    ? Kind::enumeration
                     : type == "path" && f.key == "icon" ? Kind::icon
                                                         : Kind::other;
            t.author = f.key == "author";
            t.version = f.key == "version";
            t.description = f.key == "description";
            t.html = f.key == "description" || f.key == "about";
            t.templates = has_template_texts(f.key);
            t.tags = f.key == "tags";
            t.key = f.key;
            t.placeholder = meta::placeholder(f.key);
            t.missing = find_rule("META-REQ-" + unicode::to_upper(f.key));
            out.push_back(t);
        }
        return out;
    }();
    return traits;
}

/// Digits and single dots, a digit at each end ("1.2.10"): normalize() leaves such a version
/// as it is, and PEP 440 reads it as a release. Most versions are like this.
bool is_plain_release(std::string_view v) {
    if (v.empty() || v.front() == '.' || v.back() == '.') {
        return false;
    }
    char previous = '0';
    for (const char c : v) {
        if (!((c >= '0' && c <= '9') || (c == '.' && previous != '.'))) {
            return false;
        }
        previous = c;
    }
    return true;
}

class Checker {
public:
    Checker(const Document& doc, const ValidateOptions& options) : doc_(doc), options_(options) {}
    Checker(const Checker&) = delete;
    Checker& operator=(const Checker&) = delete;
    ~Checker() { scratch_.busy = false; }

    Diagnostics run() {
        out_ = doc_.diagnostics;
        apply_profile(out_, options_.profile);
        if (doc_.general() == nullptr || (!doc_.ok && !doc_.lenient)) {
            return std::move(out_); // nothing configparser would hand on
        }
        doc_.general_items(items_);
        check_keys();
        check_required();
        for (std::size_t i = 0; i < items_.size(); ++i) {
            check_entry(*items_[i].entry, fields_of_items_[i], value_of_item(i));
        }
        check_qgis_range();
        return std::move(out_);
    }

private:
    Diagnostic* add(std::string_view rule, const Entry* entry, bool at_value, Args args) {
        if (const RuleInfo* r = find_rule(rule)) {
            return add(*r, entry, at_value, args);
        }
        out_.push_back(make_diagnostic(rule, options_.profile, args)); // says it is unknown
        return &out_.back();
    }

    /// A finding of rule `r` about `entry` (at its value, or its key), built in place.
    Diagnostic* add(const RuleInfo& r, const Entry* entry, bool at_value, Args args) {
        if (r.severity_in(options_.profile) == Severity::off) {
            return nullptr; // not this profile's business: no message to format
        }
        if (out_.capacity() == out_.size()) {
            // Few moves of Diagnostics; four fit a small allocation, and most files have fewer.
            out_.reserve(std::max<std::size_t>(4, out_.size() * 2));
        }
        Diagnostic& d = out_.emplace_back();
        d.rule = r.id;
        d.severity = r.severity_in(options_.profile);
        d.message = format_message(r.message, args);
        d.hint = r.hint;
        d.file = doc_.file;
        if (entry != nullptr) {
            d.key = entry->key;
            const Position p = at_value && !entry->value_lines.empty() ? entry->value_lines.front()
                                                                       : entry->key_position;
            d.line = p.line;
            d.column = p.column;
            d.offset = p.offset;
            d.source_line = doc_.line_at(p.offset);
        }
        return &d;
    }

    /// get("general", key) of an item of [general] (its own or inherited, read in
    /// [general]'s context); the raw value when interpolation fails (already reported).
    std::string_view value_of_item(std::size_t i) const {
        const auto& item = items_[i];
        return *item.value ? **item.value : item.entry->raw_value;
    }

    /// value_of_item() for the item of an entry.
    std::string_view value_of(const Entry& e) const {
        for (std::size_t i = 0; i < items_.size(); ++i) {
            if (items_[i].entry == &e) {
                return value_of_item(i);
            }
        }
        return e.value ? *e.value : e.raw_value;
    }

    /// Whether an item's name is exactly `key` as this key mode compares names: the site
    /// wants the exact spelling, QGIS's lower-cased names any case.
    bool names(const Document::Item& item, std::string_view key) const {
        return doc_.keys == KeyMode::qgis ? equals_ascii_lower(item.entry->name, key)
                                          : detail::same_bytes(item.entry->key, key);
    }

    /// The first item whose name is `key` (names()), or -1.
    int find_item(std::string_view key) const {
        for (std::size_t i = 0; i < items_.size(); ++i) {
            if (names(items_[i], key)) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }

    /// The item for a spec field as this profile's consumer finds it: by the field's key,
    /// and for QGIS by its aliases too (e.g. author_name); -1 when there is none.
    int lookup_item(const FieldInfo& f) const {
        const std::size_t k = field_index(f);
        int found = k < tracked_fields_ ? first_item_[k] : find_item(f.key);
        if (found < 0 && options_.profile == Profile::qgis) {
            for (auto a : f.aliases) {
                if ((found = find_item(a)) >= 0) {
                    break;
                }
            }
        }
        return found;
    }

    const Entry* lookup(const FieldInfo& f) const {
        const int i = lookup_item(f);
        return i < 0 ? nullptr : items_[static_cast<std::size_t>(i)].entry;
    }

    /// Notes item `i` as the first named by its field's key (see first_item_). `field` is
    /// what its name finds in the spec; spec names differ even without case (a test
    /// checks), so no other field's key can name it.
    void note_first_item(std::size_t i, const FieldInfo* field) {
        if (field == nullptr) {
            return;
        }
        const std::size_t k = field_index(*field);
        if (k < tracked_fields_ && first_item_[k] < 0 && names(items_[i], field->key)) {
            first_item_[k] = static_cast<int>(i);
        }
    }

    void check_required() {
        for (const FieldInfo& f : fields()) {
            if (!f.required[static_cast<int>(options_.profile)]) {
                continue;
            }
            const int item = lookup_item(f);
            if (item < 0) {
                const RuleInfo* rule = traits_[field_index(f)].missing;
                if (Diagnostic* d = rule != nullptr ? add(*rule, nullptr, false, {{"key", f.key}})
                                                    : add("META-REQ-" + unicode::to_upper(f.key),
                                                          nullptr, false, {{"key", f.key}})) {
                    d->key = f.key;
                }
            } else if (const auto k = static_cast<std::size_t>(item);
                       unicode::strip(value_of_item(k)).empty() &&
                       traits_[field_index(f)].kind != FieldTraits::Kind::url &&
                       !traits_[field_index(f)].author) {
                add("META-EMPTY-VALUE", items_[k].entry, true, {{"key", items_[k].entry->key}});
            }
        }
    }

    void check_keys() {
        fields_of_items_.clear();
        std::fill_n(first_item_.begin(), tracked_fields_, -1);
        for (std::size_t i = 0; i < items_.size(); ++i) {
            const Entry& e = *items_[i].entry;
            const auto [base, locale] = split_locale(e.key);
            const auto [exact, without_case] = find_field_both_ways(base);
            const FieldInfo* folded = exact != nullptr ? exact : without_case;
            fields_of_items_.push_back(without_case);
            if (doc_.keys == KeyMode::site) {
                note_first_item(i, locale.empty() ? exact : nullptr);
            } else if (e.name == e.key) {
                note_first_item(i, locale.empty() ? without_case : nullptr);
            } else {
                note_first_item(i, find_field_both_ways(e.name).second); // lower-cased
            }
            if (folded == nullptr) {
                add("META-UNKNOWN-KEY", &e, false, {{"key", e.key}});
                continue;
            }
            if (exact == nullptr) {
                std::string expected(folded->key);
                for (auto a : folded->aliases) {
                    if (ascii_lower(a) == ascii_lower(base)) {
                        expected = std::string(a);
                    }
                }
                add("META-KEY-CASE", &e, false,
                    {{"key", e.key}, {"expected", expected + std::string(locale)}});
            }
            if (!locale.empty() && !folded->localizable) {
                add("META-LOCALE-KEY", &e, false, {{"key", e.key}});
            }
        }
    }

    void check_entry(const Entry& e, const FieldInfo* f, std::string_view v) {
        if (f == nullptr) {
            return;
        }
        if (f->max_length > 0 && v.size() > f->max_length) { // else fewer code points too
            const std::size_t n = unicode::code_points(v, v.size());
            if (n > f->max_length) {
                add("META-TOO-LONG", &e, true,
                    {{"key", e.key},
                     {"length", std::to_string(n)},
                     {"max_length", std::to_string(f->max_length)}});
            }
        }
        if (!f->deprecated.empty()) {
            add("META-DEPRECATED-FIELD", &e, false,
                {{"key", e.key}, {"note", std::string(f->lifecycle_note)}});
        }
        using Kind = FieldTraits::Kind;
        const FieldTraits& t = traits_[field_index(*f)];
        switch (t.kind) {
        case Kind::url:
            check_url(e, v, t);
            break;
        case Kind::email:
            check_email(e, v);
            break;
        case Kind::boolean:
            check_bool(e, *f, v);
            break;
        case Kind::qgis_version:
            check_qgis_version(e, v);
            break;
        case Kind::dependencies:
            check_dependencies(e, v);
            break;
        case Kind::enumeration:
            if (!v.empty() && std::find(f->values.begin(), f->values.end(), v) == f->values.end()) {
                add("META-CATEGORY", &e, true, {{"value", v}});
            }
            break;
        case Kind::icon:
            check_icon(e, v);
            break;
        case Kind::other:
            break;
        }
        if (t.author) {
            // plugins.qgis.org: re.match(r"^[^/]+$", author)
            if (v.empty() || v.find('/') != std::string::npos) {
                add("META-AUTHOR-SLASH", &e, true, {});
            }
        }
        if (t.version) {
            // The site's PluginVersion.clean_version: version.rsplit(" ")[-1] when a space
            // follows the first character.
            const std::string_view stripped = unicode::strip(v);
            const std::size_t space = stripped.rfind(' ');
            if (space != std::string_view::npos && space > 0) {
                add("META-VERSION-SPACE", &e, true,
                    {{"value", stripped}, {"stored", stripped.substr(space + 1)}});
            }
        }
        if (t.version && !is_plain_release(v) && !unicode::strip(v).empty()) {
            if (!version::pep440::Version::is_valid(version::qgis::normalize(v))) {
                add("META-VERSION-NOT-PEP440", &e, true, {{"value", v}});
            }
        }
        if (t.description && v.find('\n') != std::string::npos) {
            add("META-DESCRIPTION-MULTILINE", &e, true, {});
        }
        if (t.html && has_html_tag(v)) {
            add("META-HTML", &e, true, {{"key", e.key}});
        }
        if (t.templates && is_template_text(f->key, unicode::strip(v))) {
            add(t.tags ? "META-TEMPLATE-TAGS" : "META-TEMPLATE-TEXT", &e, true,
                {{"key", e.key}, {"value", v}});
        }
    }

    void check_url(const Entry& e, std::string_view v, const FieldTraits& t) {
        const std::string_view base = split_locale(e.key).first;
        const std::string_view ph = e.key == t.key ? t.placeholder : placeholder(base);
        if (!ph.empty() && v == ph) {
            add("META-URL-PLACEHOLDER", &e, true, {{"key", e.key}, {"value", v}});
            return;
        }
        std::string scratch;
        const UrlViews parts = split_url_views(v, scratch);
        if (parts.scheme.empty() || parts.netloc.empty()) {
            add("META-URL-INVALID", &e, true, {{"key", e.key}, {"value", v}});
            return;
        }
        if (e.key == t.key) { // the key the site checks, as it spells it
            if (std::string why = detail::site_url_refusal(v); !why.empty()) {
                add("META-URL-REFUSED", &e, true, {{"key", e.key}, {"value", v}, {"reason", why}});
                return;
            }
        }
        if (options_.check_link) {
            if (auto why = options_.check_link(v)) {
                add("META-URL-UNREACHABLE", &e, true,
                    {{"key", e.key}, {"value", v}, {"reason", *why}});
            }
        }
    }

    void check_email(const Entry& e, std::string_view v) {
        if (!v.empty() && !looks_like_email(v)) {
            add("META-EMAIL-INVALID", &e, true, {{"value", v}});
        }
    }

    void check_bool(const Entry& e, const FieldInfo& f, std::string_view v) {
        // How each consumer reads the value: QGIS compares upper-cased and stripped, the site
        // lower-cased, QGIS Server only "True". ASCII values (all but the oddest) are
        // compared in place; others are case-mapped by Unicode's rules, as Python does.
        const bool ascii = unicode::is_ascii(v);
        const std::string upper = ascii ? std::string() : upper_strip(v);
        const std::string lower = ascii ? std::string() : unicode::to_lower(v);
        auto qgis_true = [&](std::string_view t) {
            return ascii ? equals_ignoring_ascii_case(unicode::strip(v), t)
                         : upper == unicode::to_upper(t);
        };
        auto site_true = [&](std::string_view t) {
            return ascii ? equals_ascii_lower(t, v) : lower == t;
        };
        struct Reading {
            std::string_view consumer;
            bool value;
        };
        std::array<Reading, 3> readings{};
        std::size_t n = 0;
        if (!f.true_qgis.empty()) {
            readings[n++] = {"QGIS",
                             std::any_of(f.true_qgis.begin(), f.true_qgis.end(), qgis_true)};
        }
        if (!f.true_site.empty()) {
            readings[n++] = {"plugins.qgis.org",
                             std::any_of(f.true_site.begin(), f.true_site.end(), site_true)};
        }
        if (!f.true_server.empty()) {
            readings[n++] = {"QGIS Server", v == "True"};
        }
        const auto read = std::span(readings).first(n);
        const bool all_true = std::all_of(read.begin(), read.end(), [](auto r) { return r.value; });
        const bool all_false =
            std::none_of(read.begin(), read.end(), [](auto r) { return r.value; });
        static constexpr std::array<std::string_view, 4> known = {"true", "false", "yes", "no"};
        const bool spelled_well = std::any_of(known.begin(), known.end(), site_true);
        if (f.key == "server" && !all_false && v != "True") {
            add("META-SERVER-TRUE", &e, true, {{"value", v}});
            return;
        }
        if ((!all_true && !all_false) || (!spelled_well && !v.empty())) {
            std::string text;
            for (const auto& r : read) {
                text += fmt::format("{}{} reads {}", text.empty() ? "" : ", ", r.consumer,
                                    r.value ? "true" : "false");
            }
            add("META-BOOL-VALUE", &e, true, {{"key", e.key}, {"value", v}, {"readings", text}});
        }
    }

    /// Why a QGIS version fails the installer's or the loader's parsing, or "".
    static std::string_view qgis_version_problem(std::string_view v) {
        const auto dots = std::count(v.begin(), v.end(), '.');
        if (dots != 1 && dots != 2) {
            return kNotTwoOrThree;
        }
        // The parts in order, in one pass: digits only, and a part of three digits or more
        // read as a number (its first nine digits, as before: "007" is 7) at most 99.
        std::size_t digits = 0;
        unsigned long part = 0;
        for (std::size_t i = 0; i <= v.size(); ++i) {
            if (i == v.size() || v[i] == '.') {
                if (digits == 0) {
                    return kNotANumber;
                }
                if (digits > 2 && part > 99) {
                    return kAbove99;
                }
                digits = 0;
                part = 0;
            } else if (v[i] >= '0' && v[i] <= '9') {
                if (digits < 9) {
                    part = part * 10 + static_cast<unsigned long>(v[i] - '0');
                }
                ++digits;
            } else {
                return kNotANumber;
            }
        }
        return {};
    }

    static constexpr std::string_view kNotTwoOrThree = "QGIS needs two or three parts";
    static constexpr std::string_view kNotANumber =
        "every part must be a number (the plugin installer drops other characters, QGIS's "
        "loader refuses them)";
    static constexpr std::string_view kAbove99 = "the plugin installer refuses parts above 99";

    void check_qgis_version(const Entry& e, std::string_view v) {
        if (v.empty()) {
            return; // an empty maximum takes the default; an empty minimum is META-EMPTY-VALUE
        }
        const std::string_view problem = qgis_version_problem(v);
        if (!problem.empty()) {
            add("META-QGIS-VERSION-FORMAT", &e, true,
                {{"key", e.key}, {"value", v}, {"reason", problem}});
        }
    }

    void check_qgis_range() {
        static const FieldInfo* const fmin = find_field("qgisMinimumVersion", false);
        static const FieldInfo* const fmax = find_field("qgisMaximumVersion", false);
        const Entry* min = fmin != nullptr ? lookup(*fmin) : nullptr;
        const Entry* max = fmax != nullptr ? lookup(*fmax) : nullptr;
        if (min == nullptr || !qgis_version_problem(value_of(*min)).empty()) {
            return;
        }
        // Only called on values that passed qgis_version_problem(): digits and dots.
        auto triple = [](std::string_view s, long third) {
            std::array<long, 3> t{0, 0, third};
            std::size_t part = 0;
            long value = 0;
            bool digits = false;
            for (std::size_t i = 0; i <= s.size() && part < 3; ++i) {
                if (i == s.size() || s[i] == '.') {
                    if (digits) {
                        t[part] = value;
                    }
                    ++part;
                    value = 0;
                    digits = false;
                } else if (s[i] >= '0' && s[i] <= '9') {
                    value = std::min(value * 10 + (s[i] - '0'), 1000000L);
                    digits = true;
                }
            }
            return t;
        };
        const std::string_view min_v = value_of(*min);
        const auto lo = triple(min_v, 0);
        std::string max_v(max != nullptr ? value_of(*max) : std::string_view());
        if (!max_v.empty() && qgis_version_problem(max_v).empty()) {
            const auto hi = triple(max_v, 99);
            if (lo > hi) {
                add("META-QGIS-RANGE", max, true, {{"minimum", min_v}, {"maximum", max_v}});
                return;
            }
        }
        if (max_v.empty()) {
            max_v = std::string(min_v.substr(0, 1)) + ".99"; // the installer's default
        } else if (!qgis_version_problem(max_v).empty()) {
            return; // META-QGIS-VERSION-FORMAT already says what is wrong with it
        }
        const auto hi = triple(max_v, 99);
        if (lo[0] < 4 && hi[0] < 4) {
            add("META-QGIS4", max != nullptr ? max : min, true, {{"maximum", max_v}});
        }
    }

    void check_dependencies(const Entry& e, std::string_view v) {
        // qgis.utils.get_plugin_deps: the stripped value split on ',', items not stripped.
        const std::string_view all = unicode::strip(v);
        std::size_t start = 0;
        while (start <= all.size()) {
            std::size_t comma = all.find(',', start);
            if (comma == std::string_view::npos) {
                comma = all.size();
            }
            const std::string_view item = all.substr(start, comma - start);
            start = comma + 1;
            std::string problem;
            const std::size_t eq = item.find("==");
            const std::string_view name =
                eq != std::string_view::npos && eq > 0 ? item.substr(0, eq) : item;
            if (item.empty()) {
                problem = "an empty plugin name";
            } else if (eq != std::string_view::npos && eq > 0 &&
                       item.find("==", eq + 2) != std::string_view::npos) {
                problem = "two '==': QGIS fails reading it";
            } else if (unicode::strip(name) != name) {
                problem = fmt::format("QGIS looks for a plugin named '{}', spaces included", name);
            } else if (name.find_first_of("<>!~=") != std::string_view::npos) {
                problem =
                    "QGIS knows no operator but '==': it looks for a plugin with that whole name";
            } else if (eq != std::string_view::npos && eq > 0 && eq + 2 == item.size()) {
                problem = "'==' without a version pins the empty version";
            }
            if (!problem.empty()) {
                add("META-DEPENDENCIES", &e, true,
                    {{"item", std::string(item)}, {"problem", problem}});
            }
        }
    }

    void check_icon(const Entry& e, std::string_view v) {
        if (!options_.file_exists || v.empty()) {
            return;
        }
        std::string_view path = v;
        if (path.substr(0, 2) == "./") {
            path.remove_prefix(2);
        }
        if (!options_.file_exists(path)) {
            add("META-ICON-MISSING", &e, true, {{"value", v}});
        }
    }

    const Document& doc_;
    const ValidateOptions& options_;
    Diagnostics out_;
    /// Buffers a validation reuses from the previous one on the same thread (capacity). A
    /// validation run from a callback of another (file_exists, check_link) gets its own.
    struct Scratch {
        std::vector<Document::Item> items;
        std::vector<const FieldInfo*> fields_of_items;
        bool busy = false;
    };
    Scratch& take_scratch() {
        thread_local Scratch shared;
        if (shared.busy) {
            own_scratch_ = std::make_unique<Scratch>();
            return *own_scratch_;
        }
        shared.busy = true;
        return shared;
    }
    std::unique_ptr<Scratch> own_scratch_;
    Scratch& scratch_ = take_scratch();
    std::vector<Document::Item>& items_ = scratch_.items; ///< [general] as options() lists it
    /// The spec field of each item (matched without case, as QGIS does), or nullptr.
    std::vector<const FieldInfo*>& fields_of_items_ = scratch_.fields_of_items;
    /// For each spec field (by index, up to 64), the first item named by its key, or -1:
    /// noted as check_keys() looks each item up, so that lookup() need not scan the items.
    std::array<int, 64> first_item_; // NOLINT: check_keys() fills what is used
    /// The fields first_item_ tracks: all of the spec's (a test checks they are at most 64).
    const std::size_t tracked_fields_ = std::min<std::size_t>(64, fields().size());
    const std::vector<FieldTraits>& traits_ = field_traits();
    const FieldInfo* const first_field_ = fields().data();

    std::size_t field_index(const FieldInfo& f) const {
        return static_cast<std::size_t>(&f - first_field_);
    }
};

} // namespace

UrlParts split_url(std::string_view raw) {
    std::string scratch;
    const UrlViews parts = split_url_views(raw, scratch);
    return {ascii_lower(parts.scheme), std::string(parts.netloc)};
}

Diagnostics validate(const Document& document, const ValidateOptions& options) {
    return Checker(document, options).run();
}

} // namespace qplug::meta
