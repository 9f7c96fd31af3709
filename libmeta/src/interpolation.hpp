// configparser's BasicInterpolation ('%%' and '%(key)s'), applied by get().
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace qplug::meta::detail {

struct InterpolationFailure {
    std::string rule;          ///< META-PARSE-PERCENT, -INTERPOLATION-MISSING or -DEPTH
    std::string reference;     ///< the missing key, for -MISSING
    std::size_t index = 0;     ///< byte index in the key's own value where it went wrong
    bool in_own_value = false; ///< false when the problem sits in a referenced value
};

/// Looks a key (already passed through optionxform) up among the section's and [DEFAULT]'s
/// raw values.
using RawLookup = std::function<const std::string_view*(const std::string& name)>;
using OptionTransform = std::function<std::string(std::string_view)>;

std::variant<std::string, InterpolationFailure>
interpolate(std::string_view value, const RawLookup& lookup, const OptionTransform& optionxform);

} // namespace qplug::meta::detail
