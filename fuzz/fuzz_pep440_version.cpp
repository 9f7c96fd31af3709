// PEP 440 version grammar: parse anything; the fast path and the grammar agree; a valid
// version's normal form is what packaging prints (read back by a reference reader written
// from packaging's str()), reads back as itself, and orders as packaging's _cmpkey does (a
// slow reference comparator, tests/support/reference_versions.hpp), for the full, public and
// base versions alike.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "fuzz_input.hpp"
#include "reference_versions.hpp"

using qplug::fuzz::require;
using qplug::version::pep440::Version;
namespace ref = qplug::test::reference;

namespace {

int order(std::string_view a, std::string_view b) {
    return ref::sign_of(a.compare(b));
}

/// The reference's reading of v, checked against v's own accessors.
ref::Pep440 reference_of(const Version& v) {
    const auto r = ref::read_pep440_normal_form(v.str());
    require(r.has_value()); // str() is not a normal form packaging could print
    require(v.is_prerelease() == (!r->pre_letter.empty() || r->dev.has_value()));
    require(v.is_postrelease() == r->post.has_value());
    require(v.is_devrelease() == r->dev.has_value());
    require(v.has_local() == r->local.has_value());
    ref::Pep440 public_part = *r;
    public_part.local.reset();
    require(v.public_str() == public_part.str());
    ref::Pep440 base;
    base.epoch = r->epoch;
    base.release = r->release;
    require(v.base_version() == base.str());
    return *r;
}

ref::Pep440 without_local(ref::Pep440 v) {
    v.local.reset();
    return v;
}

ref::Pep440 base_of(const ref::Pep440& v) {
    ref::Pep440 b;
    b.epoch = v.epoch;
    b.release = v.release;
    return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    auto a = Version::parse(parts[0]);
    auto b = Version::parse(parts[1]);
    // The fast path for plain releases and the grammar give the same answers.
    auto slow = Version::parse_with_grammar(parts[0]);
    require(a.has_value() == slow.has_value());
    require(a.has_value() == Version::is_valid(parts[0]));
    if (a) {
        require(a->str() == slow->str() && a->key() == slow->key() &&
                a->public_key() == slow->public_key() && a->base_key() == slow->base_key() &&
                a->base_version() == slow->base_version() &&
                a->public_str() == slow->public_str() &&
                a->is_prerelease() == slow->is_prerelease());
    }
    if (a) {
        const ref::Pep440 ra = reference_of(*a);
        require(a->public_key().size() <= a->key().size());
        // The normal form reads back with the same normal form; and as the same version
        // when the input was ASCII. (packaging behaves alike: "1poſt" normalizes to "1.post0",
        // which reads back as a different version, and a normal form holding the U+0307 that
        // lower-casing U+0130 produces does not read back at all.)
        if (a->str().find("\xCC\x87") == std::string::npos) {
            auto again = Version::parse(a->str());
            require(again && again->str() == a->str());
            if (qplug::unicode::is_ascii(parts[0])) {
                require(again->key() == a->key());
                require(ref::compare_pep440(reference_of(*again), ra) == 0);
            }
        }
    } else {
        require(a.error().offset <= parts[0].size());
    }
    if (a && b) {
        // The order of the keys (what sorting and comparing use) is packaging's order.
        const ref::Pep440 ra = reference_of(*a);
        const ref::Pep440 rb = reference_of(*b);
        const int expected = ref::compare_pep440(ra, rb);
        require(order(a->key(), b->key()) == expected);
        require((*a == *b) == (expected == 0));
        require(order(a->public_key(), b->public_key()) ==
                ref::compare_pep440(without_local(ra), without_local(rb)));
        require(order(a->base_key(), b->base_key()) ==
                ref::compare_pep440(base_of(ra), base_of(rb)));
    }
    return 0;
}
