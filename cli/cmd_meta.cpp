// qplug meta show|check|fmt|spec
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <qplug/meta/model.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/meta/serialize.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/solver/plugin_distribution.hpp>

#include "check_selection.hpp"
#include "choice.hpp"
#include "color.hpp"
#include "commands.hpp"
#include "diagnostics_output.hpp"
#include "heavy_layer.hpp"
#include "output.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

const std::map<std::string, meta::KeyMode> kKeyModes = {{"qgis", meta::KeyMode::qgis},
                                                        {"site", meta::KeyMode::site}};

struct MetaOptions : CommonOptions {
    meta::KeyMode keys = meta::KeyMode::qgis;
    bool lenient = false;
};

void add_read_options(CLI::App* cmd, MetaOptions& o) {
    cmd->add_flag("--json", o.json, "Print JSON on stdout");
    cmd->add_option("--keys", o.keys,
                    "Read as QGIS desktop does (qgis: keys lower-cased, default) or as "
                    "plugins.qgis.org does (site: keys case-sensitive)")
        ->transform(choice(kKeyModes));
    cmd->add_flag("--lenient", o.lenient,
                  "Accept a BOM, Latin-1 text, unindented continuation lines and keys before "
                  "[general], and report each assumption");
}

int run_show(const MetaOptions& o, const std::string& file) {
    meta::ParseOptions po;
    po.keys = o.keys;
    po.lenient = o.lenient;
    auto doc = meta::parse_file(file, po);
    if (!doc) {
        return report_failure(doc.error().input + ": " + doc.error().message, o);
    }
    const bool has_general = doc->general() != nullptr && (doc->ok || doc->lenient);
    if (o.json) {
        json general = nullptr;
        if (has_general) {
            general = json::object();
            for (const auto& item : doc->general_items()) {
                general[item.entry->name] = *item.value ? json(**item.value) : json(nullptr);
            }
        }
        print_json({{"ok", doc->ok},
                    {"general", general},
                    {"diagnostics", diagnostics_json(doc->diagnostics)}});
    } else {
        if (has_general) {
            for (const auto& item : doc->general_items()) {
                std::cout << item.entry->name << " = ";
                if (*item.value) {
                    std::string v(**item.value);
                    for (std::size_t p = v.find('\n'); p != std::string::npos;
                         p = v.find('\n', p + 5)) {
                        v.replace(p, 1, "\n    ");
                    }
                    std::cout << v;
                } else {
                    std::cout << "(unreadable)";
                }
                std::cout << (item.inherited ? "    (from [DEFAULT])" : "") << '\n';
            }
        }
        for (const auto& d : doc->diagnostics) {
            print_diagnostic(std::cerr, d, stderr_is_terminal());
        }
    }
    return doc->ok ? exit_ok : exit_findings;
}

const std::map<std::string, meta::Profile> kProfiles = {{"qgis", meta::Profile::qgis},
                                                        {"site", meta::Profile::site},
                                                        {"strict", meta::Profile::strict}};

struct CheckOptions : MetaOptions {
    meta::Profile profile = meta::Profile::qgis;
    bool keys_given = false;
    bool check_links = false;
    CheckOutputOptions output;
};

