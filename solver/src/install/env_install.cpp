// The pip and conda backends: pip / conda run as subprocesses, a dry run checked against
// qplug's plan before the real command (env_install.hpp, docs/env-install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/conda.hpp>
#include <qplug/solver/env_install.hpp>
#include <qplug/solver/records.hpp>
#include <qplug/version/pep508.hpp>

#include "errors.hpp"
#include "io/subprocess.hpp"

namespace qplug::solver {
namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string string_field(const json& object, const char* key) {
    if (!object.is_object()) {
        return {};
    }
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) {
        return {};
    }
    return it->get<std::string>();
}

bool is_url(std::string_view text) {
    const std::size_t colon = text.find("://");
    if (colon == std::string_view::npos || colon == 0) {
        return text.starts_with("file:");
    }
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '-' || c == '.';
    });
}

/// Paths given relative to the caller's directory: the subprocesses run elsewhere.
std::string absolute_string(const std::filesystem::path& path) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    return (ec ? path : absolute).lexically_normal().string();
}

/// A program to run: a bare name stays a name (looked up in PATH), a path becomes absolute.
std::string program(const std::string& name) {
    if (name.find('/') == std::string::npos) {
        return name;
    }
    return absolute_string(name);
}

/// A private temporary folder, removed with everything in it at the end of the scope. The
/// subprocesses run in it (so that `python -m pip` never imports from the caller's folder).
class TempDir {
public:
    static Expected<TempDir> create(std::string_view prefix) {
        std::error_code ec;
        auto base = std::filesystem::temp_directory_path(ec);
        if (ec) {
            base = "/tmp";
        }
        std::string pattern = (base / (std::string(prefix) + "XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            return io_failure(fmt::format("cannot create a temporary folder in '{}': {}",
                                          base.string(), std::generic_category().message(errno)));
        }
        return TempDir(pattern);
    }
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&&) = delete;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    const std::filesystem::path& path() const { return path_; }

private:
    explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
};

detail::RunOptions run_options(const std::filesystem::path& log_file,
                               const std::filesystem::path& cwd, std::chrono::seconds timeout,
                               std::string label, bool capture_stdout) {
    detail::RunOptions options;
    options.log_file = log_file;
    options.working_directory = cwd;
    options.timeout = timeout;
    options.label = std::move(label);
    options.capture_stdout = capture_stdout;
    return options;
}

// ---------------------------------------------------------------------------------------------
// pip

/// The normalized names of the requirements; fails on the first that is not PEP 508 (or
/// that pip would read as an option).
Expected<std::vector<std::string>> requirement_names(const std::vector<std::string>& requirements,
                                                     bool names_only) {
    std::vector<std::string> names;
    for (const std::string& text : requirements) {
        if (text.empty() || text.front() == '-') {
            return failure(
                fmt::format("invalid requirement '{}': not a PEP 508 requirement", text));
        }
        auto parsed = version::pep508::parse_requirement(text);
        if (!parsed) {
            return failure(
                fmt::format("invalid requirement '{}': {}", text, parsed.error().to_string()));
        }
        if (names_only && (!parsed->specifier.empty() || !parsed->url.empty() ||
                           !parsed->extras.empty() || parsed->marker)) {
            return failure(fmt::format("'{}' is not a bare distribution name", text));
        }
        names.push_back(normalize_pip_name(parsed->name));
    }
    return names;
}

std::vector<std::string> pip_command(const PythonEnvironment& env, std::string_view verb) {
    return {program(env.python.string()), "-m", "pip", std::string(verb)};
}

void add_common_pip_options(std::vector<std::string>& args, const PythonEnvironment& env) {
    args.emplace_back("--no-input");
    args.emplace_back("--disable-pip-version-check");
    if (env.isolated) {
        args.emplace_back("--isolated");
    }
}

