// Reading the test data in tests/data (copied from ../shared/corpus; see the SOURCES files).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qplug::test {

inline std::filesystem::path data_path(const std::string& relative) {
    return std::filesystem::path(QPLUG_TEST_DATA) / relative;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::vector<std::string> read_lines(const std::string& relative) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(data_path(relative)));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

inline nlohmann::json read_json(const std::string& relative) {
    return nlohmann::json::parse(read_file(data_path(relative)));
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& relative) {
    std::vector<nlohmann::json> rows;
    for (const auto& line : read_lines(relative)) {
        rows.push_back(nlohmann::json::parse(line));
    }
    return rows;
}

} // namespace qplug::test
