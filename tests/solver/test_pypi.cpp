// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/pypi.hpp>
#include <qplug/solver/records.hpp>
#include <qplug/version/pep440.hpp>

#include "formats/html_scan.hpp"
#include "formats/url.hpp"
#include "test_data.hpp"

using namespace qplug::solver;
using namespace qplug::solver::pypi;
using qplug::Error;
using qplug::test::data_path;
using qplug::test::read_file;

namespace {

std::string pypi_file(const std::string& name) {
    return read_file(data_path("pypi/" + name));
}

/// The byte offset in the whole document that a document error names ("line L, byte B: ").
std::size_t document_byte(const Error& e) {
    const std::size_t at = e.message.find(", byte ");
    EXPECT_NE(at, std::string::npos) << e.message;
    return at == std::string::npos ? 0 : std::stoul(e.message.substr(at + 7));
}

constexpr const char* kBase = "https://pypi.org/simple/requests/";

} // namespace

// --- RFC 3986 -------------------------------------------------------------------------------

TEST(Url, ResolvesTheNormalExamplesOfRfc3986) {
    const std::string base = "http://a/b/c/d;p?q";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"g:h", "g:h"},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
    };
    for (const auto& [ref, expected] : cases) {
        EXPECT_EQ(detail::resolve_uri(base, ref), expected) << ref;
    }
}

TEST(Url, ResolvesTheAbnormalExamplesOfRfc3986) {
    const std::string base = "http://a/b/c/d;p?q";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g#s/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"}, // the strict reading of section 5.2.2
    };
    for (const auto& [ref, expected] : cases) {
        EXPECT_EQ(detail::resolve_uri(base, ref), expected) << ref;
    }
}

TEST(Url, ResolvesIndexLinks) {
    EXPECT_EQ(detail::resolve_uri("https://pypi.org/simple/requests/",
                                  "../../packages/ab/cd/requests-2.31.0.tar.gz#sha256=00"),
              "https://pypi.org/packages/ab/cd/requests-2.31.0.tar.gz#sha256=00");
    EXPECT_EQ(detail::resolve_uri("https://host/simple/x/", "x-1.0.tar.gz"),
              "https://host/simple/x/x-1.0.tar.gz");
    // Without the trailing slash the last segment is replaced (pip asks for "/simple/x/").
    EXPECT_EQ(detail::resolve_uri("https://host/simple/x", "x-1.0.tar.gz"),
              "https://host/simple/x-1.0.tar.gz");
    EXPECT_EQ(detail::resolve_uri("https://host/simple/x/", "//cdn.example.org/x.whl"),
              "https://cdn.example.org/x.whl");
    EXPECT_EQ(detail::resolve_uri("https://host", "x.whl"), "https://host/x.whl");
    EXPECT_EQ(detail::resolve_uri("file:///srv/index/x/", "x-1.0.zip"),
              "file:///srv/index/x/x-1.0.zip");
    // "1.0:x" has no valid scheme: a relative path, as browsers read it.
    EXPECT_EQ(detail::resolve_uri("https://host/a/", "1.0:x"), "https://host/a/1.0:x");
}

TEST(Url, RedactsThePasswordOfTheAuthorityOnly) {
    EXPECT_EQ(redact_url("https://jane:s3cret@host/simple/"), "https://jane:***@host/simple/");
    // The last '@' of the authority ends the user information; a later one is the path's.
    EXPECT_EQ(redact_url("https://jane:p@ss@host/a@b"), "https://jane:***@host/a@b");
    EXPECT_EQ(redact_url("https://jane@host/x"), "https://jane@host/x");
    EXPECT_EQ(redact_url("https://host:8080/x?u=a:b@c"), "https://host:8080/x?u=a:b@c");
    EXPECT_EQ(redact_url("/plain/path:with@signs"), "/plain/path:with@signs");
    EXPECT_EQ(redact_url("file:///srv/repo"), "file:///srv/repo");
}

TEST(Url, SplitsAndDecodes) {
    const auto p = detail::split_uri("https://user@host:8080/p/a?q=1#frag");
    EXPECT_EQ(p.scheme, "https");
    EXPECT_EQ(p.authority, "user@host:8080");
    EXPECT_EQ(p.path, "/p/a");
    EXPECT_EQ(p.query, "q=1");
    EXPECT_EQ(p.fragment, "frag");
    const auto empty = detail::split_uri("http://a/b?#");
    EXPECT_TRUE(empty.has_query);
    EXPECT_TRUE(empty.has_fragment);
    EXPECT_TRUE(empty.query.empty());
    EXPECT_FALSE(detail::split_uri("/simple/").has_scheme);
    EXPECT_FALSE(detail::is_absolute_uri("//host/x"));
    EXPECT_FALSE(detail::is_absolute_uri("1http://x"));
    EXPECT_TRUE(detail::is_absolute_uri("git+https://x"));
    EXPECT_EQ(detail::remove_dot_segments("/a/b/c/./../../g"), "/a/g");
    EXPECT_EQ(detail::remove_dot_segments("mid/content=5/../6"), "mid/6");
    EXPECT_EQ(detail::percent_decode("zope%2Einterface%zz%4"), "zope.interface%zz%4");
    EXPECT_EQ(detail::last_path_segment("https://h/simple/Zope%2Einterface/"), "Zope.interface");
    EXPECT_EQ(detail::last_path_segment("../x-1.0.tar.gz?a=b#sha256=00"), "x-1.0.tar.gz");
    EXPECT_EQ(detail::without_fragment("a#b#c"), "a");
}

// --- the HTML tokenizer ----------------------------------------------------------------------

namespace {

std::string decode(std::string_view raw) {
    std::string out;
    detail::append_decoded(out, raw);
    return out;
}

/// Tags and text as one string: "<a href=x>text</a>" style, for compact expectations.
std::string tokens(std::string_view html) {
    detail::HtmlTokenizer t(html);
    detail::HtmlToken token;
    std::string out;
    while (t.next(token)) {
        switch (token.kind) {
        case detail::HtmlToken::Kind::start_tag:
            out += "<" + token.name;
            for (const auto& a : token.attributes) {
                out += " " + a.name + "=[" + a.value + "]";
            }
            out += ">";
            break;
        case detail::HtmlToken::Kind::end_tag:
            out += "</" + token.name + ">";
            break;
        case detail::HtmlToken::Kind::text:
            out += decode(token.text);
            break;
        }
    }
    return out;
}

} // namespace

