// PEP 440 version grammar: parse anything; a valid version's normal form is stable, and
// its key orders it consistently.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "fuzz_input.hpp"

using qplug::version::pep440::Version;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto a = Version::parse(parts[0]);
    auto b = Version::parse(parts[1]);
    // The fast path for plain releases and the grammar give the same answers.
    auto slow = Version::parse_with_grammar(parts[0]);
    qplug::fuzz::require(a.has_value() == slow.has_value());
    if (a) {
        qplug::fuzz::require(
            a->str() == slow->str() && a->key() == slow->key() &&
            a->public_key() == slow->public_key() && a->base_key() == slow->base_key() &&
            a->base_version() == slow->base_version() && a->public_str() == slow->public_str() &&
            a->is_prerelease() == slow->is_prerelease());
    }
    if (a) {
        qplug::fuzz::require(*a == *a);
        qplug::fuzz::require(a->public_key().size() <= a->key().size());
        // The normal form reads back with the same normal form; and as the same version
        // when the input was ASCII. (packaging behaves alike: "1poſt" normalizes to "1.post0",
        // which reads back as a different version, and a normal form holding the U+0307 that
        // lower-casing U+0130 produces does not read back at all.)
        if (a->str().find("\xCC\x87") == std::string::npos) {
            auto again = Version::parse(a->str());
            qplug::fuzz::require(again && again->str() == a->str());
            if (qplug::unicode::is_ascii(parts[0])) {
                qplug::fuzz::require(*again == *a);
            }
        }
    } else {
        qplug::fuzz::require(a.error().offset <= parts[0].size());
    }
    if (a && b) {
        qplug::fuzz::require((*a < *b) == (*b > *a));
    }
    return 0;
}
