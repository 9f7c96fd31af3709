// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include <qplug/solver/conda.hpp>

#include "test_data.hpp"

using namespace qplug::solver::conda;
using qplug::Error;
using qplug::test::data_path;
using qplug::test::read_file;

namespace {

std::size_t document_byte(const Error& e) {
    const std::size_t at = e.message.find(", byte ");
    EXPECT_NE(at, std::string::npos) << e.message;
    return at == std::string::npos ? 0 : std::stoul(e.message.substr(at + 7));
}

const PackageRecord* find(const Repodata& r, std::string_view filename) {
    for (const auto& rec : r.records) {
        if (rec.filename == filename) {
            return &rec;
        }
    }
    return nullptr;
}

} // namespace

// --- repodata.json --------------------------------------------------------------------------

TEST(Repodata, ReadsAConditionalForgeStyleSubdir) {
    auto r = parse_repodata(read_file(data_path("conda/linux-64-repodata.json")));
    ASSERT_TRUE(r) << r.error().to_string();
    const Repodata& d = r->repodata;
    EXPECT_EQ(d.subdir, "linux-64");
    EXPECT_EQ(d.repodata_version, 1);
    EXPECT_EQ(d.base_url, "");
    ASSERT_EQ(d.records.size(), 7U);
    // "packages" first, then "packages.conda", each in document order.
    EXPECT_EQ(d.records[0].filename, "numpy-1.11.3-py36_0.tar.bz2");
    EXPECT_EQ(d.records[3].filename, "libgcc-ng-13.2.0-h77fa898_7.conda");
    EXPECT_EQ(r->skipped,
              (std::vector<std::string>{"badnumber-1.0-0.tar.bz2: 'build_number' is a string",
                                        "badspecs-1.0-0.tar.bz2: an entry of 'depends' is a number",
                                        "broken-1.0-0.tar.bz2: no 'build'"}));

    const PackageRecord* old = find(d, "numpy-1.11.3-py36_0.tar.bz2");
    ASSERT_NE(old, nullptr);
    EXPECT_EQ(old->timestamp, 1505742645000); // seconds in old repodata
    EXPECT_EQ(old->depends,
              (std::vector<std::string>{"libgfortran", "mkl 2017.0.*", "python 3.6*"}));
    EXPECT_TRUE(old->constrains.empty());

    const PackageRecord* py = find(d, "python-3.11.9-hb806964_0_cpython.conda");
    ASSERT_NE(py, nullptr);
    EXPECT_EQ(py->name, "python");
    EXPECT_EQ(py->version, "3.11.9");
    EXPECT_EQ(py->build, "hb806964_0_cpython");
    EXPECT_EQ(py->build_number, 0);
    EXPECT_EQ(py->depends.size(), 16U);
    EXPECT_EQ(py->constrains, std::vector<std::string>{"python_abi 3.11.* *_cp311"});
    EXPECT_EQ(py->subdir, "linux-64");
    EXPECT_EQ(py->noarch, "");
    EXPECT_EQ(py->md5.size(), 32U);
    EXPECT_EQ(py->sha256.size(), 64U);
    EXPECT_EQ(py->size, 30884494U);
    EXPECT_EQ(py->timestamp, 1713553196000);
    EXPECT_EQ(py->license, "Python-2.0");

    const PackageRecord* gcc = find(d, "libgcc-ng-13.2.0-h77fa898_7.conda");
    ASSERT_NE(gcc, nullptr);
    EXPECT_EQ(gcc->build_number, 7);
    EXPECT_EQ(gcc->constrains, std::vector<std::string>{"libgomp 13.2.0 h77fa898_7"});

    const PackageRecord* pip = find(d, "pip-24.0-pyhd8ed1ab_0.tar.bz2");
    ASSERT_NE(pip, nullptr);
    EXPECT_EQ(pip->noarch, "python");
    EXPECT_EQ(pip->subdir, "noarch");

    // No "subdir" in the record: the channel's. A float timestamp in seconds.
    const PackageRecord* qgis = find(d, "qgis-3.34.5-py311h5e3c8b3_1.conda");
    ASSERT_NE(qgis, nullptr);
    EXPECT_EQ(qgis->subdir, "linux-64");
    EXPECT_EQ(qgis->timestamp, 1713900000500);
    EXPECT_FALSE(qgis->size); // null
}

