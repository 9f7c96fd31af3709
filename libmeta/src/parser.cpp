// metadata.txt as configparser reads it: a port of RawConfigParser._read (CPython 3.11), with
// every position kept and every problem reported in one run. Where configparser raises and
// stops, the parser notes the problem, marks the document not ok, and reads on so that later
// problems are found too.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include <qplug/meta/parser.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

#include "bytes.hpp"
#include "file_bytes.hpp"
#include "grammar.hpp"
#include "interpolation.hpp"
#include "lines.hpp"

namespace qplug::meta {

namespace pegtl = tao::pegtl;

namespace {

bool is_section_header(std::string_view value, std::string_view& name) {
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(value.data(), value.size(), "");
    if (!pegtl::parse<grammar::section_header>(in)) {
        return false;
    }
    const std::size_t last = value.rfind(']');
    name = value.substr(1, last - 1);
    return true;
}

/// Per section, for each entry: the line where its key first appeared (duplicate-key
/// messages), and its name's signature (see Reader::read_option); and the entries by
/// signature, to find a repeated key without comparing it with every earlier one.
struct SectionKeys {
    std::vector<std::size_t> first_lines;
    std::vector<std::uint64_t> signatures;
    /// Open addressing: entry index + 1 (0: empty) at the slot of its signature. Used while
    /// a section has at most kMaxIndexed entries (a quarter full at most: short probes).
    static constexpr std::size_t kSlots = 256;
    static constexpr std::size_t kMaxIndexed = kSlots / 4;
    std::array<std::uint8_t, kSlots> slots{};

    void clear() {
        first_lines.clear();
        signatures.clear();
        slots.fill(0);
    }

    static std::size_t slot_of(std::uint64_t signature) {
        return static_cast<std::size_t>((signature * 0x9E3779B97F4A7C15ULL) >> 56);
    }

    /// The entry whose name is `name` (its signature given), or `entries.size()`.
    std::size_t find(const StorageVector<Entry>& entries, std::string_view name,
                     std::uint64_t signature) const {
        const auto same = [&](std::size_t k) {
            return signatures[k] == signature && detail::same_bytes(entries[k].name, name);
        };
        if (signatures.size() > kMaxIndexed) {
            for (std::size_t k = 0; k < signatures.size(); ++k) {
                if (same(k)) {
                    return k;
                }
            }
            return entries.size();
        }
        for (std::size_t i = slot_of(signature); slots[i] != 0; i = (i + 1) % kSlots) {
            if (same(slots[i] - 1U)) {
                return slots[i] - 1U;
            }
        }
        return entries.size();
    }

    /// Notes a new entry (the last one) with its first line and signature.
    void add(std::size_t line, std::uint64_t signature) {
        first_lines.push_back(line);
        signatures.push_back(signature);
        if (signatures.size() <= kMaxIndexed) {
            std::size_t i = slot_of(signature);
            while (slots[i] != 0) {
                i = (i + 1) % kSlots;
            }
            slots[i] = static_cast<std::uint8_t>(signatures.size());
        }
    }
};

/// Names with a number each (a section's line, its index): searched in place while there are
/// few, hashed beyond, so that a file with many sections is read in linear time.
class NameTable {
public:
    void clear() {
        list_.clear();
        hashed_.clear();
    }
    const std::size_t* find(std::string_view name) const {
        if (!hashed_.empty()) {
            const auto it = hashed_.find(name);
            return it == hashed_.end() ? nullptr : &it->second;
        }
        for (const auto& [n, number] : list_) {
            if (n == name) {
                return &number;
            }
        }
        return nullptr;
    }
    void add(std::string_view name, std::size_t number) {
        if (!hashed_.empty()) {
            hashed_.emplace(name, number);
            return;
        }
        list_.emplace_back(name, number);
        if (list_.size() > 8) {
            hashed_.reserve(64);
            for (const auto& [n, k] : list_) {
                hashed_.emplace(n, k);
            }
        }
    }

private:
    std::vector<std::pair<std::string_view, std::size_t>> list_;
    std::unordered_map<std::string_view, std::size_t> hashed_;
};

/// Buffers a parse reuses from the previous one on the same thread (their capacity): most
/// files are small, and allocating these anew was a good part of reading one.
struct Scratch {
    std::string joined;
    std::vector<std::string_view> comments;
    NameTable seen_sections;               ///< name -> line of its first header
    NameTable section_indices;             ///< name -> index in doc.sections
    std::vector<SectionKeys> section_keys; ///< the first doc.sections.size() are in use
};

Scratch& scratch() {
    thread_local Scratch s;
    s.joined.clear();
    s.comments.clear();
    s.seen_sections.clear();
    s.section_indices.clear();
    return s;
}

std::string latin1_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        unicode::append_utf8(out, static_cast<unsigned char>(c));
    }
    return out;
}

