// Plugin ZIP checks: plugins.qgis.org's validator (plugins/validator.py) step by step, without
// stopping at the first failure, plus symlinks, duplicates, case clashes, zip bombs,
// encryption, control characters and binaries. libzip reads the archive from memory or from
// the file; nothing is extracted to disk.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <lzma.h>
#include <map>
#include <memory>
#include <set>
#include <vector>
#include <zlib.h>

#include <fmt/format.h>
#include <zip.h>

#include <qplug/meta/model.hpp>
#include <qplug/meta/package.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/meta/zip_name.hpp>
#include <qplug/unicode.hpp>

#include "file_bytes.hpp"
#include "site_url.hpp"

namespace qplug::meta {

namespace {

using Args = MessageArgs;

struct ZipEntry {
    std::string name; ///< decoded as Python's zipfile does (UTF-8 flag, else CP437)
    std::uint64_t size = 0;
    std::uint64_t compressed = 0;
    bool encrypted = false;
    bool symlink = false;
    bool executable = false;
    bool directory = false;
    std::uint16_t method = 0; ///< compression method
    std::uint32_t crc = 0;
};

/// The compression methods Python's zipfile reads (the site and QGIS's installer use it).
bool python_reads(std::uint16_t method) {
    return method == ZIP_CM_STORE || method == ZIP_CM_DEFLATE || method == ZIP_CM_BZIP2 ||
           method == ZIP_CM_LZMA;
}

std::uint32_t le32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

/// How many bytes come before the archive proper (a self-extractor's stub), as Python's
/// zipfile finds it: the end-of-central-directory record (_EndRecData: at the very end, else
/// the last signature in the last 64 KiB), then its position minus the directory's size and
/// offset. `tail` is the file's last bytes, starting at `tail_start`. 0 for ZIP64 archives
/// and whatever does not add up.
std::uint64_t prepended_bytes(std::string_view tail, std::uint64_t tail_start) {
    constexpr std::size_t kEnd = 22;
    static constexpr std::string_view kSignature("PK\x05\x06", 4);
    std::size_t at = std::string_view::npos;
    if (tail.size() >= kEnd && tail.substr(tail.size() - kEnd, 4) == kSignature &&
        tail.substr(tail.size() - 2) == std::string_view("\0\0", 2)) {
        at = tail.size() - kEnd;
    } else {
        at = tail.rfind(kSignature);
        if (at == std::string_view::npos || at + kEnd > tail.size()) {
            return 0;
        }
    }
    if (at >= 20 && tail.substr(at - 20, 4) == std::string_view("PK\x06\x07", 4)) {
        return 0; // ZIP64: libzip finds its own way
    }
    const std::uint64_t cd_size = le32(tail, at + 12);
    const std::uint64_t cd_offset = le32(tail, at + 16);
    const std::uint64_t location = tail_start + at;
    return location > cd_size + cd_offset ? location - cd_size - cd_offset : 0;
}

/// ZIP's LZMA (method 14, APPNOTE 5.8.8: a version, the properties' size and the properties,
/// then raw LZMA1), as Python's zipfile decodes it; at most `limit` bytes of output.
std::optional<std::string> lzma_inflate(std::string_view data, std::uint64_t limit,
                                        std::string& out) {
    if (data.size() < 4) {
        return std::string("the LZMA header is cut short");
    }
    const std::size_t props_size = static_cast<unsigned char>(data[2]) |
                                   static_cast<std::size_t>(static_cast<unsigned char>(data[3]))
                                       << 8;
    if (data.size() < 4 + props_size) {
        return std::string("the LZMA header is cut short");
    }
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, nullptr}, {LZMA_VLI_UNKNOWN, nullptr}};
    if (lzma_properties_decode(&filters[0], nullptr,
                               reinterpret_cast<const std::uint8_t*>(data.data() + 4),
                               props_size) != LZMA_OK) {
        return std::string("bad LZMA properties");
    }
    lzma_stream strm = LZMA_STREAM_INIT;
    const lzma_ret init = lzma_raw_decoder(&strm, filters);
    std::free(filters[0].options);
    if (init != LZMA_OK) {
        return std::string("the LZMA decoder cannot start");
    }
    strm.next_in = reinterpret_cast<const std::uint8_t*>(data.data() + 4 + props_size);
    strm.avail_in = data.size() - 4 - props_size;
    std::array<std::uint8_t, 65536> buffer{};
    std::optional<std::string> failure;
    while (true) {
        strm.next_out = buffer.data();
        strm.avail_out = buffer.size();
        const lzma_ret ret = lzma_code(&strm, LZMA_RUN);
        const std::size_t got = buffer.size() - strm.avail_out;
        out.append(reinterpret_cast<const char*>(buffer.data()), got);
        if (out.size() > limit) {
            failure = "expands beyond what its header says";
            break;
        }
        if (ret == LZMA_STREAM_END || (ret == LZMA_OK && got == 0 && strm.avail_in == 0)) {
            break;
        }
        if (ret != LZMA_OK) {
            failure = "the LZMA data is corrupt";
            break;
        }
    }
    lzma_end(&strm);
    return failure;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string extension(std::string_view name) {
    const std::size_t slash = name.rfind('/');
    const std::string_view base = name.substr(slash == std::string_view::npos ? 0 : slash + 1);
    const std::size_t dot = base.rfind('.');
    return dot == std::string_view::npos || dot == 0 ? std::string()
                                                     : lower_ascii(base.substr(dot));
}

/// str.isidentifier(): ASCII exactly; other letters are accepted when they have case or are
/// numbers (close to Unicode's XID classes; see docs/packages.md).
bool is_identifier(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    bool first = true;
    for (std::size_t i = 0; i < s.size();) {
        const char32_t c = unicode::decode(s, i);
        bool ok = false;
        if (c < 0x80) {
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (!first && c >= '0' && c <= '9');
        } else {
            std::string one;
            unicode::append_utf8(one, c);
            ok = unicode::to_upper(one) != one || unicode::to_lower(one) != one ||
                 (!first && unicode::is_digit(c));
        }
        if (!ok) {
            return false;
        }
        first = false;
    }
    return true;
}

/// ^[A-Za-z][A-Za-z0-9-_]+$
bool valid_folder_name(std::string_view s) {
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (s.size() < 2 || !letter(s[0])) {
        return false;
    }
    return std::all_of(s.begin() + 1, s.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

const std::set<std::string> kSuspicious = {".exe", ".dll", ".so",  ".dylib",
                                           ".bat", ".sh",  ".ps1", ".cmd"};
// Asset and data formats that are binary by nature (not reported by PKG-BINARY).
const std::set<std::string> kBinaryAssets = {
    ".png",     ".jpg",  ".jpeg",   ".gif", ".bmp",  ".ico",    ".svgz", ".tif", ".tiff",
    ".webp",    ".qm",   ".ttf",    ".otf", ".woff", ".woff2",  ".pdf",  ".zip", ".gz",
    ".qgz",     ".gpkg", ".sqlite", ".db",  ".shp",  ".shx",    ".dbf",  ".prj", ".cpg",
    ".mbtiles", ".nc",   ".las",    ".laz", ".mp3",  ".wav",    ".ogg",  ".mp4", ".docx",
    ".xlsx",    ".odt",  ".ods",    ".npy", ".pkl",  ".pickle", ".xcf",  ".psd"};
const std::set<std::string> kAllowedHidden = {".gitignore", ".gitattributes", ".gitkeep",
                                              ".flake8",    ".bandit",        ".secrets.baseline",
                                              ".pylintrc",  ".editorconfig"};

/// The end of a run of \s (Python's re: str.isspace) starting at `pos` of UTF-8 `line`, and
/// where its last character starts (== pos when the run is empty).
std::pair<std::size_t, std::size_t> space_run(std::string_view line, std::size_t pos) {
    std::size_t last = pos;
    while (pos < line.size()) {
        std::size_t next = pos;
        if (!unicode::is_space(unicode::decode(line, next))) {
            break;
        }
        last = pos;
        pos = next;
    }
    return {pos, last};
}

/// The plugins website's _read_from_init: (function name, returned string) pairs from
/// "def f(...):" blocks whose body returns a literal, on UTF-8 text. Its two regular
/// expressions are matched as Python's re does, backtracking included: after a run of two
/// blanks or more, `\s+` gives its last blank back to the capture when nothing else fits.
std::vector<std::pair<std::string, std::string>> read_from_init(std::string_view content) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = content.find('\n', start);
        lines.push_back(content.substr(start, nl == std::string_view::npos ? nl : nl - start));
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
    // `word\s+` then a capture of characters up to one of `stops` (at least one), after an
    // optional quote when `quote` is set: re.search(r"word\s+(...)") on one line.
    auto search = [](std::string_view line, std::string_view word, std::string_view stops,
                     bool quote) -> std::optional<std::string> {
        for (std::size_t p = line.find(word); p != std::string_view::npos;
             p = line.find(word, p + 1)) {
            const std::size_t after = p + word.size();
            const auto [end, last_blank] = space_run(line, after);
            if (end == after) {
                continue; // \s+ needs one blank
            }
            std::size_t q = end;
            if (quote && q < line.size() && (line[q] == '"' || line[q] == '\'')) {
                ++q;
            }
            std::size_t stop = line.find_first_of(stops, q);
            stop = stop == std::string_view::npos ? line.size() : stop;
            if (stop > q) {
                return std::string(line.substr(q, stop - q));
            }
            if (last_blank > after) {
                // \s+ gives back its last blank, which the capture then takes (and what
                // follows up to a stop: nothing, or the capture above would have matched)
                return std::string(line.substr(last_blank, end - last_blank));
            }
        }
        return std::nullopt;
    };
    std::vector<std::pair<std::string, std::string>> metadata;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // re.search(r"def\s+([^\(]+)", line)
        if (auto name = search(lines[i], "def", "(", false)) {
            ++i;
            while (i < lines.size() && !lines[i].empty()) {
                // re.search(r"return\s+[\"']?([^\"']+)[\"']?", line)
                if (auto v = search(lines[i], "return", "\"'", true)) {
                    metadata.emplace_back(*name, *v);
                    break;
                }
                ++i;
            }
        }
    }
    return metadata;
}

class ZipArchive {
public:
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;
    ~ZipArchive() {
        if (za_ != nullptr) {
            zip_discard(za_);
        }
    }

