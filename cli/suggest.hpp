// "Did you mean": the nearest of the names a user could have meant, by edit distance.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::cli {

/// Edits (insert, delete, substitute, swap two neighbours) from a to b, ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidates nearest to `word` that are near enough to be a typo of it (at most a third
/// of its length in edits, at least one; or `word` a prefix of the candidate), best first, at
/// most `limit`; equal names are not suggested.
std::vector<std::string> suggestions(std::string_view word, const std::vector<std::string>& names,
                                     std::size_t limit = 3);

/// "; did you mean 'x'?" / "; did you mean 'x' or 'y'?" / "" when there is none.
std::string did_you_mean(const std::vector<std::string>& names);

} // namespace qplug::cli
