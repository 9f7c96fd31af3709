// Handing strings and buffers across the C boundary.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace qplug::capi {

/// A malloc'ed, NUL-terminated copy that the caller releases with qplug_free().
inline char* copy_out(std::string_view s) {
    auto* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

} // namespace qplug::capi
