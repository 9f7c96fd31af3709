// conda's version order (conda.models.version.VersionOrder) and the version part of a
// MatchSpec (VersionSpec), as conda defines them.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <compare>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::version::conda {

/// A parsed conda version: components of numbers and strings, compared with conda's rules
/// ('dev' < strings < numbers < 'post'; missing parts are 0, so 1.1 == 1.1.0).
class Version {
public:
    struct Element {
        enum class Type : unsigned char { text, number, infinity };
        Type type = Type::number;
        std::string value; ///< the text, or a number's digits without leading zeros

        bool operator==(const Element&) const = default;
    };
    using Component = std::vector<Element>;

    static Expected<Version> parse(std::string_view text);

    /// The normalized string (stripped, lower-cased, '-' read as '_' where conda does).
    const std::string& str() const noexcept { return text_; }
    /// Order-preserving binary key (bytewise order = conda's order; equal keys = equal).
    const std::string& key() const noexcept { return key_; }
    /// The components conda compares, epoch first ([[0], [1], [2, "a"]] for "1.2a").
    std::vector<Component> version() const;
    /// The local version's components (after '+'); empty when there is none.
    std::vector<Component> local() const;

    /// VersionOrder.startswith: used by "1.2.*" and "=1.2".
    bool startswith(const Version& prefix) const;

    std::strong_ordering operator<=>(const Version& other) const noexcept {
        return key_.compare(other.key_) <=> 0;
    }
    bool operator==(const Version& other) const noexcept { return key_ == other.key_; }

private:
    std::string text_;
    std::string key_;
};

/// The version part of a MatchSpec: "1.2.*", ">=1.0,<2|3.*", "~=1.10", "^1\.7.*$" ...
class VersionSpec {
public:
    static Expected<VersionSpec> parse(std::string_view text);
    VersionSpec(VersionSpec&&) noexcept;
    VersionSpec& operator=(VersionSpec&&) noexcept;
    ~VersionSpec();

    /// The normalized spec string, as conda prints it.
    const std::string& str() const noexcept;
    /// VersionSpec.match(version string). Fails when the version is not a conda version and
    /// the spec has to compare it.
    Expected<bool> match(std::string_view version) const;

    struct Node;

private:
    explicit VersionSpec(std::unique_ptr<Node> root);
    std::unique_ptr<Node> root_;
};

} // namespace qplug::version::conda