TEST(Repodata, ReadsANoarchSubdirOfRepodataVersion2) {
    auto r = parse_repodata(read_file(data_path("conda/noarch-repodata.json")));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->repodata.subdir, "noarch");
    EXPECT_EQ(r->repodata.base_url, "https://conda.example.org/mychannel/noarch/");
    EXPECT_EQ(r->repodata.repodata_version, 2);
    ASSERT_EQ(r->repodata.records.size(), 3U);
    EXPECT_EQ(r->repodata.records[0].noarch, "generic");
    const PackageRecord& six = r->repodata.records[1];
    EXPECT_EQ(six.noarch, "python");
    EXPECT_EQ(six.md5, ""); // null
    const PackageRecord& ancient = r->repodata.records[2];
    EXPECT_EQ(ancient.noarch, "generic"); // true, as conda reads it
    EXPECT_EQ(ancient.subdir, "noarch");
    EXPECT_EQ(ancient.timestamp, 1400000000000);
    EXPECT_EQ(r->skipped, std::vector<std::string>{
                              "weird-1.0-0.tar.bz2: 'noarch' is 'perl' (not python or generic)"});
}

TEST(Repodata, TimestampsBecomeMillisecondsAsCondaDoes) {
    auto stamp = [](const std::string& value) -> std::optional<std::int64_t> {
        auto r = parse_repodata(
            R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0",
                "timestamp": )" +
            value + "}}}");
        EXPECT_TRUE(r);
        if (!r || r->repodata.records.empty()) {
            return std::nullopt;
        }
        return r->repodata.records[0].timestamp;
    };
    EXPECT_EQ(stamp("1505742645"), 1505742645000);
    EXPECT_EQ(stamp("253402300798"), 253402300798000); // the last value read as seconds
    EXPECT_EQ(stamp("253402300799"), 253402300799);    // from here on: milliseconds
    EXPECT_EQ(stamp("1707225380757"), 1707225380757);
    EXPECT_EQ(stamp("1505742645.9"), 1505742645900);
    EXPECT_EQ(stamp("1707225380757.9"), 1707225380757);
    EXPECT_EQ(stamp("0"), 0);
    EXPECT_EQ(stamp("-5"), -5000);
    EXPECT_EQ(stamp("null"), std::nullopt);
    auto huge = parse_repodata(R"({"packages": {"a.conda": {"name": "a", "version": "1",
        "build": "0", "timestamp": 18446744073709551615}, "b.conda": {"name": "b",
        "version": "1", "build": "0", "timestamp": -1e300}, "c.conda": {"name": "c",
        "version": "1", "build": "0", "timestamp": "1505742645"}}})");
    ASSERT_TRUE(huge);
    EXPECT_TRUE(huge->repodata.records.empty());
    EXPECT_EQ(huge->skipped, (std::vector<std::string>{"a.conda: 'timestamp' is out of range",
                                                       "b.conda: 'timestamp' is out of range",
                                                       "c.conda: 'timestamp' is a string"}));
}

