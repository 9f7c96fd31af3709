// A release's metadata stored as what it changes in its package's (schema 5): the versions of
// a plugin repeat most of their metadata (description, about, author, links), which was
// most of what a sync wrote. The package row holds one release's metadata (`packages.metadata`,
// the base); a release row marked `metadata_shared` holds an RFC 7396 merge patch over it
// (changed and added members, removed ones as null), which gives the release's metadata back
// byte for byte: a patch is only stored when applying it was checked to do so.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::solver {

/// A member of a JSON object: its key and value as they are written (the key's quotes
/// included).
struct JsonMember {
    std::string_view key;
    std::string_view value;
};

/// The members of a JSON object written without blanks (as qplug's sources write them), in
/// order; nothing when `text` is not such an object.
std::optional<std::vector<JsonMember>> object_members(std::string_view text);

/// Whether two members have the same key (such a base is not used: a patch could not say
/// which one it changes).
bool has_duplicate_keys(const std::vector<JsonMember>& members);

/// `full` as a patch over the base (`base_members`, the members of the package's metadata,
/// without duplicate keys),
/// when `full` is an object, the patch gives it back exactly, means the same as a merge patch
/// (no member it changes holds an object, which RFC 7396 would merge), and it is shorter; else
/// nothing (the release keeps its metadata whole).
std::optional<std::string> metadata_patch(const std::vector<JsonMember>& base_members,
                                          std::string_view full);

/// The base with `patch` applied (the base's members in order, changed or removed by the
/// patch's, then the patch's new members): a release's metadata from its stored patch. A
/// patch or base that is not an object as written gives the patch unchanged.
std::string apply_metadata_patch(const std::vector<JsonMember>& base_members,
                                 std::string_view patch);

} // namespace qplug::solver