TEST(HtmlScan, DecodesCharacterReferences) {
    EXPECT_EQ(decode("&gt;=3.8,&lt;4"), ">=3.8,<4");
    EXPECT_EQ(decode("&amp;&AMP;&quot;&QUOT;&apos;&LT;&GT;"), "&&\"\"'<>");
    EXPECT_EQ(decode("a&nbsp;b"), "a\u00A0b");
    EXPECT_EQ(decode("&#62;&#x3E;&#X3e;&#0062"), ">>>>");
    EXPECT_EQ(decode("&#x1F40D;"), "\U0001F40D");
    EXPECT_EQ(decode("&#0;&#xD800;&#x110000;&#99999999999999;"), "\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode("&#x80;&#150;&#x81;"), "\u20AC\u2013\u0081"); // windows-1252, except 0x81
    EXPECT_EQ(decode("&#;&#x;&;&unknown;& &"), "&#;&#x;&;&unknown;& &");
    EXPECT_EQ(decode("&gt"), ">"); // a legacy name needs no ';'
    EXPECT_EQ(decode("&apos"), "&apos");
    // As html.unescape (pip's html.parser) reads them, in attribute values too: legacy names
    // before anything, every HTML5 name, C0/C1 controls dropped, CR kept.
    EXPECT_EQ(decode("?a=1&ampb=2&amp=3"), "?a=1&b=2&=3");
    EXPECT_EQ(decode("?a=1&amp;b=2&amp"), "?a=1&b=2&");
    EXPECT_EQ(decode("&eacute;&eacute&ampx&#1;&#x7f;&notit;&notin;&#13;"),
              "\u00E9\u00E9&x\u00ACit;\u2209\r");
}

TEST(HtmlScan, ReadsTagsAsHtml5Does) {
    EXPECT_EQ(tokens("<A HREF=\"x\" Data-Yanked>t</A>"), "<a href=[x] data-yanked=[]>t</a>");
    EXPECT_EQ(tokens("<a href=x/y.whl data-requires-python=&gt;=3>t</a>"),
              "<a href=[x/y.whl] data-requires-python=[>=3]>t</a>");
    EXPECT_EQ(tokens("<a href='a\"b' href=\"second\">"), "<a href=[a\"b]>");
    EXPECT_EQ(tokens("<a href = \"x\"/><br/>"), "<a href=[x]><br>");
    EXPECT_EQ(tokens("<a =x y=>"), "<a =x=[] y=[]>");
    EXPECT_EQ(tokens("<a href=\"x\"class=c>"), "<a href=[x] class=[c]>");
    EXPECT_EQ(tokens("a < b <3 </> <1"), "a < b <3  <1");
    EXPECT_EQ(tokens("x</ y>z"), "xz");
    // A hostile tag: of 200k attributes, 256 are kept (fuzz_pypi_simple guards the time).
    std::string many = "<a";
    for (int i = 0; i < 200000; ++i) {
        many += " a" + std::to_string(i);
    }
    many += " href=x>";
    detail::HtmlTokenizer t(many);
    detail::HtmlToken token;
    ASSERT_TRUE(t.next(token));
    EXPECT_EQ(token.attributes.size(), 256U);
    EXPECT_EQ(token.attribute("href"), nullptr);
}

TEST(HtmlScan, SkipsCommentsDoctypesAndElementText) {
    EXPECT_EQ(tokens("<!DOCTYPE html><!-- <a href=x> --><p>t</p>"), "<p>t</p>");
    EXPECT_EQ(tokens("<!--><a>1</a><!---><a>2</a>"), "<a>1</a><a>2</a>");
    EXPECT_EQ(tokens("<!-- a -- b --!><a>3</a>"), "<a>3</a>");
    EXPECT_EQ(tokens("<?xml version=\"1.0\"?><![CDATA[x]]><a>4</a>"), "<a>4</a>");
    EXPECT_EQ(tokens("<!-- never closed <a href=x>"), "");
    EXPECT_EQ(tokens("<script>if (a<b) document.write('<a href=x>')</script><a>5</a>"),
              "<script></script><a>5</a>");
    EXPECT_EQ(tokens("<style>a</styles></STYLE ><a>6</a>"), "<style></style><a>6</a>");
    EXPECT_EQ(tokens("<title>Links for <a href=x>x</a></title>"), "<title></title>");
    EXPECT_EQ(tokens("<script>never closed <a href=x>"), "<script>");
    // A tag cut off by the end of the document is dropped.
    EXPECT_EQ(tokens("t<a href=\"x"), "t");
    EXPECT_EQ(tokens("t<a href=x"), "t");
}

// --- PEP 691 JSON ---------------------------------------------------------------------------

TEST(PypiIndexJson, ReadsTheRootPage) {
    auto names = parse_index_json(pypi_file("index.json"));
    ASSERT_TRUE(names) << names.error().to_string();
    ASSERT_EQ(names->size(), 14U);
    EXPECT_EQ(names->front(), "0");
    EXPECT_EQ((*names)[3], "Django");
    EXPECT_EQ((*names)[7], "zope.interface");
    EXPECT_EQ(names->back(), "certifi");
}

TEST(PypiIndexJson, ErrorsSayWhere) {
    // Bad JSON: the byte that failed.
    const std::string broken = R"({"meta": {"api-version": "1.1"}, "projects": [{"name": "a"},)";
    auto e = parse_index_json(broken);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().what, "PEP 691 index page");
    EXPECT_EQ(document_byte(e.error()), broken.size());
    EXPECT_NE(e.error().message.find("unexpected end of input"), std::string::npos);

    const std::string tru = "{\"meta\": tru}";
    e = parse_index_json(tru);
    ASSERT_FALSE(e);
    EXPECT_EQ(document_byte(e.error()), 12U);
    EXPECT_EQ(e.error().input, tru);
    EXPECT_EQ(e.error().offset, 12U);

    e = parse_index_json("");
    ASSERT_FALSE(e);
    EXPECT_EQ(document_byte(e.error()), 0U);

    const std::string lines = "{\n  \"projects\": [\n    {\"name\": 7}\n  ]\n}\n";
    e = parse_index_json(lines);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().input, "    {\"name\": 7}");
    EXPECT_EQ(e.error().offset, 13U);
    EXPECT_EQ(e.error().message, "line 3, byte 31: 'name' must be a string, not a number");
    EXPECT_EQ(e.error().column(), 14U);

    struct Case {
        std::string json;
        std::size_t byte;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"[]", 0, "an index page must be a JSON object"},
        {"\"x\"", 0, "an index page must be a JSON object"},
        {R"({"projects": {}})", 13, "'projects' must be an array, not an object"},
        {R"({"projects": "a"})", 13, "'projects' must be an array, not a string"},
        {R"({"projects": ["a"]})", 14, "each project must be an object, not a string"},
        {R"({"projects": [[]]})", 14, "each project must be an object, not an array"},
        {R"({"projects": [{"_last-serial": 3}]})", 14, "a project without a 'name'"},
        {R"({"projects": [{"name": ["a"]}]})", 23, "'name' must be a string, not an array"},
        {R"({"meta": {"api-version": 1.1}, "projects": []})", 25,
         "'api-version' must be a string, not a number"},
        {R"({"meta": {"api-version": "one"}, "projects": []})", 25,
         "'one' is not an API version (major.minor)"},
        {R"({"meta": {}})", 12, "the page has no 'projects' list"},
    };
    for (const auto& c : cases) {
        auto r = parse_index_json(c.json);
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(r.error().kind, Error::Kind::parse);
        EXPECT_EQ(document_byte(r.error()), c.byte) << c.json;
        EXPECT_EQ(r.error().message.substr(r.error().message.find(": ") + 2), c.message);
    }
    // Another major version is a page this reader must refuse (PEP 691).
    auto v2 = parse_index_json(R"({"meta": {"api-version": "2.0"}, "projects": []})");
    ASSERT_FALSE(v2);
    EXPECT_EQ(v2.error().kind, Error::Kind::invalid);
    EXPECT_NE(v2.error().message.find("API version 2.0 is not supported"), std::string::npos);
    // A newer minor version is read.
    EXPECT_TRUE(parse_index_json(R"({"meta": {"api-version": "1.4"}, "projects": []})"));
}

