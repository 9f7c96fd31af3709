// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <optional>
#include <vector>

#include <climits>
#include <fmt/format.h>

#include <qplug/unicode.hpp>
#include <qplug/version/compat.hpp>

namespace qplug::version::compat {

namespace {

std::vector<std::string> split_dots(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = s.find('.', start);
        out.emplace_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) {
            return out;
        }
        start = dot + 1;
    }
}

bool all_ascii_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int small_int(std::string_view digits) {
    // Only called on 1..n ASCII digits whose value is known to be <= 99 or checked.
    long v = 0;
    for (char c : digits) {
        v = std::min(v * 10 + (c - '0'), 1000000L);
    }
    return static_cast<int>(v);
}

/// splitVersion(re.sub(r'[^0-9.]+', '', s)): 2 or 3 numeric parts, each <= 99.
std::optional<std::vector<std::string>> installer_split(std::string_view raw) {
    std::string s;
    for (char c : raw) {
        if ((c >= '0' && c <= '9') || c == '.') {
            s.push_back(c);
        }
    }
    if (s.empty()) {
        return std::nullopt;
    }
    auto parts = split_dots(s);
    for (const auto& p : parts) {
        if (!all_ascii_digits(p) || small_int(p) > 99) {
            return std::nullopt;
        }
    }
    if (parts.size() != 2 && parts.size() != 3) {
        return std::nullopt;
    }
    return parts;
}

/// QString::toInt(&ok): optional surrounding whitespace and sign, ASCII digits, int range.
std::optional<int> qt_to_int(std::string_view raw) {
    std::string_view s = unicode::strip(raw);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (!all_ascii_digits(s)) {
        return std::nullopt;
    }
    long long v = 0;
    for (char c : s) {
        v = v * 10 + (c - '0');
        if (v > static_cast<long long>(INT_MAX) + 1) {
            return std::nullopt;
        }
    }
    v = negative ? -v : v;
    if (v > INT_MAX || v < INT_MIN) {
        return std::nullopt;
    }
    return static_cast<int>(v);
}

/// QString("%1").arg(n, 2, 10, QChar('0')).
std::string qt_pad2(int n) {
    std::string digits = std::to_string(n);
    while (digits.size() < 2) {
        digits.insert(digits.begin(), '0');
    }
    return digits;
}

struct Triple {
    int major = 0, minor = 0, bugfix = 0;
};

/// QgsPluginRegistry::checkQgisVersion's parsing of min/max: 2 or 3 integers.
std::optional<Triple> loader_split(std::string_view s, int default_bugfix) {
    const auto parts = split_dots(s);
    if (parts.size() != 2 && parts.size() != 3) {
        return std::nullopt;
    }
    Triple t;
    t.bugfix = default_bugfix;
    auto major = qt_to_int(parts[0]);
    auto minor = qt_to_int(parts[1]);
    if (!major || !minor) {
        return std::nullopt;
    }
    t.major = *major;
    t.minor = *minor;
    if (parts.size() == 3) {
        auto bugfix = qt_to_int(parts[2]);
        if (!bugfix) {
            return std::nullopt;
        }
        t.bugfix = *bugfix;
    }
    return t;
}

Error qgis_error(std::string_view input, std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.what = "QGIS version";
    e.input = std::string(input);
    e.message = std::move(message);
    return e;
}

/// X, Y, Z of a QGIS version string: "3.34.5", "3.34.5-Prizren", "3.34" (Z = 0).
Expected<Triple> parse_qgis(std::string_view qgis) {
    const std::string_view text = unicode::strip(qgis);
    const std::string_view numbers = text.substr(0, text.find('-'));
    auto parts = split_dots(numbers);
    if (parts.size() == 2) {
        parts.emplace_back("0");
    }
    if (parts.size() != 3 || !all_ascii_digits(parts[0]) || !all_ascii_digits(parts[1]) ||
        !all_ascii_digits(parts[2]) || parts[0].size() > 4 || parts[1].size() > 4 ||
        parts[2].size() > 4) {
        return qgis_error(qgis, "expected X.Y.Z, for example 3.34.5 (a release name after '-' is "
                                "ignored)");
    }
    return Triple{small_int(parts[0]), small_int(parts[1]), small_int(parts[2])};
}

std::string triple_text(const Triple& t) {
    return fmt::format("{}.{}.{}", t.major, t.minor, t.bugfix);
}

} // namespace