    using Opened = std::variant<std::unique_ptr<ZipArchive>, std::string>;

    /// A ZIP in memory.
    static Opened open(std::string_view bytes) {
        if (bytes.empty()) {
            return empty_file();
        }
        const std::size_t tail = std::min<std::size_t>(bytes.size(), 65536 + 22);
        const std::uint64_t skip = std::min<std::uint64_t>(
            prepended_bytes(bytes.substr(bytes.size() - tail), bytes.size() - tail), bytes.size());
        zip_error_t error;
        zip_error_init(&error);
        return open_source(
            zip_source_buffer_create(bytes.data() + skip, bytes.size() - skip, 0, &error), error);
    }

    /// A ZIP file, read as libzip needs it (the central directory, then each entry once):
    /// a 25 MB upload is not held in memory.
    static Opened open_file(const std::filesystem::path& path, std::uint64_t size) {
        if (size == 0) {
            return empty_file();
        }
        // The archive may follow a stub (a self-extractor): where Python's zipfile starts it.
        std::uint64_t skip = 0;
        if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
            const std::uint64_t tail = std::min<std::uint64_t>(size, 65536 + 22);
            std::string bytes(static_cast<std::size_t>(tail), '\0');
            if (std::fseek(f, static_cast<long>(size - tail), SEEK_SET) == 0 &&
                std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size()) {
                skip = std::min(prepended_bytes(bytes, size - tail), size);
            }
            std::fclose(f);
        }
        zip_error_t error;
        zip_error_init(&error);
        return open_source(
            zip_source_file_create(path.c_str(), skip,
                                   skip == 0 ? -1 : static_cast<zip_int64_t>(size - skip), &error),
            error);
    }

private:
    static Opened empty_file() {
        // libzip opens an empty source as a new, empty archive; Python's zipfile (the site)
        // rejects it.
        return std::string("the file is empty");
    }