/// What to add to a failure message for what pip's output shows.
std::string pip_hint(const detail::RunResult& result) {
    if (result.tail.find("No module named pip") != std::string::npos) {
        return "\n(pip is not installed for that interpreter)";
    }
    if (result.tail.find("no such option: --report") != std::string::npos ||
        result.tail.find("no such option: --dry-run") != std::string::npos) {
        return "\n(pip 22.2 or later is needed: it has --dry-run and --report)";
    }
    if (result.tail.find("externally-managed-environment") != std::string::npos) {
        return "\n(the interpreter's environment is marked EXTERNALLY-MANAGED; use a virtual "
               "environment or set break_system_packages)";
    }
    return {};
}

Expected<PipReport> run_pip_install(const PythonEnvironment& env,
                                    const std::vector<std::string>& requirements,
                                    const PipOptions& options, const TempDir& tmp, bool dry_run) {
    const auto report_path = tmp.path() / (dry_run ? "dry-run-report.json" : "report.json");
    std::vector<std::string> args = pip_command(env, "install");
    if (dry_run) {
        args.emplace_back("--dry-run");
    }
    args.emplace_back("--report");
    args.push_back(report_path.string());
    add_common_pip_options(args, env);
    args.emplace_back("--progress-bar");
    args.emplace_back("off");
    for (std::string& arg : pip_index_arguments(env)) {
        args.push_back(std::move(arg));
    }
    if (options.no_deps) {
        args.emplace_back("--no-deps");
    }
    if (env.break_system_packages) {
        args.emplace_back("--break-system-packages");
    }
    args.insert(args.end(), requirements.begin(), requirements.end());

    const std::string what = dry_run ? "pip install --dry-run" : "pip install";
    auto result =
        detail::run(args, run_options(options.log_file, tmp.path(), options.timeout, what, false));
    QPLUG_RETURN_IF_ERROR(result);
    if (!result->succeeded()) {
        return failure(detail::describe_failure(what, args, *result, options.log_file) +
                       pip_hint(*result));
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(report_path, ec)) {
        return failure(detail::describe_failure(what, args, *result, options.log_file) +
                       "\n(pip exited 0 but wrote no report)");
    }
    std::string text;
    {
        std::FILE* file = std::fopen(report_path.c_str(), "rb");
        if (file == nullptr) {
            return io_failure(fmt::format("cannot read pip's report '{}'", report_path.string()));
        }
        char buffer[65536];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
            text.append(buffer, n);
        }
        std::fclose(file);
    }
    auto report = parse_pip_report(text);
    if (!report) {
        return io_failure(
            fmt::format("{}: cannot read pip's report: {}", what, report.error().to_string()));
    }
    report->dry_run = dry_run;
    return report;
}

/// Fails when `report` installs a distribution no requirement names.
Expected<void> check_pip_plan(PipReport& report, const std::vector<std::string>& names,
                              const std::vector<std::string>& requirements, bool dry_run) {
    const std::set<std::string> wanted(names.begin(), names.end());
    std::vector<std::string> extra;
    std::set<std::string> seen;
    for (const PipPackage& package : report.install) {
        const std::string name = normalize_pip_name(package.name);
        seen.insert(name);
        if (wanted.count(name) == 0) {
            extra.push_back(fmt::format("{} {}{}", package.name, package.version,
                                        package.url.empty() ? "" : " (" + package.url + ")"));
        }
    }
    report.already_satisfied.clear();
    for (const std::string& name : names) {
        if (seen.count(name) == 0 &&
            std::find(report.already_satisfied.begin(), report.already_satisfied.end(), name) ==
                report.already_satisfied.end()) {
            report.already_satisfied.push_back(name);
        }
    }
    if (extra.empty()) {
        return {};
    }
    return failure(
        fmt::format("pip's plan differs from qplug's: pip {} {}, which no requirement names; {} "
                    "(requirements: {})",
                    dry_run ? "would also install" : "also installed", fmt::join(extra, ", "),
                    dry_run ? "nothing was installed" : "the environment has changed",
                    fmt::join(requirements, " ")));
}