TEST(PypiIndexJson, LongLinesGiveAnExcerpt) {
    std::string json = R"({"projects": [)";
    for (int i = 0; i < 100; ++i) {
        json += R"({"name": "project)" + std::to_string(i) + R"("},)";
    }
    const std::size_t bad = json.size();
    json += R"({"name": null}]})";
    auto e = parse_index_json(json);
    ASSERT_FALSE(e);
    EXPECT_EQ(document_byte(e.error()), bad + 9);
    EXPECT_LE(e.error().input.size(), 160U);
    EXPECT_EQ(e.error().input.substr(e.error().offset, 4), "null");
}

TEST(PypiProjectJson, ReadsPyPIsPage) {
    auto page = parse_project_json(pypi_file("requests.json"), kBase);
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->name, "requests");
    EXPECT_EQ(page->versions,
              (std::vector<std::string>{"0.2.0", "2.27.1", "2.31.0", "2.32.0", "2.32.3"}));
    ASSERT_EQ(page->files.size(), 9U);
    const DistributionFile& old = page->files[0];
    EXPECT_EQ(old.filename, "requests-0.2.0.tar.gz");
    EXPECT_TRUE(old.url.starts_with("https://files.pythonhosted.org/packages/"));
    EXPECT_TRUE(old.url.ends_with("/requests-0.2.0.tar.gz"));
    EXPECT_EQ(old.hashes.size(), 1U);
    EXPECT_EQ(old.hashes.at("sha256").size(), 64U);
    EXPECT_EQ(old.requires_python, ""); // null
    EXPECT_FALSE(old.yanked);
    EXPECT_EQ(old.size, 23473U);
    EXPECT_EQ(old.upload_time, "2011-02-14T20:51:38.466530Z");
    EXPECT_FALSE(old.core_metadata);
    const DistributionFile& wheel = page->files[3];
    EXPECT_EQ(wheel.filename, "requests-2.31.0-py3-none-any.whl");
    EXPECT_EQ(wheel.requires_python, ">=3.7");
    EXPECT_TRUE(wheel.core_metadata);
    EXPECT_EQ(wheel.core_metadata_hashes.at("sha256").size(), 64U);
    const DistributionFile& yanked = page->files[5];
    ASSERT_TRUE(yanked.yanked);
    EXPECT_EQ(*yanked.yanked, "Yanked due to conflicts with CVE-2024-35195 mitigation");
}

TEST(PypiProjectJson, ResolvesRelativeUrlsAndReadsEveryYankedForm) {
    auto page = parse_project_json(pypi_file("acme-tools.json"),
                                   "https://pypi.example.org/root/prod/+simple/acme-tools/");
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->name, "acme-tools");
    EXPECT_TRUE(page->versions.empty());
    ASSERT_EQ(page->files.size(), 4U);
    const auto& f = page->files;
    EXPECT_TRUE(f[0].url.starts_with("https://pypi.example.org/root/prod/+f/"));
    EXPECT_TRUE(f[0].core_metadata); // dist-info-metadata: true
    EXPECT_TRUE(f[0].core_metadata_hashes.empty());
    EXPECT_EQ(f[0].requires_python, ">=3.8,<4");
    // The fragment goes; its hash is kept when "hashes" lacks that algorithm.
    EXPECT_EQ(f[1].url.find('#'), std::string::npos);
    EXPECT_EQ(f[1].hashes.count("md5"), 1U);
    EXPECT_FALSE(f[1].yanked);
    EXPECT_TRUE(f[2].url.starts_with("https://pypi.example.org/+f/"));
    EXPECT_EQ(f[2].hashes.size(), 2U);
    ASSERT_TRUE(f[2].yanked);
    EXPECT_EQ(*f[2].yanked, ""); // true: yanked without a reason
    // core-metadata wins over dist-info-metadata, whatever their order.
    EXPECT_TRUE(f[2].core_metadata);
    EXPECT_EQ(f[2].core_metadata_hashes.size(), 1U);
    EXPECT_EQ(f[3].url, "https://mirror.example.org/packages/Acme-Tools-0.9.zip");
    ASSERT_TRUE(f[3].yanked);
    EXPECT_EQ(*f[3].yanked, "broken & superseded by 1.0.0");
    EXPECT_FALSE(f[3].size);
}

TEST(PypiProjectJson, CoreMetadataKeysRankAsPep714Says) {
    auto page = parse_project_json(
        R"({"name": "x", "files": [
            {"filename": "a.whl", "url": "a.whl", "core-metadata": false,
             "dist-info-metadata": {"sha256": "ab"}},
            {"filename": "b.whl", "url": "b.whl", "data-dist-info-metadata": {"sha256": "cd"}},
            {"filename": "c.whl", "url": "c.whl", "dist-info-metadata": true,
             "data-dist-info-metadata": false}]})",
        kBase);
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_FALSE(page->files[0].core_metadata);
    EXPECT_TRUE(page->files[1].core_metadata);
    EXPECT_EQ(page->files[1].core_metadata_hashes.at("sha256"), "cd");
    EXPECT_TRUE(page->files[2].core_metadata);
    EXPECT_EQ(page->files[0].url, "https://pypi.org/simple/requests/a.whl");
}

