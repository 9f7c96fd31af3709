// repodata.json of one conda channel subdir, read as a stream of SAX events straight into
// records: no document tree, one pass.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <qplug/solver/conda.hpp>

#include "formats/json_sax.hpp"
#include "formats/reader_error.hpp"

namespace qplug::solver::conda {

namespace {

using detail::Enter;
using detail::JsonCursor;
using detail::JsonScalar;

constexpr std::string_view kWhat = "repodata.json";

/// conda's TimestampField: values below 253402300799 (9999-12-31 in seconds) are seconds,
/// the rest milliseconds; the result is whole milliseconds (int() truncates).
std::optional<std::int64_t> timestamp_ms(const JsonScalar& v) {
    constexpr double kSecondsLimit = 253402300799.0;
    constexpr double kMax = 9.2e18; // inside int64 with room for rounding
    if (v.type == JsonScalar::Type::integer) {
        if (v.is_negative) {
            if (v.negative < std::numeric_limits<std::int64_t>::min() / 1000) {
                return std::nullopt;
            }
            return v.negative * 1000;
        }
        if (v.positive < 253402300799ULL) {
            return static_cast<std::int64_t>(v.positive) * 1000;
        }
        if (v.positive > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(v.positive);
    }
    double value = v.floating;
    if (value < kSecondsLimit) {
        value *= 1000;
    }
    if (!std::isfinite(value) || value > kMax || value < -kMax) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(value);
}

class RepodataHandler {
public:
    explicit RepodataHandler(JsonCursor& cursor) : cursor_(cursor) {}

    std::optional<Error> error;
    RepodataResult result;

    Enter begin(bool object) {
        switch (at_) {
        case At::start:
            if (!object) {
                fail(cursor_.start(), "repodata.json must be a JSON object");
                return Enter::stop;
            }
            at_ = At::top;
            return Enter::yes;
        case At::top:
            if (key_ == "info") {
                if (!object) {
                    fail(cursor_.start(), "'info' must be an object");
                    return Enter::stop;
                }
                at_ = At::info;
                return Enter::yes;
            }
            if (key_ == "packages" || key_ == "packages.conda") {
                if (!object) {
                    fail(cursor_.start(), fmt::format("'{}' must be an object", key_));
                    return Enter::stop;
                }
                at_ = At::packages;
                return Enter::yes;
            }
            return Enter::skip;
        case At::packages:
            record_ = PackageRecord{};
            record_.filename = key_;
            problem_.clear();
            if (!object) {
                problem_ = "the record is not an object";
                finish_record();
                return Enter::skip;
            }
            at_ = At::record;
            return Enter::yes;
        case At::record:
            if (key_ == "depends" || key_ == "constrains") {
                if (object) {
                    note(fmt::format("'{}' is not a list", key_));
                    return Enter::skip;
                }
                list_ = key_ == "depends" ? &record_.depends : &record_.constrains;
                list_->clear();
                at_ = At::specs;
                return Enter::yes;
            }
            if (is_scalar_field(key_)) {
                note(fmt::format("'{}' is {}", key_, object ? "an object" : "a list"));
            }
            return Enter::skip;
        case At::specs:
            note(fmt::format("an entry of '{}' is not a string", key_));
            return Enter::skip;
        case At::info:
            return Enter::skip;
        }
        return Enter::skip;
    }

    bool end(bool /*object*/) {
        switch (at_) {
        case At::info:
        case At::packages:
            at_ = At::top;
            return true;
        case At::record:
            finish_record();
            at_ = At::packages;
            return true;
        case At::specs:
            at_ = At::record;
            return true;
        case At::start:
        case At::top:
            return true;
        }
        return true;
    }

    bool key(std::string& k) {
        key_.assign(k); // a copy: moving would take the lexer's buffer, costing it an allocation
        return true;
    }

    bool scalar(JsonScalar& v) {
        using T = JsonScalar::Type;
        switch (at_) {
        case At::start:
            return fail(cursor_.start(), "repodata.json must be a JSON object");
        case At::top:
            if (key_ == "packages" || key_ == "packages.conda") {
                return v.type == T::null ||
                       fail(cursor_.start(), fmt::format("'{}' must be an object", key_));
            }
            if (key_ == "repodata_version") {
                if (v.type != T::integer || v.is_negative) {
                    return fail(cursor_.start(), "'repodata_version' must be an integer");
                }
                if (v.positive > 2) {
                    return fail(
                        cursor_.start(),
                        fmt::format("repodata_version {} is not supported (1 or 2)", v.positive),
                        Error::Kind::invalid);
                }
                result.repodata.repodata_version = static_cast<int>(v.positive);
            }
            return true;
        case At::info:
            if ((key_ == "subdir" || key_ == "base_url") && v.type == T::string) {
                (key_ == "subdir" ? result.repodata.subdir : result.repodata.base_url) =
                    std::move(*v.string);
            }
            return true;
        case At::packages:
            record_ = PackageRecord{};
            record_.filename = key_;
            problem_ = fmt::format("the record is {}", v.type_name());
            finish_record();
            return true;
        case At::record:
            record_scalar(v);
            return true;
        case At::specs:
            if (v.type != T::string) {
                note(fmt::format("an entry of '{}' is {}", key_, v.type_name()));
            } else {
                list_->push_back(std::move(*v.string));
            }
            return true;
        }
        return true;
    }

    /// Records without a subdir take the channel's, known only at the end.
    void finish() {
        for (PackageRecord& r : result.repodata.records) {
            if (r.subdir.empty()) {
                r.subdir = result.repodata.subdir;
            }
        }
    }

private:
    enum class At { start, top, info, packages, record, specs };

    bool fail(std::size_t offset, std::string message, Error::Kind kind = Error::Kind::parse) {
        error = detail::document_error(kWhat, cursor_.doc(), offset, std::move(message), kind);
        return false;
    }

    /// The first problem of a record is the one reported.
    void note(std::string problem) {
        if (problem_.empty()) {
            problem_ = std::move(problem);
        }
    }

    static bool is_scalar_field(std::string_view key) {
        return key == "name" || key == "version" || key == "build" || key == "build_number" ||
               key == "subdir" || key == "noarch" || key == "md5" || key == "sha256" ||
               key == "size" || key == "timestamp" || key == "license";
    }

    void record_scalar(JsonScalar& v) {
        using T = JsonScalar::Type;
        std::string* text = nullptr;
        if (key_ == "name") {
            text = &record_.name;
        } else if (key_ == "version") {
            text = &record_.version;
        } else if (key_ == "build") {
            text = &record_.build;
        } else if (key_ == "subdir") {
            text = &record_.subdir;
        } else if (key_ == "md5") {
            text = &record_.md5;
        } else if (key_ == "sha256") {
            text = &record_.sha256;
        } else if (key_ == "license") {
            text = &record_.license;
        }
        if (text != nullptr) {
            if (v.type == T::string) {
                *text = std::move(*v.string);
            } else if (v.type == T::null) {
                text->clear();
            } else {
                note(fmt::format("'{}' is {}", key_, v.type_name()));
            }
            return;
        }
        if (key_ == "depends" || key_ == "constrains") {
            if (v.type == T::null) {
                (key_ == "depends" ? record_.depends : record_.constrains).clear();
            } else {
                note(fmt::format("'{}' is {}", key_, v.type_name()));
            }
        } else if (key_ == "build_number") {
            if (v.type == T::integer && !v.is_negative &&
                v.positive <=
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                record_.build_number = static_cast<std::int64_t>(v.positive);
            } else if (v.type == T::integer && v.is_negative) {
                record_.build_number = v.negative;
            } else if (v.type != T::null) {
                note(fmt::format("'build_number' is {}",
                                 v.type == T::integer ? "too large" : v.type_name()));
            }
        } else if (key_ == "size") {
            if (v.type == T::integer && !v.is_negative) {
                record_.size = v.positive;
            } else if (v.type == T::null) {
                record_.size.reset();
            } else {
                note(fmt::format("'size' is {}", v.is_negative ? "negative" : v.type_name()));
            }
        } else if (key_ == "timestamp") {
            if (v.type == T::integer || v.type == T::floating) {
                record_.timestamp = timestamp_ms(v);
                if (!record_.timestamp) {
                    note("'timestamp' is out of range");
                }
            } else if (v.type == T::null) {
                record_.timestamp.reset();
            } else {
                note(fmt::format("'timestamp' is {}", v.type_name()));
            }
        } else if (key_ == "noarch") {
            // conda's NoarchType.coerce: true is generic, false and null are none.
            if (v.type == T::boolean || v.type == T::null) {
                record_.noarch = v.type == T::boolean && v.boolean ? "generic" : "";
            } else if (v.type == T::string) {
                std::string lower;
                for (const char c : *v.string) {
                    lower += c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
                }
                if (lower == "python" || lower == "generic") {
                    record_.noarch = std::move(lower);
                } else if (lower == "true" || lower == "false" || lower.empty()) {
                    record_.noarch = lower == "true" ? "generic" : "";
                } else {
                    note(fmt::format("'noarch' is '{}' (not python or generic)", *v.string));
                }
            } else {
                note(fmt::format("'noarch' is {}", v.type_name()));
            }
        }
    }

    void finish_record() {
        if (problem_.empty()) {
            if (record_.name.empty()) {
                problem_ = "no 'name'";
            } else if (record_.version.empty()) {
                problem_ = "no 'version'";
            } else if (record_.build.empty()) {
                problem_ = "no 'build'";
            }
        }
        if (!problem_.empty()) {
            result.skipped.push_back(fmt::format("{}: {}", record_.filename, problem_));
            return;
        }
        result.repodata.records.push_back(std::move(record_));
    }

    JsonCursor& cursor_;
    At at_ = At::start;
    std::string key_;
    PackageRecord record_;
    std::string problem_;
    std::vector<std::string>* list_ = nullptr;
};

} // namespace

Expected<RepodataResult> parse_repodata(std::string_view json) {
    JsonCursor cursor(json);
    RepodataHandler handler(cursor);
    if (auto error = detail::parse_json(cursor, handler, kWhat)) {
        return std::move(*error);
    }
    handler.finish();
    return std::move(handler.result);
}

} // namespace qplug::solver::conda