int run_check(CheckOptions o, const std::vector<std::string>& files) {
    if (o.json) {
        o.output.format = OutputFormat::json;
    }
    const Palette palette{use_color(o.output.color, STDOUT_FILENO)};
    SelectionFinder selections(o.output);
    json report_files = json::array();
    std::vector<CheckedInput> checked;
    std::size_t errors = 0, warnings = 0, infos = 0;
    std::size_t unreadable = 0;
    for (const auto& file : files) {
        auto selection = selections.for_path(file);
        if (!selection) {
            std::cerr << "qplug: " << selection.error().to_string() << '\n';
            return exit_usage;
        }
        meta::ParseOptions po;
        // Each profile reads the file as its consumer does, unless --keys says otherwise.
        po.keys = o.keys_given ? o.keys
                               : (o.profile == meta::Profile::qgis ? meta::KeyMode::qgis
                                                                   : meta::KeyMode::site);
        po.lenient = o.lenient;
        // A wheel that holds a QGIS plugin: its plugin's metadata.txt, and the wheel checked as
        // a plugin package (docs/metadata.md).
        std::optional<solver::WheelPlugin> wheel;
        Expected<meta::Document> doc = Error{};
        if (file.ends_with(".whl")) {
            auto read = heavy_layer().read_plugin_wheel(file); // (libzip: loaded now)
            if (!read) {
                std::cerr << "qplug: " << read.error().to_string() << '\n';
                ++unreadable;
                report_files.push_back({{"file", file}, {"error", read.error().message}});
                continue;
            }
            wheel = std::move(*read);
            po.file_name = file + "!/" + wheel->key + "/metadata.txt";
            doc = meta::parse(wheel->metadata_txt, po);
        } else {
            doc = meta::parse_file(file, po);
        }
        if (!doc) {
            std::cerr << "qplug: " << file << ": " << doc.error().message << '\n';
            ++unreadable;
            report_files.push_back({{"file", file}, {"error", doc.error().message}});
            continue;
        }
        meta::ValidateOptions vo;
        vo.profile = o.profile;
        const std::filesystem::path folder = std::filesystem::path(file).parent_path();
        vo.file_exists = [folder, &wheel](std::string_view relative) {
            if (wheel) {
                const std::string entry = wheel->key + "/" + std::string(relative);
                return std::find(wheel->entries.begin(), wheel->entries.end(), entry) !=
                       wheel->entries.end();
            }
            std::error_code ec;
            return std::filesystem::is_regular_file(folder / std::filesystem::path(relative), ec);
        };
        if (o.check_links) {
            // libcurl lives in qplug-commands.so, loaded only now (heavy_layer.hpp).
            vo.check_link = [](std::string_view url) { return heavy_layer().check_link(url, 10); };
        }
        meta::Diagnostics ds = meta::validate(*doc, vo);
        if (wheel) {
            for (auto& d : heavy_layer().check_plugin_wheel(file)) {
                ds.push_back(std::move(d));
            }
        }
        selection->apply(ds);
        merge_duplicates(ds);
        const std::size_t e = meta::count(ds, meta::Severity::error);
        const std::size_t w = meta::count(ds, meta::Severity::warning);
        errors += e;
        warnings += w;
        infos += meta::count(ds, meta::Severity::info);
        switch (o.output.format) {
        case OutputFormat::json:
            report_files.push_back(
                {{"file", file}, {"valid", e == 0}, {"diagnostics", diagnostics_json(ds)}});
            break;
        case OutputFormat::text:
            for (const auto& d : ds) {
                print_diagnostic(std::cout, d, palette);
            }
            break;
        case OutputFormat::github:
            for (const auto& d : ds) {
                print_github(std::cout, d);
            }
            break;
        case OutputFormat::sarif:
            break;
        }
        checked.push_back({file, std::move(ds)});
    }
    if (o.output.format == OutputFormat::json) {
        print_json({{"profile", meta::profile_name(o.profile)},
                    {"valid", errors == 0 && unreadable == 0},
                    {"errors", errors},
                    {"warnings", warnings},
                    {"infos", infos},
                    {"unreadable", unreadable},
                    {"files", report_files}});
    } else if (o.output.format == OutputFormat::sarif) {
        print_json(sarif_log(checked, o.profile));
    } else {
        const std::size_t n = files.size() - unreadable;
        std::cout << n << (n == 1 ? " file" : " files") << " checked with the "
                  << meta::profile_name(o.profile)
                  << " profile: " << (errors > 0 ? palette.error() : palette.good()) << errors
                  << (errors == 1 ? " error" : " errors") << palette.reset() << ", "
                  << (warnings > 0 ? palette.warning() : "") << warnings
                  << (warnings == 1 ? " warning" : " warnings") << palette.reset();
        if (infos > 0) {
            std::cout << ", " << infos << " info";
        }
        if (unreadable > 0) {
            std::cout << "; " << unreadable << (unreadable == 1 ? " file" : " files")
                      << " could not be read";
        }
        std::cout << '\n';
    }
    if (unreadable > 0) {
        return exit_failure;
    }
    return errors > 0 ? exit_findings : exit_ok;
}

/// Writes `content` to `path` through a temporary file in the same folder and a rename, so
/// that a failure leaves the old file as it was.
bool write_atomically(const std::filesystem::path& path, const std::string& content) {
    const std::filesystem::path tmp = path.string() + ".qplug-tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out || !(out << content) || !out.flush()) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return false;
    }
    return true;
}

