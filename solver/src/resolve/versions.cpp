// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <optional>

#include <qplug/solver/versions.hpp>

namespace qplug::solver {

namespace {

/// (readable, key or text): unreadable versions sort before readable ones.
std::pair<bool, std::string> order_key(version::Scheme scheme, std::string_view v) {
    if (auto key = version::sort_key(scheme, v)) {
        return {true, std::move(*key)};
    }
    return {false, std::string(v)};
}

} // namespace

version::Scheme scheme_of(Backend backend) {
    switch (backend) {
    case Backend::pip:
        return version::Scheme::pep440;
    case Backend::conda:
        return version::Scheme::conda;
    case Backend::legacy:
        break;
    }
    return version::Scheme::qgis;
}

void sort_versions(Backend backend, std::vector<std::string>& versions) {
    const version::Scheme scheme = scheme_of(backend);
    std::vector<std::pair<std::pair<bool, std::string>, std::string>> keyed;
    keyed.reserve(versions.size());
    for (auto& v : versions) {
        keyed.emplace_back(order_key(scheme, v), std::move(v));
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < keyed.size(); ++i) {
        versions[i] = std::move(keyed[i].second);
    }
}

bool version_less(Backend backend, std::string_view a, std::string_view b) {
    const version::Scheme scheme = scheme_of(backend);
    return order_key(scheme, a) < order_key(scheme, b);
}

} // namespace qplug::solver