class Reader {
public:
    Reader(const ParseOptions& options, Document& doc)
        : options_(options), doc_(doc), lines_(doc.lines) {}

    /// Reads `bytes` into the document: copied into its storage and split into lines in one
    /// pass, unless lenient reading may change the text first (a BOM, Latin-1).
    void run(std::string_view bytes) {
        if (options_.lenient) {
            doc_.text = doc_.keep(bytes);
            decode();
            detail::split_lines(doc_.text, options_.keys, doc_.lines);
        } else {
            const std::span<char> text = doc_.make_bytes(bytes.size());
            ascii_ = detail::copy_and_split_lines(bytes, text.data(), options_.keys, doc_.lines);
            doc_.text = std::string_view(text.data(), text.size());
            decode();
        }
        positions_ = doc_.make_positions(lines_.size());
        report_decoding(); // before the first line, and even when there is none
        for (std::size_t i = 0; i < lines_.size(); ++i) {
            read_line(i);
        }
        close_value();
        doc_.trailing_comments = doc_.keep_views(comments_);
        if (!doc_.general()) {
            report_missing_general();
        }
        interpolation_budget_ = detail::InterpolationBudget::for_text(doc_.text.size());
        interpolate_all();
    }

private:
    // --- positions and diagnostics ---------------------------------------------------

    std::string_view line_text(std::size_t i) const {
        return {doc_.text.data() + lines_[i].first, lines_[i].second - lines_[i].first};
    }

    Position position(std::size_t line_index, std::size_t byte_in_line) const {
        const std::size_t column =
            ascii_ ? byte_in_line : columns(line_text(line_index), byte_in_line);
        return {line_index + 1, column + 1, lines_[line_index].first + byte_in_line};
    }

    void report(std::string_view rule, const Position& where, std::string_view key,
                MessageArgs args = {}) {
        if (rule.starts_with("META-LENIENT-")) {
            doc_.ok = false; // configparser itself would not read the file as it is
        }
        Diagnostic d = make_diagnostic(rule, Profile::qgis, args);
        d.file = options_.file_name;
        d.line = where.line;
        d.column = where.column;
        d.offset = where.offset;
        d.key = std::string(key);
        if (where.line > 0 && where.line <= lines_.size()) {
            d.source_line = std::string(line_text(where.line - 1));
        }
        doc_.diagnostics.push_back(std::move(d));
    }

    /// Code points before `bytes` in a line of the (non-ASCII) text.
    std::size_t columns(std::string_view line, std::size_t bytes) const {
        return decode_error_ == unicode::npos ? detail::columns_in_valid_utf8(line, bytes)
                                              : detail::columns(line, bytes);
    }

    // --- decoding ------------------------------------------------------------------------

