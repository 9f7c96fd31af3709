// A metadata.txt as configparser reads it, with every position kept.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::meta {

/// How keys are named and lines are split: as QGIS desktop reads the file, or as
/// plugins.qgis.org does (docs/metadata.md, "The file").
enum class KeyMode {
    qgis, ///< keys lower-cased; line breaks of str.splitlines (codecs.open)
    site, ///< keys as written; line breaks at '\n' only (StringIO of the decoded file)
};

std::string_view key_mode_name(KeyMode mode);

struct Position {
    std::size_t line = 0;   ///< 1-based
    std::size_t column = 0; ///< 1-based, code points
    std::size_t offset = 0; ///< bytes
};

// The strings of a Document are views of its text or of its own storage (see Document::keep):
// they live as long as the Document, and moving the Document keeps them valid.

/// The allocator of a document's vectors: its storage (released with the document, one
/// allocation for a whole file), or the heap for a document that has none (default-made).
/// It moves with its container, so a moved document's vectors stay in its storage.
template <class T>
class StorageAllocator {
public:
    using value_type = T;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;

    StorageAllocator() noexcept = default;
    explicit StorageAllocator(std::pmr::memory_resource* resource) noexcept : resource_(resource) {}
    template <class U>
    StorageAllocator(const StorageAllocator<U>& other) noexcept // NOLINT: rebinding
        : resource_(other.resource()) {}

    T* allocate(std::size_t n) {
        return static_cast<T*>(resource_ != nullptr ? resource_->allocate(n * sizeof(T), alignof(T))
                                                    : ::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (resource_ != nullptr) {
            resource_->deallocate(p, n * sizeof(T), alignof(T));
        } else {
            ::operator delete(p);
        }
    }
    std::pmr::memory_resource* resource() const noexcept { return resource_; }
    friend bool operator==(const StorageAllocator& a, const StorageAllocator& b) noexcept {
        return a.resource_ == b.resource_;
    }

private:
    std::pmr::memory_resource* resource_ = nullptr;
};

template <class T>
using StorageVector = std::vector<T, StorageAllocator<T>>;

struct Entry {
    Entry() = default;
    /// What a key line gives; the value's lines and get() come later. (A constructor, not
    /// aggregate initialization: that zeroed the whole entry first, then wrote it again.)
    Entry(std::string_view key_, std::string_view name_, std::string_view raw_value_,
          char delimiter_, const Position& key_position_, std::size_t last_line_,
          std::span<const std::string_view> comments_) noexcept
        : key(key_), name(name_), raw_value(raw_value_), delimiter(delimiter_),
          key_position(key_position_), last_line(last_line_), comments(comments_) {}

    std::string_view key;       ///< as written, stripped
    std::string_view name;      ///< as the key mode names it (lower-cased in qgis mode)
    std::string_view raw_value; ///< configparser's raw value: lines joined with '\n', rstripped
    char delimiter = '=';
    Position key_position;
    std::size_t last_line = 0;                  ///< the last line that belongs to this entry
    std::span<const std::string_view> comments; ///< comment lines just before the entry
    // The members the parser fills in later come last.
    /// Where each line of the value starts (the first is after the delimiter).
    std::span<const Position> value_lines;
    /// get(): after %-interpolation; nullopt when interpolation fails.
    std::optional<std::string_view> value;
};

struct Section {
    std::string_view name; ///< as written between the brackets
    Position position;
    StorageVector<Entry> entries;
    std::span<const std::string_view> comments; ///< comment lines just before the header

    const Entry* find(std::string_view name) const;
};

/// A parsed file. Move-only: its views point into storage it owns.
struct Document {
    Document() = default;
    Document(Document&&) noexcept = default;
    Document& operator=(Document&&) noexcept = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;
    /// Hands the vectors' memory back before the storage it came from goes.
    ~Document();

    std::string file; ///< name used in diagnostics
    KeyMode keys = KeyMode::qgis;
    /// True exactly when configparser reads the file without raising (read_file).
    bool ok = false;
    bool lenient = false;
    StorageVector<Section> sections; ///< in file order; [DEFAULT] too, when present
    Diagnostics diagnostics;         ///< graded for the qgis profile; see apply_profile()
    std::string_view text;           ///< the text read (UTF-8; converted when lenient)
    std::span<const std::string_view> trailing_comments; ///< comment lines after the last entry
    /// Where each line starts and ends (bytes, line break excluded), as the key mode splits.
    using Lines = StorageVector<std::pair<std::size_t, std::size_t>>;
    Lines lines;

    const Section* section(std::string_view name) const;
    const Section* general() const { return section("general"); }
    const Section* defaults() const { return section("DEFAULT"); }

    /// For each entry of [DEFAULT], get("general", key) of it: configparser interpolates an
    /// inherited value with [general]'s keys first, so it can differ from the entry's own
    /// value (which is read in [DEFAULT]'s context). nullopt when interpolation fails or
    /// when [general] has its own key of that name. Empty without [general] or [DEFAULT].
    std::vector<std::optional<std::string_view>> inherited_values;

    struct Item {
        const Entry* entry; ///< in [general], or inherited from [DEFAULT]
        bool inherited;
        /// get("general", key): the entry's value, or for an inherited entry its value in
        /// [general]'s context; nullopt when interpolation fails.
        const std::optional<std::string_view>* value;
    };
    /// [general]'s keys as configparser's options('general') lists them: its own keys in
    /// file order, then inherited [DEFAULT] keys.
    std::vector<Item> general_items() const;
    /// The same, written into `items` (whose capacity a caller may reuse).
    void general_items(std::vector<Item>& items) const;
    /// get("general", key) with the mode's key naming; nullopt when absent or when
    /// interpolation fails.
    std::optional<std::string> get(std::string_view key) const;
    /// The entry a key of [general] resolves to (own or inherited), or nullptr.
    const Entry* find(std::string_view key) const;

    /// The source line (without line break) that holds `offset`.
    std::string_view line_at(std::size_t offset) const;

    /// A copy of `bytes` in the document's storage, valid as long as the document.
    std::string_view keep(std::string_view bytes);
    /// Room for `count` positions in the document's storage, valid as long as the document.
    std::span<Position> make_positions(std::size_t count);
    /// Room for `count` bytes in the document's storage (not initialized), as long as it.
    std::span<char> make_bytes(std::size_t count);
    /// `first` then `second` in the document's storage, valid as long as the document.
    std::span<const std::string_view> keep_views(std::span<const std::string_view> first,
                                                 std::span<const std::string_view> second = {});
    /// Called before the first keep(): the storage's first block holds at least `bytes`
    /// (so that a whole file's copies take one allocation). From then on `sections` and
    /// `lines` (empty until then) take their memory from the storage too.
    void reserve_storage(std::size_t bytes);
    /// An allocator of the document's storage (the heap before reserve_storage()).
    template <class T>
    StorageAllocator<T> allocator() const noexcept {
        return StorageAllocator<T>(storage_.get());
    }

private:
    /// One arena per document: the text, the values that are not slices of it (joined
    /// lines, interpolated values, lower-cased keys), the value positions and comment
    /// lists. Behind a pointer so that moving the document leaves the views valid; the
    /// resource lives at the start of its own first block (one allocation per document).
    struct StorageDeleter {
        void operator()(std::pmr::monotonic_buffer_resource* r) const noexcept;
    };
    std::unique_ptr<std::pmr::monotonic_buffer_resource, StorageDeleter> storage_;
};

} // namespace qplug::meta
