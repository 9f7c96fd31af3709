// QGIS compatibility checks on arbitrary QGIS, minimum and maximum strings. Besides "a reason
// exactly when incompatible", where all three are plain X.Y or X.Y.Z versions with parts up to
// 99, the installer's answer must be pyplugin_installer's isCompatible, re-typed here as tuple
// comparisons (the library compares zero-padded strings).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <array>
#include <optional>

#include <qplug/version/compat.hpp>

#include "fuzz_input.hpp"

using namespace qplug::version::compat;
using qplug::fuzz::require;

namespace {

/// "X.Y" or "X.Y.Z", one or two ASCII digits each (so at most 99), padded with `third`.
std::optional<std::array<int, 3>> plain(std::string_view s, int third) {
    std::array<int, 3> out{0, 0, 0};
    std::size_t part = 0;
    std::size_t digits = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '.') {
            if (digits == 0 || part == 3) {
                return std::nullopt;
            }
            ++part;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 2 && part < 3) {
            out[part] = out[part] * 10 + (s[i] - '0');
            ++digits;
        } else {
            return std::nullopt;
        }
    }
    if (part < 2) {
        return std::nullopt;
    }
    if (part == 2) {
        out[2] = third;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 3);
    for (Rules rules : {Rules::installer, Rules::loader}) {
        for (bool bump : {true, false}) {
            auto r = check(parts[0], parts[1], parts[2], {rules, bump, false});
            if (r) {
                require(r->compatible == r->reason.empty());
            }
            if (rules != Rules::installer) {
                continue;
            }
            auto qgis = plain(parts[0], 0);
            const auto min = plain(parts[1], 0);
            const auto max = plain(parts[2], 99);
            if (qgis && min && max) {
                require(r.has_value());
                if (bump && (*qgis)[1] == 99) {
                    *qgis = {(*qgis)[0] + 1, 0, 0};
                }
                require(r->compatible == (*min <= *qgis && *qgis <= *max));
            }
        }
    }
    (void)default_maximum(parts[1], Rules::installer);
    (void)default_maximum(parts[1], Rules::loader);
    return 0;
}