    void decode() {
        if (options_.lenient && doc_.text.substr(0, 3) == "\xEF\xBB\xBF") {
            doc_.text.remove_prefix(3);
            bom_skipped_ = true;
        }
        if (options_.lenient) {
            ascii_ = unicode::is_ascii(doc_.text); // most files: a byte is a column
        }                                          // else copy_and_split_lines() said
        const std::size_t bad = ascii_ ? unicode::npos : unicode::find_invalid_utf8(doc_.text);
        if (bad == unicode::npos) {
            return;
        }
        if (options_.lenient) {
            doc_.text = doc_.keep(latin1_to_utf8(doc_.text));
            latin1_ = true;
            return;
        }
        // codecs / codecs.decode raise UnicodeDecodeError: configparser never gets the file.
        // Read on (ill-formed bytes count as ordinary characters) to find other problems.
        decode_error_ = bad;
        doc_.ok = false;
    }

    // --- the state machine of RawConfigParser._read ------------------------------------

    void read_line(std::size_t i) {
        const std::string_view line = line_text(i);
        if (decode_error_ != unicode::npos && decode_error_ >= lines_[i].first &&
            decode_error_ <= lines_[i].second) {
            report("META-PARSE-UTF8", position(i, decode_error_ - lines_[i].first), {},
                   {{"byte",
                     fmt::format("{:02x}", static_cast<unsigned char>(doc_.text[decode_error_]))}});
        }
        const std::string_view value = unicode::strip(line);
        const bool comment = !value.empty() && (value[0] == '#' || value[0] == ';');
        if (comment) {
            comments_.emplace_back(value);
        }
        if (value.empty() || comment) {
            // A blank line belongs to the open value (dropped again at the end if nothing
            // follows); a comment line does not. Its '\n' waits for a line that follows:
            // most blank lines end a value, and joining each such value was a copy for
            // nothing.
            if (!comment && open_ && open_named_) {
                ++pending_blank_lines_;
                add_position(position(i, line.size()));
            }
            return;
        }
        // Where the stripped value starts is the first non-space (NONSPACECRE.search: \S
        // and str.strip agree on what a space is).
        const auto indent_bytes = static_cast<std::size_t>(value.data() - line.data());
        const std::size_t indent = ascii_ ? indent_bytes : columns(line, indent_bytes);
        if (cursect_ && open_ && open_named_ && indent > indent_level_) {
            continue_value(i, indent_bytes, value);
            return;
        }
        if (options_.lenient && cursect_ && open_ && open_named_ &&
            !looks_like_entry_or_section(value)) {
            // An unindented line without '=' or ':': read it as a continuation.
            report("META-LENIENT-CONTINUATION", position(i, indent_bytes), open_entry().key,
                   {{"key", std::string(open_entry().key)}});
            continue_value(i, indent_bytes, value);
            return;
        }
        indent_level_ = indent;
        std::string_view header;
        if (value[0] == '[' && is_section_header(value, header)) {
            open_section(i, indent_bytes, header);
            return;
        }
        if (!cursect_) {
            if (!missing_header_reported_) {
                missing_header_reported_ = true;
                const bool bom = i == 0 && line.substr(0, 3) == "\xEF\xBB\xBF";
                if (!options_.lenient || bom) {
                    doc_.ok = false;
                    report(bom ? "META-PARSE-BOM" : "META-PARSE-NO-SECTION-HEADER",
                           position(i, indent_bytes), {},
                           {{"text", std::string(value.substr(0, 60))}});
                }
                if (options_.lenient) {
                    report("META-LENIENT-SECTION", position(i, indent_bytes), {});
                }
            }
            // Read on as if [general] had been opened, to find later problems.
            cursect_ = section_named("general", position(i, 0));
            sectname_ = "general";
            if (!options_.lenient) {
                return; // this line is already reported
            }
        }
        read_option(i, indent_bytes, value);
    }

    bool looks_like_entry_or_section(std::string_view value) const {
        std::string_view header;
        return value.find_first_of("=:") != std::string_view::npos ||
               is_section_header(value, header);
    }