TEST(Repodata, SkipsBadRecordsAndSaysWhy) {
    auto r = parse_repodata(R"({
      "info": {"subdir": "win-64", "extra": [1, {"x": null}]},
      "packages": {
        "list.tar.bz2": [1, 2],
        "text.tar.bz2": "x",
        "noname.tar.bz2": {"version": "1", "build": "0"},
        "nullname.tar.bz2": {"name": null, "version": "1", "build": "0"},
        "noversion.tar.bz2": {"name": "a", "build": "0"},
        "numname.tar.bz2": {"name": 1, "version": "1", "build": "0"},
        "deps-obj.tar.bz2": {"name": "a", "version": "1", "build": "0", "depends": {}},
        "deps-str.tar.bz2": {"name": "a", "version": "1", "build": "0", "depends": "python"},
        "deps-nested.tar.bz2": {"name": "a", "version": "1", "build": "0", "depends": [["x"]]},
        "float-bn.tar.bz2": {"name": "a", "version": "1", "build": "0", "build_number": 1.0},
        "big-bn.tar.bz2": {"name": "a", "version": "1", "build": "0",
                           "build_number": 18446744073709551615},
        "neg-size.tar.bz2": {"name": "a", "version": "1", "build": "0", "size": -1},
        "obj-name.tar.bz2": {"name": {}, "version": "1", "build": "0"},
        "ok.tar.bz2": {"name": "ok", "version": "1", "build": "0", "depends": null,
                       "constrains": null, "build_number": -1, "noarch": "Python",
                       "features": "mkl", "track_features": "", "extra_depends": {"x": ["y"]},
                       "purls": [], "license": null, "size": null}
      },
      "packages.conda": {},
      "removed": [],
      "repodata_version": 1
    })");
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->repodata.records.size(), 1U);
    const PackageRecord& ok = r->repodata.records[0];
    EXPECT_EQ(ok.name, "ok");
    EXPECT_EQ(ok.build_number, -1);
    EXPECT_EQ(ok.noarch, "python");
    EXPECT_EQ(ok.subdir, "win-64");
    EXPECT_TRUE(ok.depends.empty());
    EXPECT_EQ(
        r->skipped,
        (std::vector<std::string>{
            "list.tar.bz2: the record is not an object", "text.tar.bz2: the record is a string",
            "noname.tar.bz2: no 'name'", "nullname.tar.bz2: no 'name'",
            "noversion.tar.bz2: no 'version'", "numname.tar.bz2: 'name' is a number",
            "deps-obj.tar.bz2: 'depends' is not a list", "deps-str.tar.bz2: 'depends' is a string",
            "deps-nested.tar.bz2: an entry of 'depends' is not a string",
            "float-bn.tar.bz2: 'build_number' is a number",
            "big-bn.tar.bz2: 'build_number' is too large", "neg-size.tar.bz2: 'size' is negative",
            "obj-name.tar.bz2: 'name' is an object"}));
}

TEST(Repodata, TheChannelSubdirCountsWhereverInfoIs) {
    auto r = parse_repodata(R"({"packages": {"a.conda": {"name": "a", "version": "1",
        "build": "0"}}, "info": {"subdir": "osx-arm64"}})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->repodata.records[0].subdir, "osx-arm64");
    auto none = parse_repodata(R"({})");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->repodata.records.empty());
    EXPECT_TRUE(parse_repodata(R"({"packages": null, "info": {"subdir": 5}})"));
}

TEST(Repodata, ErrorsSayWhere) {
    const std::string truncated = "{\n \"packages\": {\n  \"a.conda\": {\"name\": \"a\",";
    auto e = parse_repodata(truncated);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().what, "repodata.json");
    EXPECT_EQ(document_byte(e.error()), truncated.size());
    EXPECT_EQ(e.error().input, "  \"a.conda\": {\"name\": \"a\",");
    EXPECT_NE(e.error().message.find("line 3, "), std::string::npos);

    const std::string bad_utf8 = "{\"packages\": {\"a\xFF\": {}}}";
    e = parse_repodata(bad_utf8);
    ASSERT_FALSE(e);
    EXPECT_EQ(document_byte(e.error()), 16U);

    struct Case {
        std::string json;
        std::size_t byte;
        std::string message;
        Error::Kind kind = Error::Kind::parse;
    };
    const std::vector<Case> cases = {
        {"[]", 0, "repodata.json must be a JSON object"},
        {"7", 0, "repodata.json must be a JSON object"},
        {R"({"packages": []})", 13, "'packages' must be an object"},
        {R"({"packages.conda": 1})", 19, "'packages.conda' must be an object"},
        {R"({"info": []})", 9, "'info' must be an object"},
        {R"({"repodata_version": "1"})", 21, "'repodata_version' must be an integer"},
        {R"({"repodata_version": 3, "packages": {}})", 21,
         "repodata_version 3 is not supported (1 or 2)", Error::Kind::invalid},
        {R"({"packages": {} "info": {}})", 16,
         "syntax error while parsing object - unexpected string literal; expected '}'"},
    };
    for (const auto& c : cases) {
        auto r = parse_repodata(c.json);
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(r.error().kind, c.kind) << c.json;
        EXPECT_EQ(document_byte(r.error()), c.byte) << c.json;
        EXPECT_EQ(r.error().message.substr(r.error().message.find(": ") + 2), c.message) << c.json;
    }
}

