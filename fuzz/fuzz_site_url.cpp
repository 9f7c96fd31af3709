// The site's link check, what it refuses before any network (site_url.cpp): any well-formed
// UTF-8 as a tracker URL, one answer each time, no crash.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>

#include "fuzz_input.hpp"
#include "site_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char*>(data), size);
    if (qplug::unicode::find_invalid_utf8(url) != qplug::unicode::npos) {
        return 0; // metadata values are UTF-8 by the time they are checked
    }
    const std::string first = qplug::meta::detail::site_url_refusal(url);
    qplug::fuzz::require(first == qplug::meta::detail::site_url_refusal(url));
    return 0;
}