    void open_section(std::size_t i, std::size_t indent_bytes, std::string_view header) {
        const Position where = position(i, indent_bytes);
        const std::string_view name = header;
        close_value();
        open_named_ = false;
        if (name == "DEFAULT") {
            cursect_ = section_named("DEFAULT", where);
            sectname_ = name;
            attach_comments(doc_.sections[*cursect_].comments);
            return;
        }
        if (const std::size_t* first_line = seen_sections_.find(name)) {
            doc_.ok = false;
            report("META-PARSE-DUPLICATE-SECTION", where, {},
                   {{"section", std::string(name)}, {"first_line", std::to_string(*first_line)}});
        } else {
            seen_sections_.add(name, where.line);
        }
        cursect_ = section_named(name, where);
        sectname_ = name;
        attach_comments(doc_.sections[*cursect_].comments);
    }

    /// The comment lines read since the last entry or header go to `to` (after those it
    /// has: a section opened again keeps its first header's comments).
    void attach_comments(std::span<const std::string_view>& to) {
        if (!comments_.empty()) {
            to = doc_.keep_views(to, comments_);
            comments_.clear();
        }
    }

    std::size_t section_named(std::string_view name, const Position& where) {
        if (const std::size_t* known = section_indices_.find(name)) {
            return *known;
        }
        if (doc_.sections.capacity() == 0) {
            doc_.sections.reserve(2); // [general], and maybe [DEFAULT]
        }
        doc_.sections.push_back(
            Section{name, where, StorageVector<Entry>(doc_.allocator<Entry>()), {}});
        section_indices_.add(name, doc_.sections.size() - 1);
        // Most files hold one section: room for an entry per remaining line, up to 64, saves
        // moving the entries as the vector grows. (Only the first two: a file of many
        // sections would otherwise reserve 64 entries for each.)
        if (doc_.sections.size() <= 2) {
            const std::size_t room =
                std::min<std::size_t>(64, lines_.size() - std::min(lines_.size(), where.line - 1));
            doc_.sections.back().entries.reserve(room);
        }
        if (section_keys_.size() < doc_.sections.size()) {
            section_keys_.emplace_back();
        }
        section_keys_[doc_.sections.size() - 1].clear();
        return doc_.sections.size() - 1;
    }

    void continue_value(std::size_t i, std::size_t indent_bytes, std::string_view value) {
        join_open_value();
        joined_.append(pending_blank_lines_, '\n');
        pending_blank_lines_ = 0;
        joined_.push_back('\n');
        joined_ += value;
        add_position(position(i, indent_bytes));
        open_entry().last_line = i + 1;
    }

    /// From the second line of a value on, its lines are joined in joined_ (the first line
    /// is a slice of the text until then).
    void join_open_value() {
        if (!joined_open_) {
            joined_.assign(open_entry().raw_value);
            joined_open_ = true;
        }
    }

    /// Done with the open entry: its joined value (configparser's _join_multiline_values:
    /// lines joined with '\n', rstripped) and its positions move to the document's storage.
    void close_value() {
        if (!open_) {
            return;
        }
        Entry& e = open_entry();
        if (joined_open_) {
            // rstrip: the blank lines still pending would go too (the last line joined is
            // stripped already).
            e.raw_value = doc_.keep(unicode::rstrip(joined_));
            joined_open_ = false;
        }
        pending_blank_lines_ = 0;
        e.value_lines = positions_.subspan(open_positions_, used_positions_ - open_positions_);
        open_.reset();
    }