// --- match specs ----------------------------------------------------------------------------

namespace {

struct SpecCase {
    std::string spec;
    std::string name;
    std::string version;
    std::string build;
    std::string channel = "";
    std::string subdir = "";
};

} // namespace

TEST(MatchSpec, ReadsEveryFormOfDepends) {
    // Expected values follow conda's _parse_spec_str step by step.
    const std::vector<SpecCase> cases = {
        {"libgcc-ng", "libgcc-ng", "", ""},
        {"numpy >=1.21,<2", "numpy", ">=1.21,<2", ""},
        {"python 3.11.* *_cpython", "python", "3.11.*", "*_cpython"},
        {"python_abi 3.11.* *_cp311", "python_abi", "3.11.*", "*_cp311"},
        {"pkg ==1.0 py39_0", "pkg", "1.0", "py39_0"},
        {"_libgcc_mutex 0.1 conda_forge", "_libgcc_mutex", "0.1", "conda_forge"},
        {"channel::pkg 1.0", "pkg", "1.0", "", "channel"},
        {"conda-forge/linux-64::numpy>=1.0", "numpy", ">=1.0", "", "conda-forge", "linux-64"},
        {"https://conda.anaconda.org/conda-forge/noarch::six", "six", "", "",
         "https://conda.anaconda.org/conda-forge", "noarch"},
        {"pkg[version='>=1.0',build=py*]", "pkg", ">=1.0", "py*"},
        {"pkg=1.0=build", "pkg", "1.0", "build"},
        {"numpy=1.11", "numpy", "1.11*", ""},
        {"numpy=1.11.*", "numpy", "1.11.*", ""},
        {"numpy==1.11", "numpy", "1.11", ""},
        {"numpy 1.11.*", "numpy", "1.11.*", ""},
        {"mkl 2017.0.*", "mkl", "2017.0.*", ""},
        {"python 3.6*", "python", "3.6*", ""},
        {"numpy >=1.0 , < 2.0 py34_0", "numpy", ">=1.0,<2.0", "py34_0"},
        {"numpy >=1.0 , < 2.0 =py34_0", "numpy", ">=1.0,<2.0", "py34_0"},
        {"blas * openblas", "blas", "*", "openblas"},
        {"blas=*=openblas", "blas", "*", "openblas"},
        {"blas * *", "blas", "*", "*"},
        {"numpy >1.8,<2|==1.7", "numpy", ">1.8,<2|==1.7", ""},
        {"numpy ~=1.2", "numpy", "~=1.2", ""},
        {"numpy !=1.2", "numpy", "!=1.2", ""},
        {"NumPy >=1", "numpy", ">=1", ""},
        {"numpy # a comment", "numpy", "", ""},
        {"numpy >=1.0 if python >=3", "numpy", ">=1.0", ""},
        {"numpy[version=1.8.*, build=py27_0]", "numpy", "1.8.*", "py27_0"},
        {"numpy[version=\"=1.8\"]", "numpy", "1.8*", ""},
        {"numpy[version='==1.8']", "numpy", "1.8", ""},
        {"numpy >=1.0[version='<2']", "numpy", "<2", ""}, // brackets override
        {"numpy[name=scipy]", "numpy", "", ""},           // except the name
        {"conda-forge::numpy[version='>=1.8,<2']", "numpy", ">=1.8,<2", "", "conda-forge"},
        {"numpy[channel=conda-forge/osx-64]", "numpy", "", "", "conda-forge", "osx-64"},
        {"numpy[channel=conda-forge,subdir=win-64]", "numpy", "", "", "conda-forge", "win-64"},
        {"ns:numpy 1.0", "numpy", "1.0", ""}, // a namespace is ignored
        {"::numpy", "numpy", "", ""},
        {"numpy(optional)", "numpy", "", ""},
        {"numpy=", "numpy", "", ""}, // a lone last operator is ignored
        {"numpy ", "numpy", "", ""},
        {"pytorch 1.0 cuda 10", "pytorch", "1.0", "cuda 10"},
        {"*[md5=0123456789abcdef0123456789abcdef]", "*", "", ""},
    };
    for (const auto& c : cases) {
        auto m = parse_match_spec(c.spec);
        ASSERT_TRUE(m) << c.spec << ": " << m.error().to_string();
        EXPECT_EQ(m->name, c.name) << c.spec;
        EXPECT_EQ(m->version, c.version) << c.spec;
        EXPECT_EQ(m->build, c.build) << c.spec;
        EXPECT_EQ(m->channel, c.channel) << c.spec;
        EXPECT_EQ(m->subdir, c.subdir) << c.spec;
    }
}

