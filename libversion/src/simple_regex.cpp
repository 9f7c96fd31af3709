// SPDX-License-Identifier: GPL-2.0-or-later
#include "simple_regex.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include <qplug/unicode.hpp>

#include "pep508_tables.hpp" // re's \w: str.isalnum() or '_', from Python's own tables

namespace qplug::version::detail {

namespace {

constexpr std::size_t kMaxStates = 20000; // bounds {m,n} expansion of hostile patterns
constexpr int kMaxRepeat = 1000;

struct CharClass {
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;
    // Escapes inside the class: \d \w \s and their negations.
    bool digit = false, not_digit = false, word = false, not_word = false, space = false,
         not_space = false;

    bool contains(char32_t c) const;
};

bool CharClass::contains(char32_t c) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges) {
        if (c >= lo && c <= hi) {
            in = true;
            break;
        }
    }
    in = in || (digit && unicode::decimal_value(c) >= 0) ||
         (not_digit && unicode::decimal_value(c) < 0) || (word && pep508::is_word(c)) ||
         (not_word && !pep508::is_word(c)) || (space && unicode::is_space(c)) ||
         (not_space && !unicode::is_space(c));
    return in != negated;
}

enum class Op { character, any, split, jump, begin, end, match };

struct State {
    Op op = Op::match;
    int cls = -1;  // index into classes (Op::character)
    int next = -1; // character/any/jump/begin/end successor
    int alt = -1;  // split: second successor
};

} // namespace

struct SimpleRegex::Program {
    std::vector<State> states;
    std::vector<CharClass> classes;
    int start = -1;
};

namespace {

/// A compiled fragment: entry state and the exits still to be connected.
struct Frag {
    int start;
    std::vector<std::pair<int, bool>> outs; // (state, patch alt instead of next)
};

class Compiler {
public:
    explicit Compiler(std::string_view p) : pattern_(p) {}

    Expected<std::unique_ptr<SimpleRegex::Program>> run() {
        program_ = std::make_unique<SimpleRegex::Program>();
        auto f = parse_alternation();
        if (!error_.empty()) {
            return fail();
        }
        if (pos_ < pattern_.size()) {
            error_ = pattern_[pos_] == ')' ? "unbalanced ')'" : "unexpected character";
            return fail();
        }
        const int m = add({Op::match});
        patch(f, m);
        program_->start = f.start;
        return std::move(program_);
    }

private:
    Error fail() const {
        Error e;
        e.what = "regular expression";
        e.input = std::string(pattern_);
        e.offset = pos_;
        e.message = error_;
        return e;
    }

    int add(State s) {
        if (program_->states.size() >= kMaxStates) {
            error_ = "pattern too large";
            return 0;
        }
        program_->states.push_back(s);
        return static_cast<int>(program_->states.size() - 1);
    }

    void patch(const Frag& f, int target) {
        for (auto [s, alt] : f.outs) {
            if (alt) {
                program_->states[static_cast<std::size_t>(s)].alt = target;
            } else {
                program_->states[static_cast<std::size_t>(s)].next = target;
            }
        }
    }

    bool at_end() const { return pos_ >= pattern_.size(); }
    char peek() const { return pattern_[pos_]; }

    char32_t next_cp() { return unicode::decode(pattern_, pos_); }

    Frag empty_frag() {
        const int j = add({Op::jump});
        return {j, {{j, false}}};
    }

    Frag parse_alternation() {
        Frag left = parse_sequence();
        while (error_.empty() && !at_end() && peek() == '|') {
            ++pos_;
            Frag right = parse_sequence();
            const int s = add({Op::split, -1, left.start, right.start});
            Frag f{s, left.outs};
            f.outs.insert(f.outs.end(), right.outs.begin(), right.outs.end());
            left = f;
        }
        return left;
    }

    Frag parse_sequence() {
        Frag result = empty_frag();
        while (error_.empty() && !at_end() && peek() != '|' && peek() != ')') {
            Frag item = parse_repeat();
            if (!error_.empty()) {
                break;
            }
            patch(result, item.start);
            result.outs = item.outs;
        }
        return result;
    }

    bool parse_int(int& out) {
        const std::size_t begin = pos_;
        long v = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9') {
            v = std::min<long>(v * 10 + (peek() - '0'), 1000000);
            ++pos_;
        }
        out = static_cast<int>(v);
        return pos_ > begin;
    }

