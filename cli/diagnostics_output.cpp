// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnostics_output.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug.h>
#include <qplug/meta/diagnostic_json.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/unicode.hpp>

#include "choice.hpp"

namespace qplug::cli {

using json = nlohmann::ordered_json;

json diagnostic_json(const meta::Diagnostic& d) {
    return meta::diagnostic_json(d); // the shape the C ABI writes too
}

json diagnostics_json(const meta::Diagnostics& ds) {
    return meta::diagnostics_json(ds);
}

void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, bool color) {
    print_diagnostic(out, d, Palette{color});
}

void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, const Palette& p) {
    const std::string_view on = d.severity == meta::Severity::error     ? p.error()
                                : d.severity == meta::Severity::warning ? p.warning()
                                                                        : p.info();
    out << p.bold() << d.file;
    if (d.line > 0) {
        out << ':' << d.line << ':' << d.column;
    }
    out << p.reset() << ": " << on << meta::severity_name(d.severity) << p.reset() << ": "
        << d.message << ' ' << p.dim() << '[' << d.rule << ']' << p.reset() << '\n';
    if (d.line > 0 && !d.source_line.empty()) {
        // Tabs stay tabs so that the caret lines up in a terminal.
        std::string pad;
        std::size_t i = 0;
        for (std::size_t col = 1; col < d.column && i < d.source_line.size(); ++col) {
            const std::size_t start = i;
            unicode::decode(d.source_line, i);
            pad += d.source_line[start] == '\t' ? '\t' : ' ';
        }
        out << "    " << d.source_line << "\n    " << pad << on << '^' << p.reset() << '\n';
    }
    if (!d.hint.empty()) {
        out << "    " << p.dim() << "hint:" << p.reset() << ' ' << d.hint << '\n';
    }
}

bool stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

// ---- rule selection -----------------------------------------------------------------------

namespace {

/// A rule id, or a prefix of one that ends where a '-' does ("META-URL" or "META-URL-").
bool pattern_matches(std::string_view pattern, std::string_view rule) {
    if (pattern.empty()) {
        return false;
    }
    if (pattern.back() == '-') {
        return rule.starts_with(pattern);
    }
    return rule == pattern || (rule.starts_with(pattern) && rule[pattern.size()] == '-');
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view rule) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return pattern_matches(p, rule); });
}

} // namespace

bool RuleSelection::keeps(std::string_view rule) const {
    return (select.empty() || any_matches(select, rule)) && !any_matches(ignore, rule);
}

void RuleSelection::apply(meta::Diagnostics& diagnostics) const {
    std::erase_if(diagnostics, [&](const meta::Diagnostic& d) { return !keeps(d.rule); });
}

std::vector<std::string> unknown_rule_patterns(const std::vector<std::string>& patterns) {
    std::vector<std::string> unknown;
    for (const auto& p : patterns) {
        const auto rules = meta::rules();
        if (std::none_of(rules.begin(), rules.end(),
                         [&](const meta::RuleInfo& r) { return pattern_matches(p, r.id); })) {
            unknown.push_back(p);
        }
    }
    return unknown;
}

void merge_duplicates(meta::Diagnostics& diagnostics) {
    meta::Diagnostics out;
    std::map<std::tuple<std::string_view, std::string, std::size_t, std::size_t, std::string>,
             std::size_t>
        seen;
    for (auto& d : diagnostics) {
        auto key = std::make_tuple(d.rule, d.file, d.line, d.column, d.message);
        const auto [it, first] = seen.emplace(std::move(key), out.size());
        if (first) {
            out.push_back(std::move(d));
        } else {
            out[it->second].count += d.count;
        }
    }
    for (auto& d : out) {
        if (d.count > 1 && d.message.find(" entries)") == std::string::npos) {
            d.message += fmt::format(" ({} times)", d.count);
        }
    }
    diagnostics = std::move(out);
}

void add_check_output_options(CLI::App* command, CheckOutputOptions& options, bool& json_flag) {
    static const std::map<std::string, OutputFormat> formats = {{"text", OutputFormat::text},
                                                                {"json", OutputFormat::json},
                                                                {"sarif", OutputFormat::sarif},
                                                                {"github", OutputFormat::github}};
    auto* json_option =
        command->add_flag("--json", json_flag, "Print JSON on stdout (= --format json)");
    command
        ->add_option("--format", options.format,
                     "text (default), json, sarif (SARIF 2.1.0, for code scanning) or github "
                     "(GitHub Actions workflow commands)")
        ->transform(choice(formats))
        ->excludes(json_option);
    add_color_option(command, options.color);
    command
        ->add_option("--select", options.select,
                     "Report only these rules: ids or prefixes (META-URL, PKG-), repeatable or "
                     "comma-separated; replaces [tool.qplug] select")
        ->delimiter(',');
    command
        ->add_option("--ignore", options.ignore,
                     "Do not report these rules: ids or prefixes, repeatable or comma-separated; "
                     "replaces [tool.qplug] ignore")
        ->delimiter(',');
}

