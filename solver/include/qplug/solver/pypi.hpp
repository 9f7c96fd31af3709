// Readers for pip indexes: the simple repository API (PEP 691 JSON, PEP 503 HTML), wheel and
// sdist file names, and core metadata (the METADATA file of a wheel, PEP 566/643).
// Pure functions over bytes: fetching is the pip source's business.
//
// Errors: a file name's error carries the whole name as `input`. A page or a METADATA file
// can be megabytes, so its error carries only the offending line (at most 160 bytes of it,
// around the problem) as `input`, `offset` into that, and a message that starts with
// "line L, byte B: ", B being the byte offset in the whole document. Kind::invalid marks a
// well-formed document this reader must refuse (another major API or metadata version, a
// relative base URL); Kind::parse everything else.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
/// JSON: "projects": [{"name": ...}] ("meta.api-version" must be 1.x when given).
/// HTML: the text of every <a> (entity references decoded, blanks around it trimmed), the
/// page read by a hand-written HTML5 tokenizer (a PEP 629 "pypi:repository-version" <meta>
/// must be 1.x; the page must be UTF-8).
Expected<std::vector<std::string>> parse_index_json(std::string_view body);
Expected<std::vector<std::string>> parse_index_html(std::string_view body);

/// A project page (`/simple/<name>/`). base_url must be absolute (it resolves relative links,
/// RFC 3986; in HTML a <base href> comes first). HTML pages have no name of their own: `name`
/// is then the last path segment of base_url, percent-decoded; so is a JSON page's when it
/// lacks "name". HTML: an <a> without href is not a file; the file name is the anchor's
/// text, or the URL's last segment when the text is empty; data-core-metadata wins over
/// data-dist-info-metadata, and "false" means none. JSON: "core-metadata" wins over
/// "dist-info-metadata"; a file needs "filename" and "url"; unknown keys are ignored, known
/// keys of the wrong type are errors.
Expected<ProjectPage> parse_project_json(std::string_view body, std::string_view base_url);
Expected<ProjectPage> parse_project_html(std::string_view body, std::string_view base_url);

/// A wheel file name (PEP 427): name-version(-build)?-python-abi-platform.whl, read as
/// packaging.utils.parse_wheel_filename reads it, except that (deliberately) the escaped
/// name must be non-empty ASCII ([A-Za-z0-9._], no "__": PEP 508 names are ASCII, packaging
/// takes any Unicode word character) and no tag may be empty. The version must be PEP 440,
/// the build tag must start with a digit.
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
/// '-' whose remainder is a valid PEP 440 version. Where packaging.utils.parse_sdist_filename
/// accepts a name this gives the same split; it also reads "pkg-1.0-dev.tar.gz" (packaging
/// splits at the last '-' only) and refuses an empty project name.
struct SdistName {
    std::string name;
    std::string version;
};
Expected<SdistName> parse_sdist_filename(std::string_view filename);

/// Core metadata (RFC 822 style headers, the body is the description), Metadata-Version
/// 1.0 to 2.x. Headers are split exactly as Python's email.parser (compat32 policy) splits
/// them; the named fields are those headers unfolded (the line breaks of folding removed)
/// and stripped of blanks; header names match in any case.
/// Errors: text that is not UTF-8; no Metadata-Version, Name or Version; a metadata version
/// that is not "major.minor", or whose major is not 1 or 2 (Kind::invalid); a Name that is
/// not a valid project name; one of the single fields below given twice; Name, Version or
/// Metadata-Version listed as Dynamic.
struct CoreMetadata {
    std::string metadata_version;
    std::string name;
    std::string version; ///< as written (legacy versions are not refused)
    std::string summary;
    std::string requires_python;
    std::vector<std::string> requires_dist; ///< each as written (PEP 508 strings)
    std::vector<std::string> provides_extra;
    /// PEP 643 (2.2): fields an sdist's build may still change. When it lists Requires-Dist,
    /// the sdist's dependencies are not known until it is built.
    std::vector<std::string> dynamic;
    /// The body, or else the Description header with its continuation indent (eight spaces,
    /// or seven and '|') removed.
    std::string description;
    /// Every header in order, as email.parser gives them: the name as written, the value
    /// with the line breaks of its folding (Classifier, Project-URL, License ...).
    std::vector<std::pair<std::string, std::string>> headers;
};
Expected<CoreMetadata> parse_core_metadata(std::string_view text);

} // namespace qplug::solver::pypi