TEST(MatchSpec, KeepsTheOtherBracketKeys) {
    auto m = parse_match_spec("pytorch[build_number=3, md5=abc, license=\"BSD 3\", fn=x.conda]");
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->build_number, "3");
    EXPECT_EQ(m->other, (std::map<std::string, std::string>{
                            {"fn", "x.conda"}, {"license", "BSD 3"}, {"md5", "abc"}}));
    // finditer skips what is no key=value pair; a later key wins.
    auto junk = parse_match_spec("x[ ,,version=1 junk build=a build=b]");
    ASSERT_TRUE(junk) << junk.error().to_string();
    EXPECT_EQ(junk->version, "1");
    EXPECT_EQ(junk->build, "b");
}

TEST(MatchSpec, ANonAsciiBlankIsANameCharacter) {
    // conda's name pattern [^ =<>!~]+ takes U+00A0; a lone last '!' is ignored (fuzz finding).
    for (const std::string spec : {"\xC2\xA0", "\xC2\xA0!"}) {
        auto m = parse_match_spec(spec);
        ASSERT_TRUE(m) << m.error().to_string();
        EXPECT_EQ(m->name, "\xC2\xA0");
        EXPECT_EQ(m->version, "");
    }
}

TEST(MatchSpec, ErrorsSayWhere) {
    struct Case {
        std::string spec;
        std::size_t offset;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"", 0, "an empty match spec"},
        {"   ", 0, "an empty match spec"},
        {">=1.0", 0, "no package name before the version"},
        {" numpy", 0, "no package name before the version"},
        {"chan::>=1", 6, "no package name before the version"},
        {"numpy\t>=1", 5, "a control character"},
        {"num\xC3py", 3, "not UTF-8"},
        {"mkl@", 3, "a feature spec ('name@') names no package"},
        {"https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311_0.conda", 0,
         "a package file, not a match spec"},
        {"numpy[version=]", 5, "'version' has no value in brackets"},
        {"numpy[optional=true]", 5, "cannot match on field 'optional'"},
        {"numpy 1.0[x] [build=2]", 9, "only one bracket section is allowed"},
        {"numpy >=", 6, "the version '>=' is not a version spec: invalid operator"},
        {"numpy==", 5, "the version '==' is not a version spec: invalid operator"},
        {"numpy ====", 0, "an empty version"}, // all '=' read as operators: nothing is left
        {"numpy[version='===']", 0, "an empty version"},
        {"numpy 1.0..2", 6,
         "the version '1.0..2' is not a version spec: empty version component (two separators "
         "in a row?)"},
    };
    for (const auto& c : cases) {
        auto r = parse_match_spec(c.spec);
        ASSERT_FALSE(r) << c.spec << " -> " << (r ? r->version : "");
        EXPECT_EQ(r.error().what, "conda match spec");
        EXPECT_EQ(r.error().input, c.spec);
        EXPECT_EQ(r.error().offset, c.offset) << c.spec;
        EXPECT_EQ(r.error().message, c.message) << c.spec;
    }
}