    Frag parse_repeat() {
        const std::size_t atom_begin = pos_;
        Frag atom = parse_atom();
        if (!error_.empty() || at_end()) {
            return atom;
        }
        int lo = 1, hi = 1;
        const char q = peek();
        if (q == '*') {
            lo = 0, hi = -1, ++pos_;
        } else if (q == '+') {
            lo = 1, hi = -1, ++pos_;
        } else if (q == '?') {
            lo = 0, hi = 1, ++pos_;
        } else if (q == '{') {
            const std::size_t save = pos_;
            ++pos_;
            int m = 0, n = 0;
            const bool has_m = parse_int(m);
            if (has_m && !at_end() && peek() == '}') {
                lo = hi = m;
                ++pos_;
            } else if (!at_end() && peek() == ',') {
                ++pos_;
                const bool has_n = parse_int(n);
                if (!at_end() && peek() == '}') {
                    ++pos_;
                    lo = has_m ? m : 0;
                    hi = has_n ? n : -1;
                } else {
                    pos_ = save; // Python reads a malformed {..} as literal text
                    return atom;
                }
            } else {
                pos_ = save;
                return atom;
            }
            if (lo > kMaxRepeat || hi > kMaxRepeat) {
                error_ = "repetition count too large";
                return atom;
            }
            if (hi >= 0 && hi < lo) {
                error_ = "min repeat greater than max repeat";
                return atom;
            }
        } else {
            return atom;
        }
        if (!at_end() && peek() == '?') {
            ++pos_; // lazy: same language
        }
        if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
            if (peek() != '{') {
                error_ = "multiple repeat";
                return atom;
            }
        }
        // Build lo mandatory copies, then optional ones (or a star).
        auto copy = [&]() -> Frag {
            const std::size_t save = pos_;
            pos_ = atom_begin;
            Frag f = parse_atom();
            pos_ = save;
            return f;
        };
        Frag result = empty_frag();
        bool first = true;
        auto append = [&](const Frag& f) {
            patch(result, f.start);
            result.outs = f.outs;
        };
        for (int i = 0; i < lo && error_.empty(); ++i) {
            append(first ? atom : copy());
            first = false;
        }
        if (hi < 0) {
            Frag f = first ? atom : copy();
            const int s = add({Op::split, -1, f.start, -1});
            patch(f, s);
            patch(result, s);
            result.outs = {{s, true}};
        } else {
            for (int i = lo; i < hi && error_.empty(); ++i) {
                Frag f = first ? atom : copy();
                first = false;
                const int s = add({Op::split, -1, f.start, -1});
                patch(result, s);
                result.outs = f.outs;
                result.outs.push_back({s, true});
            }
        }
        return result;
    }

    Frag char_frag(CharClass c) {
        program_->classes.push_back(std::move(c));
        const int s = add({Op::character, static_cast<int>(program_->classes.size() - 1)});
        return {s, {{s, false}}};
    }

    bool parse_escape(CharClass& c) {
        if (at_end()) {
            error_ = "bad escape (end of pattern)";
            return false;
        }
        const std::size_t at = pos_;
        const char32_t e = next_cp();
        switch (e) {
        case 'd':
            c.digit = true;
            return true;
        case 'D':
            c.not_digit = true;
            return true;
        case 'w':
            c.word = true;
            return true;
        case 'W':
            c.not_word = true;
            return true;
        case 's':
            c.space = true;
            return true;
        case 'S':
            c.not_space = true;
            return true;
        case 'n':
            c.ranges.push_back({'\n', '\n'});
            return true;
        case 't':
            c.ranges.push_back({'\t', '\t'});
            return true;
        default:
            break;
        }
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
            pos_ = at;
            error_ =
                fmt::format("escape \\{} is not supported in version specs", static_cast<char>(e));
            return false;
        }
        c.ranges.push_back({e, e});
        return true;
    }

    Frag parse_atom() {
        const char c = peek();
        if (c == '(') {
            ++pos_;
            if (!at_end() && peek() == '?') {
                if (pos_ + 1 < pattern_.size() && pattern_[pos_ + 1] == ':') {
                    pos_ += 2;
                } else {
                    error_ = "only (?:...) groups are supported in version specs";
                    return {};
                }
            }
            Frag inner = parse_alternation();
            if (!error_.empty()) {
                return inner;
            }
            if (at_end() || peek() != ')') {
                error_ = "missing ), unterminated subpattern";
                return inner;
            }
            ++pos_;
            return inner;
        }
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            if (c == '{') {
                ++pos_;
                CharClass cc;
                cc.ranges.push_back({'{', '{'});
                return char_frag(std::move(cc));
            }
            error_ = "nothing to repeat";
            return {};
        }
        if (c == '^') {
            ++pos_;
            const int s = add({Op::begin});
            return {s, {{s, false}}};
        }
        if (c == '$') {
            ++pos_;
            const int s = add({Op::end});
            return {s, {{s, false}}};
        }
        if (c == '.') {
            ++pos_;
            const int s = add({Op::any});
            return {s, {{s, false}}};
        }
        if (c == '[') {
            return parse_class();
        }
        if (c == '\\') {
            ++pos_;
            CharClass cc;
            if (!parse_escape(cc)) {
                return {};
            }
            return char_frag(std::move(cc));
        }
        CharClass cc;
        const char32_t cp = next_cp();
        cc.ranges.push_back({cp, cp});
        return char_frag(std::move(cc));
    }

    Frag parse_class() {
        const std::size_t open = pos_;
        ++pos_;
        CharClass cc;
        if (!at_end() && peek() == '^') {
            cc.negated = true;
            ++pos_;
        }
        bool first = true;
        while (true) {
            if (at_end()) {
                pos_ = open;
                error_ = "unterminated character set";
                return {};
            }
            if (peek() == ']' && !first) {
                ++pos_;
                break;
            }
            first = false;
            char32_t lo = 0;
            if (peek() == '\\') {
                ++pos_;
                CharClass tmp;
                if (!parse_escape(tmp)) {
                    return {};
                }
                if (tmp.ranges.empty()) { // \d etc.
                    cc.digit |= tmp.digit, cc.not_digit |= tmp.not_digit, cc.word |= tmp.word,
                        cc.not_word |= tmp.not_word, cc.space |= tmp.space,
                        cc.not_space |= tmp.not_space;
                    continue;
                }
                lo = tmp.ranges[0].first;
            } else {
                lo = next_cp();
            }
            char32_t hi = lo;
            if (pos_ + 1 < pattern_.size() && peek() == '-' && pattern_[pos_ + 1] != ']') {
                ++pos_;
                if (peek() == '\\') {
                    ++pos_;
                    CharClass tmp;
                    if (!parse_escape(tmp) || tmp.ranges.empty()) {
                        if (error_.empty()) {
                            error_ = "bad character range";
                        }
                        return {};
                    }
                    hi = tmp.ranges[0].first;
                } else {
                    hi = next_cp();
                }
                if (hi < lo) {
                    error_ = "bad character range";
                    return {};
                }
            }
            cc.ranges.push_back({lo, hi});
        }
        return char_frag(std::move(cc));
    }

    std::string_view pattern_;
    std::size_t pos_ = 0;
    std::string error_;
    std::unique_ptr<SimpleRegex::Program> program_;
};