    static Opened open_source(zip_source_t* src, zip_error_t& error) {
        if (src == nullptr) {
            std::string why = zip_error_strerror(&error);
            zip_error_fini(&error);
            return why;
        }
        zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
        if (za == nullptr) {
            std::string why = zip_error_strerror(&error);
            zip_source_free(src);
            zip_error_fini(&error);
            return why;
        }
        zip_error_fini(&error);
        return std::unique_ptr<ZipArchive>(new ZipArchive(za));
    }

public:
    std::vector<ZipEntry> entries() const {
        std::vector<ZipEntry> out;
        const zip_int64_t n = zip_get_num_entries(za_, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            const auto index = static_cast<zip_uint64_t>(i);
            ZipEntry e;
            // Python's zipfile: UTF-8 when the entry's UTF-8 flag is set, else CP437. libzip's
            // strict decoding returns the raw bytes exactly when the flag is set (or the name
            // is plain printable ASCII); otherwise decode as Python's cp437 codec does.
            const char* raw = zip_get_name(za_, index, ZIP_FL_ENC_RAW);
            const std::string raw_name = raw != nullptr ? raw : "";
            const char* strict = zip_get_name(za_, index, ZIP_FL_ENC_STRICT);
            e.name = zip_entry_name(raw_name, strict);
            zip_stat_t st;
            zip_stat_init(&st);
            if (zip_stat_index(za_, index, 0, &st) == 0) {
                e.size = (st.valid & ZIP_STAT_SIZE) != 0 ? st.size : 0;
                e.compressed = (st.valid & ZIP_STAT_COMP_SIZE) != 0 ? st.comp_size : 0;
                e.encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 &&
                              st.encryption_method != ZIP_EM_NONE;
                e.method = (st.valid & ZIP_STAT_COMP_METHOD) != 0 ? st.comp_method : 0;
                e.crc = (st.valid & ZIP_STAT_CRC) != 0 ? st.crc : 0;
            }
            zip_uint8_t opsys = 0;
            zip_uint32_t attributes = 0;
            if (zip_file_get_external_attributes(za_, index, 0, &opsys, &attributes) == 0 &&
                opsys == ZIP_OPSYS_UNIX) {
                const zip_uint32_t mode = attributes >> 16;
                e.symlink = (mode & 0170000u) == 0120000u;
                e.executable = (mode & 0111u) != 0 && (mode & 0170000u) == 0100000u;
            }
            e.directory = !e.name.empty() && e.name.back() == '/';
            out.push_back(std::move(e));
        }
        return out;
    }

