// SPDX-License-Identifier: GPL-2.0-or-later
#include "completion.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include <qplug/solver/index.hpp>

#include "choice.hpp"
#include "exit_codes.hpp"
#include "external_commands.hpp"

namespace qplug::cli {

namespace {

using AnyApp = std::function<bool(CLI::App*)>;
using AnyOption = std::function<bool(CLI::Option*)>;

enum class Names { none, files, repositories, packages };

// What a command's positional arguments name, when not files.
Names positional_names(const std::string& path) {
    static const std::map<std::string, Names> table = {
        {"repo remove", Names::repositories},
        {"repo enable", Names::repositories},
        {"repo disable", Names::repositories},
        {"repo sync", Names::repositories},
        {"info", Names::packages},
        {"why", Names::packages},
        {"resolve", Names::packages},
        {"lock", Names::packages},
        {"install", Names::packages},
        {"upgrade", Names::packages},
        {"remove", Names::packages},
        {"pin", Names::packages},
        {"unpin", Names::packages},
        {"mark", Names::packages},
        {"enable", Names::packages},
        {"disable", Names::packages},
        {"search", Names::none},
        {"version compare", Names::none},
        {"version sort", Names::none},
        {"version normalize", Names::none},
        {"version satisfies", Names::none},
        {"completion", Names::none},
    };
    const auto it = table.find(path);
    return it == table.end() ? Names::files : it->second;
}

bool takes_value(const CLI::Option* o) {
    return o->get_items_expected_max() > 0;
}

CLI::Option* find_option(CLI::App& command, const std::string& name) {
    for (CLI::Option* o : command.get_options(AnyOption{})) {
        if (!o->get_positional() && o->check_name(name)) {
            return o;
        }
    }
    return nullptr;
}

std::vector<std::string> choice_words(CLI::Option* o) {
    CLI::Validator* v = nullptr;
    try {
        v = o->get_validator("CHOICE");
    } catch (const CLI::OptionNotFound&) {
        return {};
    }
    std::string list = v->get_description(); // "{a, b, c}"
    std::vector<std::string> out;
    if (list.size() < 2) {
        return out;
    }
    list = list.substr(1, list.size() - 2);
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = list.find(", ", start);
        out.push_back(list.substr(start, comma - start));
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 2;
    }
    return out;
}

std::vector<std::string> index_names(Names kind, const std::string& index_path) {
    std::vector<std::string> out;
    const std::filesystem::path path =
        index_path.empty() ? solver::Index::default_path() : std::filesystem::path(index_path);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return out; // completing must not create an index
    }
    auto index = solver::Index::open(path, solver::Index::Mode::read_only);
    if (!index) {
        return out;
    }
    try {
        if (kind == Names::repositories) {
            for (const auto& r : index->repositories()) {
                out.push_back(r.name);
            }
        } else {
            std::set<std::string> seen;
            for (const auto& p : index->search("")) {
                for (const auto* n : {&p.name, &p.display_name}) {
                    if (!n->empty() && seen.insert(*n).second) {
                        out.push_back(*n);
                    }
                }
            }
        }
    } catch (const std::exception&) {
        out.clear(); // a damaged index completes nothing
    }
    return out;
}

void add_option_names(const CLI::Option& o, std::vector<std::string>& out) {
    for (const auto& l : o.get_lnames()) {
        out.push_back("--" + l);
    }
    for (const auto& s : o.get_snames()) {
        out.push_back("-" + s);
    }
}

} // namespace

