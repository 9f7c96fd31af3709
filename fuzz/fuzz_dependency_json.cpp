// The index's dependency lists (releases.dependencies_json): arbitrary bytes are read without
// crashing, and what is read (or built from the input) is written back and read the same.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/unicode.hpp>

#include "fuzz_input.hpp"
#include "index/dependency_json.hpp"

using namespace qplug::solver;

namespace {

bool all_utf8(const std::vector<Dependency>& deps) {
    for (const Dependency& d : deps) {
        for (const std::string* s : {&d.target, &d.spec, &d.markers, &d.extra}) {
            if (qplug::unicode::find_invalid_utf8(*s) != qplug::unicode::npos) {
                return false;
            }
        }
    }
    return true;
}

void round_trip(const std::vector<Dependency>& deps) {
    const auto back = dependencies_from_json(dependencies_to_json(deps));
    qplug::fuzz::require(back.has_value());
    if (all_utf8(deps)) {
        qplug::fuzz::require(*back == deps);
    } else {
        qplug::fuzz::require(back->size() == deps.size()); // bytes became U+FFFD
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto read = dependencies_from_json(text)) {
        round_trip(*read);
    }
    const auto parts = qplug::fuzz::split(data, size, 4);
    round_trip({{DependencyKind::pip, std::string(parts[0]), std::string(parts[1]),
                 std::string(parts[2]), std::string(parts[3]), size % 2 == 1},
                {DependencyKind::conda, "", "", "", "", false}});
    return 0;
}