    /// Reads an entry to the end (so that libzip checks its CRC), keeping the first `keep`
    /// bytes and stopping after `limit` bytes. Returns the error text when it fails.
    std::optional<std::string> read(zip_uint64_t index, std::size_t keep, std::uint64_t limit,
                                    std::string& head, std::uint64_t& total) const {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za_, index, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_METHOD) != 0 &&
            st.comp_method == ZIP_CM_LZMA &&
            zip_compression_method_supported(ZIP_CM_LZMA, 0) == 0) {
            return read_lzma(index, st, keep, limit, head, total);
        }
        zip_file_t* f = zip_fopen_index(za_, index, 0);
        if (f == nullptr) {
            return std::string(zip_strerror(za_));
        }
        std::array<char, 65536> buffer{};
        total = 0;
        std::optional<std::string> failure;
        while (true) {
            const zip_int64_t n = zip_fread(f, buffer.data(), buffer.size());
            if (n < 0) {
                failure = std::string(zip_file_strerror(f));
                break;
            }
            if (n == 0) {
                break;
            }
            const auto got = static_cast<std::size_t>(n);
            if (head.size() < keep) {
                head.append(buffer.data(), std::min(got, keep - head.size()));
            }
            total += got;
            if (total > limit) {
                failure = "expands beyond what its header says";
                break;
            }
        }
        zip_fclose(f);
        return failure;
    }

    /// read() of an LZMA entry, which Debian 12's libzip (1.7) cannot decompress: its raw
    /// bytes through liblzma, the CRC checked here.
    std::optional<std::string> read_lzma(zip_uint64_t index, const zip_stat_t& st, std::size_t keep,
                                         std::uint64_t limit, std::string& head,
                                         std::uint64_t& total) const {
        zip_file_t* f = zip_fopen_index(za_, index, ZIP_FL_COMPRESSED);
        if (f == nullptr) {
            return std::string(zip_strerror(za_));
        }
        std::string raw;
        std::array<char, 65536> buffer{};
        std::optional<std::string> failure;
        while (true) {
            const zip_int64_t n = zip_fread(f, buffer.data(), buffer.size());
            if (n < 0) {
                failure = std::string(zip_file_strerror(f));
                break;
            }
            if (n == 0) {
                break;
            }
            raw.append(buffer.data(), static_cast<std::size_t>(n));
        }
        zip_fclose(f);
        if (failure) {
            return failure;
        }
        std::string out;
        if (auto why = lzma_inflate(raw, limit, out)) {
            return why;
        }
        total = out.size();
        head = out.substr(0, keep);
        if ((st.valid & ZIP_STAT_SIZE) != 0 && out.size() != st.size) {
            return std::string("expands to another size than its header says");
        }
        const auto crc =
            crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
        if ((st.valid & ZIP_STAT_CRC) != 0 && crc != st.crc) {
            return std::string("CRC mismatch");
        }
        return std::nullopt;
    }

    /// The entry's date as libzip gives it (a DOS date read in local time), back to the
    /// DOS fields read as UTC.
    std::optional<std::int64_t> entry_time(zip_uint64_t index) const {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za_, index, 0, &st) != 0 || (st.valid & ZIP_STAT_MTIME) == 0) {
            return std::nullopt;
        }
        std::tm fields{};
        if (localtime_r(&st.mtime, &fields) == nullptr) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(timegm(&fields));
    }

private:
    explicit ZipArchive(zip_t* za) : za_(za) {}
    zip_t* za_;
};

class Checker {
public:
    Checker(const PackageOptions& options, std::string_view file)
        : options_(options), file_(file) {}

    PackageReport run(std::uint64_t size, ZipArchive::Opened opened) {
        if (size > options_.max_size) {
            add("PKG-TOO-BIG", {},
                {{"size", std::to_string(size)}, {"limit", std::to_string(options_.max_size)}});
        }
        if (auto* why = std::get_if<std::string>(&opened)) {
            add("PKG-NOT-ZIP", {}, {{"reason", *why}});
            return finish();
        }
        const auto& zip = *std::get<std::unique_ptr<ZipArchive>>(opened);
        entries_ = zip.entries();
        check_names();
        check_contents(zip);
        check_layout(zip);
        return finish();
    }

private:
    void add(std::string_view rule, std::string_view entry, Args args) {
        Diagnostic d = make_diagnostic(rule, options_.profile, args);
        if (rule == "PKG-FOLDER-NOT-IDENTIFIER" && options_.new_plugin) {
            d.severity = Severity::error;
        }
        if (d.severity == Severity::off) {
            return;
        }
        d.file = entry.empty() ? file_ : file_ + ":" + std::string(entry);
        report_.diagnostics.push_back(std::move(d));
    }

