// Expected<T>: a value or the reason there is none. Errors from user input travel as values,
// never as exceptions (ARCHITECTURE.md: "diagnostics are data").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace qplug {

/// What went wrong with one piece of input, and where.
struct Error {
    /// Kinds map onto the C ABI's codes and the CLI's exit codes.
    enum class Kind {
        parse,     ///< the input does not follow the grammar (QPLUG_EPARSE, exit 1/3 by command)
        invalid,   ///< a well-formed request that cannot be answered (QPLUG_EINVALID)
        not_found, ///< what the request names does not exist (QPLUG_ENOTFOUND)
        io,        ///< a file, the network or a program failed (QPLUG_EIO, exit 3)
        refused,   ///< content checked and refused: a package check, a size or digest (exit 1)
        unsat,     ///< a request no installation satisfies (QPLUG_EUNSAT, exit 1)
        internal,  ///< a bug or an exhausted resource (QPLUG_ERROR, exit 3)
        cancelled, ///< the caller asked to stop (a progress callback said so: QPLUG_ECANCELED)
    };
    Kind kind = Kind::parse;
    std::string what;       ///< e.g. "PEP 440 version"
    std::string input;      ///< the offending text, as given
    std::size_t offset = 0; ///< byte offset into `input` where the problem starts
    std::string message;    ///< the problem, e.g. "expected a digit after '!'"
    /// For problems in a file (plugins.xml, repodata ...): where, 1-based; line 0 = none.
    std::string file;
    std::size_t line = 0;
    std::size_t line_column = 0;

    /// 1-based column of `offset`, counted in code points as an editor shows it.
    std::size_t column() const noexcept;
    /// "invalid PEP 440 version '1.0+': column 5: expected a local version label after '+'";
    /// "FILE:LINE:COLUMN: message" for a problem in a file; the bare message when nothing
    /// else is set.
    std::string to_string() const;
};

/// "parse", "invalid", "not_found", "io", "refused", "unsat", "internal", "cancelled": the
/// kind as the CLI's and the C ABI's JSON name it.
std::string_view error_kind_name(Error::Kind kind) noexcept;

template <class T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
    Expected(Error error) : state_(std::move(error)) {} // NOLINT(google-explicit-constructor)

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

/// An operation that returns nothing but may fail: `return {};` on success.
template <>
class [[nodiscard]] Expected<void> {
public:
    Expected() = default;
    Expected(Error error) : error_(std::move(error)) {} // NOLINT(google-explicit-constructor)

    bool has_value() const noexcept { return !error_; }
    explicit operator bool() const noexcept { return has_value(); }

    const Error& error() const& { return *error_; }
    Error&& error() && { return std::move(*error_); }

private:
    std::optional<Error> error_;
};

} // namespace qplug

/// Returns the error of a failed Expected from the enclosing function (which returns an
/// Expected too): `QPLUG_TRY(index.add(config));`. The one place the propagation is spelt out.
#define QPLUG_TRY(...)                                                                             \
    do {                                                                                           \
        if (auto qplug_try_result_ = (__VA_ARGS__); !qplug_try_result_) {                          \
            return std::move(qplug_try_result_).error();                                           \
        }                                                                                          \
    } while (false)

/// The same for an Expected held in a variable, which stays usable afterwards:
/// `auto db = open(path); QPLUG_RETURN_IF_ERROR(db); db->exec(...);`.
#define QPLUG_RETURN_IF_ERROR(expected)                                                            \
    do {                                                                                           \
        if (!(expected)) {                                                                         \
            return std::move(expected).error();                                                    \
        }                                                                                          \
    } while (false)
