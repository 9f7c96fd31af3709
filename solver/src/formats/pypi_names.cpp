// Distribution file names: wheels (PEP 427 and the binary distribution format spec) and
// sdists (the source distribution format spec), read as packaging.utils reads them, with the
// deliberate differences listed in pypi.hpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <fmt/format.h>

#include <qplug/solver/pypi.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep440.hpp>

#include "formats/reader_error.hpp"

namespace qplug::solver::pypi {

namespace {

constexpr std::string_view kWheel = "wheel file name";
constexpr std::string_view kSdist = "sdist file name";

std::optional<Error> utf8_problem(std::string_view what, std::string_view name) {
    const std::size_t bad = unicode::find_invalid_utf8(name);
    if (bad == unicode::npos) {
        return std::nullopt;
    }
    return detail::text_error(
        what, name, bad,
        fmt::format("byte 0x{:02X} is not UTF-8", static_cast<unsigned char>(name[bad])));
}

/// The version part must be PEP 440; the error points into the file name.
std::optional<Error> version_problem(std::string_view what, std::string_view filename,
                                     std::size_t at, std::string_view version) {
    auto v = version::pep440::Version::parse(version);
    if (v) {
        return std::nullopt;
    }
    return detail::text_error(
        what, filename, at + v.error().offset,
        fmt::format("'{}' is not a PEP 440 version: {}", version, v.error().message));
}

/// "py3.py2" -> {"py3", "py2"}; every tag of a compressed tag set must be non-empty.
std::optional<Error> split_tags(std::string_view filename, std::size_t at, std::string_view set,
                                std::string_view kind, std::vector<std::string>& out) {
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = set.find('.', start);
        const std::string_view tag = set.substr(start, dot - start);
        if (tag.empty()) {
            return detail::text_error(kWheel, filename, at + start,
                                      fmt::format("empty {} tag", kind));
        }
        out.emplace_back(tag);
        if (dot == std::string_view::npos) {
            return std::nullopt;
        }
        start = dot + 1;
    }
}

} // namespace

Expected<WheelName> parse_wheel_filename(std::string_view filename) {
    if (auto bad = utf8_problem(kWheel, filename)) {
        return std::move(*bad);
    }
    if (!filename.ends_with(".whl")) {
        return detail::text_error(kWheel, filename, filename.size(),
                                  "a wheel file name ends in '.whl'");
    }
    const std::string_view stem = filename.substr(0, filename.size() - 4);
    std::vector<std::size_t> dashes;
    for (std::size_t i = 0; i < stem.size(); ++i) {
        if (stem[i] == '-') {
            if (dashes.size() == 5) {
                return detail::text_error(
                    kWheel, filename, i,
                    "too many '-': expected name-version[-build]-python-abi-platform.whl");
            }
            dashes.push_back(i);
        }
    }
    if (dashes.size() < 4) {
        return detail::text_error(
            kWheel, filename, stem.size(),
            fmt::format("{} parts, expected name-version[-build]-python-abi-platform.whl",
                        dashes.size() + 1));
    }
    auto part = [&](std::size_t k) {
        const std::size_t begin = k == 0 ? 0 : dashes[k - 1] + 1;
        const std::size_t end = k < dashes.size() ? dashes[k] : stem.size();
        return stem.substr(begin, end - begin);
    };
    auto part_start = [&](std::size_t k) { return k == 0 ? 0 : dashes[k - 1] + 1; };

    WheelName w;
    // The escaped name: ASCII letters, digits, '.' and '_', never "__" (packaging allows any
    // Unicode word character; PEP 508 names are ASCII).
    const std::string_view name = part(0);
    if (name.empty()) {
        return detail::text_error(kWheel, filename, 0, "empty project name");
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_';
        if (!ok) {
            return detail::text_error(
                kWheel, filename, i,
                "an escaped project name has only ASCII letters, digits, '.' and '_'");
        }
    }
    if (const std::size_t dunder = name.find("__"); dunder != std::string_view::npos) {
        return detail::text_error(kWheel, filename, dunder,
                                  "'__' cannot be in an escaped project name");
    }
    w.name = std::string(name);
    if (auto bad = version_problem(kWheel, filename, part_start(1), part(1))) {
        return std::move(*bad);
    }
    w.version = std::string(part(1));
    std::size_t k = 2;
    if (dashes.size() == 5) {
        // PEP 427: the build tag starts with a digit (packaging: re's \d, any Unicode digit).
        const std::string_view build = part(2);
        std::size_t pos = 0;
        if (build.empty() || unicode::decimal_value(unicode::decode(build, pos)) < 0) {
            return detail::text_error(kWheel, filename, part_start(2),
                                      "a build tag starts with a digit");
        }
        w.build = std::string(build);
        k = 3;
    }
    if (auto bad = split_tags(filename, part_start(k), part(k), "python", w.python_tags)) {
        return std::move(*bad);
    }
    if (auto bad = split_tags(filename, part_start(k + 1), part(k + 1), "ABI", w.abi_tags)) {
        return std::move(*bad);
    }
    if (auto bad =
            split_tags(filename, part_start(k + 2), part(k + 2), "platform", w.platform_tags)) {
        return std::move(*bad);
    }
    return w;
}

Expected<SdistName> parse_sdist_filename(std::string_view filename) {
    if (auto bad = utf8_problem(kSdist, filename)) {
        return std::move(*bad);
    }
    std::string_view stem;
    if (filename.ends_with(".tar.gz")) {
        stem = filename.substr(0, filename.size() - 7);
    } else if (filename.ends_with(".zip")) {
        stem = filename.substr(0, filename.size() - 4);
    } else {
        return detail::text_error(kSdist, filename, filename.size(),
                                  "an sdist file name ends in '.tar.gz' or '.zip'");
    }
    const std::size_t last = stem.rfind('-');
    if (last == std::string_view::npos) {
        return detail::text_error(kSdist, filename, stem.size(),
                                  "expected name-version: there is no '-'");
    }
    // The last '-' whose remainder is a version. A PEP 440 version has at most one '+' and
    // at most six '-' before it ("1-a-1-post-1-dev-1+x-y"), so at most 14 dashes are worth a
    // try, whatever the name: the scan stays linear.
    int pluses = 0;
    int dashes_before_plus = 0; // between position i and the nearest '+' to its right
    for (std::size_t i = stem.size(); i-- > 0;) {
        if (stem[i] == '+') {
            if (++pluses == 2) {
                break;
            }
            dashes_before_plus = 0;
        } else if (stem[i] == '-') {
            const std::string_view version = stem.substr(i + 1);
            if (dashes_before_plus <= 6 && version::pep440::Version::is_valid(version)) {
                if (i == 0) {
                    return detail::text_error(kSdist, filename, 0, "empty project name");
                }
                return SdistName{std::string(stem.substr(0, i)), std::string(version)};
            }
            ++dashes_before_plus;
        }
    }
    if (auto bad = version_problem(kSdist, filename, last + 1, stem.substr(last + 1))) {
        return std::move(*bad);
    }
    return detail::text_error(kSdist, filename, last + 1, "no version after the last '-'");
}

} // namespace qplug::solver::pypi
