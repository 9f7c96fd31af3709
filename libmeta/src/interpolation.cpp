// A port of configparser.BasicInterpolation._interpolate_some (CPython 3.11) in two passes, so
// that no input takes more than a bounded amount of time and memory: the first finds what
// configparser would raise and how much work the expansion is (each referenced value once per
// depth), the second expands only what fits the budget.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "interpolation.hpp"

#include <algorithm>
#include <limits>

namespace qplug::meta::detail {

namespace {

constexpr int kMaxDepth = 10; // configparser.MAX_INTERPOLATION_DEPTH

std::size_t saturating_add(std::size_t a, std::size_t b) {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max()
                                                           : a + b;
}

/// One piece of a value as _interpolate_some reads it.
struct Piece {
    enum class Kind { text, percent, reference, bad_percent };
    Kind kind = Kind::text;
    std::string_view text; ///< text: the literal; reference: the whole "%(name)s"
    std::size_t at = 0;    ///< where it starts in the value
    std::string_view name; ///< reference: the name between the parentheses
};

/// Calls `on(piece)` for each piece of `value` in order, until it returns false or a '%'
/// that _KEYCRE does not match ends the value (a bad_percent piece).
template <class On>
void for_each_piece(std::string_view value, On&& on) {
    std::size_t i = 0;
    while (i < value.size()) {
        const std::size_t p = value.find('%', i);
        if (p != i) {
            const std::size_t end = p == std::string_view::npos ? value.size() : p;
            if (!on(Piece{Piece::Kind::text, value.substr(i, end - i), i, {}})) {
                return;
            }
            i = end;
            continue;
        }
        if (p + 1 < value.size() && value[p + 1] == '%') {
            if (!on(Piece{Piece::Kind::percent, value.substr(p, 2), p, {}})) {
                return;
            }
            i = p + 2;
            continue;
        }
        if (p + 1 < value.size() && value[p + 1] == '(') {
            // _KEYCRE = %\(([^)]+)\)s
            const std::size_t close = value.find(')', p + 2);
            if (close != std::string_view::npos && close != p + 2 && close + 1 < value.size() &&
                value[close + 1] == 's') {
                if (!on(Piece{Piece::Kind::reference, value.substr(p, close + 2 - p), p,
                              value.substr(p + 2, close - p - 2)})) {
                    return;
                }
                i = close + 2;
                continue;
            }
        }
        on(Piece{Piece::Kind::bad_percent, {}, p, {}});
        return;
    }
}

} // namespace

std::variant<std::string, InterpolationFailure> Interpolation::run(std::string_view value) {
    if (value.find('%') == std::string_view::npos) {
        return std::string(value); // nothing to interpolate: most values
    }
    const Analysis a = analyze(value, 1, nullptr);
    if (a.failure != kNoFailure) {
        return failures_[a.failure]; // what configparser raises, where it raises it
    }
    if (a.work > budget_.per_value || a.work > budget_.remaining) {
        // Refused without expanding; the refusal costs what a value may cost at most, so
        // that many such values soon exhaust the document's budget.
        budget_.remaining -= std::min(budget_.remaining, budget_.per_value);
        return InterpolationFailure{"META-PARSE-INTERPOLATION-SIZE", {}, 0, true};
    }
    budget_.remaining -= a.work;
    std::string out;
    out.reserve(a.work);
    expand(value, out);
    return out;
}

std::uint32_t Interpolation::add_failure(InterpolationFailure failure) {
    failures_.push_back(std::move(failure));
    return static_cast<std::uint32_t>(failures_.size() - 1);
}

Interpolation::Analysis Interpolation::analyze(std::string_view value, int depth,
                                               const std::string_view* key) {
    // (Addresses are multiples of 8 and depths below 16: one 64-bit key.)
    const std::uint64_t memo_key = key == nullptr ? 0
                                                  : (reinterpret_cast<std::uintptr_t>(key) << 4) |
                                                        static_cast<unsigned>(depth);
    if (key != nullptr) {
        if (auto it = analyses_.find(memo_key); it != analyses_.end()) {
            return it->second;
        }
    }
    Analysis a;
    if (value.size() > budget_.remaining) {
        // Even reading the values is bounded: past the budget, nothing more is looked at.
        budget_.remaining = 0;
        a.failure = add_failure({"META-PARSE-INTERPOLATION-SIZE", {}, 0, true});
        return a;
    }
    budget_.remaining -= value.size();
    a = analyze_uncached(value, depth);
    if (key != nullptr) {
        analyses_.emplace(memo_key, a);
    }
    return a;
}

Interpolation::Analysis Interpolation::analyze_uncached(std::string_view value, int depth) {
    Analysis a;
    auto fail = [&](std::string rule, std::size_t index, std::string reference = {}) {
        a.failure = add_failure(
            {std::move(rule), std::move(reference), depth == 1 ? index : 0, depth == 1});
    };
    if (depth > kMaxDepth) {
        fail("META-PARSE-INTERPOLATION-DEPTH", 0);
        return a;
    }
    for_each_piece(value, [&](const Piece& piece) {
        switch (piece.kind) {
        case Piece::Kind::text:
            a.work = saturating_add(a.work, piece.text.size());
            return true;
        case Piece::Kind::percent:
            a.work = saturating_add(a.work, 1);
            return true;
        case Piece::Kind::bad_percent:
            fail("META-PARSE-PERCENT", piece.at);
            return false;
        case Piece::Kind::reference:
            break;
        }
        std::string name = optionxform_(piece.name);
        const std::string_view* v = lookup_(name);
        if (v == nullptr) {
            fail("META-PARSE-INTERPOLATION-MISSING", piece.at, std::move(name));
            return false;
        }
        a.work = saturating_add(a.work, piece.text.size());
        if (v->find('%') == std::string_view::npos) {
            a.work = saturating_add(a.work, v->size());
            return true;
        }
        const Analysis inner = analyze(*v, depth + 1, v);
        if (inner.failure != kNoFailure) {
            a.failure = inner.failure;
            if (depth == 1) {
                // Reported on this key: at the reference that led there.
                InterpolationFailure f = failures_[inner.failure];
                f.index = piece.at;
                f.in_own_value = false;
                a.failure = add_failure(std::move(f));
            }
            return false;
        }
        a.work = saturating_add(a.work, inner.work);
        return true;
    });
    return a;
}

void Interpolation::expand(std::string_view value, std::string& out) const {
    for_each_piece(value, [&](const Piece& piece) {
        switch (piece.kind) {
        case Piece::Kind::text:
            out.append(piece.text);
            break;
        case Piece::Kind::percent:
            out.push_back('%');
            break;
        case Piece::Kind::reference:
            if (const std::string_view* v = lookup_(optionxform_(piece.name))) {
                if (v->find('%') != std::string_view::npos) {
                    expand(*v, out);
                } else {
                    out.append(*v);
                }
            }
            break;
        case Piece::Kind::bad_percent:
            break;
        }
        return true;
    });
}

} // namespace qplug::meta::detail
