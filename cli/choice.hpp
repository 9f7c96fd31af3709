// An option that takes one of a few words (--profile qgis|site|strict): accepted in any case,
// refused in plain words with the nearest word suggested ("'sit' is not one of qgis, site,
// strict; did you mean 'site'?") instead of CLI11's CheckedTransformer internals.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

#include "suggest.hpp"

namespace qplug::cli {

/// The words of a choice, in the order given (for help, messages and completion).
std::string choice_list(const std::vector<std::string>& words);

/// Checks and maps a word to what CLI11 then converts into the option's type: an enum's
/// number, or the word itself (spelled as listed) when the values are strings.
template <class T>
CLI::Validator choice(std::vector<std::pair<std::string, T>> words) {
    std::vector<std::string> names;
    for (const auto& w : words) {
        names.push_back(w.first);
    }
    auto check = [words, names](std::string& input) -> std::string {
        for (const auto& [name, value] : words) {
            if (CLI::detail::to_lower(name) == CLI::detail::to_lower(input)) {
                if constexpr (std::is_enum_v<T>) {
                    input = std::to_string(static_cast<std::underlying_type_t<T>>(value));
                } else {
                    input = name;
                }
                return "";
            }
        }
        return "'" + input + "' is not one of " + choice_list(names) +
               did_you_mean(suggestions(input, names, 1));
    };
    CLI::Validator v(check, "{" + choice_list(names) + "}", "CHOICE");
    return v;
}

/// The same for plain words (the option holds the word).
inline CLI::Validator choice(const std::vector<std::string>& words) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& w : words) {
        pairs.emplace_back(w, w);
    }
    return choice(std::move(pairs));
}

/// The same from a map (its keys, in the map's order).
template <class T>
CLI::Validator choice(const std::map<std::string, T>& map) {
    return choice(std::vector<std::pair<std::string, T>>(map.begin(), map.end()));
}

} // namespace qplug::cli