Expected<std::map<std::string, PipPackage>>
pip_list(const PythonEnvironment& env, const PipOptions& options, const TempDir& tmp) {
    std::vector<std::string> args = pip_command(env, "list");
    args.emplace_back("--format=json");
    add_common_pip_options(args, env);
    auto result = detail::run(
        args, run_options(options.log_file, tmp.path(), options.timeout, "pip list", true));
    QPLUG_RETURN_IF_ERROR(result);
    if (!result->succeeded()) {
        return failure(detail::describe_failure("pip list", args, *result, options.log_file) +
                       pip_hint(*result));
    }
    const json doc = json::parse(result->out, nullptr, false);
    if (!doc.is_array()) {
        return failure("pip list printed no JSON list: " + detail::display_command(args));
    }
    std::map<std::string, PipPackage> installed;
    for (const json& entry : doc) {
        PipPackage package;
        package.name = string_field(entry, "name");
        package.version = string_field(entry, "version");
        if (!package.name.empty()) {
            installed[normalize_pip_name(package.name)] = package;
        }
    }
    return installed;
}

// ---------------------------------------------------------------------------------------------
// conda

CondaPackage package_from_dist_string(std::string_view text) {
    CondaPackage package;
    if (const std::size_t sep = text.find("::"); sep != std::string_view::npos) {
        package.channel = std::string(text.substr(0, sep));
        text.remove_prefix(sep + 2);
    }
    package.dist_name = std::string(text);
    const std::size_t build_dash = text.rfind('-');
    if (build_dash == std::string_view::npos || build_dash == 0) {
        package.name = std::string(text);
        return package;
    }
    package.build = std::string(text.substr(build_dash + 1));
    const std::size_t version_dash = text.rfind('-', build_dash - 1);
    if (version_dash == std::string_view::npos) {
        package.name = std::string(text.substr(0, build_dash));
        package.build.clear();
        return package;
    }
    package.version = std::string(text.substr(version_dash + 1, build_dash - version_dash - 1));
    package.name = std::string(text.substr(0, version_dash));
    return package;
}

CondaPackage package_from_record(const json& record) {
    if (record.is_string()) {
        return package_from_dist_string(record.get<std::string>());
    }
    CondaPackage package;
    package.name = string_field(record, "name");
    package.version = string_field(record, "version");
    package.build = string_field(record, "build_string");
    if (package.build.empty()) {
        package.build = string_field(record, "build");
    }
    package.channel = string_field(record, "channel");
    package.platform = string_field(record, "platform");
    if (package.platform.empty()) {
        package.platform = string_field(record, "subdir");
    }
    package.base_url = string_field(record, "base_url");
    package.dist_name = string_field(record, "dist_name");
    if (package.dist_name.empty() && !package.name.empty()) {
        package.dist_name = fmt::format("{}-{}-{}", package.name, package.version, package.build);
    }
    return package;
}

void read_actions(const json& actions, CondaReport& report) {
    if (actions.is_array()) { // one object per prefix in some old condas
        for (const json& each : actions) {
            read_actions(each, report);
        }
        return;
    }
    if (!actions.is_object()) {
        return;
    }
    for (const auto& [key, list] :
         {std::pair{"LINK", &report.link}, std::pair{"UNLINK", &report.unlink}}) {
        const auto it = actions.find(key);
        if (it == actions.end() || !it->is_array()) {
            continue;
        }
        for (const json& record : *it) {
            if (record.is_string() || record.is_object()) {
                list->push_back(package_from_record(record));
            }
        }
    }
    if (report.prefix.empty()) {
        report.prefix = string_field(actions, "PREFIX");
    }
}

/// The last JSON object of conda's stdout that is not a progress record.
std::optional<json> last_json_object(std::string_view output) {
    std::optional<json> found;
    std::size_t start = 0;
    while (start <= output.size()) {
        const std::size_t nul = output.find('\0', start);
        std::string_view chunk = output.substr(
            start, nul == std::string_view::npos ? std::string_view::npos : nul - start);
        start = nul == std::string_view::npos ? output.size() + 1 : nul + 1;
        json doc = json::parse(chunk, nullptr, false);
        if (doc.is_discarded()) {
            // Text before the object (a warning some plugin printed): from the first line
            // that opens an object.
            std::size_t brace = chunk.starts_with('{') ? 0 : chunk.find("\n{");
            if (brace == std::string_view::npos) {
                continue;
            }
            doc = json::parse(chunk.substr(brace), nullptr, false);
        }
        if (doc.is_object() && !doc.contains("fetch")) {
            found = std::move(doc);
        }
    }
    return found;
}

