// The pip readers: simple API pages (PEP 691 JSON, PEP 503 HTML), wheel and sdist file names
// and core metadata, on any bytes. An input "base URL\0body" sets the page URL; without a NUL
// the whole input is the body. Properties: errors point inside their input; links come out
// absolute without fragment; a file name that reads composes back into itself.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/solver/pypi.hpp>
#include <qplug/version/pep440.hpp>

#include "fuzz_input.hpp"

using namespace qplug::solver::pypi;
using qplug::fuzz::require;

namespace {

void check_error(const qplug::Error& e, bool document) {
    require(e.offset <= e.input.size());
    require(!e.message.empty());
    if (document) {
        require(e.input.size() <= 160);
        require(e.message.starts_with("line "));
    }
}

bool has_scheme(const std::string& url) {
    const std::size_t colon = url.find(':');
    return colon != std::string::npos && colon > 0 && url.find_first_of("/?#") > colon;
}

void check_page(const qplug::Expected<ProjectPage>& page) {
    if (!page) {
        check_error(page.error(), page.error().what != "base URL");
        return;
    }
    for (const DistributionFile& f : page->files) {
        require(has_scheme(f.url));
        require(f.url.find('#') == std::string::npos);
        require(!f.core_metadata_hashes.size() || f.core_metadata);
    }
}

void check_names(const qplug::Expected<std::vector<std::string>>& names, bool trimmed) {
    if (!names) {
        check_error(names.error(), true);
        return;
    }
    for (const std::string& n : *names) {
        if (trimmed) {
            require(!n.empty());
            require(n.find_first_of(" \t\n\r\f") != 0);
        }
    }
}

std::string join(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) {
        require(!t.empty());
        out += (out.empty() ? "" : ".") + t;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = qplug::fuzz::split(data, size, 2);
    const bool has_base = size > parts[0].size();
    const std::string_view base = has_base ? parts[0] : "https://pypi.org/simple/pkg/";
    const std::string_view body = has_base ? parts[1] : parts[0];

    check_names(parse_index_json(body), false);
    check_names(parse_index_html(body), true);
    check_page(parse_project_json(body, base));
    check_page(parse_project_html(body, base));

    if (auto w = parse_wheel_filename(body)) {
        std::string again = w->name + "-" + w->version;
        if (!w->build.empty()) {
            again += "-" + w->build;
        }
        again += "-" + join(w->python_tags) + "-" + join(w->abi_tags) + "-" +
                 join(w->platform_tags) + ".whl";
        require(again == body);
        require(qplug::version::pep440::Version::is_valid(w->version));
    } else {
        check_error(w.error(), false);
    }
    if (auto s = parse_sdist_filename(body)) {
        require(!s->name.empty());
        require(qplug::version::pep440::Version::is_valid(s->version));
        const std::string stem = s->name + "-" + s->version;
        require(body == stem + ".tar.gz" || body == stem + ".zip");
    } else {
        check_error(s.error(), false);
    }
    if (auto m = parse_core_metadata(body)) {
        require(!m->name.empty() && !m->version.empty() && !m->metadata_version.empty());
        require(m->headers.size() >= 3);
    } else {
        check_error(m.error(), true);
    }
    return 0;
}
