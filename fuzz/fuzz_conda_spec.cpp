// conda version specs, regex and glob specs included: parse and match anything, in linear
// time (the regex engine cannot backtrack). A spec's printed form reads back and prints the
// same (it need not match the same: conda prints "**" as "*.*", a glob, while "**" itself is
// "starts with *"), unless it held a line feed: conda looks for |,()^$ only before the first
// one, so "\n1|2" is one leaf whose printed (stripped) form "1|2" is a tree; a single comparison
// ("<=1.2", ">3a") matches exactly the versions conda's VersionOrder puts on its side (the
// reference comparator of tests/support/reference_versions.hpp). SPDX-License-Identifier:
// GPL-2.0-or-later
#include <qplug/version/conda.hpp>

#include "fuzz_input.hpp"
#include "reference_versions.hpp"

using qplug::fuzz::require;
using qplug::version::conda::Version;
using qplug::version::conda::VersionSpec;
namespace ref = qplug::test::reference;

namespace {

/// For "OP VERSION" with one of conda's plain comparison operators, the expected match of
/// `candidate`; nullopt for any other spec.
std::optional<bool> single_comparison(std::string_view spec, const Version& candidate) {
    for (const std::string_view op : {"<=", ">=", "!=", "<", ">"}) {
        if (!spec.starts_with(op)) {
            continue;
        }
        const std::string_view rest = spec.substr(op.size());
        if (rest.empty() ||
            rest.find_first_of("*,|() \t\n\r\f\v=<>!~^$@") != std::string_view::npos) {
            return std::nullopt;
        }
        const auto operand = Version::parse(rest);
        if (!operand) {
            return std::nullopt;
        }
        const int c =
            ref::compare_conda(ref::read_conda(candidate.str()), ref::read_conda(operand->str()));
        return op == "<="   ? c <= 0
               : op == ">=" ? c >= 0
               : op == "!=" ? c != 0
               : op == "<"  ? c < 0
                            : c > 0;
    }
    return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto spec = VersionSpec::parse(parts[0]);
    if (!spec) {
        return 0;
    }
    const std::string printed = spec->str();
    if (parts[0].find('\n') == std::string_view::npos) {
        auto again = VersionSpec::parse(printed);
        require(again.has_value() && again->str() == printed);
    }
    for (std::string_view v : {parts[1], std::string_view("1.7.1")}) {
        const auto m = spec->match(v);
        if (const auto candidate = Version::parse(v); candidate && m) {
            if (const auto expected = single_comparison(parts[0], *candidate)) {
                require(*m == *expected);
            }
        }
    }
    return 0;
}
