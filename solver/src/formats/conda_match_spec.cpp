// conda match specs as they appear in repodata's depends and constrains: a port of the string
// forms of conda.models.match_spec._parse_spec_str (conda 24/25), regular expressions turned
// into scans that give the same answers without backtracking.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include <fmt/format.h>

#include <qplug/solver/conda.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/conda.hpp>

#include "formats/reader_error.hpp"

namespace qplug::solver::conda {

namespace {

constexpr std::string_view kWhat = "conda match spec";

bool in(std::string_view set, char c) {
    return set.find(c) != std::string_view::npos;
}

/// conda's context.known_subdirs: a channel "name/<subdir>" names that subdir.
bool is_known_subdir(std::string_view s) {
    static constexpr std::array<std::string_view, 19> kSubdirs = {"emscripten-wasm32",
                                                                  "wasi-wasm32",
                                                                  "freebsd-64",
                                                                  "linux-32",
                                                                  "linux-64",
                                                                  "linux-aarch64",
                                                                  "linux-armv6l",
                                                                  "linux-armv7l",
                                                                  "linux-ppc64",
                                                                  "linux-ppc64le",
                                                                  "linux-riscv64",
                                                                  "linux-s390x",
                                                                  "osx-64",
                                                                  "osx-arm64",
                                                                  "win-32",
                                                                  "win-64",
                                                                  "win-arm64",
                                                                  "zos-z",
                                                                  "noarch"};
    return std::find(kSubdirs.begin(), kSubdirs.end(), s) != kSubdirs.end();
}

/// _parse_channel, without conda's configuration: "conda-forge/linux-64" is channel
/// "conda-forge" and subdir "linux-64"; anything else is the channel as written.
std::pair<std::string, std::string> split_channel(std::string_view value) {
    std::string_view v = value;
    while (v.size() > 1 && v.back() == '/') {
        v.remove_suffix(1);
    }
    const std::size_t slash = v.rfind('/');
    if (slash != std::string_view::npos && slash > 0 && is_known_subdir(v.substr(slash + 1))) {
        return {std::string(v.substr(0, slash)), std::string(v.substr(slash + 1))};
    }
    return {std::string(value), {}};
}

/// re.match(r".*(?:(\[.*\]))", s) for an open/close pair: from the last `open` that has a
/// `close` after it to the last `close`.
std::optional<std::pair<std::size_t, std::size_t>> last_group(std::string_view s, char open,
                                                              char close) {
    const std::size_t end = s.rfind(close);
    if (end == std::string_view::npos || end == 0) {
        return std::nullopt;
    }
    const std::size_t begin = s.rfind(open, end - 1);
    if (begin == std::string_view::npos) {
        return std::nullopt;
    }
    return std::pair{begin, end + 1};
}

/// str.replace(group, "") : every occurrence goes.
std::string remove_all(std::string_view s, std::string_view group) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t at = s.find(group, pos);
        if (at == std::string_view::npos) {
            out.append(s.substr(pos));
            return out;
        }
        out.append(s.substr(pos, at - pos));
        pos = at + group.size();
    }
}

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/// re.finditer(r'([a-zA-Z0-9_-]+?)=(["\']?)([^\'"]*?)(\2)(?:[, ]|$)', text): key=value pairs,
/// values optionally quoted; text that matches no pair is skipped, as finditer skips it.
std::vector<std::pair<std::string_view, std::string_view>> key_values(std::string_view text) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t k = i;
        while (k < n && is_key_char(text[k])) {
            ++k;
        }
        // Every start inside the same key fails or succeeds alike: on failure go past it.
        if (k == i || k >= n || text[k] != '=') {
            i = k + 1;
            continue;
        }
        const std::size_t j = k + 1;
        std::optional<std::pair<std::string_view, std::size_t>> found; // value, end
        if (j < n && (text[j] == '\'' || text[j] == '"')) {
            const std::size_t q = text.find_first_of("'\"", j + 1);
            if (q != std::string_view::npos && text[q] == text[j] &&
                (q + 1 == n || text[q + 1] == ',' || text[q + 1] == ' ')) {
                found = std::pair{text.substr(j + 1, q - j - 1), std::min(q + 2, n)};
            }
        }
        if (!found) {
            const std::size_t p = text.find_first_of(",' \"", j);
            if (p == std::string_view::npos) {
                found = std::pair{text.substr(j), n};
            } else if (text[p] == ',' || text[p] == ' ') {
                found = std::pair{text.substr(j, p - j), p + 1};
            }
        }
        if (!found) {
            i = k + 1;
            continue;
        }
        out.emplace_back(text.substr(i, k - i), found->first);
        i = found->second;
    }
    return out;
}

