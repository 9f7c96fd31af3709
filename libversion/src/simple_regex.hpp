// A small regular-expression matcher for conda's regex version specs ("^1\.7\.[0-9]+$") and
// glob specs ("1.*.3", which conda turns into a regex).
//
// Written by hand on purpose: std::regex backtracks (exponential time on patterns such as
// (a|a)*b) and recurses per input character, so a hostile spec from a channel could hang
// or crash qplug. This is a Thompson NFA simulation: time O(pattern x input), no recursion
// on the input. It covers the part of Python's `re` syntax that version specs use:
// literals and escapes, ., [...] classes with ranges and negation, \d \D \w \W \s \S,
// groups (...) and (?:...), |, the quantifiers * + ? {m} {m,} {m,n} (lazy forms too, which
// cannot change whether a match exists), ^ and $. Anything else is refused with a message,
// never guessed. \w is ASCII plus Unicode digits and cased letters (docs/versions.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <string_view>

#include <qplug/expected.hpp>

namespace qplug::version::detail {

class SimpleRegex {
public:
    /// Compiles `pattern` (UTF-8). Errors name the offending position.
    static Expected<SimpleRegex> compile(std::string_view pattern);
    SimpleRegex(SimpleRegex&&) noexcept;
    SimpleRegex& operator=(SimpleRegex&&) noexcept;
    ~SimpleRegex();

    /// re.match semantics: a match must start at the beginning, need not reach the end.
    bool match(std::string_view text) const;

    struct Program;

private:
    explicit SimpleRegex(std::unique_ptr<Program> program);
    std::unique_ptr<Program> program_;
};

} // namespace qplug::version::detail