void add_state(const SimpleRegex::Program& p, int s, std::string_view text, std::size_t pos,
               std::vector<int>& list, std::vector<std::size_t>& mark, std::size_t generation,
               std::vector<int>& stack) {
    stack.clear();
    stack.push_back(s);
    while (!stack.empty()) {
        const int cur = stack.back();
        stack.pop_back();
        if (cur < 0 || mark[static_cast<std::size_t>(cur)] == generation) {
            continue;
        }
        mark[static_cast<std::size_t>(cur)] = generation;
        const State& st = p.states[static_cast<std::size_t>(cur)];
        switch (st.op) {
        case Op::split:
            stack.push_back(st.alt);
            stack.push_back(st.next);
            break;
        case Op::jump:
            stack.push_back(st.next);
            break;
        case Op::begin:
            if (pos == 0) {
                stack.push_back(st.next);
            }
            break;
        case Op::end:
            // Python's $: at the end, or before a newline that ends the text.
            if (pos == text.size() || (pos + 1 == text.size() && text[pos] == '\n')) {
                stack.push_back(st.next);
            }
            break;
        default:
            list.push_back(cur);
            break;
        }
    }
}

} // namespace

SimpleRegex::SimpleRegex(std::unique_ptr<Program> program) : program_(std::move(program)) {}
SimpleRegex::SimpleRegex(SimpleRegex&&) noexcept = default;
SimpleRegex& SimpleRegex::operator=(SimpleRegex&&) noexcept = default;
SimpleRegex::~SimpleRegex() = default;

Expected<SimpleRegex> SimpleRegex::compile(std::string_view pattern) {
    if (const std::size_t bad = unicode::find_invalid_utf8(pattern); bad != unicode::npos) {
        Error e;
        e.what = "regular expression";
        e.input = std::string(pattern);
        e.offset = bad;
        e.message = "not valid UTF-8";
        return e;
    }
    Compiler c(pattern);
    auto program = c.run();
    if (!program) {
        return program.error();
    }
    return SimpleRegex(std::move(*program));
}

bool SimpleRegex::match(std::string_view text) const {
    const Program& p = *program_;
    std::vector<int> current, next, stack;
    std::vector<std::size_t> mark(p.states.size(), 0);
    std::size_t generation = 1;
    add_state(p, p.start, text, 0, current, mark, generation, stack);
    std::size_t pos = 0;
    while (true) {
        for (int s : current) {
            if (p.states[static_cast<std::size_t>(s)].op == Op::match) {
                return true;
            }
        }
        if (pos >= text.size() || current.empty()) {
            return false;
        }
        std::size_t after = pos;
        const char32_t c = unicode::decode(text, after);
        next.clear();
        ++generation;
        for (int s : current) {
            const State& st = p.states[static_cast<std::size_t>(s)];
            const bool ok = st.op == Op::any ? c != '\n'
                            : st.op == Op::character
                                ? p.classes[static_cast<std::size_t>(st.cls)].contains(c)
                                : false;
            if (ok) {
                add_state(p, st.next, text, after, next, mark, generation, stack);
            }
        }
        std::swap(current, next);
        pos = after;
    }
}

} // namespace qplug::version::detail