/// _parse_version_plus_build: re.search(
///   r"((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$", text)
/// tried in the order the regex engine tries it. The build is the text after the first ' '
/// or '=' (not just after an operator) from which only build characters follow.
std::pair<std::string, std::optional<std::string>> version_plus_build(std::string_view v) {
    const std::size_t n = v.size();
    std::vector<bool> build_from(n + 1, true); // v[p:] holds no "-=,|<>~"
    for (std::size_t p = n; p-- > 0;) {
        build_from[p] = build_from[p + 1] && !in("-=,|<>~", v[p]);
    }
    auto strip_spaces = [](std::string_view s) {
        std::string out;
        for (const char c : s) {
            if (c != ' ') {
                out += c;
            }
        }
        return out;
    };
    for (std::size_t k = 1; k <= n; ++k) {
        for (int consume = 1; consume >= 0; --consume) {
            std::size_t p = k;
            if (consume == 1) {
                if (k >= n || in("><!,|", v[k])) {
                    continue;
                }
                p = k + 1;
            }
            if (p < n && !in("=!|,<>~", v[p - 1]) && (v[p] == ' ' || v[p] == '=') && p + 1 < n &&
                build_from[p + 1]) {
                return {strip_spaces(v.substr(0, p)), std::string(unicode::strip(v.substr(p + 1)))};
            }
            if (p == n) {
                return {strip_spaces(v), std::nullopt};
            }
        }
    }
    return {strip_spaces(v), std::nullopt};
}

/// _sanitize_version_str: "=1.2" means "1.2*", "==1.2" means "1.2" (without a build).
std::string sanitize_version(std::string version, const std::optional<std::string>& build) {
    if (version == "==" || version == "=" || !version.starts_with('=')) {
        return version;
    }
    const std::size_t digits = version.find_first_not_of('=');
    std::string bare = digits == std::string::npos ? std::string() : version.substr(digits);
    if (version.starts_with("==") && !build) {
        return bare;
    }
    if (bare.find_first_of("=,|") == std::string::npos) {
        if (!build && !bare.ends_with('*')) {
            bare += '*';
        }
        return bare;
    }
    return version;
}

bool is_field(std::string_view key) {
    static constexpr std::array<std::string_view, 13> kFields = {
        "channel",      "subdir",         "name",     "version", "build",
        "build_number", "track_features", "features", "url",     "md5",
        "license",      "license_family", "fn"};
    return std::find(kFields.begin(), kFields.end(), key) != kFields.end();
}

} // namespace

