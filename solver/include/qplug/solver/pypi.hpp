// Readers for pip indexes: the simple repository API (PEP 691 JSON, PEP 503 HTML), wheel and
// sdist file names, and core metadata (the METADATA file of a wheel, PEP 566/643).
// Pure functions over bytes: fetching is the pip source's business.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::pypi {

/// One file of a project page.
struct DistributionFile {
    std::string filename;
    std::string url; ///< absolute (resolved against the page URL), fragment removed
    std::map<std::string, std::string> hashes; ///< algorithm -> hex digest (JSON "hashes", or
                                               ///< the HTML URL fragment "#sha256=...")
    std::string requires_python;               ///< "" when not given
    std::optional<std::string> yanked;         ///< the reason ("" when none given) when yanked
    std::optional<std::uint64_t> size;         ///< PEP 700 "size"
    std::string upload_time;                   ///< PEP 700 "upload-time"
    /// PEP 658/714: the index serves the file's core metadata at url + ".metadata".
    bool core_metadata = false;
    std::map<std::string, std::string> core_metadata_hashes;
};

struct ProjectPage {
    std::string name; ///< as the page gives it (JSON "name"; HTML: from the request)
    std::vector<DistributionFile> files;
    std::vector<std::string> versions; ///< PEP 700 "versions" (JSON only; may be empty)
};

/// The root page: every project name the index lists, as written.
Expected<std::vector<std::string>> parse_index_json(std::string_view body);
Expected<std::vector<std::string>> parse_index_html(std::string_view body);

/// A project page (`/simple/<name>/`). base_url resolves relative links (RFC 3986).
Expected<ProjectPage> parse_project_json(std::string_view body, std::string_view base_url);
Expected<ProjectPage> parse_project_html(std::string_view body, std::string_view base_url);

/// A wheel file name (PEP 427): name-version(-build)?-python-abi-platform.whl
struct WheelName {
    std::string name; ///< as written in the file name (escaped per the spec)
    std::string version;
    std::string build;
    std::vector<std::string> python_tags; ///< compressed tag sets split on '.'
    std::vector<std::string> abi_tags;
    std::vector<std::string> platform_tags;
};
Expected<WheelName> parse_wheel_filename(std::string_view filename);

/// An sdist file name: name-version.tar.gz (or .zip); the version is what follows the last
/// '-' whose remainder is a valid PEP 440 version.
struct SdistName {
    std::string name;
    std::string version;
};
Expected<SdistName> parse_sdist_filename(std::string_view filename);

/// Core metadata (RFC 822 style headers, the body is the description).
struct CoreMetadata {
    std::string metadata_version;
    std::string name;
    std::string version;
    std::string summary;
    std::string requires_python;
    std::vector<std::string> requires_dist; ///< each as written (PEP 508 strings)
    std::vector<std::string> provides_extra;
};
Expected<CoreMetadata> parse_core_metadata(std::string_view text);

} // namespace qplug::solver::pypi
