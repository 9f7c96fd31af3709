// SPDX-License-Identifier: GPL-2.0-or-later
#include "index/release_hash.hpp"

#include <functional>

namespace qplug::solver {

namespace {

/// Feeds fields one after another; each field's length goes in too, so that moving bytes
/// from one field into the next changes the hash.
class Hasher {
public:
    Hasher& add(std::string_view text) {
        return mix(std::hash<std::string_view>{}(text)).mix(text.size());
    }
    Hasher& add(std::uint64_t value) { return mix(value); }
    Hasher& add(bool value) { return mix(value ? 1 : 2); }
    template <class T>
    Hasher& add(const std::optional<T>& value) {
        return value ? mix(1).mix(static_cast<std::uint64_t>(*value)) : mix(0);
    }

    std::uint64_t value() const { return state_; }

private:
    // SplitMix64's finaliser over the running state: every bit of the input reaches every bit
    // of the result.
    Hasher& mix(std::uint64_t value) {
        std::uint64_t z = state_ ^ (value + 0x9E3779B97F4A7C15ULL + (state_ << 6) + (state_ >> 2));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        state_ = z ^ (z >> 31);
        return *this;
    }

    std::uint64_t state_ = 0x71706C7567ULL; // "qplug"
};

} // namespace

std::int64_t release_content_hash(const Release& r, std::string_view dependencies_json) {
    Hasher h;
    h.add(r.version)
        .add(static_cast<std::uint64_t>(r.channel))
        .add(r.deprecated)
        .add(r.trusted)
        .add(r.qgis_minimum)
        .add(r.qgis_maximum)
        .add(r.requires_python)
        .add(r.download_url)
        .add(r.file_name)
        .add(r.size)
        .add(r.hash)
        .add(r.build)
        .add(r.build_number)
        .add(r.subdir)
        .add(r.update_date)
        .add(r.metadata_json)
        .add(r.dependencies_known)
        .add(dependencies_json)
        .add(r.path)
        .add(static_cast<std::uint64_t>(r.owner))
        .add(static_cast<std::uint64_t>(r.modules.size()));
    for (const std::string& m : r.modules) {
        h.add(m);
    }
    return static_cast<std::int64_t>(h.value() | 1); // never 0: "unknown"
}

} // namespace qplug::solver
