// The simple repository API: PEP 691 JSON and PEP 503 HTML pages, with PEP 592 (yanked),
// PEP 629 (repository version), PEP 658/714 (core metadata files) and PEP 700 (versions,
// size, upload time).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/pypi.hpp>

#include "formats/html_scan.hpp"
#include "formats/json_sax.hpp"
#include "formats/reader_error.hpp"
#include "formats/url.hpp"

namespace qplug::solver::pypi {

namespace {

using detail::Enter;
using detail::JsonCursor;
using detail::JsonScalar;

constexpr std::string_view kIndexJson = "PEP 691 index page";
constexpr std::string_view kProjectJson = "PEP 691 project page";
constexpr std::string_view kIndexHtml = "PEP 503 index page";
constexpr std::string_view kProjectHtml = "PEP 503 project page";

/// Why this reader must refuse an API version (PEP 629/691: only major version 1 is known),
/// or nullopt.
struct Refusal {
    std::string message;
    Error::Kind kind;
};
std::optional<Refusal> refuse_api_version(std::string_view version) {
    const std::size_t dot = version.find('.');
    const std::string_view major = version.substr(0, dot);
    const std::string_view minor =
        dot == std::string_view::npos ? std::string_view{} : version.substr(dot + 1);
    int m = 0;
    const auto [end, ec] = std::from_chars(major.data(), major.data() + major.size(), m);
    const bool digits =
        !minor.empty() && minor.find_first_not_of("0123456789") == std::string_view::npos;
    if (ec != std::errc() || end != major.data() + major.size() || !digits) {
        return Refusal{fmt::format("'{}' is not an API version (major.minor)", version),
                       Error::Kind::parse};
    }
    if (m != 1) {
        return Refusal{fmt::format("API version {} is not supported (only 1.x)", version),
                       Error::Kind::invalid};
    }
    return std::nullopt;
}

/// hashlib.algorithms_guaranteed without the variable-length shake ones: what a URL
/// fragment or a metadata attribute may name.
bool is_hash_name(std::string_view name) {
    static constexpr std::array<std::string_view, 12> kNames = {
        "md5",      "sha1",     "sha224",   "sha256",   "sha384",  "sha512",
        "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"};
    return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

bool is_hex(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

/// "sha256=<hex>" pairs of a URL fragment ("&"-separated, as pip reads them); others, such as
/// "egg=name", are not hashes.
void add_fragment_hashes(std::map<std::string, std::string>& hashes, std::string_view fragment) {
    while (!fragment.empty()) {
        const std::size_t amp = fragment.find('&');
        const std::string_view pair = fragment.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && is_hash_name(pair.substr(0, eq)) &&
            is_hex(pair.substr(eq + 1))) {
            hashes.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
        }
        fragment = amp == std::string_view::npos ? std::string_view{} : fragment.substr(amp + 1);
    }
}

/// Resolves `href` against `base` into the file's URL; a hash in the fragment is kept when
/// the page gave none for that algorithm.
void set_url(DistributionFile& file, std::string_view base, std::string_view href) {
    std::string url = detail::resolve_uri(base, href);
    const std::size_t hash = url.find('#');
    if (hash != std::string::npos) {
        add_fragment_hashes(file.hashes, std::string_view(url).substr(hash + 1));
        url.resize(hash);
    }
    file.url = std::move(url);
}

std::optional<Error> check_base(std::string_view base_url) {
    if (!detail::is_absolute_uri(base_url)) {
        return detail::text_error("base URL", base_url, 0,
                                  "relative links need an absolute base URL (with a scheme)",
                                  Error::Kind::invalid);
    }
    return std::nullopt;
}

// --- PEP 691 JSON ---------------------------------------------------------------------------

/// Shared by both JSON pages: the document and "meta".
class JsonPage {
public:
    std::optional<Error> error;

protected:
    JsonPage(JsonCursor& cursor, std::string_view what) : cursor_(cursor), what_(what) {}

    bool fail(std::size_t offset, std::string message, Error::Kind kind = Error::Kind::parse) {
        error = detail::document_error(what_, cursor_.doc(), offset, std::move(message), kind);
        return false;
    }
    bool fail_type(std::string_view expected, const char* got) {
        return fail(cursor_.start(), fmt::format("'{}' must be {}, not {}", key_, expected, got));
    }
    /// "meta": {"api-version": "1.1"}
    bool meta_scalar(JsonScalar& v) {
        if (key_ != "api-version") {
            return true;
        }
        if (v.type != JsonScalar::Type::string) {
            return fail_type("a string", v.type_name());
        }
        if (auto refused = refuse_api_version(*v.string)) {
            return fail(cursor_.start(), refused->message, refused->kind);
        }
        return true;
    }

    JsonCursor& cursor_;
    std::string_view what_;
    std::string key_;
};

class IndexJson : public JsonPage {
public:
    explicit IndexJson(JsonCursor& cursor) : JsonPage(cursor, kIndexJson) {}

    std::vector<std::string> names;

    Enter begin(bool object) {
        switch (at_) {
        case At::start:
            if (!object) {
                fail(cursor_.start(), "an index page must be a JSON object");
                return Enter::stop;
            }
            at_ = At::top;
            return Enter::yes;
        case At::top:
            if (key_ == "meta" && object) {
                at_ = At::meta;
                return Enter::yes;
            }
            if (key_ == "projects") {
                if (object) {
                    fail_type("an array", "an object");
                    return Enter::stop;
                }
                at_ = At::projects;
                seen_projects_ = true;
                return Enter::yes;
            }
            return Enter::skip;
        case At::projects:
            if (!object) {
                fail(cursor_.start(), "each project must be an object, not an array");
                return Enter::stop;
            }
            at_ = At::project;
            project_start_ = cursor_.start();
            name_.reset();
            return Enter::yes;
        case At::project:
            if (key_ == "name") {
                fail_type("a string", object ? "an object" : "an array");
                return Enter::stop;
            }
            return Enter::skip;
        case At::meta:
            return Enter::skip;
        }
        return Enter::skip;
    }

    bool end(bool /*object*/) {
        switch (at_) {
        case At::meta:
        case At::projects:
            at_ = At::top;
            return true;
        case At::project:
            if (!name_) {
                return fail(project_start_, "a project without a 'name'");
            }
            names.push_back(std::move(*name_));
            at_ = At::projects;
            return true;
        case At::top:
            if (!seen_projects_) {
                return fail(cursor_.doc().size(), "the page has no 'projects' list");
            }
            return true;
        case At::start:
            return true;
        }
        return true;
    }

    bool key(std::string& k) {
        key_.assign(k); // a copy: moving would take the lexer's buffer, costing it an allocation
        return true;
    }

    bool scalar(JsonScalar& v) {
        switch (at_) {
        case At::start:
            return fail(cursor_.start(), "an index page must be a JSON object");
        case At::top:
            if (key_ == "projects") {
                return fail_type("an array", v.type_name());
            }
            return true;
        case At::meta:
            return meta_scalar(v);
        case At::projects:
            return fail(cursor_.start(),
                        fmt::format("each project must be an object, not {}", v.type_name()));
        case At::project:
            if (key_ == "name") {
                if (v.type != JsonScalar::Type::string) {
                    return fail_type("a string", v.type_name());
                }
                name_ = std::move(*v.string);
            }
            return true;
        }
        return true;
    }

private:
    enum class At { start, top, meta, projects, project };
    At at_ = At::start;
    bool seen_projects_ = false;
    std::size_t project_start_ = 0;
    std::optional<std::string> name_;
};

class ProjectJson : public JsonPage {
public:
    ProjectJson(JsonCursor& cursor, std::string_view base_url)
        : JsonPage(cursor, kProjectJson), base_url_(base_url) {}

    ProjectPage page;
    bool has_name = false;

    Enter begin(bool object) {
        switch (at_) {
        case At::start:
            if (!object) {
                fail(cursor_.start(), "a project page must be a JSON object");
                return Enter::stop;
            }
            at_ = At::top;
            return Enter::yes;
        case At::top:
            if (key_ == "meta" && object) {
                at_ = At::meta;
                return Enter::yes;
            }
            if (key_ == "files" || key_ == "versions") {
                if (object) {
                    fail_type("an array", "an object");
                    return Enter::stop;
                }
                at_ = key_ == "files" ? At::files : At::versions;
                return Enter::yes;
            }
            if (key_ == "name") {
                fail_type("a string", object ? "an object" : "an array");
                return Enter::stop;
            }
            return Enter::skip;
        case At::files:
            if (!object) {
                fail(cursor_.start(), "each file must be an object, not an array");
                return Enter::stop;
            }
            at_ = At::file;
            file_ = DistributionFile{};
            file_start_ = cursor_.start();
            href_.reset();
            core_rank_ = 0;
            return Enter::yes;
        case At::file:
            if (key_ == "hashes") {
                if (!object) {
                    fail_type("an object", "an array");
                    return Enter::stop;
                }
                at_ = At::hashes;
                return Enter::yes;
            }
            if (const int rank = core_metadata_rank(key_); rank > 0) {
                if (!object) {
                    fail_type("a boolean or an object", "an array");
                    return Enter::stop;
                }
                if (rank < core_rank_) {
                    return Enter::skip;
                }
                core_rank_ = rank;
                file_.core_metadata = true;
                file_.core_metadata_hashes.clear();
                at_ = At::core_hashes;
                return Enter::yes;
            }
            if (const char* expected = file_value_type(key_)) {
                fail_type(expected, object ? "an object" : "an array");
                return Enter::stop;
            }
            return Enter::skip;
        case At::hashes:
        case At::core_hashes:
            fail_type("a string", object ? "an object" : "an array");
            return Enter::stop;
        case At::versions:
            fail(cursor_.start(), "each version must be a string");
            return Enter::stop;
        case At::meta:
            return Enter::skip;
        }
        return Enter::skip;
    }

    bool end(bool /*object*/) {
        switch (at_) {
        case At::meta:
        case At::files:
        case At::versions:
            at_ = At::top;
            return true;
        case At::hashes:
        case At::core_hashes:
            at_ = At::file;
            return true;
        case At::file:
            return end_file();
        case At::start:
        case At::top:
            return true;
        }
        return true;
    }

    bool key(std::string& k) {
        key_.assign(k); // a copy: moving would take the lexer's buffer, costing it an allocation
        return true;
    }

    bool scalar(JsonScalar& v) {
        switch (at_) {
        case At::start:
            return fail(cursor_.start(), "a project page must be a JSON object");
        case At::top:
            if (key_ == "name") {
                if (v.type != JsonScalar::Type::string) {
                    return fail_type("a string", v.type_name());
                }
                page.name = std::move(*v.string);
                has_name = true;
            } else if (key_ == "files" || key_ == "versions") {
                return fail_type("an array", v.type_name());
            }
            return true;
        case At::meta:
            return meta_scalar(v);
        case At::files:
            return fail(cursor_.start(),
                        fmt::format("each file must be an object, not {}", v.type_name()));
        case At::file:
            return file_scalar(v);
        case At::hashes:
        case At::core_hashes:
            if (v.type != JsonScalar::Type::string) {
                return fail_type("a string", v.type_name());
            }
            (at_ == At::hashes ? file_.hashes : file_.core_metadata_hashes)[key_] =
                std::move(*v.string);
            return true;
        case At::versions:
            if (v.type != JsonScalar::Type::string) {
                return fail(cursor_.start(),
                            fmt::format("each version must be a string, not {}", v.type_name()));
            }
            page.versions.push_back(std::move(*v.string));
            return true;
        }
        return true;
    }

private:
    enum class At { start, top, meta, files, file, hashes, core_hashes, versions };

    /// PEP 714: "core-metadata" wins over the older "dist-info-metadata" (and PyPI's
    /// interim "data-dist-info-metadata"), whatever their order.
    static int core_metadata_rank(std::string_view key) {
        if (key == "core-metadata") {
            return 3;
        }
        if (key == "dist-info-metadata") {
            return 2;
        }
        if (key == "data-dist-info-metadata") {
            return 1;
        }
        return 0;
    }

    /// What a scalar key of a file must hold, or nullptr for keys this reader ignores.
    static const char* file_value_type(std::string_view key) {
        if (key == "filename" || key == "url" || key == "requires-python" || key == "upload-time") {
            return "a string";
        }
        if (key == "yanked") {
            return "a boolean or a string";
        }
        if (key == "size") {
            return "a non-negative integer";
        }
        return nullptr;
    }

    bool file_scalar(JsonScalar& v) {
        using T = JsonScalar::Type;
        if (key_ == "filename" || key_ == "url") {
            if (v.type != T::string) {
                return fail_type("a string", v.type_name());
            }
            if (key_ == "filename") {
                file_.filename = std::move(*v.string);
            } else {
                href_ = std::move(*v.string);
            }
        } else if (key_ == "requires-python" || key_ == "upload-time") {
            if (v.type != T::string && v.type != T::null) {
                return fail_type("a string", v.type_name());
            }
            (key_ == "requires-python" ? file_.requires_python : file_.upload_time) =
                v.type == T::string ? std::move(*v.string) : std::string();
        } else if (key_ == "yanked") {
            // PEP 691: true, or the reason as a string.
            if (v.type == T::boolean) {
                file_.yanked = v.boolean ? std::optional<std::string>("") : std::nullopt;
            } else if (v.type == T::string) {
                file_.yanked = std::move(*v.string);
            } else if (v.type == T::null) {
                file_.yanked.reset();
            } else {
                return fail_type("a boolean or a string", v.type_name());
            }
        } else if (key_ == "size") {
            if (v.type == T::null) {
                file_.size.reset();
            } else if (v.type == T::integer && !v.is_negative) {
                file_.size = v.positive;
            } else {
                return fail_type("a non-negative integer", v.type_name());
            }
        } else if (const int rank = core_metadata_rank(key_); rank > 0) {
            if (v.type != T::boolean && v.type != T::null) {
                return fail_type("a boolean or an object", v.type_name());
            }
            if (rank >= core_rank_) {
                core_rank_ = rank;
                file_.core_metadata = v.type == T::boolean && v.boolean;
                file_.core_metadata_hashes.clear();
            }
        }
        return true;
    }

    bool end_file() {
        if (file_.filename.empty()) {
            return fail(file_start_, "a file without a 'filename'");
        }
        if (!href_) {
            return fail(file_start_, fmt::format("the file '{}' has no 'url'", file_.filename));
        }
        set_url(file_, base_url_, *href_);
        page.files.push_back(std::move(file_));
        at_ = At::files;
        return true;
    }

    std::string_view base_url_;
    At at_ = At::start;
    DistributionFile file_;
    std::size_t file_start_ = 0;
    std::optional<std::string> href_;
    int core_rank_ = 0;
};

// --- PEP 503 HTML ---------------------------------------------------------------------------

std::string_view trim_html_space(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\n\r\f");
    if (b == std::string_view::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\n\r\f") - b + 1);
}

/// As browsers read an href: surrounding blanks dropped, tabs and line breaks removed.
std::string clean_href(std::string_view href) {
    std::string out;
    for (const char c : trim_html_space(href)) {
        if (c != '\t' && c != '\n' && c != '\r') {
            out += c;
        }
    }
    return out;
}

/// Walks a page's anchors: `on_anchor(start tag, text)` for each <a>, with the anchor's
/// text decoded (other tags inside it ignored; a new <a> closes an open one, as HTML5 does).
/// Fails on a PEP 629 repository version other than 1.x.
template <class OnAnchor, class OnTag>
std::optional<Error> walk_anchors(std::string_view html, std::string_view what, OnAnchor on_anchor,
                                  OnTag on_tag) {
    if (auto bad = detail::utf8_error(what, html)) {
        return bad;
    }
    detail::HtmlTokenizer tokenizer(html);
    detail::HtmlToken token;
    detail::HtmlToken anchor;
    bool in_anchor = false;
    std::string text;
    auto close = [&] {
        if (in_anchor) {
            on_anchor(anchor, trim_html_space(text));
            in_anchor = false;
        }
    };
    while (tokenizer.next(token)) {
        switch (token.kind) {
        case detail::HtmlToken::Kind::start_tag:
            if (token.name == "a") {
                close();
                std::swap(anchor, token);
                in_anchor = true;
                text.clear();
            } else if (token.name == "meta") {
                const std::string* name = token.attribute("name");
                const std::string* content = token.attribute("content");
                if (name != nullptr && content != nullptr && *name == "pypi:repository-version") {
                    if (auto refused = refuse_api_version(*content)) {
                        return detail::document_error(what, html, token.offset, refused->message,
                                                      refused->kind);
                    }
                }
            } else {
                on_tag(token);
            }
            break;
        case detail::HtmlToken::Kind::end_tag:
            if (token.name == "a") {
                close();
            }
            break;
        case detail::HtmlToken::Kind::text:
            if (in_anchor) {
                detail::append_decoded(text, token.text);
            }
            break;
        }
    }
    close();
    return std::nullopt;
}

} // namespace

Expected<std::vector<std::string>> parse_index_json(std::string_view body) {
    JsonCursor cursor(body);
    IndexJson handler(cursor);
    if (auto error = detail::parse_json(cursor, handler, kIndexJson)) {
        return std::move(*error);
    }
    return std::move(handler.names);
}

Expected<ProjectPage> parse_project_json(std::string_view body, std::string_view base_url) {
    if (auto bad = check_base(base_url)) {
        return std::move(*bad);
    }
    JsonCursor cursor(body);
    ProjectJson handler(cursor, base_url);
    if (auto error = detail::parse_json(cursor, handler, kProjectJson)) {
        return std::move(*error);
    }
    if (!handler.has_name) {
        handler.page.name = detail::last_path_segment(base_url);
    }
    return std::move(handler.page);
}

Expected<std::vector<std::string>> parse_index_html(std::string_view body) {
    std::vector<std::string> names;
    auto error = walk_anchors(
        body, kIndexHtml,
        [&](const detail::HtmlToken& /*anchor*/, std::string_view text) {
            if (!text.empty()) {
                names.emplace_back(text);
            }
        },
        [](const detail::HtmlToken&) {});
    if (error) {
        return std::move(*error);
    }
    return names;
}

Expected<ProjectPage> parse_project_html(std::string_view body, std::string_view base_url) {
    if (auto bad = check_base(base_url)) {
        return std::move(*bad);
    }
    ProjectPage page;
    page.name = detail::last_path_segment(base_url);
    std::vector<std::string> hrefs;
    std::optional<std::string> base_href;
    auto on_anchor = [&](const detail::HtmlToken& a, std::string_view text) {
        const std::string* href = a.attribute("href");
        if (href == nullptr) {
            return;
        }
        std::string cleaned = clean_href(*href);
        if (cleaned.empty()) {
            return;
        }
        DistributionFile& f = page.files.emplace_back();
        f.filename = std::string(text);
        if (const std::string* rp = a.attribute("data-requires-python")) {
            f.requires_python = *rp;
        }
        if (const std::string* yanked = a.attribute("data-yanked")) {
            f.yanked = *yanked;
        }
        // PEP 714: data-core-metadata wins over data-dist-info-metadata. Its value is "true"
        // or "<hash name>=<hex>"; pip takes any other value as "available, hash unknown".
        const std::string* meta = a.attribute("data-core-metadata");
        if (meta == nullptr) {
            meta = a.attribute("data-dist-info-metadata");
        }
        if (meta != nullptr && *meta != "false") {
            f.core_metadata = true;
            add_fragment_hashes(f.core_metadata_hashes, *meta);
        }
        hrefs.push_back(std::move(cleaned));
    };
    auto on_tag = [&](const detail::HtmlToken& t) {
        // The first <base href> sets the base of every link on the page (HTML5, pip).
        if (t.name == "base" && !base_href) {
            if (const std::string* href = t.attribute("href")) {
                base_href = detail::resolve_uri(base_url, clean_href(*href));
            }
        }
    };
    if (auto error = walk_anchors(body, kProjectHtml, on_anchor, on_tag)) {
        return std::move(*error);
    }
    const std::string_view base = base_href ? std::string_view(*base_href) : base_url;
    for (std::size_t i = 0; i < page.files.size(); ++i) {
        DistributionFile& f = page.files[i];
        set_url(f, base, hrefs[i]);
        if (f.filename.empty()) {
            f.filename = detail::last_path_segment(f.url);
        }
    }
    return page;
}

} // namespace qplug::solver::pypi
