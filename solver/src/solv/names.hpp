// How qplug names things in the pool: solvables "<backend>:<name>" with the name
// percent-encoded, and the namespace targets of dependencies ("plugin:", "pymodule:", ...).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

#include <qplug/solver/records.hpp>

namespace qplug::solver::solv {

// Namespace targets besides "<backend>:<name>" (docs/resolve.md, "The model").
inline constexpr std::string_view kPlugin = "plugin:";
inline constexpr std::string_view kModule = "pymodule:";
inline constexpr std::string_view kExact = "exact:";
inline constexpr std::string_view kPinNot = "pinnot:";

/// "legacy", "pip", "conda": a solvable name's prefix.
std::string_view backend_prefix(Backend b);
/// "legacy:<key>", "pip:<name>", "conda:<name>".
std::string solvable_name(Backend backend, const std::string& key);
/// Percent-encodes '%', '#', blanks and control characters (libsolv testcases split on
/// blanks; '#' separates a namespace target from its spec).
std::string encode_name(std::string_view text);
std::string decode_name(std::string_view text);

} // namespace qplug::solver::solv
