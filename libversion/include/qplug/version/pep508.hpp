// PEP 508 dependency specifiers ("name[extras] (>=1.0); python_version < '3.12'") and
// environment markers, exactly as Debian 12's python3-packaging 23.0 reads, prints and
// evaluates them (packaging.requirements.Requirement, packaging.markers.Marker). See
// docs/versions.md, "PEP 508 requirements and markers", for what qplug decided where packaging
// raises something other than its own errors.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::version::pep508 {

/// The values of the marker variables for one target (packaging's default_environment()
/// dict, whose keys are these member names). `extra` is not part of it: evaluate() takes it.
struct Environment {
    std::string implementation_name;            ///< sys.implementation.name: "cpython"
    std::string implementation_version;         ///< "3.13.0c1" (format_full_version)
    std::string os_name;                        ///< os.name: "posix", "nt"
    std::string platform_machine;               ///< platform.machine(): "x86_64", "AMD64"
    std::string platform_release;               ///< platform.release()
    std::string platform_system;                ///< platform.system(): "Linux", "Windows"
    std::string platform_version;               ///< platform.version()
    std::string python_full_version;            ///< platform.python_version(): "3.13.0rc1"
    std::string platform_python_implementation; ///< platform.python_implementation()
    std::string python_version;                 ///< "3.13": the first two parts
    std::string sys_platform;                   ///< sys.platform: "linux", "win32", "darwin"

    /// The value of the variable called `name` (one of the member names above), or nullptr:
    /// the lookup packaging does in its environment dict.
    const std::string* find(std::string_view name) const noexcept;
};

/// A plausible CPython environment for a target interpreter, as packaging's
/// default_environment() would report it there.
///
/// `python_full_version` is what platform.python_version() prints: "3.12.4", "3.13.0rc1",
/// "3.14.0a3" or, for short, "3.12" (read as "3.12.0"). `platform` is a sys.platform value:
/// "linux" (os_name "posix", platform_system "Linux", machine "x86_64"), "win32" ("nt",
/// "Windows", "AMD64") or "darwin" ("posix", "Darwin", "arm64"). `machine`, when not empty,
/// replaces the machine. platform_release and platform_version hold a typical kernel's
/// values ("6.1.0" / "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0", "10" / "10.0.19045", "23.6.0" /
/// "Darwin Kernel Version 23.6.0"), since the real ones are unknowable for a target; callers
/// who know better assign the fields. Fails on any other platform or version spelling.
Expected<Environment> default_environment(std::string_view python_full_version,
                                          std::string_view platform = "linux",
                                          std::string_view machine = "");

/// An environment marker (packaging.markers.Marker), kept as packaging's parse tree.
class Marker {
public:
    enum class Op {
        less,          ///< <
        less_equal,    ///< <=
        equal,         ///< ==
        not_equal,     ///< !=
        greater_equal, ///< >=
        greater,       ///< >
        compatible,    ///< ~=
        arbitrary,     ///< ===
        in,            ///< in
        not_in,        ///< not in
    };
    /// One side of a comparison: a variable (its canonical name, e.g. "os_name" for
    /// "os.name") or a quoted string (its Python value, escapes decoded).
    struct Operand {
        bool variable = false;
        std::string text;
    };
    struct Item {
        Operand lhs;
        Op op = Op::equal;
        Operand rhs;
    };
    /// An element of packaging's marker list: a comparison, a parenthesized list, or the
    /// words "and" / "or" between them.
    struct Node {
        enum class Kind { item, group, op_and, op_or };
        Kind kind = Kind::item;
        Item item;               ///< when kind == item
        std::vector<Node> group; ///< when kind == group
    };

    /// Marker(text). Like packaging 23.0, the text after a complete marker is not looked at:
    /// `os_name == "nt" junk` is the marker `os_name == "nt"` (Requirement does check it).
    static Expected<Marker> parse(std::string_view text);

    /// str(Marker): values in double quotes, single spaces, the extra name of a leading
    /// `extra == "..."` canonicalized, redundant parentheses dropped (as packaging drops them).
    std::string to_string() const;

    /// Marker.evaluate({**environment, "extra": extra}). PEP 440 comparison when
    /// `op + rhs` is a valid specifier (then the left side must be a valid version), string
    /// comparison otherwise; `extra` compared by canonical name. Fails where packaging
    /// raises: an undefined name (`"a" == "b"` looks "b" up), a left side that is not a
    /// version, `~=`/`===` on strings.
    Expected<bool> evaluate(const Environment& environment, std::string_view extra = "") const;

    /// The parse tree: a list of nodes, items and groups separated by op_and / op_or.
    const std::vector<Node>& nodes() const noexcept { return nodes_; }

private:
    friend struct MarkerAccess;
    std::vector<Node> nodes_;
};

/// A PEP 508 dependency specifier (packaging.requirements.Requirement).
struct Requirement {
    std::string name;                ///< as written (not canonicalized)
    std::vector<std::string> extras; ///< without duplicates, sorted as str() prints them
    std::string specifier;           ///< str(SpecifierSet): clauses sorted, "" when none
    std::string url;                 ///< after "@", "" when none
    std::optional<Marker> marker;

    /// str(Requirement), e.g. "name[a,b]<2,>=1; python_version < \"3.12\"" or, with a URL,
    /// "name@ https://host/x.whl ; os_name == \"nt\"" (packaging 23.0's spacing).
    std::string to_string() const;
};

/// Requirement(text): fails with an Error naming the input and the byte offset where
/// packaging's parser stopped (InvalidRequirement, and what packaging raises besides:
/// InvalidSpecifier, the URL checks of urllib.parse, Python string literal errors).
Expected<Requirement> parse_requirement(std::string_view text);

} // namespace qplug::version::pep508
