// PEP 440 specifier sets: parse anything, match parsed versions; never crash. A set's str()
// reads back as itself; and a single clause ==, !=, <= or >= (no wildcard, no local label)
// admits, pre-releases allowed, exactly the versions whose public part packaging's _cmpkey
// order puts on its side (the reference comparator of tests/support/reference_versions.hpp),
// for ASCII spellings: packaging keeps a non-ASCII label's own letter in its comparison key
// ("1poſt1" sorts above "1.post1", whose normal form it shares), which the normal form the
// reference reads has lost (tests/version/test_pep440.cpp holds that order).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <qplug/version/pep440.hpp>

#include "fuzz_input.hpp"
#include "reference_versions.hpp"

using namespace qplug::version::pep440;
using qplug::fuzz::require;
namespace ref = qplug::test::reference;

namespace {

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void check_against_reference(const SpecifierSet& set, const Version& v, std::string_view text) {
    if (set.specifiers().size() != 1 || !is_ascii(text)) {
        return;
    }
    const Specifier& s = set.specifiers().front();
    const auto op = s.op();
    if (op != Specifier::Op::equal && op != Specifier::Op::not_equal &&
        op != Specifier::Op::less_equal && op != Specifier::Op::greater_equal) {
        return;
    }
    const auto operand = Version::parse(s.version());
    if (!operand || operand->has_local() || s.version().find('*') != std::string::npos ||
        !is_ascii(s.version())) {
        return;
    }
    const auto got = set.contains(v, true);
    if (!got) {
        return; // packaging raises for this pair (a non-ASCII normal form that does not reread)
    }
    auto rv = ref::read_pep440_normal_form(v.str());
    const auto rs = ref::read_pep440_normal_form(operand->str());
    require(rv.has_value() && rs.has_value());
    rv->local.reset(); // the version's public part
    const int c = ref::compare_pep440(*rv, *rs);
    const bool expected = op == Specifier::Op::equal        ? c == 0
                          : op == Specifier::Op::not_equal  ? c != 0
                          : op == Specifier::Op::less_equal ? c <= 0
                                                            : c >= 0;
    require(*got == expected);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto set = SpecifierSet::parse(parts[0]);
    if (!set) {
        require(set.error().offset <= parts[0].size());
        return 0;
    }
    const std::string printed = set->str();
    auto again = SpecifierSet::parse(printed);
    require(again.has_value() && again->str() == printed);
    for (const char* v : {"1.0", "2.0a1", "1.0.post1+local.7", "0!0.dev0"}) {
        (void)set->contains(*Version::parse(v));
        check_against_reference(*set, *Version::parse(v), v);
    }
    if (auto v = Version::parse(parts[1])) {
        for (std::optional<bool> pre :
             {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}}) {
            (void)set->contains(*v, pre);
        }
        check_against_reference(*set, *v, parts[1]);
    }
    return 0;
}
