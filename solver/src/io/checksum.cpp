// SHA-256 and MD5 through libsolv's solv_chksum_* (the only libsolv use outside the solver).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <qplug/solver/checksum.hpp>

#include "errors.hpp"
#include "solv/libsolv.hpp"

namespace qplug::solver {

struct Hasher::State {
    Chksum* chk = nullptr;
};

std::optional<DigestAlgorithm> digest_algorithm_from_name(std::string_view name) {
    if (name == "sha256") {
        return DigestAlgorithm::sha256;
    }
    if (name == "md5") {
        return DigestAlgorithm::md5;
    }
    return std::nullopt;
}

Hasher::Hasher(DigestAlgorithm algorithm) : state_(std::make_unique<State>()) {
    state_->chk = solv_chksum_create(algorithm == DigestAlgorithm::sha256 ? REPOKEY_TYPE_SHA256
                                                                          : REPOKEY_TYPE_MD5);
}

Hasher::~Hasher() {
    if (state_ && state_->chk != nullptr) {
        solv_chksum_free(state_->chk, nullptr);
    }
}

void Hasher::add(std::string_view bytes) {
    // solv_chksum_add takes an int length: feed large inputs in slices.
    constexpr std::size_t kSlice = 1u << 30;
    while (!bytes.empty()) {
        const std::size_t n = std::min(bytes.size(), kSlice);
        solv_chksum_add(state_->chk, bytes.data(), static_cast<int>(n));
        bytes.remove_prefix(n);
    }
}

std::string Hasher::hex() {
    int len = 0;
    const unsigned char* digest = solv_chksum_get(state_->chk, &len);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(static_cast<std::size_t>(len) * 2);
    for (int i = 0; i < len; ++i) {
        out.push_back(kDigits[digest[i] >> 4]);
        out.push_back(kDigits[digest[i] & 0x0F]);
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Hasher h(DigestAlgorithm::sha256);
    h.add(bytes);
    return h.hex();
}

Expected<std::string> file_digest_hex(const std::filesystem::path& path,
                                      DigestAlgorithm algorithm) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        return io_failure(path.string() + ": cannot be read: " + std::strerror(errno));
    }
    Hasher h(algorithm);
    char buffer[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
        h.add(std::string_view(buffer, n));
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        return failure(path.string() + ": cannot be read");
    }
    return h.hex();
}

} // namespace qplug::solver