    void read_option(std::size_t i, std::size_t indent_bytes, std::string_view value) {
        pegtl::memory_input<pegtl::tracking_mode::lazy> in(value.data(), value.size(), "");
        if (!pegtl::parse<grammar::option>(in)) {
            doc_.ok = false;
            report("META-PARSE-SYNTAX", position(i, indent_bytes), {});
            return; // configparser keeps the previous option open
        }
        close_value();
        const auto delim = static_cast<std::size_t>(in.current() - value.data()) - 1;
        const std::string_view key = unicode::rstrip(value.substr(0, delim));
        const std::string_view raw_value = unicode::strip(value.substr(delim + 1));
        const Position key_at = position(i, indent_bytes);
        if (key.empty()) {
            doc_.ok = false;
            report("META-PARSE-EMPTY-KEY", key_at, {});
        }
        const std::string_view name = name_of(key);
        auto& entries = doc_.sections[*cursect_].entries;
        auto& keys = section_keys_[*cursect_];
        // configparser's dict: a repeated key (an error) replaces the value in place.
        const std::uint64_t signature = signature_of(name);
        const std::size_t index = keys.find(entries, name, signature);
        if (index != entries.size()) {
            doc_.ok = false;
            report("META-PARSE-DUPLICATE-KEY", key_at, key,
                   {{"key", std::string(key)},
                    {"section", std::string(sectname_)},
                    {"first_line", std::to_string(keys.first_lines[index])}});
        }
        const auto value_byte = static_cast<std::size_t>(raw_value.data() - line_text(i).data());
        open_positions_ = used_positions_;
        add_position(position(i, raw_value.empty() ? line_text(i).size() : value_byte));
        std::span<const std::string_view> comments;
        attach_comments(comments);
        // Built in place by Entry's constructor: value-initializing an entry first (zeroing
        // the whole object) cost a tenth of the line loop, and a temporary moved in stalled
        // on reading back what had just been stored.
        if (index == entries.size()) {
            entries.emplace_back(key, name, raw_value, value[delim], key_at, i + 1, comments);
            keys.add(key_at.line, signature);
        } else {
            entries[index] = Entry(key, name, raw_value, value[delim], key_at, i + 1, comments);
        }
        open_named_ = !name.empty();
        open_ = std::make_pair(*cursect_, index);
    }

    /// A name's length and first seven bytes: names that differ there are not compared.
    /// Built in a register: bytes copied one by one into a stack word and read back as one
    /// stalled the loop (store forwarding fails), a seventh of read_line's time.
    static std::uint64_t signature_of(std::string_view name) {
        std::uint64_t s = 0;
        if (name.size() >= 8) {
            std::memcpy(&s, name.data(), 8); // a load from the text, long since written
            s &= 0x00FFFFFFFFFFFFFFULL;
        } else {
            for (std::size_t k = 0; k < name.size(); ++k) {
                s |= static_cast<std::uint64_t>(static_cast<unsigned char>(name[k])) << (8 * k);
            }
        }
        return s ^ static_cast<std::uint64_t>(name.size()) << 56;
    }

    void add_position(const Position& p) { positions_[used_positions_++] = p; }

    Entry& open_entry() { return doc_.sections[open_->first].entries[open_->second]; }

    std::string transform(std::string_view key) const {
        return options_.keys == KeyMode::qgis ? unicode::to_lower(key) : std::string(key);
    }

