// SPDX-License-Identifier: GPL-2.0-or-later
#include "dependency_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "flat_json.hpp"

namespace qplug::solver {

std::string dependencies_to_json(const std::vector<Dependency>& dependencies) {
    std::string out = "[";
    for (const Dependency& d : dependencies) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.push_back('[');
        append_json_string(out, dependency_kind_name(d.kind));
        for (const std::string* field : {&d.target, &d.spec, &d.markers, &d.extra}) {
            out.push_back(',');
            append_json_string(out, *field);
        }
        out += d.constraint ? ",1]" : ",0]";
    }
    out.push_back(']');
    return out;
}

Expected<std::vector<Dependency>> dependencies_from_json(std::string_view json) {
    std::vector<Dependency> out;
    if (json == "[]" || json.empty()) {
        return out;
    }
    const auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    auto damaged = [&](std::string_view why) {
        return failure(
            fmt::format("the index holds a damaged dependency list ({}): {:.80}", why, json));
    };
    if (!doc.is_array()) {
        return damaged("not a JSON array");
    }
    out.reserve(doc.size());
    for (const auto& item : doc) {
        if (!item.is_array() || item.size() != 6 || !item[5].is_number_integer()) {
            return damaged("an entry is not [kind, target, spec, markers, extra, 0|1]");
        }
        for (std::size_t i = 0; i < 5; ++i) {
            if (!item[i].is_string()) {
                return damaged("an entry is not [kind, target, spec, markers, extra, 0|1]");
            }
        }
        const auto kind = dependency_kind_from_name(item[0].get_ref<const std::string&>());
        if (!kind) {
            return damaged("unknown kind");
        }
        out.push_back({*kind, item[1].get<std::string>(), item[2].get<std::string>(),
                       item[3].get<std::string>(), item[4].get<std::string>(),
                       item[5].get<std::int64_t>() != 0});
    }
    return out;
}

} // namespace qplug::solver
