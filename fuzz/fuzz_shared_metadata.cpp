// A release's stored metadata (index schema 5): any bytes split into members or refused; two
// objects split from the input (at its first newline: base, release) give a patch only when
// applying it gives the release's bytes back.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_input.hpp"
#include "index/shared_metadata.hpp"

using namespace qplug::solver;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = text.find('\n');
    const std::string_view base = text.substr(0, newline);
    const std::string_view full =
        newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    const auto base_members = object_members(base);
    if (!base_members) {
        (void)apply_metadata_patch({}, text); // a stored text that is not an object
        return 0;
    }
    for (const JsonMember& m : *base_members) { // views into the input
        qplug::fuzz::require(m.key.data() >= base.data() &&
                             m.value.data() + m.value.size() <= base.data() + base.size());
    }
    if (has_duplicate_keys(*base_members)) {
        return 0;
    }
    if (const auto patch = metadata_patch(*base_members, full)) {
        qplug::fuzz::require(patch->size() < full.size());
        qplug::fuzz::require(apply_metadata_patch(*base_members, *patch) == full);
    }
    return 0;
}
