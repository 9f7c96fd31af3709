// ByteBuilder: appends into an inline buffer and moves to the heap only for long inputs, so
// building a version's normal form and key costs no allocation in the common case.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace qplug::version::detail {

class ByteBuilder {
public:
    ByteBuilder() = default;
    ByteBuilder(const ByteBuilder&) = delete;
    ByteBuilder& operator=(const ByteBuilder&) = delete;

    void push_back(char c) {
        if (size_ == capacity_) [[unlikely]] {
            grow(1);
        }
        data_[size_++] = c;
    }
    void append(std::string_view s) {
        if (size_ + s.size() > capacity_) [[unlikely]] {
            grow(s.size());
        }
        std::memcpy(data_ + size_, s.data(), s.size());
        size_ += s.size();
    }
    std::size_t size() const noexcept { return size_; }
    /// Shrinks to n bytes (n <= size()).
    void truncate(std::size_t n) noexcept { size_ = n; }
    std::string_view view() const noexcept { return {data_, size_}; }
    std::string str() const { return std::string(data_, size_); }

private:
    static constexpr std::size_t kInline = 96;

    void grow(std::size_t extra) {
        const std::size_t capacity = (size_ + extra) * 2;
        auto bigger = std::make_unique<char[]>(capacity);
        std::memcpy(bigger.get(), data_, size_);
        heap_ = std::move(bigger);
        data_ = heap_.get();
        capacity_ = capacity;
    }

    char inline_[kInline];
    char* data_ = inline_;
    std::size_t size_ = 0;
    std::size_t capacity_ = kInline;
    std::unique_ptr<char[]> heap_;
};

} // namespace qplug::version::detail
