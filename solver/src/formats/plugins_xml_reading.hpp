// How plugins_xml::parse_each reads a document: in pieces, one entry at a time, when the
// document is the usual kind, else as a whole. Tests and fuzzing compare the two.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <string_view>

#include <qplug/solver/plugins_xml.hpp>

namespace qplug::solver::plugins_xml {

enum class Reading {
    in_pieces, ///< each entry parsed on its own where that gives the whole parse's result
    whole,     ///< the whole document parsed at once (the reference)
};

/// parse_each(), reading as asked.
Expected<Document> parse_each(std::string_view bytes,
                              const std::function<bool(const Entry&)>& on_entry, Reading reading);

} // namespace qplug::solver::plugins_xml