    void check_names() {
        std::map<std::string, int> seen;
        std::map<std::string, std::string> folded;
        for (const auto& e : entries_) {
            const std::string& n = e.name;
            if (n.find("..") != std::string::npos) {
                add("PKG-PATH-TRAVERSAL", n, {{"entry", n}});
            }
            if (!n.empty() && n[0] == '/') {
                add("PKG-ABSOLUTE-PATH", n, {{"entry", n}});
            }
            if (n.find('\\') != std::string::npos) {
                add("PKG-BACKSLASH", n, {{"entry", n}});
            }
            if (n.size() >= 2 && n[1] == ':' &&
                ((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z'))) {
                add("PKG-DRIVE-LETTER", n, {{"entry", n}});
            }
            if (n.find(".pyc") != std::string::npos) {
                add("PKG-PYC", n, {{"entry", n}});
            }
            if (std::any_of(n.begin(), n.end(), [](char c) {
                    const auto u = static_cast<unsigned char>(c);
                    return u < 0x20 || u == 0x7F;
                })) {
                add("PKG-CONTROL-CHAR", n, {{"entry", n}});
            }
            std::size_t start = 0;
            bool hidden = false;
            while (start <= n.size()) {
                std::size_t slash = n.find('/', start);
                if (slash == std::string::npos) {
                    slash = n.size();
                }
                const std::string part = n.substr(start, slash - start);
                if (part == "__MACOSX" || part == ".git" || part == "__pycache__") {
                    add("PKG-FORBIDDEN-DIR", n, {{"entry", n}, {"dir", part}});
                }
                if (part.size() > 1 && part[0] == '.' && part != "." && part != ".." &&
                    kAllowedHidden.count(part) == 0) {
                    hidden = true;
                }
                start = slash + 1;
            }
            if (hidden) {
                add("PKG-HIDDEN-FILE", n, {{"entry", n}});
            }
            if (e.symlink) {
                add("PKG-SYMLINK", n, {{"entry", n}});
            }
            if (e.encrypted) {
                add("PKG-ENCRYPTED", n, {{"entry", n}});
            }
            const std::string ext = extension(n);
            if (!e.directory && kSuspicious.count(ext) > 0) {
                add("PKG-SUSPICIOUS-FILE", n, {{"entry", n}, {"extension", ext}});
            }
            if (e.executable && ext == ".py") {
                add("PKG-EXECUTABLE-PY", n, {{"entry", n}});
            }
            if (++seen[n] == 2) {
                add("PKG-DUPLICATE-NAME", n, {{"entry", n}});
            }
            const std::string key = unicode::to_lower(n);
            auto [it, inserted] = folded.emplace(key, n);
            if (!inserted && it->second != n) {
                add("PKG-CASE-COLLISION", n, {{"entry", n}, {"other", it->second}});
            }
        }
    }

    void check_contents(const ZipArchive& zip) {
        std::uint64_t claimed_total = 0;
        for (const auto& e : entries_) {
            claimed_total += e.size;
        }
        if (claimed_total > options_.max_total_uncompressed) {
            add("PKG-ZIP-BOMB-SIZE", {},
                {{"size", std::to_string(claimed_total)},
                 {"limit", std::to_string(options_.max_total_uncompressed)}});
        }
        std::uint64_t read_total = 0;
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            const auto& e = entries_[i];
            if (e.directory || e.encrypted) {
                continue; // testzip would raise on an encrypted entry: PKG-ENCRYPTED says so
            }
            if (!python_reads(e.method)) {
                add("PKG-COMPRESSION", e.name,
                    {{"entry", e.name}, {"method", std::to_string(e.method)}});
                continue;
            }
            const bool huge = e.compressed > 0 && e.size >= options_.ratio_min_size &&
                              e.size / e.compressed > options_.max_ratio;
            if (huge) {
                add("PKG-ZIP-BOMB-RATIO", e.name,
                    {{"entry", e.name},
                     {"ratio", std::to_string(e.size / e.compressed)},
                     {"size", std::to_string(e.size)},
                     {"compressed", std::to_string(e.compressed)}});
                continue; // not decompressed
            }
            if (read_total + e.size > options_.max_total_uncompressed) {
                continue; // PKG-ZIP-BOMB-SIZE already said so
            }
            std::string head;
            std::uint64_t total = 0;
            // metadata.txt and __init__.py are read whole (within the size limit, which the
            // bomb checks above already enforce); of other files, enough to spot binaries.
            const std::size_t keep =
                is_wanted(e.name)
                    ? static_cast<std::size_t>(std::min<std::uint64_t>(e.size, options_.max_size))
                    : 8192;
            const auto failure = zip.read(i, keep, e.size, head, total);
            read_total += total;
            if (failure) {
                add("PKG-CRC", e.name, {{"entry", e.name}, {"reason", *failure}});
                continue;
            }
            wanted_[e.name] = head;
            if (head.find('\0') != std::string::npos &&
                kBinaryAssets.count(extension(e.name)) == 0 &&
                kSuspicious.count(extension(e.name)) == 0 && extension(e.name) != ".pyc") {
                add("PKG-BINARY", e.name, {{"entry", e.name}});
            }
        }
    }

    /// Entries whose content the layout checks read (metadata.txt, __init__.py).
    static bool is_wanted(std::string_view name) {
        return name.ends_with("/metadata.txt") || name.ends_with("/__init__.py");
    }

    bool has(const std::string& name) const {
        return std::any_of(entries_.begin(), entries_.end(),
                           [&](const ZipEntry& e) { return e.name == name; });
    }

    void check_layout(const ZipArchive&) {
        if (entries_.empty()) {
            add("PKG-NO-TOP-FOLDER", {}, {{"entry", ""}});
            return;
        }
        std::vector<std::string> parents;
        const ZipEntry* first_entry = nullptr;
        for (const auto& e : entries_) {
            const std::string top = e.name.substr(0, e.name.find('/'));
            if (options_.wheel && e.name.find('/') != std::string::npos &&
                (top.ends_with(".dist-info") || top.ends_with(".data"))) {
                continue; // the distribution's metadata, installed by no plugin manager
            }
            if (first_entry == nullptr) {
                first_entry = &e;
            }
            if (std::find(parents.begin(), parents.end(), top) == parents.end()) {
                parents.push_back(top);
            }
        }
        if (first_entry == nullptr) {
            add("PKG-NO-TOP-FOLDER", {}, {{"entry", ""}});
            return;
        }
        const std::string& first = first_entry->name;
        const std::size_t slash = first.find('/');
        if (slash == std::string::npos) {
            add("PKG-NO-TOP-FOLDER", first, {{"entry", first}});
            return;
        }
        const std::string pkg = first.substr(0, slash);
        report_.package_name = pkg;
        if (parents.size() > 1) {
            std::string list;
            for (const auto& p : parents) {
                list += (list.empty() ? "" : ", ") + p;
            }
            add("PKG-MULTIPLE-TOP-FOLDERS", {}, {{"folders", list}, {"package", pkg}});
        }
        if (!is_identifier(pkg)) {
            add("PKG-FOLDER-NOT-IDENTIFIER", {}, {{"package", pkg}});
        }
        if (!valid_folder_name(pkg)) {
            add("PKG-FOLDER-NAME", {}, {{"package", pkg}});
        }
        if (!options_.expected_package_name.empty() && pkg != options_.expected_package_name) {
            add("PKG-FOLDER-MISMATCH", {},
                {{"package", pkg}, {"expected", options_.expected_package_name}});
        }
        const std::string init = pkg + "/__init__.py";
        const std::string metadata = pkg + "/metadata.txt";
        const bool has_init = has(init);
        const bool has_metadata = has(metadata);
        if (!has_init && !has_metadata) {
            add("PKG-NO-INIT-NOR-METADATA", {}, {{"package", pkg}});
        } else if (!has_init) {
            add("PKG-NO-INIT", {}, {{"package", pkg}});
        }
        if (!has_metadata) {
            add("PKG-NO-METADATA", {}, {{"package", pkg}});
        }
        if (!has(pkg + "/LICENSE")) {
            add("PKG-NO-LICENSE", {}, {{"package", pkg}});
        }
        if (has_metadata) {
            check_metadata(pkg, metadata, init, has_init);
        } else if (has_init) {
            check_init_metadata(pkg, init);
        }
    }

    void check_metadata(const std::string& pkg, const std::string& metadata_name,
                        const std::string& init, bool has_init) {
        ParseOptions po;
        // Read as the profile's consumer reads it: the site (keys case-sensitive, lines at
        // '\n'), or QGIS for the qgis profile (keys lower-cased, str.splitlines).
        po.keys = options_.profile == Profile::qgis ? KeyMode::qgis : KeyMode::site;
        po.file_name = file_ + ":" + metadata_name;
        Document doc = parse(wanted_[metadata_name], po);
        ValidateOptions vo;
        vo.profile = options_.profile;
        vo.check_link = options_.check_link;
        // (no file_exists: a missing icon is PKG-ICON-MISSING below, not a second finding)
        for (auto& d : validate(doc, vo)) {
            report_.diagnostics.push_back(std::move(d));
        }
        if (doc.ok && doc.general() != nullptr) {
            const Metadata m = make_metadata(doc);
            if (!m.icon.empty()) {
                std::string_view icon = m.icon;
                if (icon.substr(0, 2) == "./") {
                    icon.remove_prefix(2);
                }
                if (!has(pkg + "/" + std::string(icon))) {
                    add("PKG-ICON-MISSING", metadata_name, {{"value", m.icon}});
                }
            }
            check_screenshot(doc, pkg, metadata_name);
            check_legacy_init(m, pkg, init, has_init, metadata_name);
        }
        report_.metadata = std::move(doc);
    }

    void check_screenshot(const Document& doc, const std::string& pkg,
                          const std::string& metadata_name) {
        const auto shot = doc.get("screenshot");
        if (!shot || shot->empty()) {
            return;
        }
        std::string_view path = *shot;
        if (path.substr(0, 2) == "./") {
            path.remove_prefix(2);
        }
        const std::string full = pkg + "/" + std::string(path);
        const auto it = std::find_if(entries_.begin(), entries_.end(),
                                     [&](const ZipEntry& e) { return e.name == full; });
        if (it == entries_.end()) {
            return; // the site ignores a missing screenshot
        }
        const std::string ext = extension(*shot);
        if (it->size > 2u * 1024 * 1024) {
            add("PKG-SCREENSHOT", metadata_name,
                {{"value", *shot}, {"problem", fmt::format("{} bytes; at most 2 MB", it->size)}});
        } else if (ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".gif") {
            add("PKG-SCREENSHOT", metadata_name,
                {{"value", *shot}, {"problem", "not a PNG, JPEG or GIF file"}});
        }
    }

    /// Without metadata.txt the site reads the metadata from __init__.py's functions, then runs
    /// its later checks on them as on metadata.txt's: the required keys, the links, the author.
    void check_init_metadata(const std::string& pkg, const std::string& init) {
        const std::string& content = wanted_[init];
        if (const std::size_t bad = unicode::find_invalid_utf8(content); bad != unicode::npos) {
            add("PKG-INIT-UTF8", init, {{"entry", init}, {"offset", std::to_string(bad)}});
            return;
        }
        const auto from_init = read_from_init(content);
        const std::string missing = missing_init_functions(from_init);
        if (!missing.empty()) {
            add("PKG-INIT-METADATA", {}, {{"package", pkg}, {"missing", missing}});
        }
        // dict(metadata): the last function of a name wins
        auto value = [&](std::string_view key) -> std::optional<std::string> {
            for (auto it = from_init.rbegin(); it != from_init.rend(); ++it) {
                if (it->first == key) {
                    return it->second;
                }
            }
            return std::nullopt;
        };
        for (const char* key : {"tracker", "repository", "homepage"}) {
            const auto url = value(key);
            if (!url) {
                if (std::string_view(key) == "homepage") {
                    add_metadata("META-REQ-HOMEPAGE", init, key, {{"key", key}});
                }
                continue; // a missing tracker or repository: PKG-INIT-METADATA
            }
            if (*url == placeholder(key)) {
                add_metadata("META-URL-PLACEHOLDER", init, key, {{"key", key}, {"value", *url}});
            } else if (const UrlParts parts = split_url(*url);
                       parts.scheme.empty() || parts.netloc.empty()) {
                add_metadata("META-URL-INVALID", init, key, {{"key", key}, {"value", *url}});
            } else if (const std::string why = detail::site_url_refusal(*url); !why.empty()) {
                add_metadata("META-URL-REFUSED", init, key,
                             {{"key", key}, {"value", *url}, {"reason", why}});
            } else if (options_.check_link) {
                if (auto failure = options_.check_link(*url)) {
                    add_metadata("META-URL-UNREACHABLE", init, key,
                                 {{"key", key}, {"value", *url}, {"reason", *failure}});
                }
            }
        }
        if (const auto author = value("author"); author && author->find('/') != std::string::npos) {
            add_metadata("META-AUTHOR-SLASH", init, "author", {});
        }
    }

    /// A metadata rule's finding about a value read from __init__.py.
    void add_metadata(std::string_view rule, const std::string& entry, std::string_view key,
                      Args args) {
        const std::size_t before = report_.diagnostics.size();
        add(rule, entry, args);
        if (report_.diagnostics.size() > before) {
            report_.diagnostics.back().key = std::string(key);
        }
    }

    /// The site's required keys that __init__.py does not define as functions, comma-separated.
    static std::string
    missing_init_functions(const std::vector<std::pair<std::string, std::string>>& from_init) {
        std::string list;
        for (const char* key : {"name", "description", "version", "qgisMinimumVersion", "author",
                                "email", "about", "tracker", "repository"}) {
            if (std::none_of(from_init.begin(), from_init.end(),
                             [&](const auto& kv) { return kv.first == key; })) {
                list += (list.empty() ? "" : ", ") + std::string(key);
            }
        }
        return list;
    }

    void check_legacy_init(const Metadata& m, const std::string&, const std::string& init,
                           bool has_init, const std::string& metadata_name) {
        // tuple(min.split(".")) < tuple("1.8".split(".")): a comparison of *strings*.
        std::vector<std::string> parts;
        std::size_t start = 0;
        const std::string& min = m.qgis_minimum_version;
        while (true) {
            const std::size_t dot = min.find('.', start);
            parts.push_back(min.substr(start, dot == std::string::npos ? dot : dot - start));
            if (dot == std::string::npos) {
                break;
            }
            start = dot + 1;
        }
        const std::vector<std::string> cutoff = {"1", "8"};
        if (!std::lexicographical_compare(parts.begin(), parts.end(), cutoff.begin(),
                                          cutoff.end())) {
            return;
        }
        if (has_init) {
            const std::string& content = wanted_[init];
            if (const std::size_t bad = unicode::find_invalid_utf8(content); bad != unicode::npos) {
                add("PKG-INIT-UTF8", init, {{"entry", init}, {"offset", std::to_string(bad)}});
                return;
            }
        }
        const std::string missing =
            missing_init_functions(has_init ? read_from_init(wanted_[init])
                                            : std::vector<std::pair<std::string, std::string>>{});
        if (!missing.empty()) {
            add("PKG-LEGACY-INIT", metadata_name, {{"missing", missing}});
        }
    }

    /// The folder an entry is in because of a component that `is_folder_component` picks
    /// ("plugin/__pycache__/"), or "" when none does. The last component counts only when the
    /// entry is itself a folder.
    template <class Pred>
    static std::string folder_of(std::string_view entry, Pred is_folder_component) {
        std::size_t start = 0;
        while (true) {
            const std::size_t slash = entry.find('/', start);
            if (slash == std::string_view::npos) {
                return {};
            }
            if (is_folder_component(entry.substr(start, slash - start))) {
                return std::string(entry.substr(0, slash + 1));
            }
            start = slash + 1;
        }
    }

    static bool forbidden_component(std::string_view part) {
        return part == "__MACOSX" || part == ".git" || part == "__pycache__";
    }

    /// One finding per folder or per kind of file instead of one per entry: the entries of a
    /// forbidden folder are one PKG-FORBIDDEN-DIR finding (and not also .pyc, hidden,
    /// binary ... findings: the folder goes as a whole), a hidden folder one PKG-HIDDEN-FILE
    /// finding, and each per-entry rule that archives trip in bulk (.pyc files, backslashes,
    /// binaries ...) one finding per rule (per extension for PKG-SUSPICIOUS-FILE). Rules about
    /// one entry each (links, duplicates, encryption, CRC, bombs) stay one per entry.
    void group_entry_findings() {
        static const std::set<std::string_view> covered_by_folder = {
            "PKG-PYC",           "PKG-HIDDEN-FILE",   "PKG-BINARY", "PKG-SUSPICIOUS-FILE",
            "PKG-EXECUTABLE-PY", "PKG-CASE-COLLISION"};
        static const std::set<std::string_view> per_kind = {"PKG-PYC",
                                                            "PKG-BINARY",
                                                            "PKG-EXECUTABLE-PY",
                                                            "PKG-BACKSLASH",
                                                            "PKG-DRIVE-LETTER",
                                                            "PKG-ABSOLUTE-PATH",
                                                            "PKG-PATH-TRAVERSAL",
                                                            "PKG-CONTROL-CHAR",
                                                            "PKG-SUSPICIOUS-FILE"};
        const std::string prefix = file_ + ":";
        std::vector<Diagnostic> out;
        std::map<std::string, std::size_t> groups; // group key -> index in out
        std::set<std::string> counted;             // group key + entry
        for (auto& d : report_.diagnostics) {
            if (!d.rule.starts_with("PKG-") || !d.file.starts_with(prefix)) {
                out.push_back(std::move(d));
                continue;
            }
            const std::string entry = d.file.substr(prefix.size());
            const std::string forbidden = folder_of(entry, forbidden_component);
            if (!forbidden.empty() && covered_by_folder.count(d.rule) > 0) {
                continue; // PKG-FORBIDDEN-DIR of its folder says it
            }
            std::string key;
            std::string location;
            if (d.rule == "PKG-FORBIDDEN-DIR") {
                key = forbidden;
                location = forbidden;
            } else if (d.rule == "PKG-HIDDEN-FILE") {
                key = folder_of(entry, [](std::string_view part) {
                    return part.size() > 1 && part[0] == '.' && part != ".." &&
                           kAllowedHidden.count(std::string(part)) == 0;
                });
                location = key;
            } else if (per_kind.count(d.rule) > 0) {
                key = d.rule == "PKG-SUSPICIOUS-FILE" ? extension(entry) : std::string("*");
            }
            if (key.empty()) {
                out.push_back(std::move(d));
                continue;
            }
            const std::string group = std::string(d.rule) + "\n" + key;
            if (!counted.insert(group + "\n" + entry).second) {
                continue; // the same entry again (two forbidden folders in its path)
            }
            const auto [it, first] = groups.emplace(group, out.size());
            if (first) {
                if (!location.empty()) {
                    d.file = prefix + location;
                }
                out.push_back(std::move(d));
            } else {
                ++out[it->second].count;
            }
        }
        for (auto& d : out) {
            if (d.count > 1) {
                d.message += fmt::format(" ({} entries)", d.count);
            }
        }
        report_.diagnostics = std::move(out);
    }

    PackageReport finish() {
        group_entry_findings();
        // The site checks in this order; keep package findings first, then metadata.txt's.
        std::stable_sort(report_.diagnostics.begin(), report_.diagnostics.end(),
                         [](const Diagnostic& a, const Diagnostic& b) {
                             return a.rule.starts_with("PKG-") && !b.rule.starts_with("PKG-");
                         });
        return std::move(report_);
    }

    const PackageOptions& options_;
    std::string file_;
    std::vector<ZipEntry> entries_;
    std::map<std::string, std::string> wanted_;
    PackageReport report_;
};

} // namespace

