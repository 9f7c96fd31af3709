// PEP 508: parse anything as a requirement and as a marker, never crash; str() reads back
// as itself; markers evaluate (to a value or an error) in several environments.
//
// str() is packaging's, which prints a marker value between double quotes as it is: a value
// holding '"', '\', a line break or NUL does not read back (packaging has the same limit),
// so the round trip is checked only without those. A marker whose first element is a
// parenthesized group prints without the parentheses (packaging's _format_marker), and a
// leading `extra == "..."` is canonicalized only when it is first at parse time, so the
// first reading may change once; after that str() is a fixed point.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>
#include <vector>

#include <qplug/version/pep508.hpp>

#include "fuzz_input.hpp"

using namespace qplug::version::pep508;
using qplug::fuzz::require;

namespace {

bool printable(const std::vector<Marker::Node>& nodes) {
    for (const auto& n : nodes) {
        if (n.kind == Marker::Node::Kind::group && !printable(n.group)) {
            return false;
        }
        if (n.kind == Marker::Node::Kind::item) {
            for (const auto* o : {&n.item.lhs, &n.item.rhs}) {
                if (!o->variable &&
                    o->text.find_first_of(std::string_view("\"\\\n\r\0", 5)) != std::string::npos) {
                    return false;
                }
            }
        }
    }
    return true;
}

bool may_change_once(const Marker& m) {
    return !m.nodes().empty() && m.nodes().front().kind == Marker::Node::Kind::group;
}

const std::vector<Environment>& environments() {
    static const std::vector<Environment> envs = [] {
        std::vector<Environment> out;
        out.push_back(*default_environment("3.8.10", "linux"));
        out.push_back(*default_environment("3.12.4", "win32"));
        out.push_back(*default_environment("3.13.0rc1", "darwin"));
        return out;
    }();
    return envs;
}

void evaluate(const Marker& m) {
    for (const auto& env : environments()) {
        for (const char* extra : {"", "Test_Extra"}) {
            auto r = m.evaluate(env, extra);
            require(r.has_value() || !r.error().message.empty());
        }
    }
}

void check_requirement(std::string_view text) {
    auto r = parse_requirement(text);
    if (!r) {
        require(r.error().offset <= text.size());
        return;
    }
    require(!r->name.empty());
    for (std::size_t i = 1; i < r->extras.size(); ++i) {
        require(r->extras[i - 1] < r->extras[i]);
    }
    const std::string s1 = r->to_string();
    if (r->marker) {
        evaluate(*r->marker);
        if (!printable(r->marker->nodes())) {
            return;
        }
    }
    auto again = parse_requirement(s1);
    require(again.has_value());
    const std::string s2 = again->to_string();
    require(s2 == s1 || (r->marker && may_change_once(*r->marker)));
    auto third = parse_requirement(s2);
    require(third.has_value() && third->to_string() == s2);
    require(again->name == r->name && again->extras == r->extras &&
            again->specifier == r->specifier && again->url == r->url);
}

void check_marker(std::string_view text) {
    auto m = Marker::parse(text);
    if (!m) {
        require(m.error().offset <= text.size());
        return;
    }
    evaluate(*m);
    if (!printable(m->nodes())) {
        return;
    }
    const std::string s1 = m->to_string();
    auto again = Marker::parse(s1);
    require(again.has_value());
    const std::string s2 = again->to_string();
    require(s2 == s1 || may_change_once(*m));
    auto third = Marker::parse(s2);
    require(third.has_value() && third->to_string() == s2);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_requirement(text);
    check_marker(text);
    return 0;
}