TEST(PypiProjectJson, ErrorsSayWhere) {
    auto relative = parse_project_json("{}", "/simple/requests/");
    ASSERT_FALSE(relative);
    EXPECT_EQ(relative.error().kind, Error::Kind::invalid);
    EXPECT_EQ(relative.error().what, "base URL");
    EXPECT_EQ(relative.error().input, "/simple/requests/");

    struct Case {
        std::string json;
        std::size_t byte;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"[1]", 0, "a project page must be a JSON object"},
        {R"({"files": [{"url": "a"}]})", 11, "a file without a 'filename'"},
        {R"({"files": [{"filename": "a.whl"}]})", 11, "the file 'a.whl' has no 'url'"},
        {R"({"files": [{"filename": 1}]})", 24, "'filename' must be a string, not a number"},
        {R"({"files": [{"url": []}]})", 19, "'url' must be a string, not an array"},
        {R"({"files": [{"hashes": []}]})", 22, "'hashes' must be an object, not an array"},
        {R"({"files": [{"hashes": {"sha256": 5}}]})", 33,
         "'sha256' must be a string, not a number"},
        {R"({"files": [{"hashes": {"sha256": {}}}]})", 33,
         "'sha256' must be a string, not an object"},
        {R"({"files": [{"size": -1}]})", 20, "'size' must be a non-negative integer, not a number"},
        {R"({"files": [{"size": "12"}]})", 20,
         "'size' must be a non-negative integer, not a string"},
        {R"({"files": [{"yanked": 1}]})", 22,
         "'yanked' must be a boolean or a string, not a number"},
        {R"({"files": [{"yanked": {}}]})", 22,
         "'yanked' must be a boolean or a string, not an object"},
        {R"({"files": [{"size": [1]}]})", 20,
         "'size' must be a non-negative integer, not an array"},
        {R"({"files": [{"requires-python": true}]})", 31,
         "'requires-python' must be a string, not a boolean"},
        {R"({"files": [{"core-metadata": "yes"}]})", 29,
         "'core-metadata' must be a boolean or an object, not a string"},
        {R"({"files": [{"core-metadata": []}]})", 29,
         "'core-metadata' must be a boolean or an object, not an array"},
        {R"({"files": [3]})", 11, "each file must be an object, not a number"},
        {R"({"files": {}})", 10, "'files' must be an array, not an object"},
        {R"({"versions": [1]})", 14, "each version must be a string, not a number"},
        {R"({"versions": "1.0"})", 13, "'versions' must be an array, not a string"},
        {R"({"name": {}})", 9, "'name' must be a string, not an object"},
        {R"({"name": "x", "files": []} trailing)", 29,
         "syntax error while parsing value - invalid literal; expected end of input"},
        {R"({"name": "x" "files": []})", 13,
         "syntax error while parsing object - unexpected string literal; expected '}'"},
    };
    for (const auto& c : cases) {
        auto r = parse_project_json(c.json, kBase);
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(document_byte(r.error()), c.byte) << c.json;
        EXPECT_EQ(r.error().message.substr(r.error().message.find(": ") + 2), c.message) << c.json;
    }
    auto unsupported = parse_project_json(R"({"meta": {"api-version": "0.9"}})", kBase);
    ASSERT_FALSE(unsupported);
    EXPECT_EQ(unsupported.error().kind, Error::Kind::invalid);
}

TEST(PypiProjectJson, ANameMissingFromThePageComesFromTheUrl) {
    auto page = parse_project_json(R"({"files": []})", "https://h/simple/zope.interface/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->name, "zope.interface");
    auto unknown = parse_project_json(
        R"({"meta": {"api-version": "1.1", "_last-serial": 5, "x": [1, {"y": 2}]},
            "name": "n", "extra": {"deep": [[{}]]}, "files": [], "versions": []})",
        kBase);
    ASSERT_TRUE(unknown) << unknown.error().to_string();
    EXPECT_EQ(unknown->name, "n");
}

// --- PEP 503 HTML ---------------------------------------------------------------------------

TEST(PypiIndexHtml, ReadsTheRootPage) {
    auto names = parse_index_html(pypi_file("index.html"));
    ASSERT_TRUE(names) << names.error().to_string();
    ASSERT_EQ(names->size(), 14U);
    EXPECT_EQ((*names)[3], "Django");
    EXPECT_EQ((*names)[7], "zope.interface");
    // The anchor text, decoded and trimmed; anchors without text are no project.
    auto odd = parse_index_html("<a href=/a/>\n  caf&eacute; &amp; co\n</a><a href=/b/></a>"
                                "<a>no href is fine</a><A>x<b>y</b>z");
    ASSERT_TRUE(odd);
    EXPECT_EQ(*odd,
              (std::vector<std::string>{"caf\u00E9 & co", "no href is fine", "xyz"})); // é as pip
}

TEST(PypiIndexHtml, ErrorsSayWhere) {
    const std::string latin1 = "<a href=/x/>caf\xE9</a>";
    auto e = parse_index_html(latin1);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().what, "PEP 503 index page");
    EXPECT_EQ(document_byte(e.error()), 15U);
    EXPECT_EQ(e.error().offset, 15U);
    EXPECT_NE(e.error().message.find("0xE9 is not UTF-8"), std::string::npos);

    auto v2 =
        parse_index_html("<html><head>\n<meta name=\"pypi:repository-version\" content=\"2.0\">");
    ASSERT_FALSE(v2);
    EXPECT_EQ(v2.error().kind, Error::Kind::invalid);
    EXPECT_EQ(document_byte(v2.error()), 13U);
    EXPECT_EQ(v2.error().offset, 0U);
    auto bad = parse_index_html("<meta name=pypi:repository-version content=x>");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, Error::Kind::parse);
    EXPECT_TRUE(parse_index_html("<meta name=pypi:repository-version content=1.7>"));
}

TEST(PypiProjectHtml, ReadsPyPIsPage) {
    auto page = parse_project_html(pypi_file("requests.html"), kBase);
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->name, "requests");
    ASSERT_EQ(page->files.size(), 9U);
    auto json = parse_project_json(pypi_file("requests.json"), kBase);
    ASSERT_TRUE(json);
    // The two forms of the same page say the same, except what only JSON carries.
    for (std::size_t i = 0; i < page->files.size(); ++i) {
        const DistributionFile& h = page->files[i];
        const DistributionFile& j = json->files[i];
        EXPECT_EQ(h.filename, j.filename);
        EXPECT_EQ(h.url, j.url);
        EXPECT_EQ(h.hashes, j.hashes);
        EXPECT_EQ(h.requires_python, j.requires_python);
        EXPECT_EQ(h.yanked, j.yanked);
        EXPECT_EQ(h.core_metadata, j.core_metadata);
        EXPECT_EQ(h.core_metadata_hashes, j.core_metadata_hashes);
        EXPECT_FALSE(h.size);
        EXPECT_EQ(h.upload_time, "");
    }
    EXPECT_EQ(page->files[1].requires_python,
              ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*");
    EXPECT_TRUE(page->versions.empty());
}