namespace {

Error entry_error(const std::filesystem::path& path, std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.what = "file";
    e.input = path.string();
    e.message = std::move(message);
    return e;
}

} // namespace

Expected<std::string> read_package_entry(const std::filesystem::path& path, std::string_view entry,
                                         std::uint64_t max_size) {
    auto size = detail::regular_file_size(path);
    if (!size) {
        return size.error();
    }
    auto opened = ZipArchive::open_file(path, *size);
    if (auto* why = std::get_if<std::string>(&opened)) {
        return entry_error(path, "is not a ZIP: " + *why);
    }
    const auto& zip = *std::get<std::unique_ptr<ZipArchive>>(opened);
    const auto entries = zip.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].name != entry) {
            continue;
        }
        if (entries[i].size > max_size) {
            return entry_error(path, fmt::format("{} is larger than {} bytes", entry, max_size));
        }
        std::string content;
        std::uint64_t total = 0;
        if (auto failure = zip.read(i, static_cast<std::size_t>(entries[i].size), entries[i].size,
                                    content, total)) {
            return entry_error(path, fmt::format("{}: {}", entry, *failure));
        }
        return content;
    }
    return entry_error(path, fmt::format("has no entry {}", entry));
}

std::optional<std::int64_t> newest_entry_time(const std::filesystem::path& path) {
    auto size = detail::regular_file_size(path);
    if (!size) {
        return std::nullopt;
    }
    auto opened = ZipArchive::open_file(path, *size);
    if (std::holds_alternative<std::string>(opened)) {
        return std::nullopt;
    }
    const auto& zip = *std::get<std::unique_ptr<ZipArchive>>(opened);
    std::optional<std::int64_t> newest;
    const std::size_t n = zip.entries().size();
    for (std::size_t i = 0; i < n; ++i) {
        if (const auto t = zip.entry_time(i); t && (!newest || *t > *newest)) {
            newest = t;
        }
    }
    return newest;
}

bool PackageReport::valid() const {
    return count(diagnostics, Severity::error) == 0;
}

PackageReport check_package(std::string_view zip_bytes, const PackageOptions& options,
                            std::string_view file_name) {
    return Checker(options, file_name).run(zip_bytes.size(), ZipArchive::open(zip_bytes));
}

Expected<PackageReport> check_package_file(const std::filesystem::path& path,
                                           const PackageOptions& options) {
    auto size = detail::regular_file_size(path);
    if (!size) {
        return size.error();
    }
    return Checker(options, path.string()).run(*size, ZipArchive::open_file(path, *size));
}

} // namespace qplug::meta