struct FmtOptions : MetaOptions {
    bool in_place = false;
    bool check = false;
    bool dry_run = false;
};

/// Formats one file; with several files their JSON objects go to `many` (printed as one array).
int run_fmt(const FmtOptions& o, const std::string& file, json* many = nullptr) {
    auto emit = [&](json value) {
        if (many != nullptr) {
            many->push_back(std::move(value));
        } else {
            print_json(value);
        }
    };
    meta::ParseOptions po;
    po.keys = o.keys;
    po.lenient = o.lenient;
    auto doc = meta::parse_file(file, po);
    if (!doc) {
        return report_failure(file + ": " + doc.error().message, o);
    }
    if (!doc->ok && !doc->lenient) {
        for (const auto& d : doc->diagnostics) {
            print_diagnostic(std::cerr, d, stderr_is_terminal());
        }
        std::cerr << "qplug: " << file << ": configparser cannot read this file; not formatting it "
                  << "(--lenient formats what can be read)\n";
        return exit_findings;
    }
    const std::string formatted = meta::format_metadata(*doc);
    const bool changed = formatted != doc->text;
    if (o.check) {
        if (o.json) {
            emit({{"file", file}, {"formatted", !changed}});
        } else if (changed) {
            std::cout << file << ": not in canonical form\n";
        }
        return changed ? exit_findings : exit_ok;
    }
    if (o.in_place && !o.dry_run) {
        if (changed && !write_atomically(file, formatted)) {
            return report_failure(file + ": cannot be written", o);
        }
        if (o.json) {
            emit({{"file", file}, {"changed", changed}});
        }
        return exit_ok;
    }
    if (o.json) {
        emit({{"file", file}, {"changed", changed}, {"formatted", formatted}});
    } else {
        std::cout << formatted;
    }
    return exit_ok;
}

/// fmt over several files (--check or --in-place): the worst exit code wins.
int run_fmt_files(const FmtOptions& o, const std::vector<std::string>& files) {
    if (files.size() == 1) {
        return run_fmt(o, files.front());
    }
    if (!o.check && !o.in_place) {
        std::cerr << "qplug: meta fmt: several files need --check or --in-place\n";
        return exit_usage;
    }
    json many = json::array();
    int worst = exit_ok;
    for (const auto& file : files) {
        const int code = run_fmt(o, file, o.json ? &many : nullptr);
        worst =
            code == exit_failure || worst == exit_failure ? exit_failure : std::max(worst, code);
    }
    if (o.json) {
        print_json(many);
    }
    return worst;
}

struct ExportOptions : MetaOptions {
    std::string format = "json";
    meta::ReleaseInfo release;
};

int run_export(const ExportOptions& o, const std::string& file) {
    meta::ParseOptions po;
    po.keys = o.keys;
    po.lenient = o.lenient;
    auto doc = meta::parse_file(file, po);
    if (!doc) {
        return report_failure(file + ": " + doc.error().message, o);
    }
    if (o.format == "json") {
        std::cout << meta::document_json(*doc) << '\n';
        return doc->ok ? exit_ok : exit_findings;
    }
    if (!doc->ok || doc->general() == nullptr) {
        for (const auto& d : doc->diagnostics) {
            print_diagnostic(std::cerr, d, stderr_is_terminal());
        }
        return exit_findings;
    }
    meta::ReleaseInfo release = o.release;
    if (release.package_name.empty()) {
        release.package_name = std::filesystem::absolute(file).parent_path().filename().string();
    }
    std::cout << meta::plugins_xml_entry(meta::make_metadata(*doc), release);
    return exit_ok;
}

int run_spec(bool json_out, bool markdown) {
    if (json_out || !markdown) {
        if (json_out) {
            std::cout << json::parse(meta::spec_json()).dump(2) << '\n';
            return exit_ok;
        }
    }
    std::cout << meta::spec_markdown();
    return exit_ok;
}

} // namespace

