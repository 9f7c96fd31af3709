// A port of configparser.BasicInterpolation._interpolate_some (CPython 3.11).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "interpolation.hpp"

namespace qplug::meta::detail {

namespace {

constexpr int kMaxDepth = 10; // configparser.MAX_INTERPOLATION_DEPTH

struct Interpolator {
    const RawLookup& lookup;
    const OptionTransform& optionxform;
    std::string out;
    std::optional<InterpolationFailure> failure;

    void fail(std::string rule, std::size_t index, int depth, std::string reference = {}) {
        failure = InterpolationFailure{std::move(rule), std::move(reference),
                                       depth == 1 ? index : 0, depth == 1};
    }

    void run(std::string_view rest, int depth) {
        const std::string_view whole = rest;
        auto index = [&] { return static_cast<std::size_t>(rest.data() - whole.data()); };
        if (depth > kMaxDepth) {
            fail("META-PARSE-INTERPOLATION-DEPTH", 0, depth);
            return;
        }
        while (!rest.empty() && !failure) {
            const std::size_t p = rest.find('%');
            if (p == std::string_view::npos) {
                out.append(rest);
                return;
            }
            out.append(rest.substr(0, p));
            rest.remove_prefix(p);
            const char c = rest.size() > 1 ? rest[1] : '\0';
            if (rest.size() > 1 && c == '%') {
                out.push_back('%');
                rest.remove_prefix(2);
            } else if (rest.size() > 1 && c == '(') {
                // _KEYCRE = %\(([^)]+)\)s
                const std::size_t close = rest.find(')', 2);
                if (close == std::string_view::npos || close == 2 || close + 1 >= rest.size() ||
                    rest[close + 1] != 's') {
                    fail("META-PARSE-PERCENT", index(), depth);
                    return;
                }
                const std::string name = optionxform(rest.substr(2, close - 2));
                const std::size_t at = index();
                rest.remove_prefix(close + 2);
                const std::string_view* v = lookup(name);
                if (v == nullptr) {
                    fail("META-PARSE-INTERPOLATION-MISSING", at, depth, name);
                    return;
                }
                if (v->find('%') != std::string::npos) {
                    run(*v, depth + 1);
                    if (failure && !failure->in_own_value && depth == 1) {
                        failure->index = at; // point at the reference that led there
                    }
                } else {
                    out.append(*v);
                }
            } else {
                fail("META-PARSE-PERCENT", index(), depth);
                return;
            }
        }
    }
};

} // namespace

std::variant<std::string, InterpolationFailure>
interpolate(std::string_view value, const RawLookup& lookup, const OptionTransform& optionxform) {
    if (value.find('%') == std::string_view::npos) {
        return std::string(value); // nothing to interpolate: most values
    }
    Interpolator it{lookup, optionxform, {}, std::nullopt};
    it.run(value, 1);
    if (it.failure) {
        return *it.failure;
    }
    return std::move(it.out);
}

} // namespace qplug::meta::detail