TEST(PypiProjectHtml, ReadsHtml5ThatIsNotXml) {
    auto page = parse_project_html(pypi_file("acme-tools.html"),
                                   "https://pypi.example.org/root/prod/+simple/acme-tools/");
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->name, "acme-tools");
    // Not links: the one in <title>, in <script>, in a comment, and the <a> without href.
    ASSERT_EQ(page->files.size(), 5U);
    const auto& f = page->files;
    // <BASE HREF="/+simple/acme-tools/"> is resolved against the page, then the links.
    EXPECT_EQ(f[0].filename, "acme_tools-1.0.0-py3-none-any.whl");
    EXPECT_TRUE(f[0].url.starts_with("https://pypi.example.org/+f/")) << f[0].url;
    EXPECT_TRUE(f[0].url.ends_with("/acme_tools-1.0.0-py3-none-any.whl"));
    EXPECT_EQ(f[0].hashes.size(), 1U);
    EXPECT_EQ(f[0].requires_python, ">=3.8,<4");
    EXPECT_FALSE(f[0].yanked);
    EXPECT_FALSE(f[0].core_metadata);
    EXPECT_EQ(f[1].filename, "acme-tools-1.0.0.tar.gz"); // blanks around the text trimmed
    EXPECT_EQ(f[1].requires_python, ">=3.8");            // an unquoted value
    EXPECT_EQ(f[1].hashes.count("md5"), 1U);
    ASSERT_TRUE(f[2].yanked);
    EXPECT_EQ(*f[2].yanked, ""); // data-yanked without a value
    EXPECT_TRUE(f[2].core_metadata);
    EXPECT_TRUE(f[2].core_metadata_hashes.empty());
    EXPECT_EQ(f[3].filename, "Acme-Tools-0.9.zip"); // the text of <b> inside the anchor
    EXPECT_EQ(f[3].url, "https://mirror.example.org/packages/Acme-Tools-0.9.zip");
    EXPECT_TRUE(f[3].hashes.empty()); // "#egg=" is no hash
    EXPECT_EQ(*f[3].yanked, "broken & superseded by 1.0.0");
    EXPECT_FALSE(f[3].core_metadata); // data-dist-info-metadata="false"
    // No text: the name is the URL's last segment; "&amp=" is "&=" in an attribute too, as
    // pip's html.parser (html.unescape) reads it, though a browser would keep it.
    EXPECT_EQ(f[4].filename, "downloads");
    EXPECT_EQ(f[4].url, "https://example.org/acme-tools/downloads?file=acme_tools-1.0.0.tar.gz"
                        "&token=x&=y");
}

TEST(PypiProjectHtml, ResolvesAgainstThePageOrItsBase) {
    const std::string page_html =
        "<a href=\"../../packages/x-1.0.tar.gz#sha256=AB12&amp;egg=x\">x-1.0.tar.gz</a>"
        "<a href=\" \n/abs/x-1.1.tar.gz\t\">x-1.1.tar.gz</a>"
        "<a href=\"x-1.2.tar.gz#sha256=zz\">x-1.2.tar.gz</a>"
        "<a href=\"\">empty href: no file</a>"
        "<a href=\"https://other.example/x-1.3.zip#sha512=00\" data-core-metadata=\"sha256=ff\""
        " data-dist-info-metadata=\"sha256=ee\">x-1.3.zip</a>";
    auto page = parse_project_html(page_html, "https://host/simple/x/");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->files.size(), 4U);
    EXPECT_EQ(page->files[0].url, "https://host/packages/x-1.0.tar.gz");
    EXPECT_EQ(page->files[0].hashes.at("sha256"), "AB12");
    EXPECT_EQ(page->files[1].url, "https://host/abs/x-1.1.tar.gz");
    EXPECT_EQ(page->files[2].url, "https://host/simple/x/x-1.2.tar.gz");
    EXPECT_TRUE(page->files[2].hashes.empty()); // not hex
    EXPECT_EQ(page->files[3].hashes.at("sha512"), "00");
    EXPECT_EQ(page->files[3].core_metadata_hashes.at("sha256"), "ff");

    auto based = parse_project_html("<base href=\"https://cdn.example/files/\"><base href=/no/>"
                                    "<a href=x-1.0.tar.gz>x-1.0.tar.gz</a>",
                                    "https://host/simple/x/");
    ASSERT_TRUE(based);
    EXPECT_EQ(based->files[0].url, "https://cdn.example/files/x-1.0.tar.gz");
    // The first <base> counts for links before it too.
    auto late =
        parse_project_html("<a href=x-1.0.tar.gz>x</a><base href=../y/>", "https://host/simple/x/");
    ASSERT_TRUE(late);
    EXPECT_EQ(late->files[0].url, "https://host/simple/y/x-1.0.tar.gz");
}

TEST(PypiProjectHtml, ErrorsSayWhere) {
    auto relative = parse_project_html("", "simple/x/");
    ASSERT_FALSE(relative);
    EXPECT_EQ(relative.error().kind, Error::Kind::invalid);
    auto latin1 = parse_project_html("<a href=x>x-1.0-\xFF.tar.gz</a>", kBase);
    ASSERT_FALSE(latin1);
    EXPECT_EQ(latin1.error().what, "PEP 503 project page");
    EXPECT_EQ(document_byte(latin1.error()), 16U);
    auto v3 = parse_project_html("<META NAME=\"pypi:repository-version\" CONTENT=\"3.0\">", kBase);
    ASSERT_FALSE(v3);
    EXPECT_EQ(v3.error().kind, Error::Kind::invalid);
}

// --- file names -----------------------------------------------------------------------------

TEST(WheelName, ReadsEveryPart) {
    auto w = parse_wheel_filename("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64."
                                  "manylinux2014_x86_64.whl");
    ASSERT_TRUE(w) << w.error().to_string();
    EXPECT_EQ(w->name, "numpy");
    EXPECT_EQ(w->version, "1.26.4");
    EXPECT_EQ(w->build, "");
    EXPECT_EQ(w->python_tags, std::vector<std::string>{"cp311"});
    EXPECT_EQ(w->abi_tags, std::vector<std::string>{"cp311"});
    EXPECT_EQ(w->platform_tags,
              (std::vector<std::string>{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}));
    auto b = parse_wheel_filename("Zope.Interface-4.0_dev1-1local-py2.py3-none-any.whl");
    ASSERT_TRUE(b) << b.error().to_string();
    EXPECT_EQ(b->name, "Zope.Interface");
    EXPECT_EQ(b->version, "4.0_dev1");
    EXPECT_EQ(b->build, "1local");
    EXPECT_EQ(b->python_tags, (std::vector<std::string>{"py2", "py3"}));
    EXPECT_EQ(normalize_pip_name(b->name), "zope-interface");
    auto unicode_build = parse_wheel_filename("a-1.0-\xD9\xA3x-py3-none-any.whl"); // U+0663
    ASSERT_TRUE(unicode_build);
    EXPECT_EQ(unicode_build->build, "\xD9\xA3x");
}