void register_meta_commands(CLI::App& app, RunState& state) {
    auto* group = app.add_subcommand("meta", "Read, check and format metadata.txt");
    group->require_subcommand(1);
    {
        auto o = std::make_shared<MetaOptions>();
        auto file = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand(
            "show", "Show [general] as configparser reads it; exit 0 when configparser reads the "
                    "file, 1 when it does not");
        cmd->add_option("FILE", *file, "metadata.txt")->required();
        add_read_options(cmd, *o);
        cmd->callback([&state, o, file] { state.exit_code = run_show(*o, *file); });
    }
    {
        auto o = std::make_shared<CheckOptions>();
        auto files = std::make_shared<std::vector<std::string>>();
        auto* cmd = group->add_subcommand(
            "check", "Check metadata.txt files against a profile; exit 1 when any error");
        cmd->add_option("FILE", *files, "metadata.txt files")->required();
        cmd->add_option("--keys", o->keys,
                        "Read as QGIS desktop does (qgis: keys lower-cased) or as "
                        "plugins.qgis.org does (site: keys case-sensitive); default: as the "
                        "profile's consumer reads it")
            ->transform(choice(kKeyModes));
        cmd->add_flag("--lenient", o->lenient,
                      "Accept a BOM, Latin-1 text, unindented continuation lines and keys before "
                      "[general], and report each assumption");
        add_check_output_options(cmd, o->output, o->json);
        cmd->add_option("--profile", o->profile,
                        "qgis (what QGIS needs, default), site (what plugins.qgis.org enforces), "
                        "strict (site plus good practice)")
            ->transform(choice(kProfiles));
        cmd->add_flag("--check-links", o->check_links,
                      "Check that tracker, repository and homepage answer (HEAD, 10 s timeout)");
        cmd->callback([&state, o, files, cmd] {
            o->keys_given = cmd->count("--keys") > 0;
            o->output.select_given = cmd->count("--select") > 0;
            o->output.ignore_given = cmd->count("--ignore") > 0;
            state.exit_code = run_check(*o, *files);
        });
    }
    {
        auto o = std::make_shared<FmtOptions>();
        auto files = std::make_shared<std::vector<std::string>>();
        auto* cmd = group->add_subcommand(
            "fmt", "Print metadata.txt in canonical form (keys in the spec's order, one style), "
                   "reading back to the same keys and values");
        cmd->add_option("FILE", *files, "metadata.txt (several with --check or --in-place)")
            ->required();
        add_read_options(cmd, *o);
        cmd->add_flag("-i,--in-place", o->in_place, "Rewrite the file (atomically)");
        cmd->add_flag("--dry-run", o->dry_run, "With --in-place: print instead of writing");
        cmd->add_flag("--check", o->check,
                      "Exit 1 when the file is not in canonical form; write nothing");
        cmd->callback([&state, o, files] { state.exit_code = run_fmt_files(*o, *files); });
    }
    {
        auto o = std::make_shared<ExportOptions>();
        auto file = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand(
            "export", "Export metadata.txt as JSON (entries with positions and the typed view) or "
                      "as the plugins.xml entry of a release");
        cmd->add_option("FILE", *file, "metadata.txt")->required();
        add_read_options(cmd, *o);
        cmd->add_option("--format", o->format, "json (default) or plugins-xml")
            ->transform(choice({"json", "plugins-xml"}));
        cmd->add_option("--package-name", o->release.package_name,
                        "plugins-xml: the ZIP's top folder (default: the file's folder name)");
        cmd->add_option("--download-url", o->release.download_url, "plugins-xml: <download_url>");
        cmd->add_option("--plugin-id", o->release.plugin_id, "plugins-xml: plugin_id attribute");
        cmd->add_option("--create-date", o->release.create_date, "plugins-xml: <create_date>");
        cmd->add_option("--update-date", o->release.update_date, "plugins-xml: <update_date>");
        cmd->add_option("--uploaded-by", o->release.uploaded_by, "plugins-xml: <uploaded_by>");
        cmd->add_flag("--trusted", o->release.trusted, "plugins-xml: <trusted>True</trusted>");
        cmd->callback([&state, o, file] { state.exit_code = run_export(*o, *file); });
    }
    {
        auto json_out = std::make_shared<bool>(false);
        auto markdown = std::make_shared<bool>(false);
        auto* cmd =
            group->add_subcommand("spec", "Print the metadata specification (Markdown by default)");
        auto* j =
            cmd->add_flag("--json", *json_out, "The machine-readable spec (spec/metadata.json)");
        cmd->add_flag("--markdown", *markdown,
                      "The reference for plugin authors (docs/metadata.md)")
            ->excludes(j);
        cmd->callback(
            [&state, json_out, markdown] { state.exit_code = run_spec(*json_out, *markdown); });
    }
}

} // namespace qplug::cli
