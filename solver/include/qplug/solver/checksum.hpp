// Digests of downloads and plugin ZIPs (libsolv's implementation, already a dependency).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <qplug/expected.hpp>

namespace qplug::solver {

enum class DigestAlgorithm { sha256, md5 };

/// "sha256" / "md5"; nullopt for anything else.
std::optional<DigestAlgorithm> digest_algorithm_from_name(std::string_view name);

class Hasher {
public:
    explicit Hasher(DigestAlgorithm algorithm);
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;
    ~Hasher();
    void add(std::string_view bytes);
    /// The lower-case hex digest; the hasher cannot be fed afterwards.
    std::string hex();

private:
    struct State;
    std::unique_ptr<State> state_;
};

std::string sha256_hex(std::string_view bytes);
/// The digest of a file, read in chunks.
Expected<std::string> file_digest_hex(const std::filesystem::path& path, DigestAlgorithm algorithm);

} // namespace qplug::solver
