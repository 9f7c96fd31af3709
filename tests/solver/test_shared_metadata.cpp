// A release's metadata as a patch over its package's (index/shared_metadata.hpp): a stored patch
// always gives the release's metadata back byte for byte, and means what RFC 7396 says (as
// nlohmann's merge_patch and SQLite's json_patch, which the release_metadata view uses, read
// it). Random objects of the kind the sources write, with reordered, added, removed, nested,
// escaped and null members.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index/shared_metadata.hpp"

using namespace qplug::solver;

namespace {

std::vector<JsonMember> members_of(const std::string& text) {
    auto members = object_members(text);
    EXPECT_TRUE(members) << text;
    return members ? *members : std::vector<JsonMember>{};
}

TEST(SharedMetadata, MembersAreSplitAsWritten) {
    const std::string text =
        R"({"a":"x,y}","b\"c":{"d":[1,{"e":"]"}]},"f":true,"g":null,"h":-1.5e3})";
    const auto members = members_of(text);
    ASSERT_EQ(members.size(), 5U);
    EXPECT_EQ(members[0].key, R"("a")");
    EXPECT_EQ(members[0].value, R"("x,y}")");
    EXPECT_EQ(members[1].key, R"("b\"c")");
    EXPECT_EQ(members[1].value, R"({"d":[1,{"e":"]"}]})");
    EXPECT_EQ(members[3].value, "null");
    EXPECT_EQ(members[4].value, "-1.5e3");
    EXPECT_TRUE(object_members("{}"));
    for (const char* bad : {"", "{", "[]", R"({"a":1)", R"({"a" :1})", R"({"a":1,})", R"({a:1})",
                            R"({"a":"x})", R"({"a":1}x)"}) {
        EXPECT_FALSE(object_members(bad)) << bad;
    }
}

TEST(SharedMetadata, AVersionStoresWhatItChanges) {
    const std::string base =
        R"({"name":"P","version":"2.0","about":"long text","author_name":"A","changelog":"c"})";
    const std::string full =
        R"({"name":"P","version":"1.0","about":"long text","author_name":"A"})";
    const auto patch = metadata_patch(members_of(base), full);
    ASSERT_TRUE(patch);
    EXPECT_EQ(*patch, R"({"version":"1.0","changelog":null})");
    EXPECT_EQ(apply_metadata_patch(members_of(base), *patch), full);
    // The base itself is an empty patch; an unrelated object is kept whole.
    EXPECT_EQ(metadata_patch(members_of(base), base), "{}");
    EXPECT_FALSE(metadata_patch(members_of(base), R"({"x":"1"})"));
    // A member the patch would drop (null) or order differently is checked, not assumed.
    EXPECT_FALSE(
        metadata_patch(members_of(base), R"({"name":"P","version":null,"about":"long text"})"));
    const std::string reordered =
        R"({"about":"long text","name":"P","version":"2.0","author_name":"A"})";
    if (auto p = metadata_patch(members_of(base), reordered)) {
        EXPECT_EQ(apply_metadata_patch(members_of(base), *p), reordered);
    }
}

/// A random value as qplug's sources write them: mostly strings (escapes, non-ASCII), some
/// literals, numbers, nested objects and arrays.
std::string random_value(std::mt19937& rng, int depth = 0) {
    static const std::vector<std::string> strings = {
        R"("")",        R"("a")",           R"("same text")",
        R"("q\"uote")", R"("back\\slash")", R"("\u00e9t\u00e9")",
        R"("été")",     R"("line\nbreak")", R"("}],{")"};
    switch (std::uniform_int_distribution<int>(0, depth > 1 ? 2 : 4)(rng)) {
    case 0:
    case 1:
        return strings[std::uniform_int_distribution<std::size_t>(0, strings.size() - 1)(rng)];
    case 2: {
        static const std::vector<std::string> literals = {"true", "false", "null", "0", "-12.5"};
        return literals[std::uniform_int_distribution<std::size_t>(0, literals.size() - 1)(rng)];
    }
    case 3:
        return "[" + random_value(rng, depth + 1) + "," + random_value(rng, depth + 1) + "]";
    default:
        return R"({"k":)" + random_value(rng, depth + 1) + "}";
    }
}

std::string random_object(std::mt19937& rng, const std::vector<std::string>& keys) {
    std::string out = "{";
    for (const std::string& key : keys) {
        if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
            continue;
        }
        out += out.size() > 1 ? "," : "";
        out += "\"" + key + "\":" + random_value(rng);
    }
    return out + "}";
}

TEST(SharedMetadata, PatchesGiveTheMetadataBackAndMeanAMergePatch) {
    std::mt19937 rng(20261206);
    std::vector<std::string> keys = {"name", "version", "about", "a\\\"b", "tags", "x", "y"};
    std::size_t stored = 0;
    for (int round = 0; round < 20000; ++round) {
        std::shuffle(keys.begin(), keys.end(), rng);
        const std::string base = random_object(rng, keys);
        if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
            std::shuffle(keys.begin(), keys.end(), rng); // another order for the release
        }
        std::string full = random_object(rng, keys);
        if (std::uniform_int_distribution<int>(0, 1)(rng) == 0) {
            full = base; // a close relative: the base with a member or two changed
            const auto members = members_of(base);
            if (!members.empty()) {
                const auto& m =
                    members[std::uniform_int_distribution<std::size_t>(0, members.size() - 1)(rng)];
                full.replace(static_cast<std::size_t>(m.value.data() - base.data()), m.value.size(),
                             random_value(rng));
            }
        }
        const auto base_members = members_of(base);
        const auto patch = metadata_patch(base_members, full);
        if (!patch) {
            continue;
        }
        ++stored;
        ASSERT_LT(patch->size(), full.size()) << base << " " << full;
        ASSERT_EQ(apply_metadata_patch(base_members, *patch), full) << base << " " << full;
        nlohmann::json merged = nlohmann::json::parse(base);
        merged.merge_patch(nlohmann::json::parse(*patch));
        ASSERT_EQ(merged, nlohmann::json::parse(full)) << base << " " << full << " " << *patch;
    }
    EXPECT_GT(stored, 5000U); // the cases exercise patches, not only refusals
}

} // namespace
