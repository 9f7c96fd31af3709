// Streaming JSON for the readers: nlohmann's SAX parser with a byte position for every event
// (its callbacks carry none), subtrees a handler does not want skipped without building them,
// and errors as values. Streaming matters: conda-forge's repodata.json is hundreds of MB, and a
// DOM of it would take several times that.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <qplug/expected.hpp>

#include "formats/reader_error.hpp"

namespace qplug::solver::detail {

/// Iterator over the document that publishes how far the lexer has read: the one way to know
/// positions from inside nlohmann's SAX callbacks.
class TrackedIterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    TrackedIterator() = default;
    TrackedIterator(const char* p, const char** read) : p_(p), read_(read) {}
    reference operator*() const { return *p_; }
    TrackedIterator& operator++() {
        *read_ = ++p_;
        return *this;
    }
    TrackedIterator operator++(int) {
        TrackedIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const TrackedIterator& other) const { return p_ == other.p_; }

private:
    const char* p_ = nullptr;
    const char** read_ = nullptr;
};

/// Where the parser is in the document.
class JsonCursor {
public:
    explicit JsonCursor(std::string_view doc) : doc_(doc), read_(doc.data()) {}

    std::string_view doc() const { return doc_; }
    /// Where the token of the current event starts: the first byte after the previous event
    /// that is not blank, ':' or ','. (A number's end is known only after one byte more, so
    /// "after the previous event" may already be past a separator; skipping them is right
    /// either way.)
    std::size_t start() const {
        std::size_t p = last_end_;
        while (p < doc_.size() && (doc_[p] == ' ' || doc_[p] == '\t' || doc_[p] == '\n' ||
                                   doc_[p] == '\r' || doc_[p] == ':' || doc_[p] == ',')) {
            ++p;
        }
        return p;
    }
    std::size_t read() const {
        return doc_.empty() ? 0 : static_cast<std::size_t>(read_ - doc_.data());
    }
    void mark() { last_end_ = read(); }
    const char** read_slot() { return &read_; }

private:
    std::string_view doc_;
    const char* read_;
    std::size_t last_end_ = 0;
};

/// A scalar value as the handler sees it.
struct JsonScalar {
    enum class Type { null, boolean, integer, floating, string };
    Type type = Type::null;
    bool boolean = false;
    /// Integers: `is_negative` tells which of the two holds the value.
    bool is_negative = false;
    std::int64_t negative = 0;
    std::uint64_t positive = 0;
    double floating = 0;
    std::string* string = nullptr; ///< the parser's buffer: handlers may move from it

    const char* type_name() const {
        switch (type) {
        case Type::null:
            return "null";
        case Type::boolean:
            return "a boolean";
        case Type::integer:
        case Type::floating:
            return "a number";
        case Type::string:
            return "a string";
        }
        return "a value";
    }
};

/// What a handler wants done with an object or array that starts.
enum class Enter { yes, skip, stop };

/// Adapts a handler with
///   Enter begin(bool object);  bool end(bool object);
///   bool key(std::string& key);  bool scalar(JsonScalar& value);
/// (false / Enter::stop: the handler has set its error) to nlohmann's SAX interface.
template <class Handler>
class SaxDriver {
public:
    SaxDriver(JsonCursor& cursor, Handler& handler, std::string_view what)
        : cursor_(cursor), handler_(handler), what_(what) {}

    bool null() { return scalar({}); }
    bool boolean(bool value) {
        JsonScalar s;
        s.type = JsonScalar::Type::boolean;
        s.boolean = value;
        return scalar(s);
    }
    bool number_integer(std::int64_t value) {
        JsonScalar s;
        s.type = JsonScalar::Type::integer;
        if (value < 0) {
            s.is_negative = true;
            s.negative = value;
        } else {
            s.positive = static_cast<std::uint64_t>(value);
        }
        return scalar(s);
    }
    bool number_unsigned(std::uint64_t value) {
        JsonScalar s;
        s.type = JsonScalar::Type::integer;
        s.positive = value;
        return scalar(s);
    }
    bool number_float(double value, const std::string& /*text*/) {
        JsonScalar s;
        s.type = JsonScalar::Type::floating;
        s.floating = value;
        return scalar(s);
    }
    bool string(std::string& value) {
        JsonScalar s;
        s.type = JsonScalar::Type::string;
        s.string = &value;
        return scalar(s);
    }
    bool binary(nlohmann::json::binary_t& /*value*/) { return true; } // not in JSON text

    bool start_object(std::size_t /*size*/) { return begin(true); }
    bool start_array(std::size_t /*size*/) { return begin(false); }
    bool end_object() { return end(true); }
    bool end_array() { return end(false); }
    bool key(std::string& value) {
        const bool ok = skip_ > 0 || handler_.key(value);
        cursor_.mark();
        return ok;
    }

    bool parse_error(std::size_t position, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& ex) {
        // nlohmann's text repeats line and column, which the document error gives in bytes.
        std::string message = ex.what();
        if (const std::size_t column = message.find("column "); column != std::string::npos) {
            if (const std::size_t colon = message.find(": ", column); colon != std::string::npos) {
                message.erase(0, colon + 2);
            }
        }
        // A lexing error ("invalid literal", a bad byte in a string) is at the byte that
        // failed, which nlohmann counts; its "last read" repeats the token, however long,
        // and the excerpt shows it anyway. A token in the wrong place ("unexpected string
        // literal") is where that token starts, after the last event.
        std::size_t at = cursor_.start();
        if (const std::size_t read = message.find("; last read: '"); read != std::string::npos) {
            at = position > 0 ? position - 1 : 0;
            const std::size_t expected = message.find("; expected ", read);
            message.erase(read,
                          expected == std::string::npos ? std::string::npos : expected - read);
        }
        error_ = document_error(what_, cursor_.doc(), at, std::move(message));
        return false;
    }

    const std::optional<Error>& error() const { return error_; }

private:
    bool scalar(JsonScalar value) {
        const bool ok = skip_ > 0 || handler_.scalar(value);
        cursor_.mark();
        return ok;
    }
    bool begin(bool object) {
        if (skip_ > 0) {
            ++skip_;
            cursor_.mark();
            return true;
        }
        const Enter e = handler_.begin(object);
        cursor_.mark();
        if (e == Enter::skip) {
            skip_ = 1;
        }
        return e != Enter::stop;
    }
    bool end(bool object) {
        bool ok = true;
        if (skip_ > 0) {
            --skip_;
        } else {
            ok = handler_.end(object);
        }
        cursor_.mark();
        return ok;
    }

    JsonCursor& cursor_;
    Handler& handler_;
    std::string_view what_;
    std::size_t skip_ = 0;
    std::optional<Error> error_;
};

/// Parses `cursor.doc()` into `handler`; the error is the parser's or the handler's
/// (`handler.error`, a std::optional<Error>).
template <class Handler>
std::optional<Error> parse_json(JsonCursor& cursor, Handler& handler, std::string_view what) {
    SaxDriver<Handler> driver(cursor, handler, what);
    const std::string_view doc = cursor.doc();
    const TrackedIterator first(doc.data(), cursor.read_slot());
    const TrackedIterator last(doc.data() + doc.size(), cursor.read_slot());
    if (nlohmann::json::sax_parse(first, last, &driver)) {
        return std::nullopt;
    }
    if (driver.error()) {
        return driver.error();
    }
    if (handler.error) {
        return handler.error;
    }
    return document_error(what, doc, cursor.read(), "the JSON could not be read");
}

} // namespace qplug::solver::detail
