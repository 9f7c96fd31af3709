// SPDX-License-Identifier: GPL-2.0-or-later
#include <array>
#include <utility>

#include <qplug/solver/records.hpp>

namespace qplug::solver {

namespace {

template <class E, std::size_t N>
std::optional<E> from_name(const std::array<std::pair<E, std::string_view>, N>& table,
                           std::string_view name) {
    for (const auto& [value, text] : table) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

template <class E, std::size_t N>
std::string_view to_name(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [v, text] : table) {
        if (v == value) {
            return text;
        }
    }
    return "?";
}

constexpr std::array<std::pair<Backend, std::string_view>, 3> kBackends = {{
    {Backend::legacy, "legacy"},
    {Backend::pip, "pip"},
    {Backend::conda, "conda"},
}};

constexpr std::array<std::pair<DependencyKind, std::string_view>, 5> kKinds = {{
    {DependencyKind::plugin, "plugin"},
    {DependencyKind::pip, "pip"},
    {DependencyKind::conda, "conda"},
    {DependencyKind::qgis, "qgis"},
    {DependencyKind::python, "python"},
}};

} // namespace

std::string_view backend_name(Backend backend) {
    return to_name(kBackends, backend);
}

std::optional<Backend> backend_from_name(std::string_view name) {
    return from_name(kBackends, name);
}

std::string_view channel_name(Channel channel) {
    return channel == Channel::stable ? "stable" : "experimental";
}

std::string_view dependency_kind_name(DependencyKind kind) {
    return to_name(kKinds, kind);
}

std::optional<DependencyKind> dependency_kind_from_name(std::string_view name) {
    return from_name(kKinds, name);
}

std::string normalize_pip_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool in_run = false;
    for (const char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (!in_run) {
                out.push_back('-');
            }
            in_run = true;
            continue;
        }
        in_run = false;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
    return out;
}

} // namespace qplug::solver