std::string default_maximum(std::string_view minimum, Rules rules) {
    const std::string_view min = unicode::strip(minimum);
    if (rules == Rules::installer) {
        // qgisMinimumVersion[0] + ".99": the first *character*.
        if (min.empty()) {
            return ".99";
        }
        std::size_t end = 0;
        unicode::decode(min, end);
        return std::string(min.substr(0, end)) + ".99";
    }
    const auto parts = split_dots(min);
    if (auto major = qt_to_int(parts[0])) {
        return fmt::format("{}.99", *major);
    }
    return {};
}

Expected<std::string> qgis_api_version(std::string_view qgis, bool bump_dev_major) {
    auto t = parse_qgis(qgis);
    if (!t) {
        return t.error();
    }
    if (bump_dev_major && t->minor == 99) {
        return fmt::format("{}.0.0", t->major + 1);
    }
    return triple_text(*t);
}

Expected<Result> check(std::string_view qgis, std::string_view minimum_raw,
                       std::string_view maximum_raw, const Options& options) {
    auto parsed = parse_qgis(qgis);
    if (!parsed) {
        return parsed.error();
    }
    Triple current = *parsed;
    if (options.bump_dev_major && current.minor == 99) {
        current = {current.major + 1, 0, 0};
    }
    Result r;
    r.qgis = triple_text(current);

    if (options.rules == Rules::installer) {
        std::string minimum(unicode::strip(minimum_raw));
        if (minimum.empty()) {
            minimum = options.installed_plugin ? "0" : "2";
        }
        std::string maximum(unicode::strip(maximum_raw));
        if (maximum.empty()) {
            maximum = default_maximum(minimum, Rules::installer);
        }
        r.minimum = minimum;
        r.maximum = maximum;
        const auto min = installer_split(minimum);
        const auto max = installer_split(maximum);
        const auto cur = installer_split(r.qgis);
        if (!min) {
            r.reason = fmt::format(
                "qgisMinimumVersion '{}' is not X.Y or X.Y.Z with numbers up to 99", minimum);
            return r;
        }
        if (!max) {
            r.reason = fmt::format(
                "qgisMaximumVersion '{}' is not X.Y or X.Y.Z with numbers up to 99", maximum);
            return r;
        }
        if (!cur) {
            r.reason = fmt::format("QGIS {} has a part above 99", r.qgis);
            return r;
        }
        auto pad = [](std::vector<std::string> v, const char* third) {
            if (v.size() < 3) {
                v.emplace_back(third);
            }
            return fmt::format("{:04d}{:04d}{:04d}", small_int(v[0]), small_int(v[1]),
                               small_int(v[2]));
        };
        const std::string min_key = pad(*min, "0");
        const std::string max_key = pad(*max, "99");
        const std::string cur_key = pad(*cur, "0");
        if (cur_key < min_key) {
            r.reason = fmt::format("QGIS {} is older than the plugin's qgisMinimumVersion {}",
                                   r.qgis, minimum);
        } else if (cur_key > max_key) {
            r.reason = fmt::format("QGIS {} is newer than the plugin's qgisMaximumVersion {}{}",
                                   r.qgis, maximum, maximum_raw.empty() ? " (the default)" : "");
        } else {
            r.compatible = true;
        }
        return r;
    }

    // Loader rules.
    r.minimum = std::string(minimum_raw);
    const auto min = loader_split(minimum_raw, 0);
    if (!min) {
        r.reason = fmt::format("qgisMinimumVersion '{}' is not X.Y or X.Y.Z", minimum_raw);
        return r;
    }
    Triple max;
    if (maximum_raw.empty() || maximum_raw == "__error__") {
        max = {min->major, 99, 99};
        r.maximum = fmt::format("{}.99", min->major);
    } else {
        r.maximum = std::string(maximum_raw);
        auto m = loader_split(maximum_raw, 99);
        if (!m) {
            r.reason = fmt::format("qgisMaximumVersion '{}' is not X.Y or X.Y.Z", maximum_raw);
            return r;
        }
        max = *m;
    }
    auto key = [](const Triple& t) {
        return qt_pad2(t.major) + qt_pad2(t.minor) + qt_pad2(t.bugfix);
    };
    const std::string min_key = key(*min);
    const std::string max_key = key(max);
    const std::string cur_key = key(current);
    if (!(min_key <= cur_key)) {
        r.reason = fmt::format("QGIS {} is older than the plugin's qgisMinimumVersion {}", r.qgis,
                               r.minimum);
    } else if (!(max_key >= cur_key)) {
        r.reason = fmt::format("QGIS {} is newer than the plugin's qgisMaximumVersion {}{}", r.qgis,
                               r.maximum, maximum_raw.empty() ? " (the default)" : "");
    } else {
        r.compatible = true;
    }
    return r;
}

} // namespace qplug::version::compat
