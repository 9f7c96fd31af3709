// conda's VersionSpec: a port of conda.models.version.VersionSpec (treeify, get_matcher and
// the matchers), with regex specs evaluated by SimpleRegex.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <optional>
#include <variant>

#include <qplug/unicode.hpp>
#include <qplug/version/conda.hpp>

#include "error_position.hpp"
#include "simple_regex.hpp"

namespace qplug::version::conda {

using detail::SimpleRegex;

struct VersionSpec::Node {
    enum class Kind { any_of, all_of, regex, relation, always, exact };
    enum class Rel { eq, ne, le, ge, lt, gt, starts, not_starts, compatible };
    Kind kind = Kind::always;
    Rel rel = Rel::eq;
    std::string spec;
    std::vector<std::unique_ptr<Node>> children;
    std::optional<SimpleRegex> regex;
    std::optional<Version> operand;
};

namespace {

using Node = VersionSpec::Node;

Error spec_error(std::string_view input, std::size_t offset, std::string message) {
    Error e;
    e.what = "conda version spec";
    e.input = std::string(input);
    e.offset = offset;
    e.message = std::move(message);
    return e;
}

// --- treeify --------------------------------------------------------------------------

struct Tree {
    char op = 0; // 0 for a leaf
    std::string text;
    std::vector<Tree> kids;
};

bool is_py_space_at(std::string_view s, std::size_t pos, std::size_t& next) {
    next = pos;
    if (pos >= s.size()) {
        return false;
    }
    return unicode::is_space(unicode::decode(s, next));
}

/// re.findall(r"\s*\^[^$]*[$]|\s*[()|,]|[^()|,]+", text)
std::vector<std::string_view> tokenize(std::string_view text) {
    std::vector<std::string_view> tokens;
    std::size_t pos = 0;
    auto special = [](char c) { return c == '(' || c == ')' || c == '|' || c == ','; };
    while (pos < text.size()) {
        std::size_t ws_end = pos, next = 0;
        while (is_py_space_at(text, ws_end, next)) {
            ws_end = next;
        }
        if (ws_end < text.size() && text[ws_end] == '^') {
            const std::size_t dollar = text.find('$', ws_end + 1);
            if (dollar != std::string_view::npos) {
                tokens.push_back(text.substr(pos, dollar + 1 - pos));
                pos = dollar + 1;
                continue;
            }
        }
        if (ws_end < text.size() && special(text[ws_end])) {
            tokens.push_back(text.substr(pos, ws_end + 1 - pos));
            pos = ws_end + 1;
            continue;
        }
        std::size_t end = pos;
        while (end < text.size() && !special(text[end])) {
            ++end;
        }
        if (end == pos) {
            ++pos; // unreachable: every position matches one of the alternatives
            continue;
        }
        tokens.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return tokens;
}

Expected<Tree> treeify(std::string_view spec) {
    const std::string wrapped = "(" + std::string(spec) + ")";
    std::vector<Tree> output;
    std::string stack;
    std::optional<Error> error;
    auto apply_ops = [&](std::string_view cstop) {
        while (!stack.empty() && cstop.find(stack.back()) == std::string_view::npos) {
            if (output.size() < 2) {
                error = spec_error(spec, 0, "cannot join single expression");
                return;
            }
            const char c = stack.back();
            stack.pop_back();
            Tree r = std::move(output.back());
            output.pop_back();
            Tree left = std::move(output.back());
            output.pop_back();
            Tree joined;
            joined.op = c;
            auto take = [&](Tree&& t) {
                if (t.op == c) {
                    for (auto& k : t.kids) {
                        joined.kids.push_back(std::move(k));
                    }
                } else {
                    joined.kids.push_back(std::move(t));
                }
            };
            take(std::move(left));
            take(std::move(r));
            output.push_back(std::move(joined));
        }
    };
    for (std::string_view token : tokenize(wrapped)) {
        const std::string_view item = unicode::strip(token);
        if (item == "|") {
            apply_ops("(");
            stack.push_back('|');
        } else if (item == ",") {
            apply_ops("|(");
            stack.push_back(',');
        } else if (item == "(") {
            stack.push_back('(');
        } else if (item == ")") {
            apply_ops("(");
            if (!error && (stack.empty() || stack.back() != '(')) {
                error = spec_error(spec, 0, "expression must start with '('");
            }
            if (!error) {
                stack.pop_back();
            }
        } else {
            if (item.empty()) {
                error = spec_error(spec, 0, "empty version spec between separators");
            }
            output.push_back(Tree{0, std::string(item), {}});
        }
        if (error) {
            return *error;
        }
    }
    if (!stack.empty()) {
        return spec_error(spec, spec.size(),
                          "unbalanced parentheses: unable to build an expression");
    }
    if (output.empty()) {
        return spec_error(spec, 0, "unable to determine version from spec");
    }
    return std::move(output.front());
}

/// re.match(r".*[()|,^$]", spec): one of ()|,^$ before the first newline.
bool needs_tree(std::string_view spec) {
    const std::string_view line = spec.substr(0, spec.find('\n'));
    return line.find_first_of("()|,^$") != std::string_view::npos;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string replace_all(std::string_view s, std::string_view what, std::string_view with) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = s.find(what, start);
        if (pos == std::string_view::npos) {
            out.append(s.substr(start));
            return out;
        }
        out.append(s.substr(start, pos - start));
        out.append(with);
        start = pos + what.size();
    }
}

Expected<std::unique_ptr<Node>> build(const Tree& tree);
Expected<std::unique_ptr<Node>> build_leaf_text(std::string_view raw);

/// version_relation_re = ^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$, alternatives in order.
bool match_relation(std::string_view s, std::string_view& op, std::string_view& version) {
    for (std::string_view candidate : {"=", "==", "!=", "<=", ">=", "<", ">", "~="}) {
        if (s.substr(0, candidate.size()) != candidate) {
            continue;
        }
        const std::string_view rest = s.substr(candidate.size());
        if (rest.empty() || std::string_view("=<>!~").find(rest[0]) != std::string_view::npos) {
            continue;
        }
        bool no_space = true;
        for (std::size_t i = 0; i < rest.size();) {
            if (unicode::is_space(unicode::decode(rest, i))) {
                no_space = false;
                break;
            }
        }
        if (!no_space) {
            continue;
        }
        op = candidate;
        version = rest;
        return true;
    }
    return false;
}

Expected<std::unique_ptr<Node>> build_leaf(std::string_view raw) {
    if (needs_tree(raw)) {
        auto tree = treeify(raw);
        if (!tree) {
            return tree.error();
        }
        if (tree->op != 0) {
            return build(*tree);
        }
        return build_leaf_text(tree->text);
    }
    return build_leaf_text(raw);
}

Expected<std::unique_ptr<Node>> build(const Tree& tree) {
    if (tree.op == 0) {
        return build_leaf(tree.text);
    }
    auto node = std::make_unique<Node>();
    node->kind = tree.op == '|' ? Node::Kind::any_of : Node::Kind::all_of;
    for (const Tree& kid : tree.kids) {
        auto child = kid.op == 0 ? build_leaf(kid.text) : build(kid);
        if (!child) {
            return child.error();
        }
        if (!node->spec.empty()) {
            node->spec.push_back(tree.op);
        }
        node->spec += (*child)->spec;
        node->children.push_back(std::move(*child));
    }
    return node;
}

Expected<std::unique_ptr<Node>> build_leaf_text(std::string_view raw) {
    const std::string_view s = unicode::strip(raw);
    auto node = std::make_unique<Node>();
    node->spec = std::string(s);
    if (s.empty()) {
        return spec_error(raw, 0, "empty version spec");
    }
    if (s.front() == '^' || s.back() == '$') {
        if (s.front() != '^' || s.back() != '$') {
            return spec_error(raw, 0, "regex specs must start with '^' and end with '$'");
        }
        auto rx = SimpleRegex::compile(s);
        if (!rx) {
            return spec_error(raw, rx.error().offset, rx.error().message);
        }
        node->kind = Node::Kind::regex;
        node->regex = std::move(*rx);
        return node;
    }
    if (std::string_view("=<>!~").find(s.front()) != std::string_view::npos) {
        std::string_view op, vo;
        if (!match_relation(s, op, vo)) {
            return spec_error(raw, 0, "invalid operator");
        }
        std::string vo_str(vo);
        Node::Rel rel = op == "=="   ? Node::Rel::eq
                        : op == "!=" ? Node::Rel::ne
                        : op == "<=" ? Node::Rel::le
                        : op == ">=" ? Node::Rel::ge
                        : op == "<"  ? Node::Rel::lt
                        : op == ">"  ? Node::Rel::gt
                        : op == "="  ? Node::Rel::starts
                                     : Node::Rel::compatible;
        if (ends_with(vo_str, ".*")) {
            if (rel == Node::Rel::compatible) {
                return spec_error(raw, s.size() - 2, "invalid operator with '.*'");
            }
            vo_str.resize(vo_str.size() - 2);
            if (rel == Node::Rel::ne) {
                rel = Node::Rel::not_starts;
            }
            // "=1.2.*" and ">=1.2.*" drop the wildcard; conda also ignores it (with a
            // deprecation warning) after ==, <=, < and >.
        }
        auto operand = Version::parse(vo_str);
        if (!operand) {
            return spec_error(raw, op.size() + operand.error().offset, operand.error().message);
        }
        node->kind = Node::Kind::relation;
        node->rel = rel;
        node->operand = std::move(*operand);
        return node;
    }
    if (s == "*") {
        node->kind = Node::Kind::always;
        return node;
    }
    std::string_view without_trailing_stars = s;
    while (!without_trailing_stars.empty() && without_trailing_stars.back() == '*') {
        without_trailing_stars.remove_suffix(1);
    }
    if (without_trailing_stars.find('*') != std::string_view::npos) {
        // A glob such as "1.*.3": conda turns it into ^(?:1\..*\.3)$.
        std::string rx = replace_all(s, ".", "\\.");
        rx = replace_all(rx, "+", "\\+");
        rx = replace_all(rx, "*", ".*");
        rx = "^(?:" + rx + ")$";
        auto compiled = SimpleRegex::compile(rx);
        if (!compiled) {
            return spec_error(raw, 0, "glob is not a valid pattern: " + compiled.error().message);
        }
        node->kind = Node::Kind::regex;
        node->regex = std::move(*compiled);
        return node;
    }
    if (s.back() == '*') {
        std::string spec(s);
        if (!ends_with(spec, ".*")) {
            spec = spec.substr(0, spec.size() - 1) + ".*";
        }
        std::string_view vo = spec;
        while (!vo.empty() && vo.back() == '*') {
            vo.remove_suffix(1);
        }
        while (!vo.empty() && vo.back() == '.') {
            vo.remove_suffix(1);
        }
        auto operand = Version::parse(vo);
        if (!operand) {
            return spec_error(raw, operand.error().offset, operand.error().message);
        }
        node->spec = spec;
        node->kind = Node::Kind::relation;
        node->rel = Node::Rel::starts;
        node->operand = std::move(*operand);
        return node;
    }
    if (s.find('@') == std::string_view::npos) {
        auto operand = Version::parse(s);
        if (!operand) {
            return spec_error(raw, operand.error().offset, operand.error().message);
        }
        node->kind = Node::Kind::relation;
        node->rel = Node::Rel::eq;
        node->operand = std::move(*operand);
        return node;
    }
    node->kind = Node::Kind::exact;
    return node;
}

Expected<bool> evaluate(const Node& node, std::string_view version) {
    switch (node.kind) {
    case Node::Kind::always:
        return true;
    case Node::Kind::exact:
        return node.spec == version;
    case Node::Kind::regex:
        return node.regex->match(version);
    case Node::Kind::any_of:
    case Node::Kind::all_of: {
        const bool any = node.kind == Node::Kind::any_of;
        for (const auto& child : node.children) {
            auto r = evaluate(*child, version);
            if (!r) {
                return r;
            }
            if (*r == any) {
                return any;
            }
        }
        return !any;
    }
    case Node::Kind::relation:
        break;
    }
    auto v = Version::parse(version);
    if (!v) {
        return v.error();
    }
    const Version& y = *node.operand;
    switch (node.rel) {
    case Node::Rel::eq:
        return *v == y;
    case Node::Rel::ne:
        return !(*v == y);
    case Node::Rel::le:
        return !(y < *v);
    case Node::Rel::ge:
        return !(*v < y);
    case Node::Rel::lt:
        return *v < y;
    case Node::Rel::gt:
        return y < *v;
    case Node::Rel::starts:
        return v->startswith(y);
    case Node::Rel::not_starts:
        return !v->startswith(y);
    case Node::Rel::compatible: {
        if (*v < y) {
            return false;
        }
        // x.startswith(VersionOrder(".".join(str(y).split(".")[:-1])))
        const std::string& text = y.str();
        const std::size_t dot = text.rfind('.');
        const std::string prefix = dot == std::string::npos ? std::string() : text.substr(0, dot);
        auto p = Version::parse(prefix);
        if (!p) {
            Error e = p.error();
            e.kind = Error::Kind::invalid;
            e.message = "~=" + text + " needs at least two version components (" + e.message + ")";
            return e;
        }
        return v->startswith(*p);
    }
    }
    return false;
}

} // namespace

VersionSpec::VersionSpec(std::unique_ptr<Node> root) : root_(std::move(root)) {}
VersionSpec::VersionSpec(VersionSpec&&) noexcept = default;
VersionSpec& VersionSpec::operator=(VersionSpec&&) noexcept = default;
VersionSpec::~VersionSpec() = default;

const std::string& VersionSpec::str() const noexcept {
    return root_->spec;
}

Expected<VersionSpec> VersionSpec::parse(std::string_view text) {
    if (const std::size_t bad = unicode::find_invalid_utf8(text); bad != unicode::npos) {
        return spec_error(text, bad, "not valid UTF-8");
    }
    auto root = build_leaf(text);
    if (!root) {
        Error e = std::move(root).error();
        e.what = "conda version spec";
        e.input = std::string(text);
        return e;
    }
    return VersionSpec(std::move(*root));
}

Expected<bool> VersionSpec::match(std::string_view version) const {
    return evaluate(*root_, version);
}

} // namespace qplug::version::conda