TEST(WheelName, ErrorsSayWhere) {
    struct Case {
        std::string name;
        std::size_t offset;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"numpy-1.0-py3-none-any.zip", 26, "a wheel file name ends in '.whl'"},
        {"numpy-1.0-py3-none-any.WHL", 26, "a wheel file name ends in '.whl'"},
        {"numpy-1.0-py3-none.whl", 18,
         "4 parts, expected name-version[-build]-python-abi-platform.whl"},
        {"numpy-1.0-1-2-py3-none-any.whl", 22,
         "too many '-': expected name-version[-build]-python-abi-platform.whl"},
        {"-1.0-py3-none-any.whl", 0, "empty project name"},
        {"num py-1.0-py3-none-any.whl", 3,
         "an escaped project name has only ASCII letters, digits, '.' and '_'"},
        {"caf\xC3\xA9-1.0-py3-none-any.whl", 3,
         "an escaped project name has only ASCII letters, digits, '.' and '_'"},
        {"zope__interface-1.0-py3-none-any.whl", 4, "'__' cannot be in an escaped project name"},
        {"numpy-1.0.x-py3-none-any.whl", 9,
         "'1.0.x' is not a PEP 440 version: unexpected '.'; a separator must be followed "
         "by a number or a pre, post or dev label"},
        {"numpy-1.0-x1-py3-none-any.whl", 10, "a build tag starts with a digit"},
        {"numpy-1.0--py3-none-any.whl", 10, "a build tag starts with a digit"},
        {"numpy-1.0--none-any.whl", 10, "empty python tag"},
        {"numpy-1.0-py3.-none-any.whl", 14, "empty python tag"},
        {"numpy-1.0-py3--any.whl", 14, "empty ABI tag"},
        {"numpy-1.0-py3-none-.whl", 19, "empty platform tag"},
        {"numpy-1.0-py3-none-a..b.whl", 21, "empty platform tag"},
        {"numpy\xFF-1.0-py3-none-any.whl", 5, "byte 0xFF is not UTF-8"},
    };
    for (const auto& c : cases) {
        auto r = parse_wheel_filename(c.name);
        ASSERT_FALSE(r) << c.name;
        EXPECT_EQ(r.error().what, "wheel file name");
        EXPECT_EQ(r.error().input, c.name);
        EXPECT_EQ(r.error().offset, c.offset) << c.name;
        EXPECT_EQ(r.error().message, c.message) << c.name;
    }
}

TEST(SdistName, SplitsAtTheLastDashBeforeAVersion) {
    auto s = parse_sdist_filename("zope.interface-6.1.tar.gz");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->name, "zope.interface");
    EXPECT_EQ(s->version, "6.1");
    auto z = parse_sdist_filename("Django-1.0-beta-1.zip");
    ASSERT_TRUE(z);
    EXPECT_EQ(z->name, "Django-1.0-beta"); // as packaging splits it: "1" is a version
    EXPECT_EQ(z->version, "1");
    // packaging refuses these (the part after the last '-' is no version); pip's finder too
    // would find the version further left.
    auto dev = parse_sdist_filename("pkg-name-1.0-dev.tar.gz");
    ASSERT_TRUE(dev);
    EXPECT_EQ(dev->name, "pkg-name");
    EXPECT_EQ(dev->version, "1.0-dev");
    auto local = parse_sdist_filename("p-1.0+a-b-c-d-e-f-g-h.tar.gz");
    ASSERT_TRUE(local);
    EXPECT_EQ(local->name, "p");
    EXPECT_EQ(local->version, "1.0+a-b-c-d-e-f-g-h");
    auto spaced = parse_sdist_filename("odd name- 2.0 .zip");
    ASSERT_TRUE(spaced); // packaging takes any name and a version with blanks around
    EXPECT_EQ(spaced->version, " 2.0 ");
}

TEST(SdistName, ErrorsSayWhere) {
    struct Case {
        std::string name;
        std::size_t offset;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"pkg-1.0.tar.bz2", 15, "an sdist file name ends in '.tar.gz' or '.zip'"},
        {"pkg-1.0.tgz", 11, "an sdist file name ends in '.tar.gz' or '.zip'"},
        {"pkg.tar.gz", 3, "expected name-version: there is no '-'"},
        {"-1.0.tar.gz", 0, "empty project name"},
        {"pkg-latest.tar.gz", 4,
         "'latest' is not a PEP 440 version: expected a release number such as 1.0, "
         "found 'l'"},
        {"pkg-1.0-.tar.gz", 8,
         "'' is not a PEP 440 version: expected a release number such as 1.0, found "
         "the end"},
        {"pk\xC0g-1.0.zip", 2, "byte 0xC0 is not UTF-8"},
    };
    for (const auto& c : cases) {
        auto r = parse_sdist_filename(c.name);
        ASSERT_FALSE(r) << c.name;
        EXPECT_EQ(r.error().what, "sdist file name");
        EXPECT_EQ(r.error().offset, c.offset) << c.name;
        EXPECT_EQ(r.error().message, c.message) << c.name;
    }
}

TEST(SdistName, ManyDashesStayLinear) {
    // 200k dashes and no version: at most 14 version parses, not 200k.
    std::string name(400000, 'a');
    for (std::size_t i = 1; i < name.size(); i += 2) {
        name[i] = '-';
    }
    // (The time is guarded by fuzz_pypi_simple's timeout, not here.)
    EXPECT_FALSE(parse_sdist_filename(name + ".tar.gz"));
}

// --- core metadata --------------------------------------------------------------------------

TEST(CoreMetadata, ReadsAWheelsMetadata) {
    auto m = parse_core_metadata(pypi_file("requests-2.31.0.METADATA"));
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->metadata_version, "2.1");
    EXPECT_EQ(m->name, "requests");
    EXPECT_EQ(m->version, "2.31.0");
    EXPECT_EQ(m->summary, "Python HTTP for Humans.");
    EXPECT_EQ(m->requires_python, ">=3.7");
    EXPECT_EQ(m->requires_dist,
              (std::vector<std::string>{"charset-normalizer (<4,>=2)", "idna (<4,>=2.5)",
                                        "urllib3 (<3,>=1.21.1)", "certifi (>=2017.4.17)",
                                        "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'",
                                        "chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'"}));
    EXPECT_EQ(m->provides_extra,
              (std::vector<std::string>{"security", "socks", "use_chardet_on_py3"}));
    EXPECT_TRUE(m->dynamic.empty());
    EXPECT_TRUE(m->description.starts_with("# Requests\n\n**Requests** is"));
    EXPECT_TRUE(m->description.ends_with("extremely easily.\n"));
    ASSERT_EQ(m->headers.size(), 32U);
    EXPECT_EQ(m->headers[8], (std::pair<std::string, std::string>{
                                 "Project-URL", "Documentation, https://requests.readthedocs.io"}));
}

