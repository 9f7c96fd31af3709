// PEP 440 versions and specifiers, as pip and QGIS >= 3.42 read them (packaging 23.0).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::version::pep440 {

/// A valid PEP 440 version. Holds its normalized text (str(packaging.version.Version)) and a
/// byte string whose memcmp order is the PEP 440 order, so comparing and sorting never
/// re-parse.
class Version {
public:
    static Expected<Version> parse(std::string_view text);
    /// parse() without its fast path for plain releases: the grammar decides everything. For
    /// tests that hold the two to the same answers.
    static Expected<Version> parse_with_grammar(std::string_view text);
    /// True when packaging.version.Version(text) would not raise.
    static bool is_valid(std::string_view text);

    /// The normalized form, e.g. "1.0rc1.post2+ubuntu.1" for "1.0-RC1-2+Ubuntu_01".
    std::string_view str() const noexcept { return std::string_view(data_).substr(key_size_); }
    /// Order-preserving binary key: a < b exactly when key(a) < key(b) bytewise.
    std::string_view key() const noexcept { return {data_.data(), key_size_}; }
    /// Key of the public version (local label dropped): Version(v.public).
    std::string_view public_key() const noexcept { return {data_.data(), public_key_size_}; }
    /// Key of the base version (epoch and release only): Version(v.base_version).
    std::string_view base_key() const noexcept { return {data_.data(), base_key_size_}; }
    /// str(v.public): the normalized text without "+local".
    std::string_view public_str() const noexcept { return str().substr(0, public_text_size_); }
    /// v.base_version: epoch and release, e.g. "1!2.0".
    std::string_view base_version() const noexcept { return str().substr(0, base_text_size_); }

    bool is_prerelease() const noexcept { return has_pre_ || has_dev_; }
    bool is_postrelease() const noexcept { return has_post_; }
    bool is_devrelease() const noexcept { return has_dev_; }
    bool has_local() const noexcept { return public_text_size_ != str().size(); }

    std::strong_ordering operator<=>(const Version& other) const noexcept {
        return key().compare(other.key()) <=> 0;
    }
    bool operator==(const Version& other) const noexcept { return key() == other.key(); }

private:
    friend struct VersionBuilder;
    friend class Specifier;
    friend bool detail_parse_plain_release(std::string_view text, Version& out);
    // The key, then the normal form, in one string: most versions fit the small-string
    // buffer, so a Version usually costs no allocation.
    std::string data_;
    std::size_t key_size_ = 0;
    std::size_t public_key_size_ = 0;
    std::size_t base_key_size_ = 0;
    std::size_t public_text_size_ = 0;
    std::size_t base_text_size_ = 0;
    bool has_pre_ = false;
    bool has_post_ = false;
    bool has_dev_ = false;
    bool ascii_input_ = true; // non-ASCII spellings may read back differently from str()
};

/// One clause such as ">=1.0" or "==2.*" (packaging.specifiers.Specifier).
class Specifier {
public:
    enum class Op {
        compatible,
        equal,
        not_equal,
        less_equal,
        greater_equal,
        less,
        greater,
        arbitrary
    };

    static Expected<Specifier> parse(std::string_view text);

    Op op() const noexcept { return op_; }
    std::string_view op_str() const noexcept;
    /// The version text as written, stripped (Specifier.version).
    const std::string& version() const noexcept { return version_; }
    std::string str() const { return std::string(op_str()) + version_; }
    /// What Specifier.__eq__ compares: the operator and the canonicalized version.
    std::pair<Op, std::string> canonical() const;

    /// Specifier.prereleases when not overridden: whether the clause itself names a
    /// pre-release. Fails like packaging when that version cannot be parsed (`===foo`).
    Expected<bool> prereleases() const;
    /// Specifier.contains(version, prereleases).
    Expected<bool> contains(const Version& version, std::optional<bool> prereleases) const;

private:
    Op op_ = Op::equal;
    std::string version_;
    std::optional<Version> parsed_; // the clause's version when it is valid PEP 440
};

/// A comma-separated set of clauses (packaging.specifiers.SpecifierSet).
class SpecifierSet {
public:
    static Expected<SpecifierSet> parse(std::string_view text);

    const std::vector<Specifier>& specifiers() const noexcept { return specs_; }
    /// str(SpecifierSet): the clauses sorted, joined by ",".
    std::string str() const;
    /// SpecifierSet.prereleases (nullopt for an empty set).
    Expected<std::optional<bool>> prereleases() const;
    /// SpecifierSet.contains(version, prereleases): an empty set matches any final release.
    Expected<bool> contains(const Version& version,
                            std::optional<bool> prereleases = std::nullopt) const;

private:
    std::vector<Specifier> specs_;
};

/// packaging.utils.canonicalize_version for a valid version.
std::string canonicalize(const Version& version, bool strip_trailing_zero = true);

} // namespace qplug::version::pep440