Expected<std::vector<std::string>> spec_names(const std::vector<std::string>& specs) {
    std::vector<std::string> names;
    for (const std::string& spec : specs) {
        if (spec.empty() || spec.front() == '-') {
            return failure(fmt::format("invalid conda spec '{}'", spec));
        }
        auto parsed = conda::parse_match_spec(spec);
        if (!parsed) {
            return failure(
                fmt::format("invalid conda spec '{}': {}", spec, parsed.error().to_string()));
        }
        names.push_back(lower(parsed->name));
    }
    return names;
}

Expected<void> check_conda_plan(const CondaReport& report, const std::vector<std::string>& names,
                                const std::vector<std::string>& specs, bool dry_run) {
    const std::set<std::string> wanted(names.begin(), names.end());
    std::vector<std::string> extra;
    for (const auto& [verb, list] :
         {std::pair{"link", &report.link}, std::pair{"unlink", &report.unlink}}) {
        for (const CondaPackage& package : *list) {
            if (wanted.count(lower(package.name)) == 0) {
                extra.push_back(fmt::format(
                    "{} {} {}{}", verb, package.name, package.version,
                    package.channel.empty() ? std::string() : " (" + package.channel + ")"));
            }
        }
    }
    if (extra.empty()) {
        return {};
    }
    return failure(fmt::format(
        "conda's plan differs from qplug's: conda {} {}, which no spec names; {} (specs: {})",
        dry_run ? "would also" : "also did:", fmt::join(extra, ", "),
        dry_run ? "nothing was changed" : "the environment has changed", fmt::join(specs, " ")));
}

Expected<CondaReport> run_conda(const CondaEnvironment& env, std::string_view verb,
                                const std::vector<std::string>& specs, const CondaOptions& options,
                                const TempDir& tmp, bool dry_run) {
    std::vector<std::string> args = {program(env.executable), std::string(verb), "--prefix",
                                     absolute_string(env.prefix), "--json"};
    args.emplace_back(dry_run ? "--dry-run" : "--yes");
    if (verb == "install" && !env.channels.empty()) {
        args.emplace_back("--override-channels");
        for (const std::string& channel : env.channels) {
            args.emplace_back("-c");
            args.push_back(channel);
        }
    }
    args.insert(args.end(), specs.begin(), specs.end());

    const std::string what =
        fmt::format("{} {}{}", std::filesystem::path(env.executable).filename().string(), verb,
                    dry_run ? " --dry-run" : "");
    auto result =
        detail::run(args, run_options(options.log_file, tmp.path(), options.timeout, what, true));
    QPLUG_RETURN_IF_ERROR(result);
    auto report = parse_conda_json(result->out);
    if (!result->succeeded()) {
        std::string text = detail::describe_failure(what, args, *result, options.log_file);
        if (!report && !result->timed_out && report.error().message.starts_with("conda reported")) {
            text = report.error().message + "\n" + text; // conda's own error first
        }
        return failure(std::move(text));
    }
    if (!report) {
        return failure(
            fmt::format("{}\n{}", report.error().message,
                        detail::describe_failure(what, args, *result, options.log_file)));
    }
    report->dry_run = dry_run;
    return report;
}

Expected<CondaReport> conda_change(const CondaEnvironment& env, std::string_view verb,
                                   const std::vector<std::string>& specs,
                                   const CondaOptions& options) {
    if (env.executable.empty()) {
        return failure("no conda executable given");
    }
    if (env.prefix.empty()) {
        return failure("no conda environment prefix given");
    }
    auto names = spec_names(specs);
    QPLUG_RETURN_IF_ERROR(names);
    if (specs.empty()) {
        CondaReport report;
        report.dry_run = options.dry_run;
        report.prefix = absolute_string(env.prefix);
        return report;
    }
    auto tmp = TempDir::create("qplug-conda-");
    QPLUG_RETURN_IF_ERROR(tmp);
    auto plan = run_conda(env, verb, specs, options, *tmp, true);
    if (!plan) {
        return plan;
    }
    QPLUG_TRY(check_conda_plan(*plan, *names, specs, true));
    if (options.dry_run) {
        return plan;
    }
    auto done = run_conda(env, verb, specs, options, *tmp, false);
    if (!done) {
        return done;
    }
    QPLUG_TRY(check_conda_plan(*done, *names, specs, false));
    return done;
}

} // namespace

