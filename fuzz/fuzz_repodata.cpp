// conda's repodata.json and match specs, on any bytes: the whole input as repodata (and each
// of its depends/constrains as a match spec), and "spec\0spec" as two match specs.
// Properties: errors point inside their input; kept records have a name, version and build;
// a spec that reads, written in the bracket form, reads back the same.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/solver/conda.hpp>
#include <qplug/version/conda.hpp>

#include "fuzz_input.hpp"

using namespace qplug::solver::conda;
using qplug::fuzz::require;

namespace {

bool plain(std::string_view s, std::string_view forbidden) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F ||
            forbidden.find(c) != std::string_view::npos) {
            return false;
        }
    }
    return s.find(" if ") == std::string_view::npos;
}

void check_spec(std::string_view text) {
    auto m = parse_match_spec(text);
    if (!m) {
        require(m.error().offset <= m.error().input.size());
        require(m.error().input == text);
        return;
    }
    require(!m->name.empty());
    if (!m->version.empty()) {
        require(static_cast<bool>(qplug::version::conda::VersionSpec::parse(m->version)));
    }
    // name[version='...',build='...'] must read as the same spec. Not for versions that start
    // with '=' (conda rewrites those in brackets as if there were no build: "==1,0" to "1,0"),
    // nor for names that read as package files once the version is gone ("x.conda=").
    if (m->version.starts_with('=') || m->name.ends_with(".conda") ||
        m->name.ends_with(".tar.bz2") || !m->channel.empty() || !m->subdir.empty() ||
        !m->build_number.empty() || !m->other.empty() || !plain(m->name, " =<>!~'\"[]()#:@,") ||
        !plain(m->version, "'\"[]()#:@") || !plain(m->build, "'\"[]()#:@")) {
        return;
    }
    std::string again = m->name;
    std::string brackets;
    if (!m->version.empty()) {
        brackets += "version='" + m->version + "'";
    }
    if (!m->build.empty()) {
        brackets += std::string(brackets.empty() ? "" : ",") + "build='" + m->build + "'";
    }
    if (!brackets.empty()) {
        again += "[" + brackets + "]";
    }
    auto back = parse_match_spec(again);
    require(static_cast<bool>(back));
    require(back->name == m->name);
    require(back->version == m->version);
    require(back->build == m->build);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    if (auto r = parse_repodata(all)) {
        std::size_t specs = 0;
        for (const PackageRecord& rec : r->repodata.records) {
            require(!rec.name.empty() && !rec.version.empty() && !rec.build.empty());
            require(rec.noarch.empty() || rec.noarch == "python" || rec.noarch == "generic");
            for (const auto* list : {&rec.depends, &rec.constrains}) {
                for (const std::string& spec : *list) {
                    if (++specs <= 64) {
                        check_spec(spec);
                    }
                }
            }
        }
    } else {
        require(r.error().offset <= r.error().input.size());
        require(r.error().input.size() <= 160);
    }
    const auto parts = qplug::fuzz::split(data, size, 2);
    check_spec(parts[0]);
    check_spec(parts[1]);
    return 0;
}
