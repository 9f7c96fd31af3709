// SPDX-License-Identifier: GPL-2.0-or-later
#include "output.hpp"

#include <cstdio>
#include <iostream>

namespace qplug::cli {

void print_json(const nlohmann::ordered_json& value) {
    std::cout << value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
}

nlohmann::ordered_json error_json(const Error& error) {
    const std::string_view kind = error_kind_name(error.kind);
    return {{"kind", kind},           {"what", error.what},       {"input", error.input},
            {"offset", error.offset}, {"column", error.column()}, {"message", error.message}};
}

int report_invalid(const Error& error, const CommonOptions& options) {
    std::cerr << "qplug: " << error.to_string() << '\n';
    if (!error.input.empty() && error.input.find('\n') == std::string::npos) {
        std::cerr << "    " << error.input << '\n'
                  << "    " << std::string(error.column() - 1, ' ') << "^\n";
    }
    if (options.json) {
        print_json({{"error", error_json(error)}});
    }
    return exit_usage;
}

int report_failure(std::string_view message, const CommonOptions& options) {
    std::cerr << "qplug: " << message << '\n';
    if (options.json) {
        print_json({{"error", {{"kind", "failure"}, {"message", message}}}});
    }
    return exit_failure;
}

int report_error(const Error& error, const CommonOptions& options) {
    switch (error.kind) {
    case Error::Kind::parse:
        return report_invalid(error, options);
    case Error::Kind::refused:
    case Error::Kind::not_found:
        std::cerr << "qplug: " << error.to_string() << '\n';
        if (options.json) {
            print_json({{"error", error_json(error)}});
        }
        return exit_findings;
    default:
        return report_failure(error.to_string(), options);
    }
}

} // namespace qplug::cli