// ---- SARIF 2.1.0 --------------------------------------------------------------------------

namespace {

std::string_view sarif_level(meta::Severity s) {
    switch (s) {
    case meta::Severity::error:
        return "error";
    case meta::Severity::warning:
        return "warning";
    case meta::Severity::info:
        return "note";
    case meta::Severity::off:
        break;
    }
    return "none";
}

/// A file path as a URI reference (RFC 3986): relative paths stay relative, absolute ones
/// become file:// URIs; bytes outside the unreserved set and '/' are percent-encoded.
std::string path_uri(const std::string& path) {
    std::string out;
    if (!path.empty() && path[0] == '/') {
        out = "file://";
    }
    for (const char c : path) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", b);
        }
    }
    return out;
}

} // namespace

json sarif_log(const std::vector<CheckedInput>& inputs, meta::Profile profile) {
    json rules = json::array();
    std::map<std::string_view, std::size_t> rule_index;
    for (const auto& r : meta::rules()) {
        rule_index.emplace(r.id, rules.size());
        const meta::Severity level = r.severity_in(profile);
        rules.push_back(
            {{"id", r.id},
             {"shortDescription", {{"text", r.message}}},
             {"help", {{"text", r.hint.empty() ? r.message : r.hint}}},
             {"defaultConfiguration",
              {{"enabled", level != meta::Severity::off}, {"level", sarif_level(level)}}},
             {"properties", {{"category", r.category}}}});
    }
    json results = json::array();
    for (const auto& input : inputs) {
        const std::string entry_prefix = input.path + ":";
        for (const auto& d : input.diagnostics) {
            json location;
            std::string message = d.message;
            if (d.file.starts_with(entry_prefix)) {
                // An entry of a ZIP: the ZIP is the artifact, the entry its logical location.
                const std::string entry = d.file.substr(entry_prefix.size());
                location = {
                    {"physicalLocation", {{"artifactLocation", {{"uri", path_uri(input.path)}}}}},
                    {"logicalLocations",
                     json::array({{{"fullyQualifiedName", entry}, {"kind", "resource"}}})}};
                if (d.line > 0) {
                    message += fmt::format(" ({}, line {}, column {})", entry, d.line, d.column);
                }
            } else {
                json physical = {{"artifactLocation", {{"uri", path_uri(d.file)}}}};
                if (d.line > 0) {
                    physical["region"] = {{"startLine", d.line},
                                          {"startColumn", std::max<std::size_t>(d.column, 1)}};
                }
                location = {{"physicalLocation", physical}};
            }
            json result = {{"ruleId", d.rule},
                           {"level", sarif_level(d.severity)},
                           {"message", {{"text", message}}},
                           {"locations", json::array({location})}};
            if (const auto it = rule_index.find(d.rule); it != rule_index.end()) {
                result["ruleIndex"] = it->second;
            }
            if (d.count > 1) {
                result["occurrenceCount"] = d.count;
            }
            results.push_back(std::move(result));
        }
    }
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs", json::array({{{"tool",
                                    {{"driver",
                                      {{"name", "qplug"},
                                       {"version", QPLUG_VERSION_STRING},
                                       {"semanticVersion", QPLUG_VERSION_STRING},
                                       {"rules", rules}}}}},
                                   {"columnKind", "unicodeCodePoints"},
                                   {"results", results}}})}};
}

// ---- GitHub workflow commands ---------------------------------------------------------------

namespace {

std::string escape_data(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '%':
            out += "%25";
            break;
        case '\r':
            out += "%0D";
            break;
        case '\n':
            out += "%0A";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string escape_property(std::string_view s) {
    std::string out;
    for (const char c : escape_data(s)) {
        if (c == ':') {
            out += "%3A";
        } else if (c == ',') {
            out += "%2C";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

void print_github(std::ostream& out, const meta::Diagnostic& d) {
    const std::string_view command = d.severity == meta::Severity::error     ? "error"
                                     : d.severity == meta::Severity::warning ? "warning"
                                                                             : "notice";
    // A ZIP's entry is not a file of the repository: annotate the ZIP, name the entry.
    std::string file = d.file;
    std::string message = d.message;
    bool entry = false;
    if (const std::size_t zip = file.find(".zip:"); zip != std::string::npos) {
        // The line is the entry's, not the ZIP's: it goes into the message.
        message = file.substr(zip + 5) +
                  (d.line > 0 ? fmt::format(":{}:{}", d.line, d.column) : std::string()) + ": " +
                  message;
        file.resize(zip + 4);
        entry = true;
    }
    out << "::" << command << " file=" << escape_property(file);
    if (d.line > 0 && !entry) {
        out << ",line=" << d.line << ",col=" << d.column;
    }
    out << ",title=" << escape_property(d.rule) << "::" << escape_data(message);
    if (!d.hint.empty()) {
        out << escape_data("\n" + std::string(d.hint));
    }
    out << '\n';
}

} // namespace qplug::cli