Expected<MatchSpec> parse_match_spec(std::string_view spec) {
    if (const std::size_t bad = unicode::find_invalid_utf8(spec); bad != unicode::npos) {
        return detail::text_error(kWhat, spec, bad, "not UTF-8");
    }
    for (std::size_t i = 0; i < spec.size(); ++i) {
        const auto c = static_cast<unsigned char>(spec[i]);
        if (c < 0x20 || c == 0x7F) {
            return detail::text_error(kWhat, spec, i, "a control character");
        }
    }
    // Only ASCII blanks: conda's name pattern [^ =<>!~]+ takes U+00A0 and the like as a name.
    if (spec.find_first_not_of(' ') == std::string_view::npos) {
        return detail::text_error(kWhat, spec, 0, "an empty match spec");
    }
    if (spec.ends_with('@')) {
        return detail::text_error(kWhat, spec, spec.size() - 1,
                                  "a feature spec ('name@') names no package");
    }
    // Step 1: a '#' comment, then an " if " condition, go.
    std::string_view s = spec.substr(0, spec.find('#'));
    s = s.substr(0, s.find(" if "));
    // Step 2: a package file or URL is not a dependency.
    if (s.ends_with(".conda") || s.ends_with(".tar.bz2")) {
        return detail::text_error(kWhat, spec, 0, "a package file, not a match spec");
    }
    // Step 3: the [key=value, ...] section; bracket values override the others.
    std::string rest(s);
    std::map<std::string, std::string> brackets; // "channel" comes before "subdir", as in conda
    if (const auto group = last_group(rest, '[', ']')) {
        const std::string section = rest.substr(group->first, group->second - group->first);
        const std::size_t at = s.find(section);
        for (const auto& [key, value] :
             key_values(std::string_view(section).substr(1, section.size() - 2))) {
            if (value.empty()) {
                return detail::text_error(kWhat, spec, at,
                                          fmt::format("'{}' has no value in brackets", key));
            }
            if (!is_field(key)) {
                return detail::text_error(kWhat, spec, at,
                                          fmt::format("cannot match on field '{}'", key));
            }
            std::string v(value);
            if (key == "version") {
                v = sanitize_version(std::move(v), std::nullopt);
            }
            brackets[std::string(key)] = std::move(v); // a later key wins
        }
        rest = remove_all(rest, section);
    }
    // Step 4: a (...) section (conda reads only "optional" from it, and not for matching).
    if (const auto group = last_group(rest, '(', ')')) {
        rest = remove_all(rest, rest.substr(group->first, group->second - group->first));
    }
    MatchSpec m;
    // Step 5: channel::name (rsplit(':', 2)); a single ':' marks a namespace, which is ignored.
    std::string_view body = rest;
    if (const std::size_t c2 = body.rfind(':'); c2 != std::string_view::npos) {
        const std::size_t c1 = c2 == 0 ? std::string_view::npos : body.rfind(':', c2 - 1);
        if (c1 != std::string_view::npos && c1 > 0) {
            std::tie(m.channel, m.subdir) = split_channel(body.substr(0, c1));
        }
        body = body.substr(c2 + 1);
    }
    // Step 6: the name runs up to a blank or an operator character.
    const std::size_t name_end = std::min(body.find_first_of(" =<>!~"), body.size());
    if (name_end == 0) {
        return detail::text_error(kWhat, spec, spec.size() - body.size(),
                                  "no package name before the version");
    }
    m.name = unicode::to_lower(body.substr(0, name_end));
    // Step 7: version and build; a last lone operator character is ignored, as conda does.
    std::string_view tail = body.substr(name_end);
    tail = tail.size() >= 2 ? unicode::strip(tail) : std::string_view{};
    std::optional<std::string> build;
    std::string version;
    if (!tail.empty()) {
        if (tail.find('[') != std::string_view::npos) {
            return detail::text_error(kWhat, spec, spec.find('['),
                                      "only one bracket section is allowed");
        }
        auto [v, b] = version_plus_build(tail);
        version = sanitize_version(std::move(v), b);
        build = std::move(b);
    }
    m.version = std::move(version);
    m.build = build.value_or("");
    bool version_given = !tail.empty();
    // Step 8: brackets override, except the name.
    for (auto& [key, value] : brackets) {
        if (key == "version") {
            m.version = std::move(value);
            version_given = true;
        } else if (key == "build") {
            m.build = std::move(value);
        } else if (key == "channel") {
            auto [channel, subdir] = split_channel(value);
            m.channel = std::move(channel);
            if (!subdir.empty()) {
                m.subdir = std::move(subdir);
            }
        } else if (key == "subdir") {
            m.subdir = std::move(value);
        } else if (key == "build_number") {
            m.build_number = std::move(value);
        } else if (key != "name") {
            m.other[key] = std::move(value);
        }
    }
    if (version_given && m.version.empty()) {
        // "pkg ====" leaves nothing once "=" are read as operators; conda's VersionSpec
        // refuses the empty spec.
        return detail::text_error(kWhat, spec, 0, "an empty version");
    }
    if (!m.version.empty()) {
        auto parsed = version::conda::VersionSpec::parse(m.version);
        if (!parsed) {
            return detail::text_error(kWhat, spec, spec.find(m.version.substr(0, 1)),
                                      fmt::format("the version '{}' is not a version spec: {}",
                                                  m.version, parsed.error().message));
        }
    }
    return m;
}

} // namespace qplug::solver::conda