// ---------------------------------------------------------------------------------------------

Expected<PipReport> parse_pip_report(std::string_view text) {
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return failure("pip's installation report is not a JSON object");
    }
    const std::string version = string_field(doc, "version");
    if (version != "0" && version != "1") {
        return failure(fmt::format(
            "pip's installation report has format version '{}' (qplug reads 0 and 1)", version));
    }
    const auto install = doc.find("install");
    if (install == doc.end() || !install->is_array()) {
        return failure("pip's installation report has no \"install\" list");
    }
    PipReport report;
    report.pip_version = string_field(doc, "pip_version");
    for (const json& item : *install) {
        if (!item.is_object()) {
            return failure("pip's installation report lists something that is not an object");
        }
        PipPackage package;
        const auto metadata = item.find("metadata");
        if (metadata != item.end()) {
            package.name = string_field(*metadata, "name");
            package.version = string_field(*metadata, "version");
        }
        if (package.name.empty() || package.version.empty()) {
            return failure("pip's installation report lists a package without a name or version");
        }
        const auto info = item.find("download_info");
        if (info != item.end() && info->is_object()) {
            package.url = string_field(*info, "url");
            const auto archive = info->find("archive_info");
            if (archive != info->end() && archive->is_object()) {
                package.hash = string_field(*archive, "hash");
                const auto hashes = archive->find("hashes");
                if (package.hash.empty() && hashes != archive->end()) {
                    const std::string sha256 = string_field(*hashes, "sha256");
                    if (!sha256.empty()) {
                        package.hash = "sha256=" + sha256;
                    }
                }
            }
        }
        const auto requested = item.find("requested");
        package.requested =
            requested != item.end() && requested->is_boolean() && requested->get<bool>();
        report.install.push_back(std::move(package));
    }
    return report;
}

std::vector<std::string> pip_index_arguments(const PythonEnvironment& env) {
    std::vector<std::string> urls;
    std::vector<std::string> folders;
    for (const std::string& entry : env.index_urls) {
        if (entry.empty()) {
            continue;
        }
        if (is_url(entry)) {
            urls.push_back(entry);
        } else {
            folders.push_back(absolute_string(entry));
        }
    }
    std::vector<std::string> args;
    for (std::size_t i = 0; i < urls.size(); ++i) {
        args.emplace_back(i == 0 ? "--index-url" : "--extra-index-url");
        args.push_back(urls[i]);
    }
    if (urls.empty() && !folders.empty()) {
        args.emplace_back("--no-index");
    }
    for (const std::string& folder : folders) {
        args.emplace_back("--find-links");
        args.push_back(folder);
    }
    return args;
}

Expected<PipReport> pip_install(const PythonEnvironment& env,
                                const std::vector<std::string>& requirements,
                                const PipOptions& options) {
    if (env.python.empty()) {
        return failure("no Python interpreter given for pip");
    }
    auto names = requirement_names(requirements, false);
    QPLUG_RETURN_IF_ERROR(names);
    if (requirements.empty()) {
        PipReport report;
        report.dry_run = options.dry_run;
        return report;
    }
    auto tmp = TempDir::create("qplug-pip-");
    QPLUG_RETURN_IF_ERROR(tmp);
    auto plan = run_pip_install(env, requirements, options, *tmp, true);
    if (!plan) {
        return plan;
    }
    QPLUG_TRY(check_pip_plan(*plan, *names, requirements, true));
    if (options.dry_run) {
        return plan;
    }
    auto done = run_pip_install(env, requirements, options, *tmp, false);
    if (!done) {
        return done;
    }
    QPLUG_TRY(check_pip_plan(*done, *names, requirements, false));
    return done;
}