std::vector<std::string> complete_words(CLI::App& app, const std::vector<std::string>& words) {
    CLI::App* command = &app;
    std::string path;
    std::string index_path;
    CLI::Option* pending = nullptr; // an option whose value comes next
    bool only_positionals = false;
    const std::size_t typed = words.empty() ? 0 : words.size() - 1;
    for (std::size_t i = 0; i < typed; ++i) {
        const std::string& w = words[i];
        if (pending != nullptr) {
            if (pending->check_name("--index")) {
                index_path = w;
            }
            pending = nullptr;
            continue;
        }
        if (w == "--") {
            only_positionals = true;
            continue;
        }
        if (!only_positionals && w.size() > 1 && w.front() == '-') {
            const std::size_t eq = w.find('=');
            const std::string name = w.substr(0, eq);
            CLI::Option* o = find_option(*command, name);
            if (o == nullptr) {
                o = find_option(app, name);
            }
            if (name == "--index" && eq != std::string::npos) {
                index_path = w.substr(eq + 1);
            }
            if (o != nullptr && takes_value(o) && eq == std::string::npos) {
                pending = o;
            }
            continue;
        }
        const auto subs =
            command->get_subcommands([&w](CLI::App* sub) { return sub->check_name(w); });
        if (!subs.empty()) {
            command = subs.front();
            path += (path.empty() ? "" : " ") + command->get_name();
        }
    }
    const std::string current = words.empty() ? "" : words.back();
    std::vector<std::string> candidates;
    if (pending != nullptr) {
        candidates = choice_words(pending);
        if (candidates.empty()) {
            return {":files"};
        }
    } else if (!only_positionals && current.starts_with('-')) {
        const bool group = !command->get_subcommands(AnyApp{}).empty();
        for (CLI::Option* o : command->get_options(AnyOption{})) {
            if (!o->get_group().empty()) { // (hidden options have no group)
                add_option_names(*o, candidates);
            }
        }
        if (group && command != &app) {
            for (CLI::Option* o : app.get_options(AnyOption{})) {
                if (o->get_group() == "Global options") {
                    add_option_names(*o, candidates);
                }
            }
        }
    } else if (!command->get_subcommands(AnyApp{}).empty()) {
        for (CLI::App* sub : command->get_subcommands(AnyApp{})) {
            if (!sub->get_group().empty()) {
                candidates.push_back(sub->get_name());
            }
        }
        if (command == &app) {
            for (const auto& [name, program] : external_commands()) {
                candidates.push_back(name);
            }
        }
    } else {
        const Names kind = positional_names(path);
        if (kind == Names::files) {
            return {":files"};
        }
        if (path == "completion") {
            candidates = {"bash", "zsh", "fish"};
        } else if (kind != Names::none) {
            candidates = index_names(kind, index_path);
        }
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (auto& c : candidates) {
        if (c.starts_with(current) && seen.insert(c).second) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::string completion_script(const std::string& shell) {
    if (shell == "bash") {
        return R"SH(# bash completion for qplug (qplug completion bash)
_qplug() {
    local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n' line
    local -a candidates
    candidates=($(qplug __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
    if [[ ${#candidates[@]} -eq 1 && ${candidates[0]} == :files ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return
    fi
    COMPREPLY=()
    for line in "${candidates[@]}"; do
        if [[ $line == *[[:space:]]* ]]; then
            COMPREPLY+=("$(printf '%q' "$line")")
        else
            COMPREPLY+=("$line")
        fi
    done
}
complete -F _qplug qplug
)SH";
    }
    if (shell == "zsh") {
        return R"SH(#compdef qplug
# zsh completion for qplug (qplug completion zsh)
_qplug() {
    local -a candidates
    candidates=("${(@f)$(qplug __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ ${#candidates} -eq 1 && ${candidates[1]} == :files ]]; then
        _files
        return
    fi
    candidates=(${candidates:#})
    (( ${#candidates} )) && compadd -a candidates
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _qplug "$@"
else
    compdef _qplug qplug
fi
)SH";
    }
    if (shell == "fish") {
        return R"SH(# fish completion for qplug (qplug completion fish)
function __qplug_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    set -l candidates (qplug __complete -- $words 2>/dev/null)
    if test (count $candidates) -eq 1 -a "$candidates[1]" = :files
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $candidates
    end
end
complete -c qplug -f -a '(__qplug_complete)'
)SH";
    }
    return "";
}

void register_completion_commands(CLI::App& app, RunState& state) {
    {
        auto shell = std::make_shared<std::string>();
        auto* cmd = app.add_subcommand(
            "completion", "Print the shell completion script for bash, zsh or fish (commands, "
                          "options, choices, repository and package names)");
        cmd->add_option("SHELL", *shell, "bash, zsh or fish")
            ->required()
            ->transform(choice({"bash", "zsh", "fish"}));
        cmd->callback([&state, shell] {
            std::cout << completion_script(*shell);
            state.exit_code = exit_ok;
        });
    }
    {
        auto words = std::make_shared<std::vector<std::string>>();
        auto* cmd = app.add_subcommand("__complete", "Candidates for shell completion");
        cmd->group(""); // hidden
        cmd->add_option("WORDS", *words, "The words after qplug, the last being typed");
        cmd->callback([&state, &app, words] {
            for (const auto& c : complete_words(app, *words)) {
                std::cout << c << '\n';
            }
            state.exit_code = exit_ok;
        });
    }
}

} // namespace qplug::cli
