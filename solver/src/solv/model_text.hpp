// The model in the user's words: labels, dependencies as read, why nothing satisfies one
// (for plans and explanations). Only the model's public face: the words can change without
// the model.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include "solv/model.hpp"

namespace qplug::solver::solv {

/// "name version (backend)" for messages.
std::string label(const Model& model, Id p);
/// A dependency as the user reads it: "QGIS 3.22 to 3.99", "numpy >=1.21,<2 (pip)",
/// "the plugin 'Other' ==1.2".
std::string describe_dependency(const Model& model, Id dep);
/// Why nothing satisfies a requirement: "which no repository offers", "but only 0.1, 0.2
/// are offered", "but 2.0 is experimental (left out)".
std::string why_unsatisfied(const Model& model, Id dep);

} // namespace qplug::solver::solv
