// SPDX-License-Identifier: GPL-2.0-or-later
#include "formats/url.hpp"

#include <qplug/unicode.hpp>

namespace qplug::solver::detail {

namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_scheme(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) {
        return false;
    }
    for (const char c : s) {
        if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return true;
}

using unicode::hex_value;

/// RFC 3986 section 5.2.3.
std::string merge(const UriParts& base, std::string_view path) {
    if (base.has_authority && base.path.empty()) {
        return "/" + std::string(path);
    }
    const std::size_t slash = base.path.rfind('/');
    std::string out(slash == std::string_view::npos ? std::string_view{}
                                                    : base.path.substr(0, slash + 1));
    out += path;
    return out;
}

} // namespace

UriParts split_uri(std::string_view uri) {
    UriParts p;
    std::size_t pos = 0;
    const std::size_t colon = uri.find_first_of(":/?#");
    if (colon != std::string_view::npos && uri[colon] == ':' && is_scheme(uri.substr(0, colon))) {
        p.scheme = uri.substr(0, colon);
        p.has_scheme = true;
        pos = colon + 1;
    }
    if (uri.substr(pos, 2) == "//") {
        const std::size_t end = uri.find_first_of("/?#", pos + 2);
        p.authority = uri.substr(pos + 2, end == std::string_view::npos ? std::string_view::npos
                                                                        : end - pos - 2);
        p.has_authority = true;
        pos = end == std::string_view::npos ? uri.size() : end;
    }
    const std::size_t path_end = std::min(uri.find_first_of("?#", pos), uri.size());
    p.path = uri.substr(pos, path_end - pos);
    pos = path_end;
    if (pos < uri.size() && uri[pos] == '?') {
        const std::size_t end = std::min(uri.find('#', pos), uri.size());
        p.query = uri.substr(pos + 1, end - pos - 1);
        p.has_query = true;
        pos = end;
    }
    if (pos < uri.size() && uri[pos] == '#') {
        p.fragment = uri.substr(pos + 1);
        p.has_fragment = true;
    }
    return p;
}

bool is_absolute_uri(std::string_view uri) {
    return split_uri(uri).has_scheme;
}

std::string remove_dot_segments(std::string_view path) {
    // The input buffer is consumed from `i`; rules B and C rewrite its head to "/", which is
    // always possible in place because they drop at least one character.
    std::string in(path);
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    auto rest = [&] { return std::string_view(in).substr(i); };
    auto drop_last_segment = [&] {
        const std::size_t slash = out.rfind('/');
        out.resize(slash == std::string::npos ? 0 : slash);
    };
    while (i < in.size()) {
        const std::string_view r = rest();
        if (r.starts_with("../")) {
            i += 3;
        } else if (r.starts_with("./")) {
            i += 2;
        } else if (r.starts_with("/./")) {
            i += 2;
        } else if (r == "/.") {
            i += 1;
            in[i] = '/';
        } else if (r.starts_with("/../")) {
            i += 3;
            drop_last_segment();
        } else if (r == "/..") {
            i += 2;
            in[i] = '/';
            drop_last_segment();
        } else if (r == "." || r == "..") {
            i = in.size();
        } else {
            const std::size_t next = in.find('/', i + 1);
            const std::size_t end = next == std::string::npos ? in.size() : next;
            out.append(in, i, end - i);
            i = end;
        }
    }
    return out;
}

std::string resolve_uri(std::string_view base, std::string_view reference) {
    const UriParts b = split_uri(base);
    const UriParts r = split_uri(reference);
    UriParts t;
    std::string path;
    if (r.has_scheme) {
        t = r;
        path = remove_dot_segments(r.path);
    } else {
        if (r.has_authority) {
            t.authority = r.authority;
            t.has_authority = true;
            path = remove_dot_segments(r.path);
            t.query = r.query;
            t.has_query = r.has_query;
        } else {
            if (r.path.empty()) {
                path = std::string(b.path);
                t.query = r.has_query ? r.query : b.query;
                t.has_query = r.has_query || b.has_query;
            } else {
                path = remove_dot_segments(r.path.starts_with('/') ? std::string(r.path)
                                                                   : merge(b, r.path));
                t.query = r.query;
                t.has_query = r.has_query;
            }
            t.authority = b.authority;
            t.has_authority = b.has_authority;
        }
        t.scheme = b.scheme;
        t.has_scheme = b.has_scheme;
    }
    // Section 5.3: recomposition.
    std::string out;
    out.reserve(base.size() + reference.size());
    if (t.has_scheme) {
        out += t.scheme;
        out += ':';
    }
    if (t.has_authority) {
        out += "//";
        out += t.authority;
    }
    out += path;
    if (t.has_query) {
        out += '?';
        out += t.query;
    }
    if (r.has_fragment) {
        out += '#';
        out += r.fragment;
    }
    return out;
}

std::string_view without_fragment(std::string_view uri) {
    return uri.substr(0, uri.find('#'));
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string last_path_segment(std::string_view uri) {
    std::string_view path = split_uri(uri).path;
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    const std::size_t slash = path.rfind('/');
    return percent_decode(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

} // namespace qplug::solver::detail