Expected<PipUninstallReport> pip_uninstall(const PythonEnvironment& env,
                                           const std::vector<std::string>& names,
                                           const PipOptions& options) {
    if (env.python.empty()) {
        return failure("no Python interpreter given for pip");
    }
    auto normalized = requirement_names(names, true);
    QPLUG_RETURN_IF_ERROR(normalized);
    PipUninstallReport report;
    report.dry_run = options.dry_run;
    if (names.empty()) {
        return report;
    }
    auto tmp = TempDir::create("qplug-pip-");
    QPLUG_RETURN_IF_ERROR(tmp);
    auto before = pip_list(env, options, *tmp);
    QPLUG_RETURN_IF_ERROR(before);
    std::vector<std::string> to_remove;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto it = before->find((*normalized)[i]);
        if (it == before->end()) {
            report.not_installed.push_back(names[i]);
        } else if (std::find(to_remove.begin(), to_remove.end(), it->second.name) ==
                   to_remove.end()) {
            to_remove.push_back(it->second.name);
            report.removed.push_back(it->second);
        }
    }
    if (options.dry_run || to_remove.empty()) {
        return report;
    }
    std::vector<std::string> args = pip_command(env, "uninstall");
    args.emplace_back("-y");
    add_common_pip_options(args, env);
    if (env.break_system_packages) {
        args.emplace_back("--break-system-packages");
    }
    args.insert(args.end(), to_remove.begin(), to_remove.end());
    auto result = detail::run(
        args, run_options(options.log_file, tmp->path(), options.timeout, "pip uninstall", false));
    QPLUG_RETURN_IF_ERROR(result);
    if (!result->succeeded()) {
        return failure(detail::describe_failure("pip uninstall", args, *result, options.log_file) +
                       pip_hint(*result));
    }
    auto after = pip_list(env, options, *tmp);
    QPLUG_RETURN_IF_ERROR(after);
    std::vector<std::string> left;
    for (const PipPackage& package : report.removed) {
        const auto it = after->find(normalize_pip_name(package.name));
        if (it != after->end() && it->second.version == package.version) {
            left.push_back(fmt::format("{} {}", package.name, package.version));
        }
    }
    if (!left.empty()) {
        return failure(fmt::format(
            "pip uninstall did not remove {} (installed outside the environment?)\n{}",
            fmt::join(left, ", "),
            detail::describe_failure("pip uninstall", args, *result, options.log_file)));
    }
    return report;
}

Expected<CondaReport> parse_conda_json(std::string_view output) {
    const std::optional<json> doc = last_json_object(output);
    if (!doc) {
        return failure("conda printed no JSON object");
    }
    const std::string exception = string_field(*doc, "exception_name");
    const auto success = doc->find("success");
    const bool succeeded = success != doc->end() && success->is_boolean() && success->get<bool>();
    if (!exception.empty() || (!succeeded && doc->contains("error"))) {
        std::string message = string_field(*doc, "message");
        if (message.empty()) {
            message = string_field(*doc, "error");
        }
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
            message.pop_back();
        }
        return failure(fmt::format("conda reported {}: {}",
                                   exception.empty() ? std::string("an error") : exception,
                                   message));
    }
    if (!succeeded) {
        return failure("conda's JSON output does not say \"success\": true");
    }
    CondaReport report;
    report.prefix = string_field(*doc, "prefix");
    report.message = string_field(*doc, "message");
    const auto dry_run = doc->find("dry_run");
    report.dry_run = dry_run != doc->end() && dry_run->is_boolean() && dry_run->get<bool>();
    if (const auto actions = doc->find("actions"); actions != doc->end()) {
        read_actions(*actions, report);
    }
    return report;
}

Expected<CondaReport> conda_install(const CondaEnvironment& env,
                                    const std::vector<std::string>& specs,
                                    const CondaOptions& options) {
    return conda_change(env, "install", specs, options);
}

Expected<CondaReport> conda_remove(const CondaEnvironment& env,
                                   const std::vector<std::string>& names,
                                   const CondaOptions& options) {
    return conda_change(env, "remove", names, options);
}

} // namespace qplug::solver
