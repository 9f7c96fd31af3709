// SPDX-License-Identifier: GPL-2.0-or-later
#include "suggest.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace qplug::cli {

namespace {

char fold(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool starts_with_folded(std::string_view name, std::string_view prefix) {
    return prefix.size() <= name.size() &&
           std::equal(prefix.begin(), prefix.end(), name.begin(),
                      [](char a, char b) { return fold(a) == fold(b); });
}

} // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: three rows of the Damerau-Levenshtein table.
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1])) {
                row[j] = std::min(row[j], before[j - 2] + 1);
            }
        }
        std::swap(before, previous);
        std::swap(previous, row);
    }
    return previous[b.size()];
}

std::vector<std::string> suggestions(std::string_view word, const std::vector<std::string>& names,
                                     std::size_t limit) {
    const std::size_t allowed = std::max<std::size_t>(1, word.size() / 3);
    std::vector<std::pair<std::size_t, const std::string*>> near;
    for (const auto& name : names) {
        if (name.size() == word.size() && starts_with_folded(name, word)) {
            continue; // the same name (in another case) is not a suggestion
        }
        std::size_t d = edit_distance(word, name);
        if (d > allowed && word.size() >= 3 && starts_with_folded(name, word)) {
            d = allowed; // an abbreviation: "res" for "resolve"
        }
        if (d <= allowed) {
            near.emplace_back(d, &name);
        }
    }
    std::stable_sort(near.begin(), near.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (const auto& [d, name] : near) {
        if (out.size() == limit) {
            break;
        }
        if (std::find(out.begin(), out.end(), *name) == out.end()) {
            out.push_back(*name);
        }
    }
    return out;
}

std::string did_you_mean(const std::vector<std::string>& names) {
    if (names.empty()) {
        return "";
    }
    std::string out = "; did you mean ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) {
            out += i + 1 == names.size() ? " or " : ", ";
        }
        out += "'" + names[i] + "'";
    }
    return out + "?";
}

} // namespace qplug::cli
