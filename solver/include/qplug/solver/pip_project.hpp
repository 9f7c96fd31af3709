// A pip project as the index records it: one release per version (the file pip would pick on
// Linux, see docs/index-sources.md), its dependencies from core metadata (Requires-Dist,
// Requires-Python), the modules it provides.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <qplug/solver/pypi.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver::pip {

/// The index's records of a core metadata file: Requires-Dist as pip dependencies (target:
/// the normalized name, with "[extras]" when the requirement asks for extras; spec:
/// str(SpecifierSet); markers: str(Marker); extra: the declared extra of a marker
/// `extra == "x"` that gates the whole requirement, for readers of the index: the resolver
/// evaluates the marker itself), each Provides-Extra as a declared_extra() (sorted),
/// Requires-Python as a python dependency. Lines that are not PEP 508 go to `warnings`.
std::vector<Dependency> dependencies_from_metadata(const pypi::CoreMetadata& metadata,
                                                   std::vector<std::string>* warnings);

/// Whether core metadata is the release's: its Name normalizes to `project` and its Version
/// equals `version` (PEP 440). pip discards a candidate whose metadata is not (Discarding
/// ...: MetadataInconsistent), and so does qplug.
bool metadata_matches(const pypi::CoreMetadata& metadata, std::string_view project,
                      std::string_view version);

/// An extra a pip release declares (Provides-Extra), kept among its dependencies so that it
/// travels wherever they do: kind pip, an empty target, the extra's canonical name (PEP 685)
/// in `extra`. It requires nothing.
Dependency declared_extra(std::string extra);
bool is_declared_extra(const Dependency& dependency);

/// The extras a pip release has: those it declares. A release recorded before qplug kept
/// declarations (none declared, some requirement's `extra` set, which now happens only for
/// a declared extra) has the extras that gate its requirements.
std::vector<std::string> release_extras(const Release& release);

/// A project page as a package: versions in page order, yanked files left out (as pip does
/// unless pinned), per version the preferred file (a pure-Python wheel, else a Linux x86_64
/// wheel, else the sdist); a version with neither is left out. Dependencies are not known yet
/// (dependencies_known false) unless filled from core metadata.
Package package_from_page(const pypi::ProjectPage& page, std::vector<std::string>* warnings);

/// The import name a distribution most likely provides when its files are not known: the
/// normalized name with '-' as '_' ("typing-extensions" -> "typing_extensions").
std::string guessed_module(std::string_view project);

/// Top-level modules of a wheel from its file list (top_level.txt when present, else the
/// first path parts of its entries, .dist-info and .data folders excepted).
std::vector<std::string> wheel_modules(const std::vector<std::string>& entries,
                                       std::string_view top_level_txt);

} // namespace qplug::solver::pip