TEST(CoreMetadata, KeepsFoldedHeadersAsEmailDoes) {
    auto m = parse_core_metadata(pypi_file("numpy-1.26.4.METADATA"));
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->name, "numpy");
    EXPECT_EQ(m->requires_python, ">=3.9");
    const auto& license = m->headers[7];
    EXPECT_EQ(license.first, "License");
    EXPECT_TRUE(license.second.starts_with(
        "Copyright (c) 2005-2023, NumPy Developers.\n        All rights reserved.\n        \n"));
    EXPECT_TRUE(license.second.ends_with("the following disclaimer."));
    EXPECT_TRUE(m->description.starts_with("<h1 align=\"center\">"));

    auto crlf = parse_core_metadata(pypi_file("qgis_plugin_helper-0.4.1.METADATA"));
    ASSERT_TRUE(crlf) << crlf.error().to_string();
    EXPECT_EQ(crlf->summary, "Helpers for QGIS plugins,  folded over two lines");
    EXPECT_EQ(crlf->headers[3].second, "Helpers for QGIS plugins,\r\n  folded over two lines");
    EXPECT_EQ(crlf->requires_dist, (std::vector<std::string>{
                                       "pyqt5-stubs ;\tpython_version >= \"3.9\"", "requests>=2"}));
    EXPECT_EQ(crlf->description, "Body with CRLF line ends.\r\n");
}

TEST(CoreMetadata, ReadsOldDescriptionHeaders) {
    auto zope = parse_core_metadata(pypi_file("zope.interface-3.3.0.PKG-INFO"));
    ASSERT_TRUE(zope) << zope.error().to_string();
    EXPECT_EQ(zope->metadata_version, "1.0");
    EXPECT_EQ(zope->description,
              "This package provides an implementation of \"object interfaces\" for Python.\n"
              "Interfaces are a mechanism for labeling objects as conforming to a given\n"
              "API or contract.\n\nDetailed Documentation\n======================");
    auto attrs = parse_core_metadata(pypi_file("attrs-17.4.0.PKG-INFO"));
    ASSERT_TRUE(attrs) << attrs.error().to_string();
    EXPECT_EQ(attrs->description,
              ".. image:: http://www.attrs.org/en/latest/_static/attrs_logo.png\n"
              "   :alt: attrs Logo\n\n``attrs`` is the Python package that will bring back "
              "the **joy** of **writing classes**.\n");
    EXPECT_EQ(attrs->requires_python, ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*");
}

TEST(CoreMetadata, ReadsMetadata22And23) {
    auto shapely = parse_core_metadata(pypi_file("shapely-2.0.6.PKG-INFO"));
    ASSERT_TRUE(shapely) << shapely.error().to_string();
    EXPECT_EQ(shapely->metadata_version, "2.2");
    EXPECT_EQ(shapely->dynamic,
              (std::vector<std::string>{"author", "requires-dist", "provides-extra"}));
    EXPECT_EQ(shapely->requires_dist.size(), 4U);
    EXPECT_EQ(shapely->provides_extra, (std::vector<std::string>{"test", "docs"}));
    auto hatch = parse_core_metadata(pypi_file("hatchling-1.25.0.METADATA"));
    ASSERT_TRUE(hatch) << hatch.error().to_string();
    EXPECT_EQ(hatch->metadata_version, "2.3");
    EXPECT_EQ(hatch->requires_dist[3], "tomli>=1.2.2; python_version < '3.11'");
    EXPECT_EQ(hatch->description, "# Hatchling\n");
}

TEST(CoreMetadata, SplitsHeadersExactlyAsEmailParserDoes) {
    // A continuation before any header and a nameless header (with its continuation) are
    // dropped; a "From " line is dropped first, dropped in between, and the body when last;
    // a line that is no header starts the body; names keep their case, match in any case.
    auto m = parse_core_metadata("From someone\n continuation without header\n"
                                 "metadata-version:2.1\n:nameless\n lost\nNAME: \tpkg \n"
                                 "From the middle\nVersion: 1.0\nX-Empty:\n   \nSummary: s\r"
                                 "From the end\n\nbody\n");
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->name, "pkg");
    EXPECT_EQ(m->metadata_version, "2.1");
    ASSERT_EQ(m->headers.size(), 5U);
    EXPECT_EQ(m->headers[1], (std::pair<std::string, std::string>{"NAME", "pkg "}));
    EXPECT_EQ(m->headers[3], (std::pair<std::string, std::string>{"X-Empty", "\n   "}));
    EXPECT_EQ(m->headers[4].second, "s");
    EXPECT_EQ(m->description, "From the end\nbody\n");

    auto no_blank = parse_core_metadata("Metadata-Version: 1.0\nName: a\nVersion: 1\n"
                                        "this line has no colon\nmore body");
    ASSERT_TRUE(no_blank);
    EXPECT_EQ(no_blank->description, "this line has no colon\nmore body");
    auto space_name = parse_core_metadata("Metadata-Version: 1.0\nName: a\nVersion: 1\n"
                                          "Bad Name: x\n");
    ASSERT_TRUE(space_name);
    EXPECT_EQ(space_name->headers.size(), 3U);
    EXPECT_EQ(space_name->description, "Bad Name: x\n");
    auto cr_only = parse_core_metadata("Metadata-Version: 1.0\rName: a\rVersion: 1\r\rbody");
    ASSERT_TRUE(cr_only);
    EXPECT_EQ(cr_only->description, "body");
}

TEST(CoreMetadata, ErrorsSayWhere) {
    struct Case {
        std::string text;
        std::size_t byte;
        std::string message;
        Error::Kind kind = Error::Kind::parse;
    };
    const std::vector<Case> cases = {
        {"Name: a\nVersion: 1\n", 0, "no Metadata-Version header"},
        {"\xEF\xBB\xBFMetadata-Version: 2.1\nName: a\nVersion: 1\n", 0,
         "no Metadata-Version header (the file starts with a byte order mark, which hides the "
         "first header)"},
        {"Metadata-Version: 2.1\nVersion: 1\n", 0, "no Name"},
        {"Metadata-Version: 2.1\nName:\nVersion: 1\n", 27, "no Name"},
        {"Metadata-Version: 2.1\nName: a\n", 0, "no Version"},
        {"Metadata-Version: 2.1\nName: a b\nVersion: 1\n", 28, "'a b' is not a valid project name"},
        {"Metadata-Version: 2.1\nName: -a\nVersion: 1\n", 28, "'-a' is not a valid project name"},
        {"Metadata-Version: two\nName: a\nVersion: 1\n", 18, "'two' is not a metadata version"},
        {"Metadata-Version: 2\nName: a\nVersion: 1\n", 18, "'2' is not a metadata version"},
        {"Metadata-Version: 3.0\nName: a\nVersion: 1\n", 18,
         "metadata version 3.0 is not supported", Error::Kind::invalid},
        {"Metadata-Version: 2.1\nName: a\nVersion: 1\nname: b\n", 41, "a second Name header"},
        {"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=3\n"
         "Requires-Python: >=3.8\n",
         62, "a second Requires-Python header"},
        {"Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: version\n", 50,
         "Version cannot be Dynamic (PEP 643)"},
        {"Metadata-Version: 2.1\nName: a\nVersion: 1\n\ncaf\xE9\n", 45, "byte 0xE9 is not UTF-8"},
    };
    for (const auto& c : cases) {
        auto r = parse_core_metadata(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().what, "core metadata");
        EXPECT_EQ(r.error().kind, c.kind) << c.text;
        EXPECT_EQ(document_byte(r.error()), c.byte) << c.text;
        EXPECT_EQ(r.error().message.substr(r.error().message.find(": ") + 2), c.message) << c.text;
    }
    // A newer 2.x is read (it only adds fields).
    EXPECT_TRUE(parse_core_metadata("Metadata-Version: 2.5\nName: a\nVersion: 1\n"));
}