TEST(MatchSpec, EveryDependencyOfTheSamplesReads) {
    for (const char* file : {"conda/linux-64-repodata.json", "conda/noarch-repodata.json"}) {
        auto r = parse_repodata(read_file(data_path(file)));
        ASSERT_TRUE(r);
        for (const auto& rec : r->repodata.records) {
            for (const auto* list : {&rec.depends, &rec.constrains}) {
                for (const auto& spec : *list) {
                    auto m = parse_match_spec(spec);
                    EXPECT_TRUE(m) << spec << ": " << m.error().to_string();
                }
            }
        }
    }
}

// --- throughput -----------------------------------------------------------------------------

TEST(RepodataThroughput, ReadsLargeRepodataInOnePass) {
    // QPLUG_READER_BENCH=1: about 300 MB, the size of conda-forge's linux-64 repodata.json.
    const char* env = std::getenv("QPLUG_READER_BENCH");
    const bool full = env != nullptr && std::string_view(env) == "1";
    const std::size_t n = full ? 420000 : 5000;
    std::string json = "{\n \"info\": {\n  \"subdir\": \"linux-64\"\n },\n \"packages\": {\n";
    for (std::size_t i = 0; i < n; ++i) {
        const std::string name = "pkg" + std::to_string(i % 25000);
        const std::string version = std::to_string(i % 7) + "." + std::to_string(i % 13) + ".0";
        const std::string build = "py311h" + std::to_string(1000000 + i) + "_0";
        json += (i ? ",\n" : "") + std::string("  \"") + name + "-" + version + "-" + build +
                ".tar.bz2\": {\n   \"build\": \"" + build +
                "\",\n   \"build_number\": 0,\n   \"constrains\": [\n    \"" + name +
                "-base <0a0\"\n   ],\n   \"depends\": [\n    \"libgcc-ng >=12\",\n    "
                "\"libstdcxx-ng >=12\",\n    \"python >=3.11,<3.12.0a0\",\n    \"python_abi "
                "3.11.* *_cp311\",\n    \"libblas >=3.9.0,<4.0a0\",\n    \"libzlib "
                ">=1.2.13,<2.0.0a0\"\n   ],\n   \"license\": \"BSD-3-Clause\",\n   "
                "\"license_family\": \"BSD\",\n   \"md5\": "
                "\"0123456789abcdef0123456789abcdef\",\n   \"name\": \"" +
                name +
                "\",\n   \"sha256\": "
                "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\n   "
                "\"size\": 8065890,\n   \"subdir\": \"linux-64\",\n   \"timestamp\": "
                "1707225380757,\n   \"version\": \"" +
                version + "\"\n  }";
    }
    json += "\n },\n \"packages.conda\": {},\n \"repodata_version\": 1\n}\n";
    std::size_t records = 0;
    const auto start = std::chrono::steady_clock::now();
    auto r = parse_repodata(json);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r);
    records = r->repodata.records.size();
    EXPECT_EQ(records, n);
    EXPECT_TRUE(r->skipped.empty());
    std::cout << records << " records, " << static_cast<double>(json.size()) / 1e6 << " MB in " << s
              << " s (" << static_cast<double>(json.size()) / 1e6 / s << " MB/s)\n";
}
