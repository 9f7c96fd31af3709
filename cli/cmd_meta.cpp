// qplug meta show|check|fmt|spec
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <memory>

#include <qplug/meta/parser.hpp>
#include <qplug/meta/spec.hpp>

#include "commands.hpp"
#include "diagnostics_output.hpp"
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
        ->transform(CLI::CheckedTransformer(kKeyModes, CLI::ignore_case));
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
                general[item.entry->name] =
                    item.entry->value ? json(*item.entry->value) : json(nullptr);
            }
        }
        print_json({{"ok", doc->ok},
                    {"general", general},
                    {"diagnostics", diagnostics_json(doc->diagnostics)}});
    } else {
        if (has_general) {
            for (const auto& item : doc->general_items()) {
                std::cout << item.entry->name << " = ";
                if (item.entry->value) {
                    std::string v = *item.entry->value;
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