// --- throughput -----------------------------------------------------------------------------

namespace {

/// QPLUG_READER_BENCH=1 measures at full size (PyPI has about 600k projects); otherwise a
/// small size checks the same code paths quickly.
bool full_size() {
    const char* v = std::getenv("QPLUG_READER_BENCH");
    return v != nullptr && std::string_view(v) == "1";
}

template <class F>
double seconds(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TEST(PypiThroughput, RootPagesAreReadInLinearTime) {
    const std::size_t n = full_size() ? 500000 : 20000;
    std::string json = R"({"meta":{"_last-serial":24181763,"api-version":"1.1"},"projects":[)";
    std::string html = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta "
                       "name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple "
                       "index</title>\n  </head>\n  <body>\n";
    for (std::size_t i = 0; i < n; ++i) {
        const std::string name = "project-" + std::to_string(i * 7919 % 1000003) + "-name";
        json += (i ? "," : "") + std::string(R"({"_last-serial":)") + std::to_string(i) +
                R"(,"name":")" + name + "\"}";
        html += "    <a href=\"/simple/" + name + "/\">" + name + "</a>\n";
    }
    json += "]}";
    html += "  </body>\n</html>\n";
    std::size_t got_json = 0;
    std::size_t got_html = 0;
    const double tj = seconds([&] { got_json = parse_index_json(json)->size(); });
    const double th = seconds([&] { got_html = parse_index_html(html)->size(); });
    EXPECT_EQ(got_json, n);
    EXPECT_EQ(got_html, n);
    std::cout << n << " names: JSON " << static_cast<double>(json.size()) / 1e6 << " MB in " << tj
              << " s (" << static_cast<double>(json.size()) / 1e6 / tj << " MB/s), HTML "
              << static_cast<double>(html.size()) / 1e6 << " MB in " << th << " s ("
              << static_cast<double>(html.size()) / 1e6 / th << " MB/s)\n";
}

// --- the Python reference -------------------------------------------------------------------

namespace {

nlohmann::json answer(const nlohmann::json& request) {
    using nlohmann::json;
    auto error = [](const Error& e) {
        return json{{"ok", false},
                    {"offset", e.offset},
                    {"message", e.message},
                    {"kind", e.kind == Error::Kind::parse ? "parse" : "invalid"}};
    };
    auto pep440 = [](const std::string& v) {
        auto parsed = qplug::version::pep440::Version::parse(v);
        return parsed ? std::string(parsed->str()) : std::string();
    };
    if (request.contains("wheel")) {
        auto w = parse_wheel_filename(request["wheel"].get<std::string>());
        if (!w) {
            return error(w.error());
        }
        return json{{"ok", true},
                    {"name", w->name},
                    {"canonical_name", normalize_pip_name(w->name)},
                    {"version", w->version},
                    {"normalized_version", pep440(w->version)},
                    {"build", w->build},
                    {"python", w->python_tags},
                    {"abi", w->abi_tags},
                    {"platform", w->platform_tags}};
    }
    if (request.contains("sdist")) {
        auto s = parse_sdist_filename(request["sdist"].get<std::string>());
        if (!s) {
            return error(s.error());
        }
        return json{{"ok", true},
                    {"name", s->name},
                    {"canonical_name", normalize_pip_name(s->name)},
                    {"version", s->version},
                    {"normalized_version", pep440(s->version)}};
    }
    if (request.contains("canonical")) {
        return json{{"ok", true},
                    {"name", normalize_pip_name(request["canonical"].get<std::string>())}};
    }
    if (request.contains("metadata")) {
        auto m = parse_core_metadata(request["metadata"].get<std::string>());
        if (!m) {
            return error(m.error());
        }
        json headers = json::array();
        for (const auto& [k, v] : m->headers) {
            headers.push_back(json::array({k, v}));
        }
        return json{{"ok", true},
                    {"metadata_version", m->metadata_version},
                    {"name", m->name},
                    {"version", m->version},
                    {"summary", m->summary},
                    {"requires_python", m->requires_python},
                    {"requires_dist", m->requires_dist},
                    {"provides_extra", m->provides_extra},
                    {"dynamic", m->dynamic},
                    {"description", m->description},
                    {"headers", headers}};
    }
    if (request.contains("unescape")) {
        std::string out;
        detail::append_decoded(out, request["unescape"].get<std::string>());
        return json{{"ok", true}, {"text", out}};
    }
    return json{{"ok", false}, {"message", "unknown request"}};
}

} // namespace

// tests/python/test_pypi_reference.py drives this binary: with QPLUG_PYPI_DRIVER_IN and
// QPLUG_PYPI_DRIVER_OUT set, this test answers one JSON request per line of the input file
// with one JSON line in the output file. Without them it checks a few answers itself.
TEST(PypiReference, Driver) {
    const char* in_path = std::getenv("QPLUG_PYPI_DRIVER_IN");
    const char* out_path = std::getenv("QPLUG_PYPI_DRIVER_OUT");
    if (in_path == nullptr || out_path == nullptr) {
        EXPECT_EQ(answer({{"wheel", "a-1.0-py3-none-any.whl"}})["canonical_name"], "a");
        EXPECT_EQ(answer({{"sdist", "A_b-1.0.zip"}})["canonical_name"], "a-b");
        EXPECT_EQ(answer({{"sdist", "x"}})["offset"], 1);
        EXPECT_EQ(answer({{"metadata", "Metadata-Version: 1.0\nName: a\nVersion: 1\n"}})["name"],
                  "a");
        EXPECT_EQ(answer({{"unescape", "&ampx"}})["text"], "&x");
        return;
    }
    std::ifstream in(in_path, std::ios::binary);
    std::ofstream out(out_path, std::ios::binary);
    std::string line;
    std::size_t count = 0;
    while (std::getline(in, line)) {
        out << answer(nlohmann::json::parse(line))
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << '\n';
        ++count;
    }
    EXPECT_GT(count, 0U);
}

// The differential test itself, run from here so that it needs no build rule of its own.
TEST(PypiReference, AgainstPackagingAndEmailParser) {
    char self[4096] = {};
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    ASSERT_GT(len, 0);
    const std::string python_dir = std::string(QPLUG_TEST_DATA) + "/../python";
    const std::string command = "cd '" + python_dir + "' && QPLUG_PYPI_DRIVER='" +
                                std::string(self, static_cast<std::size_t>(len)) +
                                "' /usr/bin/python3 -m unittest -v test_pypi_reference 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}
