// Source kinds from outside the library: registered through the C ABI (qplug.h,
// qplug_source_kind) by a program, the Python binding or an extension library found in the
// extension folders and loaded only when a repository of its kind is added, checked or
// synced (docs/capi.md "Source kinds", docs/index-sources.md "Kinds from extensions").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug.h>
#include <qplug/expected.hpp>
#include <qplug/solver/source.hpp>

namespace qplug::solver {

/// Registers (or replaces) a kind for the process: QPLUG_OK or a QPLUG_E* code with `message`
/// saying why not. The kind's strings are copied.
int register_source_kind(const qplug_source_kind& kind, std::string& message);
/// Drops a registered kind (syncs running with it finish first): false when none has the tag.
bool unregister_source_kind(std::string_view tag);

/// The kind `tag` registered from outside, loading its extension library when no kind of
/// that tag is registered yet; an error naming the folders searched when there is none, or
/// why the library could not be loaded. The SourceType is a copy: it keeps the kind alive.
Expected<SourceType> external_source_kind(std::string_view tag);

/// The registry's type of `kind`, else the external kind of that tag (a copy kept in
/// `external`, which must outlive the pointer's use).
Expected<const SourceType*> find_source_type(const SourceRegistry& registry, std::string_view kind,
                                             std::optional<SourceType>& external);

/// The folders extension libraries are looked for in, in order: each of
/// $QPLUG_EXTENSION_PATH (':'-separated), <libdir>/qplug/extensions, then
/// $XDG_DATA_HOME/qplug/extensions (~/.local/share/qplug/extensions).
std::vector<std::filesystem::path> extension_folders();

/// What a running sync of an external kind offers the kind (the functions behind the
/// qplug_source_sync_* entry points). The handle carries them so that an extension linked
/// to one copy of the library works with a sync the another copy runs (the command line's
/// qplug-commands.so and libqplug.so each hold the solver).
struct SourceSyncFunctions {
    int (*add_package)(qplug_source_sync* sync, const char* package_json, std::string* message);
    int (*add_plugin_archive)(qplug_source_sync* sync, const char* data, std::size_t size,
                              const char* release_json, int* accepted, std::string* message);
    int (*fetch)(qplug_source_sync* sync, const char* url, char** out, std::size_t* out_size,
                 std::string* message);
    int (*warn)(qplug_source_sync* sync, const char* message_in, std::string* message);
    int (*fail)(qplug_source_sync* sync, const char* message_in, std::string* message);
};

} // namespace qplug::solver

/// The handle a sync callback receives.
struct qplug_source_sync {
    const qplug::solver::SourceSyncFunctions* functions;
    void* state; ///< the running sync, private to the copy of the library that made it
};