    /// transform() as a view: the key itself unless lower-casing changes it.
    std::string_view name_of(std::string_view key) {
        const bool unchanged =
            options_.keys == KeyMode::site || std::none_of(key.begin(), key.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
            });
        return unchanged ? key : doc_.keep(unicode::to_lower(key));
    }

    // --- after the last line ----------------------------------------------------------

    void report_decoding() {
        if (bom_skipped_) {
            report("META-LENIENT-BOM", Position{1, 1, 0}, {});
        }
        if (latin1_) {
            report("META-LENIENT-LATIN1", Position{0, 0, 0}, {});
        }
    }

    void report_missing_general() {
        for (const auto& s : doc_.sections) {
            std::string folded = unicode::to_lower(unicode::strip(s.name));
            if (folded == "general") {
                Diagnostic d = make_diagnostic("META-SECTION-NAME", Profile::qgis,
                                               {{"section", std::string(s.name)}});
                d.file = options_.file_name;
                d.line = s.position.line;
                d.column = s.position.column;
                d.offset = s.position.offset;
                d.source_line = std::string(doc_.line_at(s.position.offset));
                doc_.diagnostics.push_back(std::move(d));
            }
        }
        Diagnostic d = make_diagnostic("META-PARSE-NO-GENERAL", Profile::qgis);
        d.file = options_.file_name;
        doc_.diagnostics.push_back(std::move(d));
    }

    /// Looks keys up in a section, then in [DEFAULT] (configparser's ChainMap): hashed, so
    /// that a file with many keys or references is read in linear time.
    class KeyLookup {
    public:
        KeyLookup(const Section* first, const Section* second) {
            // As Section::find, then the second section's: the first entry of a name wins.
            for (const Section* s : {first, second}) {
                if (s != nullptr) {
                    for (const Entry& e : s->entries) {
                        keys_.try_emplace(e.name, &e.raw_value);
                    }
                }
            }
        }
        const std::string_view* operator()(const std::string& name) const {
            const auto it = keys_.find(name);
            return it == keys_.end() ? nullptr : it->second;
        }

    private:
        std::unordered_map<std::string_view, const std::string_view*> keys_;
    };

    void interpolate_all() {
        // Most files hold no '%' at all: one search of the text, not one per value.
        const bool has_percent = doc_.text.find('%') != std::string_view::npos;
        const Section* defaults = doc_.defaults();
        auto optionxform = [this](std::string_view k) { return transform(k); };
        for (auto& section : doc_.sections) {
            std::optional<KeyLookup> keys;
            std::optional<detail::Interpolation> interpolation;
            for (auto& e : section.entries) {
                if (!has_percent || e.raw_value.find('%') == std::string_view::npos) {
                    e.value = e.raw_value; // nothing to interpolate: most values
                    continue;
                }
                if (!interpolation) {
                    keys.emplace(section.name != "DEFAULT" ? &section : nullptr, defaults);
                    interpolation.emplace(
                        [&keys](const std::string& name) { return (*keys)(name); }, optionxform,
                        interpolation_budget_);
                }
                auto r = interpolation->run(e.raw_value);
                if (auto* value = std::get_if<std::string>(&r)) {
                    e.value = doc_.keep(*value);
                    continue;
                }
                // Only [general] is read by anybody; what it inherits is reported below.
                if (section.name == "general") {
                    report_interpolation(e, std::get<detail::InterpolationFailure>(r));
                }
            }
        }
        interpolate_inherited();
    }

    /// get("general", key) of keys [general] inherits from [DEFAULT]: interpolated with
    /// [general]'s keys first (configparser's ChainMap of the section and the defaults).
    void interpolate_inherited() {
        const Section* general = doc_.general();
        const Section* defaults = doc_.defaults();
        if (general == nullptr || defaults == nullptr) {
            return;
        }
        auto optionxform = [this](std::string_view k) { return transform(k); };
        const KeyLookup keys(general, defaults);
        const KeyLookup own(general, nullptr);
        detail::Interpolation interpolation([&keys](const std::string& name) { return keys(name); },
                                            optionxform, interpolation_budget_);
        doc_.inherited_values.resize(defaults->entries.size());
        for (std::size_t k = 0; k < defaults->entries.size(); ++k) {
            const Entry& e = defaults->entries[k];
            if (own(std::string(e.name)) != nullptr) {
                continue; // [general]'s own key wins; nobody reads this one
            }
            if (e.raw_value.find('%') == std::string_view::npos) {
                doc_.inherited_values[k] = e.raw_value;
                continue;
            }
            auto r = interpolation.run(e.raw_value);
            if (auto* value = std::get_if<std::string>(&r)) {
                doc_.inherited_values[k] = doc_.keep(*value);
            } else {
                report_interpolation(e, std::get<detail::InterpolationFailure>(r));
            }
        }
    }

    void report_interpolation(const Entry& e, const detail::InterpolationFailure& f) {
        const Position where = locate(e, f.index);
        report(f.rule, where, e.key,
               {{"key", std::string(e.key)},
                {"reference", f.reference},
                {"limit", fmt::format("{} bytes", interpolation_budget_.per_value)}});
    }

    /// The source position of byte `index` of an entry's joined value.
    Position locate(const Entry& e, std::size_t index) const {
        std::size_t start = 0;
        for (const Position& p : e.value_lines) {
            const std::string_view line = doc_.line_at(p.offset);
            const std::size_t line_start =
                p.offset - static_cast<std::size_t>(line.data() - doc_.text.data());
            const std::size_t piece = line.size() - line_start;
            if (index <= start + piece) {
                const std::size_t in_line = line_start + (index - start);
                return {p.line, detail::columns(line, in_line) + 1, p.offset + (index - start)};
            }
            start += piece + 1;
        }
        return e.value_lines.empty() ? e.key_position : e.value_lines.front();
    }

    const ParseOptions& options_;
    Document& doc_;
    const Document::Lines& lines_;       ///< doc_.lines
    std::optional<std::size_t> cursect_; ///< index in doc_.sections
    std::string_view sectname_;
    std::size_t indent_level_ = 0;
    /// The entry (section, index) that configparser's optname names: continuation lines go
    /// there when its name is not empty.
    std::optional<std::pair<std::size_t, std::size_t>> open_;
    bool open_named_ = false;
    Scratch& scratch_ = scratch();
    std::vector<SectionKeys>& section_keys_ = scratch_.section_keys; ///< by section index
    std::vector<std::string_view>& comments_ = scratch_.comments;    ///< not yet attached
    NameTable& seen_sections_ = scratch_.seen_sections;              ///< name -> line
    NameTable& section_indices_ = scratch_.section_indices;          ///< name -> index
    /// The open entry's value from its second line on (see join_open_value), and the
    /// positions of its lines.
    std::string& joined_ = scratch_.joined;
    bool joined_open_ = false;
    std::size_t pending_blank_lines_ = 0; ///< blank lines after the open value's last line
    /// Where the value lines' positions go: a line gives at most one (a key line its value's
    /// first, a continuation or blank line the next), so one block as long as the file has
    /// lines holds them all, and the open entry's are the last ones added.
    std::span<Position> positions_;
    std::size_t used_positions_ = 0;
    std::size_t open_positions_ = 0; ///< where the open entry's positions start
    std::size_t decode_error_ = unicode::npos;
    detail::InterpolationBudget interpolation_budget_;
    bool missing_header_reported_ = false;
    bool bom_skipped_ = false;
    bool latin1_ = false;
    bool ascii_ = false; ///< the (decoded) text is ASCII
};

} // namespace

Document parse(std::string_view bytes, const ParseOptions& options) {
    Document doc;
    doc.file = options.file_name;
    doc.keys = options.keys;
    doc.lenient = options.lenient;
    // One block for the whole file, as a typical file (lines of 32 bytes or more) fills it:
    // the text, the lines, a position per line, a few joined values and comment lists, and
    // the entries (reserved for up to 64 lines: see section_named).
    const std::size_t n = bytes.size();
    const std::size_t lines = n / 32 + 1;
    doc.reserve_storage(2 * n + lines * (sizeof(Document::Lines::value_type) + sizeof(Position)) +
                        std::min<std::size_t>(64, lines) * sizeof(Entry) + n / 2 + 512);
    doc.ok = true;
    Reader(options, doc).run(bytes);
    return doc;
}

Expected<Document> parse_file(const std::filesystem::path& path, ParseOptions options) {
    auto bytes = detail::read_file_bytes(path);
    if (!bytes) {
        return bytes.error();
    }
    if (options.file_name == "metadata.txt") {
        options.file_name = path.string();
    }
    return parse(*bytes, options);
}

} // namespace qplug::meta
