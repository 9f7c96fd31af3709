// SPDX-License-Identifier: GPL-2.0-or-later
#include "index/dependency_json.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include <qplug/unicode.hpp>

#include "errors.hpp"
#include "formats/flat_json.hpp"

namespace qplug::solver {

std::string dependencies_to_json(const std::vector<Dependency>& dependencies) {
    std::string out = "[";
    for (const Dependency& d : dependencies) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.push_back('[');
        append_json_string(out, dependency_kind_name(d.kind));
        for (const std::string* field : {&d.target, &d.spec, &d.markers, &d.extra}) {
            out.push_back(',');
            append_json_string(out, *field);
        }
        out += d.constraint ? ",1]" : ",0]";
    }
    out.push_back(']');
    return out;
}

std::string modules_to_json(const std::vector<std::string>& modules) {
    // A sync writes one module per release: sorted and unique as it is, it is not copied.
    const bool sorted_unique =
        std::adjacent_find(modules.begin(), modules.end(), std::greater_equal<>()) == modules.end();
    std::vector<std::string> sorted;
    if (!sorted_unique) {
        sorted = modules;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    }
    std::string out = "[";
    for (const std::string& m : sorted_unique ? modules : sorted) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        append_json_string(out, m);
    }
    out.push_back(']');
    return out;
}

namespace {

/// A strict reader of exactly the shapes written above (and by the migrations'
/// json_group_array): an array of [string x 5, integer], or an array of strings. Written by hand
/// because this runs once per release when the solver loads the index (500,000 times on a large
/// one), where nlohmann's DOM cost more than the rest of the loading.
class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    bool read(std::vector<Dependency>& out) {
        if (!take('[')) {
            return false;
        }
        if (take(']')) {
            return at_end();
        }
        do {
            Dependency d;
            std::string kind;
            if (!take('[') || !string(kind) || !take(',') || !string(d.target) || !take(',') ||
                !string(d.spec) || !take(',') || !string(d.markers) || !take(',') ||
                !string(d.extra) || !take(',')) {
                return false;
            }
            const auto parsed_kind = dependency_kind_from_name(kind);
            std::int64_t constraint = 0;
            if (!parsed_kind || !integer(constraint) || !take(']')) {
                return false;
            }
            d.kind = *parsed_kind;
            d.constraint = constraint != 0;
            out.push_back(std::move(d));
        } while (take(','));
        return take(']') && at_end();
    }

    bool read(std::vector<std::string>& out) {
        if (!take('[')) {
            return false;
        }
        if (take(']')) {
            return at_end();
        }
        do {
            if (!string(out.emplace_back())) {
                return false;
            }
        } while (take(','));
        return take(']') && at_end();
    }

private:
    void blanks() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                       text_[pos_] == '\r' || text_[pos_] == '\t')) {
            ++pos_;
        }
    }
    bool take(char c) {
        blanks();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool at_end() {
        blanks();
        return pos_ == text_.size();
    }
    bool hex4(char32_t& cp) {
        if (pos_ + 4 > text_.size()) {
            return false;
        }
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_++];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) {
                return false;
            }
            cp = cp * 16 + static_cast<char32_t>(digit);
        }
        return true;
    }
    bool string(std::string& out) {
        if (!take('"')) {
            return false;
        }
        for (;;) {
            const std::size_t run = text_.find_first_of("\"\\", pos_);
            if (run == std::string_view::npos) {
                return false;
            }
            out.append(text_.substr(pos_, run - pos_));
            pos_ = run + 1;
            if (text_[run] == '"') {
                return true;
            }
            if (pos_ >= text_.size()) {
                return false;
            }
            const char e = text_[pos_++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out.push_back(e);
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                char32_t cp = 0;
                if (!hex4(cp)) {
                    return false;
                }
                if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
                    pos_ += 2;
                    char32_t low = 0;
                    if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) {
                        return false;
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xD800 && cp < 0xE000) {
                    cp = 0xFFFD; // a lone surrogate
                }
                unicode::append_utf8(out, cp);
                break;
            }
            default:
                return false;
            }
        }
    }
    bool integer(std::int64_t& value) {
        blanks();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' &&
               pos_ - start < 18) {
            value = value * 10 + (text_[pos_++] - '0');
        }
        return pos_ > start;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

} // namespace

Expected<std::vector<Dependency>> dependencies_from_json(std::string_view json) {
    std::vector<Dependency> out;
    if (json == "[]" || json.empty()) {
        return out;
    }
    if (!Reader(json).read(out)) {
        return failure(fmt::format("the index holds a damaged dependency list (not [[kind, "
                                   "target, spec, markers, extra, 0|1], ...]): {:.80}",
                                   json));
    }
    return out;
}

Expected<std::vector<std::string>> modules_from_json(std::string_view json) {
    std::vector<std::string> out;
    if (json == "[]" || json.empty()) {
        return out;
    }
    if (!Reader(json).read(out)) {
        return failure(fmt::format(
            "the index holds a damaged module list (not [\"name\", ...]): {:.80}", json));
    }
    return out;
}

} // namespace qplug::solver
