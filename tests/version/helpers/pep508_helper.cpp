// Test-only helper for tests/python/test_pep508_reference.py: reads JSON requests, one per
// line, on stdin and answers each with one JSON line on stdout.
//
//   {"environments": [{...}, ...], "extras": ["", "foo"]}  evaluate later markers in these
//   {"environment": ["3.12.4", "linux", ""]}              default_environment(...) as a dict
//   {"requirement": "text"}                                parse_requirement(text)
//   {"marker": "text"}                                     Marker::parse(text)
//
// A parsed marker (alone or in a requirement) is evaluated in every environment with every
// extra: "evaluate" holds one list per environment of true, false or null (an error).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <qplug/version/pep508.hpp>

using nlohmann::json;
using namespace qplug::version::pep508;

namespace {

const char* const kFields[] = {"implementation_name",
                               "implementation_version",
                               "os_name",
                               "platform_machine",
                               "platform_release",
                               "platform_system",
                               "platform_version",
                               "python_full_version",
                               "platform_python_implementation",
                               "python_version",
                               "sys_platform"};

std::string* field(Environment& env, const std::string& name) {
    return const_cast<std::string*>(std::as_const(env).find(name));
}

json to_json(const Environment& env) {
    json out = json::object();
    for (const char* name : kFields) {
        out[name] = *env.find(name);
    }
    return out;
}

Environment from_json(const json& j) {
    Environment env;
    for (const auto& [key, value] : j.items()) {
        if (std::string* f = field(env, key)) {
            *f = value.get<std::string>();
        }
    }
    return env;
}

json error_json(const qplug::Error& e) {
    return {{"ok", false}, {"offset", e.offset}, {"message", e.message}, {"text", e.to_string()}};
}

struct Evaluator {
    std::vector<Environment> environments;
    std::vector<std::string> extras{""};

    json evaluate(const Marker& m) const {
        json all = json::array();
        for (const auto& env : environments) {
            json row = json::array();
            for (const auto& extra : extras) {
                auto r = m.evaluate(env, extra);
                row.push_back(r ? json(*r) : json(nullptr));
            }
            all.push_back(std::move(row));
        }
        return all;
    }
};

json answer(const json& request, Evaluator& evaluator) {
    if (request.contains("environments")) {
        evaluator.environments.clear();
        for (const auto& e : request["environments"]) {
            evaluator.environments.push_back(from_json(e));
        }
        evaluator.extras = request.value("extras", std::vector<std::string>{""});
        return {{"ok", true}};
    }
    if (request.contains("environment")) {
        const auto& args = request["environment"];
        auto env = default_environment(args.at(0).get<std::string>(), args.at(1).get<std::string>(),
                                       args.at(2).get<std::string>());
        if (!env) {
            return error_json(env.error());
        }
        return {{"ok", true}, {"environment", to_json(*env)}};
    }
    if (request.contains("requirement")) {
        auto r = parse_requirement(request["requirement"].get<std::string>());
        if (!r) {
            return error_json(r.error());
        }
        json out = {{"ok", true},          {"str", r->to_string()},     {"name", r->name},
                    {"extras", r->extras}, {"specifier", r->specifier}, {"url", r->url},
                    {"marker", nullptr}};
        if (r->marker) {
            out["marker"] = r->marker->to_string();
            out["evaluate"] = evaluator.evaluate(*r->marker);
        }
        return out;
    }
    if (request.contains("marker")) {
        auto m = Marker::parse(request["marker"].get<std::string>());
        if (!m) {
            return error_json(m.error());
        }
        return {{"ok", true}, {"str", m->to_string()}, {"evaluate", evaluator.evaluate(*m)}};
    }
    return {{"ok", false}, {"message", "unknown request"}};
}

} // namespace

int main() {
    std::ios::sync_with_stdio(false);
    Evaluator evaluator;
    std::string line;
    while (std::getline(std::cin, line)) {
        const json out = answer(json::parse(line), evaluator);
        std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    }
    return 0;
}
