// configparser's BasicInterpolation ('%%' and '%(key)s'), applied by get().
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace qplug::meta::detail {

struct InterpolationFailure {
    std::string rule;          ///< META-PARSE-PERCENT, -INTERPOLATION-MISSING, -DEPTH or -SIZE
    std::string reference;     ///< the missing key, for -MISSING
    std::size_t index = 0;     ///< byte index in the key's own value where it went wrong
    bool in_own_value = false; ///< false when the problem sits in a referenced value
};

/// What interpolation may cost (docs/metadata-parsing.md, "Interpolation"). configparser
/// limits the depth of references, not how many a value holds, so ten references per level,
/// nine levels deep, turn a few hundred bytes into gigabytes. Work is the bytes a value
/// expands to plus the text of the references followed on the way, and the bytes of the
/// values looked at to find out.
struct InterpolationBudget {
    std::size_t per_value = 0; ///< one value's expansion at most
    std::size_t remaining = 0; ///< what the document may still spend, failed values included

    /// A document of `text_size` bytes: a value may expand to 1 MiB more than the file, all
    /// of them together may cost 16 MiB more than four times the file.
    static InterpolationBudget for_text(std::size_t text_size) {
        return {(std::size_t{1} << 20) + text_size, (std::size_t{16} << 20) + 4 * text_size};
    }
};

/// Looks a key (already passed through optionxform) up among the section's and [DEFAULT]'s
/// raw values; the pointer identifies the key (it is the address of its raw value).
using RawLookup = std::function<const std::string_view*(const std::string& name)>;
using OptionTransform = std::function<std::string(std::string_view)>;

/// The interpolation of the values of one context (a section with [DEFAULT] behind it): what
/// it learns about a referenced value is kept for the next value of the same context.
class Interpolation {
public:
    Interpolation(RawLookup lookup, OptionTransform optionxform, InterpolationBudget& budget)
        : lookup_(std::move(lookup)), optionxform_(std::move(optionxform)), budget_(budget) {}

    /// The value interpolated; configparser's error where configparser raises one, else
    /// META-PARSE-INTERPOLATION-SIZE when the budget does not allow it.
    std::variant<std::string, InterpolationFailure> run(std::string_view value);

private:
    static constexpr std::uint32_t kNoFailure = 0xFFFFFFFF;
    /// configparser's first error for the value read at a depth (an index in failures_), or
    /// the work of expanding it.
    struct Analysis {
        std::size_t work = 0;
        std::uint32_t failure = kNoFailure;
    };
    Analysis analyze(std::string_view value, int depth, const std::string_view* key);
    Analysis analyze_uncached(std::string_view value, int depth);
    std::uint32_t add_failure(InterpolationFailure failure);
    void expand(std::string_view value, std::string& out) const;

    RawLookup lookup_;
    OptionTransform optionxform_;
    InterpolationBudget& budget_;
    /// Each referenced value is analysed once per depth: (key's address, depth) -> result.
    std::unordered_map<std::uint64_t, Analysis> analyses_;
    std::vector<InterpolationFailure> failures_;
};

} // namespace qplug::meta::detail
