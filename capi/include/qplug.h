/*
 * qplug.h - the C ABI of libqplug: QGIS plugin metadata, versions and resolution.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Conventions (docs/capi.md):
 *  - Functions return int: 0 on success, a negative QPLUG_E* code on failure. Out-parameters
 *    come first; on failure *out is NULL (or untouched for plain values).
 *  - qplug_error_last() describes the last failure of the calling thread; every call clears
 *    it first. It never returns NULL.
 *  - Memory the caller receives through an out-parameter is released with that type's _free
 *    (buffers with qplug_free); every _free accepts NULL. Strings owned by a handle live as
 *    long as the handle.
 *  - Option structs start with `unsigned version` and have an _init() function and a
 *    QPLUG_X_OPTIONS_INIT macro.
 *  - Thread safety: see "Threads" below and docs/capi.md.
 *  - Published signatures never change; new behaviour comes as _v2.
 *
 * The part between QPLUG_CDEF_BEGIN and QPLUG_CDEF_END holds only declarations and integer
 * constants, so it can be handed to cffi's cdef() as it stands.
 */
#ifndef QPLUG_H
#define QPLUG_H

#include <stddef.h>

/* QPLUG_API marks what libqplug exports: the library's definitions carry it. The
 * declarations below get the same default visibility from a pragma, so that the region
 * between QPLUG_CDEF_BEGIN and QPLUG_CDEF_END stays plain C that cffi parses as it stands. */
#if defined(__GNUC__) || defined(__clang__)
#define QPLUG_API __attribute__((visibility("default")))
#else
#define QPLUG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

#define QPLUG_VERSION_STRING "0.1.0"

/* QPLUG_CDEF_BEGIN */

#define QPLUG_VERSION_MAJOR 0
#define QPLUG_VERSION_MINOR 1
#define QPLUG_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH */
#define QPLUG_VERSION_NUMBER 100
/* The shared library's ABI version (libqplug.so.N), kept apart from the release version. */
#define QPLUG_SOVERSION 0

/* ---- Errors ------------------------------------------------------------------------- */

#define QPLUG_OK 0
#define QPLUG_ERROR -1     /* anything else: internal error, out of memory */
#define QPLUG_ENOTFOUND -2 /* a named thing does not exist */
#define QPLUG_EPARSE -3    /* the input does not follow its grammar */
#define QPLUG_EINVALID -4  /* a bad argument, or a request that cannot be answered */
#define QPLUG_EUNSAT -5    /* no solution exists */
#define QPLUG_EIO -6       /* reading, writing or the network failed */
#define QPLUG_ECANCELED -7 /* a progress callback asked to stop */

typedef struct qplug_error {
    int code;            /* the QPLUG_E* code of the last failure, QPLUG_OK when none */
    const char *message; /* what went wrong, naming the input and the column; never NULL */
    size_t offset;       /* byte offset of the problem in the offending input */
} qplug_error;

/* The calling thread's last error; valid until its next qplug_ call. Never NULL. */
const qplug_error *qplug_error_last(void);
/* A static description of a QPLUG_E* code. */
const char *qplug_strerror(int code);

/* ---- Library ------------------------------------------------------------------------ */

/* The linked library's version, e.g. "0.1.0"; compare with QPLUG_VERSION_STRING. */
const char *qplug_version(void);
/* The linked library's QPLUG_VERSION_NUMBER. */
int qplug_version_number(void);
/* Releases a buffer the library returned (strings, sort keys). NULL is fine. */
void qplug_free(void *buffer);

/* ---- Versions ------------------------------------------------------------------------ */

#define QPLUG_SCHEME_QGIS 0         /* QGIS >= 3.42 and 4.x: PEP 440 after normalization */
#define QPLUG_SCHEME_QGIS_CLASSIC 1 /* QGIS <= 3.40 */
#define QPLUG_SCHEME_PEP440 2       /* pip */
#define QPLUG_SCHEME_CONDA 3        /* conda */

/* Looks up a scheme by name ("qgis", "qgis-classic", "pep440", "conda"). */
int qplug_scheme_from_name(int *out, const char *name);
/* The name of a scheme, or NULL for an unknown one. */
const char *qplug_scheme_name(int scheme);

/* *out = -1, 0 or 1 as a is older than, equal to or newer than b. */
int qplug_version_compare(int *out, int scheme, const char *a, const char *b);
/* *out = the normalized version; free with qplug_free. */
int qplug_version_normalize(char **out, int scheme, const char *version);
/* *out = a binary sort key of *out_size bytes (memcmp order = version order); free with
 * qplug_free. */
int qplug_version_sort_key(unsigned char **out, size_t *out_size, int scheme, const char *version);
/* Fills order_out[0..count) with the indices of versions in ascending order (stable). */
int qplug_version_sort(size_t *order_out, int scheme, const char *const *versions, size_t count);
/* *out = 1 when version satisfies spec in the scheme's specifier language, else 0.
 * prereleases: -1 for the scheme's default rule, 0 to exclude, 1 to include pre-releases
 * (PEP 440 only). */
int qplug_version_satisfies(int *out, int scheme, const char *version, const char *spec,
                            int prereleases);
/* *out = 1 when the text is a valid version in the scheme, else 0. */
int qplug_version_is_valid(int *out, int scheme, const char *version);

/* ---- QGIS compatibility -------------------------------------------------------------- */

#define QPLUG_RULES_INSTALLER 0 /* the plugin manager (pyplugin_installer.isCompatible) */
#define QPLUG_RULES_LOADER 1    /* QGIS at start-up (QgsPluginRegistry::checkQgisVersion) */

#define QPLUG_COMPAT_OPTIONS_VERSION 1

typedef struct qplug_compat_options {
    unsigned version;     /* QPLUG_COMPAT_OPTIONS_VERSION */
    int rules;            /* QPLUG_RULES_INSTALLER (default) or QPLUG_RULES_LOADER */
    int bump_dev_major;   /* non-zero (default): QGIS X.99 behaves as (X+1).0.0 */
    int installed_plugin; /* installer: a missing minimum means "0" (installed) or "2" */
} qplug_compat_options;

/* Fills *options with the defaults of the given struct version. */
int qplug_compat_options_init(qplug_compat_options *options, unsigned version);

typedef struct qplug_compat qplug_compat;

/* Checks qgisMinimumVersion / qgisMaximumVersion (maximum may be NULL or "") against the
 * QGIS version `qgis` ("3.34.5", "3.34.5-Prizren" or "3.34"). options may be NULL. */
int qplug_compat_check(qplug_compat **out, const char *qgis, const char *minimum,
                       const char *maximum, const qplug_compat_options *options);
int qplug_compat_is_compatible(const qplug_compat *result);
const char *qplug_compat_qgis(const qplug_compat *result);    /* QGIS X.Y.Z as compared */
const char *qplug_compat_minimum(const qplug_compat *result); /* minimum as compared */
const char *qplug_compat_maximum(const qplug_compat *result); /* maximum after defaulting */
const char *qplug_compat_reason(const qplug_compat *result);  /* "" when compatible */
void qplug_compat_free(qplug_compat *result);

/* ---- Metadata (metadata.txt) ------------------------------------------------------ */

#define QPLUG_KEYS_QGIS 0 /* as QGIS desktop reads it: keys lower-cased */
#define QPLUG_KEYS_SITE 1 /* as plugins.qgis.org reads it: keys case-sensitive */

#define QPLUG_PROFILE_QGIS 0   /* what QGIS needs */
#define QPLUG_PROFILE_SITE 1   /* what plugins.qgis.org enforces on upload */
#define QPLUG_PROFILE_STRICT 2 /* the site's rules plus good practice */

#define QPLUG_SEVERITY_INFO 1
#define QPLUG_SEVERITY_WARNING 2
#define QPLUG_SEVERITY_ERROR 3

/* A parsed metadata.txt, a list of findings, a checked plugin ZIP. */
typedef struct qplug_document qplug_document;
typedef struct qplug_diagnostics qplug_diagnostics;
typedef struct qplug_package qplug_package;

#define QPLUG_PARSE_OPTIONS_VERSION 1

typedef struct qplug_parse_options {
    unsigned version;      /* QPLUG_PARSE_OPTIONS_VERSION */
    int keys;              /* QPLUG_KEYS_QGIS (default) or QPLUG_KEYS_SITE */
    int lenient;           /* non-zero: accept a BOM, Latin-1, unindented continuations ... */
    const char *file_name; /* the name diagnostics use; NULL: "metadata.txt" */
} qplug_parse_options;

int qplug_parse_options_init(qplug_parse_options *options, unsigned version);

/* Parses the bytes of a metadata.txt. Problems are diagnostics, not failures: this fails only
 * for bad arguments (and qplug_metadata_parse_file when the file cannot be read, QPLUG_EIO). */
int qplug_metadata_parse(qplug_document **out, const char *data, size_t size,
                         const qplug_parse_options *options);
int qplug_metadata_parse_file(qplug_document **out, const char *path,
                              const qplug_parse_options *options);
/* 1 when configparser reads the file without raising, else 0. */
int qplug_document_ok(const qplug_document *document);
/* get("general", key) in the document's key mode; NULL when absent, unreadable (a failed
 * %-interpolation), when there is no [general], or when configparser cannot read the file
 * (qplug_document_ok is 0) unless it was parsed leniently. */
const char *qplug_document_get(const qplug_document *document, const char *key);
/* 1 when [general] has the key (its own or inherited) in the document's key mode, else 0:
 * tells an absent key from an unreadable one. */
int qplug_document_has(const qplug_document *document, const char *key);
/* [general]'s keys as options("general") lists them (own keys, then inherited [DEFAULT] ones). */
size_t qplug_document_key_count(const qplug_document *document);
const char *qplug_document_key(const qplug_document *document, size_t index);
/* The parse's own findings (graded for the qgis profile); owned by the document. */
const qplug_diagnostics *qplug_document_diagnostics(const qplug_document *document);
/* The document as JSON (entries with positions and the typed view); free with qplug_free. */
int qplug_document_to_json(char **out, const qplug_document *document);
/* Canonical metadata.txt (qplug meta fmt); free with qplug_free. */
int qplug_document_format(char **out, const qplug_document *document);
void qplug_document_free(qplug_document *document);

#define QPLUG_VALIDATE_OPTIONS_VERSION 1

typedef struct qplug_validate_options {
    unsigned version;       /* QPLUG_VALIDATE_OPTIONS_VERSION */
    int profile;            /* QPLUG_PROFILE_QGIS (default), _SITE or _STRICT */
    int check_links;        /* non-zero: HEAD tracker, repository, homepage (10 s timeout) */
    const char *plugin_dir; /* the plugin folder, to check that the icon exists; or NULL */
} qplug_validate_options;

int qplug_validate_options_init(qplug_validate_options *options, unsigned version);
/* Every finding for the document under the profile (its parse findings re-graded). */
int qplug_metadata_validate(qplug_diagnostics **out, const qplug_document *document,
                            const qplug_validate_options *options);

/* ---- Plugin packages (ZIP) ----------------------------------------------------------- */

#define QPLUG_PACKAGE_OPTIONS_VERSION 1

typedef struct qplug_package_options {
    unsigned version;                  /* QPLUG_PACKAGE_OPTIONS_VERSION */
    int profile;                       /* QPLUG_PROFILE_SITE (default), _STRICT or _QGIS */
    int new_plugin;                    /* non-zero: the folder must be a Python identifier */
    const char *expected_package_name; /* the folder earlier versions used, or NULL */
    int check_links;                   /* non-zero: check the metadata's links */
    unsigned long long max_size;       /* largest accepted ZIP in bytes; 0: 25000000 */
} qplug_package_options;

int qplug_package_options_init(qplug_package_options *options, unsigned version);
/* Checks a plugin ZIP as plugins.qgis.org does on upload, and more; nothing is extracted. */
int qplug_package_check(qplug_package **out, const char *data, size_t size,
                        const qplug_package_options *options);
int qplug_package_check_file(qplug_package **out, const char *path,
                             const qplug_package_options *options);
int qplug_package_valid(const qplug_package *package);        /* 1 when no finding is an error */
const char *qplug_package_name(const qplug_package *package); /* the top folder, or "" */
const qplug_diagnostics *qplug_package_diagnostics(const qplug_package *package);
/* The package's metadata.txt as the site reads it, or NULL when there is none. */
const qplug_document *qplug_package_metadata(const qplug_package *package);
void qplug_package_free(qplug_package *package);

/* ---- Diagnostics ---------------------------------------------------------------------- */

size_t qplug_diagnostics_count(const qplug_diagnostics *diagnostics);
/* How many findings have the severity. */
size_t qplug_diagnostics_count_severity(const qplug_diagnostics *diagnostics, int severity);
const char *qplug_diagnostic_rule(const qplug_diagnostics *diagnostics, size_t index);
int qplug_diagnostic_severity(const qplug_diagnostics *diagnostics, size_t index);
const char *qplug_diagnostic_file(const qplug_diagnostics *diagnostics, size_t index);
size_t qplug_diagnostic_line(const qplug_diagnostics *diagnostics, size_t index);   /* 0: none */
size_t qplug_diagnostic_column(const qplug_diagnostics *diagnostics, size_t index); /* 0: none */
size_t qplug_diagnostic_offset(const qplug_diagnostics *diagnostics, size_t index);
const char *qplug_diagnostic_key(const qplug_diagnostics *diagnostics, size_t index);
const char *qplug_diagnostic_message(const qplug_diagnostics *diagnostics, size_t index);
const char *qplug_diagnostic_hint(const qplug_diagnostics *diagnostics, size_t index);
const char *qplug_diagnostic_source_line(const qplug_diagnostics *diagnostics, size_t index);
/* All findings as a JSON array; free with qplug_free. */
int qplug_diagnostics_to_json(char **out, const qplug_diagnostics *diagnostics);
void qplug_diagnostics_free(qplug_diagnostics *diagnostics);

/* The metadata specification (spec/metadata.json) as JSON; owned by the library. */
const char *qplug_metadata_spec_json(void);

/* ---- Resolution ---------------------------------------------------------------------- */

#define QPLUG_ACTION_INSTALL 0 /* install what the requests name */
#define QPLUG_ACTION_UPGRADE 1 /* upgrade them (no request: everything installed) */
#define QPLUG_ACTION_REMOVE 2  /* remove them and the dependencies nothing else needs */

#define QPLUG_RESOLVE_OPTIONS_VERSION 2

typedef struct qplug_resolve_options {
    unsigned version;           /* QPLUG_RESOLVE_OPTIONS_VERSION (1 is still accepted) */
    const char *qgis_version;   /* target QGIS X.Y.Z; NULL: $QPLUG_QGIS_VERSION, else
                                   `qgis --version`, else 3.40.0 (as the CLI) */
    const char *python_version; /* target Python; NULL: the target interpreter's, else "3.11" */
    const char *platform;       /* "linux", "win32" or "darwin", for markers; NULL: the
                                   target interpreter's, else "linux" */
    int allow_experimental;     /* non-zero: experimental plugin releases count */
    int allow_deprecated;
    int allow_downgrade;
    int allow_uninstall;
    const char *exclude_newer; /* NULL, or an ISO date: later releases are left out */
    /* Version 2: the target whose installed state, marks and pins count (docs/install.md). */
    const char *profile;       /* a profile folder, or a name under profiles_path; NULL (and
                                  plugins_dir NULL): QGIS's default profile */
    const char *profiles_path; /* the folder that holds profiles/; NULL: QGIS's default */
    const char *plugins_dir;   /* a plain plugins folder instead of a profile */
    const char *python_exe;    /* the target's interpreter; NULL: beside `qgis`, else python3;
                                  "none": no Python environment */
    const char *lock_file;     /* resolve towards this lock file (read only); NULL: none */
    int offline;               /* non-zero: fetch nothing from the network */
} qplug_resolve_options;

int qplug_resolve_options_init(qplug_resolve_options *options, unsigned version);

typedef struct qplug_resolution qplug_resolution;

/* Resolves requests ("Name", "Name==1.2", "pip:numpy>=1.26", ...) against the index at
 * index_path (NULL: $QPLUG_INDEX or the per-user default) with its repositories and pins,
 * for the target the options name (its installed plugins and Python packages, marks and
 * pins), exactly as `qplug resolve` does: the same plan for the same inputs. Plugin ZIPs
 * may be fetched to read their dependencies; nothing is written. QPLUG_OK when resolution
 * ran, whether or not a solution exists: see qplug_resolution_solved. QPLUG_EPARSE for a
 * request that does not parse, QPLUG_EIO when the index cannot be opened. options may be
 * NULL. */
int qplug_resolve(qplug_resolution **out, const char *index_path, int action,
                  const char *const *requests, size_t count, const qplug_resolve_options *options);
int qplug_resolution_solved(const qplug_resolution *resolution);
/* The plan's steps (empty when not solved). */
size_t qplug_resolution_step_count(const qplug_resolution *resolution);
const char *qplug_resolution_step_action(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_backend(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_name(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_version(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_from_version(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_download_url(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_step_reason(const qplug_resolution *resolution, size_t index);
/* When not solved: the explanation's root causes and solutions, one sentence each. */
size_t qplug_resolution_cause_count(const qplug_resolution *resolution);
const char *qplug_resolution_cause(const qplug_resolution *resolution, size_t index);
size_t qplug_resolution_solution_count(const qplug_resolution *resolution);
const char *qplug_resolution_solution(const qplug_resolution *resolution, size_t index);
/* Everything (plan, load order, why-chains, explanation with proof) as JSON
 * (docs/resolve.md); free with qplug_free. */
int qplug_resolution_to_json(char **out, const qplug_resolution *resolution);
void qplug_resolution_free(qplug_resolution *resolution);
/* Getters a plugin manager shows (they live as long as the handle; NULL past the end). */
const char *qplug_resolution_step_display_name(const qplug_resolution *resolution, size_t index);
/* 1 when the user asked for the step's package, 0 when it comes in for another one. */
int qplug_resolution_step_requested(const qplug_resolution *resolution, size_t index);
/* The order QGIS may start the plugins in (each after those it needs). */
size_t qplug_resolution_load_order_count(const qplug_resolution *resolution);
const char *qplug_resolution_load_order(const qplug_resolution *resolution, size_t index);
/* The QGIS version, Python version and platform the plan was made for. */
const char *qplug_resolution_qgis_version(const qplug_resolution *resolution);
const char *qplug_resolution_python_version(const qplug_resolution *resolution);
const char *qplug_resolution_platform(const qplug_resolution *resolution);
/* When not solved, the explanation as data (docs/resolve.md, "The problem graph"): the
 * number of libsolv's independent problems; for each cause of qplug_resolution_cause (same
 * index) its kind ("missing", "platform", "constraint", "module_conflict", "one_version",
 * "pin", "removal_needed", "external", "installed_kept", "not_downgraded", "unknown"), its
 * subject (the dependency, module, pin or package it is about) and the names of the nodes it
 * involves (package keys, "qgis", "python", pins, missing dependencies); NULL past the end. */
size_t qplug_resolution_problem_count(const qplug_resolution *resolution);
const char *qplug_resolution_cause_kind(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_cause_subject(const qplug_resolution *resolution, size_t index);
size_t qplug_resolution_cause_name_count(const qplug_resolution *resolution, size_t index);
const char *qplug_resolution_cause_name(const qplug_resolution *resolution, size_t index,
                                        size_t name);
/* The whole problem graph (nodes, edges, causes, paths, solutions as objects) as JSON, the
 * "problems" member of qplug_resolution_to_json's explanation ({"count": 0, ...} when
 * solved); free with qplug_free. */
int qplug_resolution_problems_json(char **out, const qplug_resolution *resolution);

/* ---- Progress and cancellation -------------------------------------------------------- */

#define QPLUG_PHASE_FETCH 0    /* sync: bytes of a repository's document (or ZIPs) read */
#define QPLUG_PHASE_STORE 1    /* sync: packages written into the index */
#define QPLUG_PHASE_DOWNLOAD 2 /* apply: bytes of a package's download */
#define QPLUG_PHASE_STEP 3     /* apply: steps of the plan carried out */

typedef struct qplug_progress {
    int phase;                /* QPLUG_PHASE_* */
    const char *name;         /* the repository (sync) or the package (apply) */
    unsigned long long done;  /* bytes, packages or steps so far */
    unsigned long long total; /* 0 when unknown */
} qplug_progress;

/* Called on the thread that runs the sync or apply, with user_data as given; a non-zero
 * return asks the operation to stop (it then fails with QPLUG_ECANCELED and leaves the index
 * or the plugin folders as they were; docs/capi.md). The progress struct lives for the call. */
typedef int (*qplug_progress_fn)(void *user_data, const qplug_progress *progress);

/* ---- The index ------------------------------------------------------------------------ */

#define QPLUG_INDEX_READ_WRITE 0 /* created (with its folder) when missing */
#define QPLUG_INDEX_READ_ONLY 1  /* QPLUG_ENOTFOUND when missing; nothing is ever written */

typedef struct qplug_index qplug_index;

/* Opens the index database at path (NULL: $QPLUG_INDEX, else the per-user default). A handle
 * may be used from any thread; calls on one handle are serialized, except that a sync, a
 * resolution and an apply work on connections of their own (docs/capi.md, "Threads"). */
int qplug_index_open(qplug_index **out, const char *path, int mode);
const char *qplug_index_path(const qplug_index *index);
/* Closes the handle (NULL is fine). No call on it may be running. */
void qplug_index_close(qplug_index *index);

/* ---- Repositories --------------------------------------------------------------------- */

#define QPLUG_REPOSITORY_OPTIONS_VERSION 1

typedef struct qplug_repository_options {
    unsigned version;         /* QPLUG_REPOSITORY_OPTIONS_VERSION */
    int priority;             /* higher wins between repositories (default 0) */
    int disabled;             /* non-zero: added disabled */
    int is_protected;         /* non-zero: remove refuses it unless forced */
    const char *credentials;  /* "env:VARIABLE" (user:password), "netrc", or NULL */
    const char *options_json; /* the kind's settings as a JSON object, or NULL */
} qplug_repository_options;

int qplug_repository_options_init(qplug_repository_options *options, unsigned version);

/* A list of repositories as `qplug repo list` shows them. */
typedef struct qplug_repositories qplug_repositories;

/* Adds a repository of kind ("legacy", "folder", "pip", "conda", "installed"; NULL:
 * "legacy") after its kind has checked the URL and settings. *out (out may be NULL) gets the
 * repository as `qplug repo add --json` prints it; free with qplug_free. QPLUG_ENOTFOUND for an
 * unknown kind, QPLUG_EINVALID for a bad setting or a name already taken. */
int qplug_index_add_repository(char **out, qplug_index *index, const char *name, const char *url,
                               const char *kind, const qplug_repository_options *options);
/* Removes a repository and what it brought (a protected one only with force). */
int qplug_index_remove_repository(qplug_index *index, const char *name, int force);
/* Enables (enabled non-zero) or disables a repository. */
int qplug_index_enable_repository(qplug_index *index, const char *name, int enabled);
int qplug_index_repositories(qplug_repositories **out, qplug_index *index);
size_t qplug_repositories_count(const qplug_repositories *repositories);
const char *qplug_repositories_name(const qplug_repositories *repositories, size_t index);
const char *qplug_repositories_kind(const qplug_repositories *repositories, size_t index);
const char *qplug_repositories_url(const qplug_repositories *repositories, size_t index);
int qplug_repositories_enabled(const qplug_repositories *repositories, size_t index);
const char *qplug_repositories_last_sync(const qplug_repositories *repositories, size_t index);
const char *qplug_repositories_last_error(const qplug_repositories *repositories, size_t index);
/* {"repositories": [...]}: `qplug repo list --json`; free with qplug_free. */
int qplug_repositories_to_json(char **out, const qplug_repositories *repositories);
void qplug_repositories_free(qplug_repositories *repositories);

/* ---- Sync ----------------------------------------------------------------------------- */

#define QPLUG_SYNC_OPTIONS_VERSION 1

typedef struct qplug_sync_options {
    unsigned version;           /* QPLUG_SYNC_OPTIONS_VERSION */
    const char *qgis_version;   /* asked of plugin repositories; NULL: as resolution detects it */
    int force;                  /* non-zero: read even when the ETag says nothing changed */
    qplug_progress_fn progress; /* NULL: none */
    void *user_data;            /* passed to progress */
} qplug_sync_options;

int qplug_sync_options_init(qplug_sync_options *options, unsigned version);

typedef struct qplug_sync qplug_sync;

/* Syncs the named repositories (count 0: every enabled one), each in its own transaction, as
 * `qplug repo sync` does: readers of the index (other handles, other threads, other
 * processes) are never blocked longer than SQLite's commit. QPLUG_OK once every repository was
 * tried, whether or not each sync succeeded (see qplug_sync_error); QPLUG_ECANCELED when the
 * progress callback asked to stop: the repository being synced then keeps exactly its
 * previous contents (those synced before it keep their new ones; the message names them).
 * QPLUG_EINVALID on a read-only handle. */
int qplug_index_sync(qplug_sync **out, qplug_index *index, const char *const *names, size_t count,
                     const qplug_sync_options *options);
size_t qplug_sync_count(const qplug_sync *sync);
const char *qplug_sync_repository(const qplug_sync *sync, size_t index);
/* NULL when the repository synced, else why not. */
const char *qplug_sync_error(const qplug_sync *sync, size_t index);
int qplug_sync_not_modified(const qplug_sync *sync, size_t index);
size_t qplug_sync_packages(const qplug_sync *sync, size_t index);
size_t qplug_sync_releases(const qplug_sync *sync, size_t index);
/* {"synced": [...]}: `qplug repo sync --json`; free with qplug_free. */
int qplug_sync_to_json(char **out, const qplug_sync *sync);
void qplug_sync_free(qplug_sync *sync);

/* ---- Queries -------------------------------------------------------------------------- */

/* A list of packages: found by a search, available for a QGIS version, or installed in a
 * target. What a list does not have is "" (or -1 for qplug_packages_enabled). */
typedef struct qplug_packages qplug_packages;

/* Packages whose name, display name, summary or tags contain text (case-insensitive; "" for
 * all): `qplug search TEXT`. An empty list is not a failure. */
int qplug_index_search(qplug_packages **out, qplug_index *index, const char *text);
/* Every package of the enabled repositories with what QGIS offers of it for qgis_version
 * (NULL: as resolution detects it): `qplug list`. */
int qplug_index_available(qplug_packages **out, qplug_index *index, const char *qgis_version);
/* One package by key or display name, every repository's releases: *out = `qplug info NAME
 * --json` (free with qplug_free). QPLUG_ENOTFOUND when no repository has it. */
int qplug_index_info(char **out, qplug_index *index, const char *name, const char *qgis_version);

size_t qplug_packages_count(const qplug_packages *packages);
const char *qplug_packages_name(const qplug_packages *packages, size_t index); /* the key */
const char *qplug_packages_display_name(const qplug_packages *packages, size_t index);
/* The installed version; for a search or list the newest version offered ("" when none). */
const char *qplug_packages_version(const qplug_packages *packages, size_t index);
const char *qplug_packages_backend(const qplug_packages *packages, size_t index);
const char *qplug_packages_repository(const qplug_packages *packages, size_t index);
const char *qplug_packages_summary(const qplug_packages *packages, size_t index);
/* Installed plugins of a profile: 1 when QGIS starts it, 0 when not; -1 otherwise. */
int qplug_packages_enabled(const qplug_packages *packages, size_t index);
/* The list as the CLI's --json prints it (search, list, or list --installed); qplug_free. */
int qplug_packages_to_json(char **out, const qplug_packages *packages);
void qplug_packages_free(qplug_packages *packages);

/* ---- Targets -------------------------------------------------------------------------- */

#define QPLUG_TARGET_PROFILE 0     /* a QGIS profile folder: python/plugins and QGIS/QGIS3.ini */
#define QPLUG_TARGET_PLUGINS_DIR 1 /* a plain plugins folder (a QGIS Server's) */

#define QPLUG_TARGET_OPTIONS_VERSION 1

typedef struct qplug_target_options {
    unsigned version;          /* QPLUG_TARGET_OPTIONS_VERSION */
    const char *profile;       /* a profile folder, or a name under profiles_path; NULL (and
                                  plugins_dir NULL): QGIS's default profile */
    const char *profiles_path; /* the folder that holds profiles/; NULL: QGIS's default */
    const char *plugins_dir;   /* a plain plugins folder instead of a profile */
    const char *python_exe;    /* the environment's interpreter; NULL: beside `qgis`, else
                                  python3; "none": no Python environment */
    const char *conda_prefix;  /* a conda environment that counts as installed, or NULL */
} qplug_target_options;

int qplug_target_options_init(qplug_target_options *options, unsigned version);

typedef struct qplug_target qplug_target;

/* Finds the target (a profile name through profiles.ini, as QGIS does); its folders need
 * not exist yet. A handle may be used from any thread; calls on one target are serialized
 * (an apply holds its target until it is done). */
int qplug_target_open(qplug_target **out, const qplug_target_options *options);
int qplug_target_kind(const qplug_target *target);         /* QPLUG_TARGET_*, -1 for NULL */
const char *qplug_target_root(const qplug_target *target); /* profile or plugins folder */
const char *qplug_target_plugins_dir(const qplug_target *target);
const char *qplug_target_describe(const qplug_target *target); /* "profile 'x' (/path)" */
void qplug_target_free(qplug_target *target);
/* What is installed: `qplug list --installed` (environment non-zero: --environment) for
 * qgis_version (NULL: as resolution detects it). */
int qplug_target_installed(qplug_packages **out, qplug_target *target, const char *qgis_version,
                           int environment);
/* Enables (enable non-zero) or disables installed plugins (folder names) in the profile's
 * QGIS3.ini as QGIS's Plugin Manager does, in one rewrite. *out (out may be NULL) = `qplug
 * enable|disable --json`, free with qplug_free. QPLUG_EINVALID for a plugins-folder target,
 * a plugin that is not installed (nothing is written) or a name that is no folder name. */
int qplug_target_enable(char **out, qplug_target *target, const char *const *names, size_t count,
                        int enable);

/* ---- Resolving and applying with handles -------------------------------------------- */

/* As qplug_resolve, against an open index and target (target NULL: the target the options
 * name). The handle remembers the requests and options, for qplug_resolution_apply. */
int qplug_index_resolve(qplug_resolution **out, qplug_index *index, qplug_target *target,
                        int action, const char *const *requests, size_t count,
                        const qplug_resolve_options *options);

#define QPLUG_APPLY_OPTIONS_VERSION 1

typedef struct qplug_apply_options {
    unsigned version;             /* QPLUG_APPLY_OPTIONS_VERSION */
    int dry_run;                  /* download, verify and check everything; change nothing */
    qplug_progress_fn progress;   /* NULL: none */
    void *user_data;              /* passed to progress */
    const char *log_file;         /* where pip's and conda's output goes; NULL: nowhere */
    const char *conda_executable; /* conda, mamba or micromamba; NULL: "conda" */
    int break_system_packages;    /* non-zero: pip may change an externally managed Python */
    int lock_wait_ms;             /* how long to wait for another run on the target; 0: 30 s */
} qplug_apply_options;

int qplug_apply_options_init(qplug_apply_options *options, unsigned version);

typedef struct qplug_applied qplug_applied;

/* Carries out a resolution made by qplug_index_resolve on the same index and target, as
 * `qplug install|upgrade|remove` does (under the target's lock: recovery of an interrupted
 * run, the plan made again and compared, pip and conda, plugin folders swapped atomically,
 * marks, QGIS3.ini, the lock file of the options). QPLUG_EUNSAT when the resolution has no
 * solution, QPLUG_EINVALID when the index or the target changed since and the plan is no
 * longer the same (resolve again), QPLUG_ECANCELED when the progress callback asked to stop
 * (the plugin folders are then as they were), QPLUG_EIO for a failed download or step. */
int qplug_resolution_apply(qplug_applied **out, const qplug_resolution *resolution,
                           qplug_index *index, qplug_target *target,
                           const qplug_apply_options *options);
size_t qplug_applied_count(const qplug_applied *applied);
const char *qplug_applied_action(const qplug_applied *applied, size_t index);
const char *qplug_applied_backend(const qplug_applied *applied, size_t index);
const char *qplug_applied_name(const qplug_applied *applied, size_t index);
const char *qplug_applied_version(const qplug_applied *applied, size_t index);
const char *qplug_applied_path(const qplug_applied *applied, size_t index); /* plugin folder */
int qplug_applied_done(const qplug_applied *applied, size_t index);         /* 0 in a dry run */
/* The plugins enabled in QGIS3.ini by the run. */
size_t qplug_applied_enabled_count(const qplug_applied *applied);
const char *qplug_applied_enabled(const qplug_applied *applied, size_t index);
/* `qplug install --json` (plan, "target", "dry_run", "applied", "enabled", "disabled"). */
int qplug_applied_to_json(char **out, const qplug_applied *applied);
void qplug_applied_free(qplug_applied *applied);

/* ---- Lock files ----------------------------------------------------------------------- */

/* Writes the lock file of a solved resolution (requests, QGIS, Python, every package with
 * its version, URL and hash), atomically: `qplug lock`. QPLUG_EUNSAT when not solved. */
int qplug_resolution_write_lock(const qplug_resolution *resolution, const char *path);
/* Reads a lock file: *out = its contents as JSON (free with qplug_free). QPLUG_EIO when it
 * cannot be read, QPLUG_EINVALID when it is not a lock file this library reads. */
int qplug_lock_file_read(char **out, const char *path);

/* ---- Source kinds from outside the library ---------------------------------------------- */
/* A repository kind written outside qplug (docs/capi.md, "Source kinds"): a tag, a settings
 * schema the library checks a repository's options against (at `repo add` and at each sync),
 * and a sync callback that hands the repository's packages to the index through the
 * qplug_source_sync the library passes it. */

#define QPLUG_SOURCE_KIND_VERSION 1

/* A running sync: valid only during the sync callback it is passed to. */
typedef struct qplug_source_sync qplug_source_sync;

/* Reads the repository at `url` (options_json: its options, a JSON object that passed the
 * schema) and hands its packages to `sync`. Returns 0, or non-zero to fail the sync (with the
 * message given to qplug_source_sync_fail, else a generic one); the index then keeps the
 * repository's previous contents. May run on any thread, for several repositories at once. */
typedef int (*qplug_source_sync_fn)(void *user_data, qplug_source_sync *sync, const char *url,
                                    const char *options_json);
typedef void (*qplug_user_data_free_fn)(void *user_data);

typedef struct qplug_source_kind {
    unsigned version;            /* QPLUG_SOURCE_KIND_VERSION */
    const char *tag;             /* the kind's name: [a-z0-9][a-z0-9_-]*, not a built-in one */
    const char *summary;         /* one line for help texts; may be NULL */
    const char *backend;         /* who installs its releases: "legacy" (NULL), "pip", "conda" */
    const char *settings_schema; /* JSON: {"OPTION": {"type": "string|boolean|integer|number|
                                    array|object", "required": bool, "summary": "..."}};
                                    NULL or "" for a kind without options */
    qplug_source_sync_fn sync;
    void *user_data;                        /* passed to sync and free_user_data */
    qplug_user_data_free_fn free_user_data; /* when the kind is dropped and no sync runs; or NULL */
} qplug_source_kind;

int qplug_source_kind_init(qplug_source_kind *kind, unsigned version);
/* Registers (or replaces) a kind for this process; the strings are copied.
 * QPLUG_EINVALID: a bad tag, a built-in tag, a schema that is not one, no sync callback. */
int qplug_source_kind_register(const qplug_source_kind *kind);
/* Drops a registered kind; QPLUG_ENOTFOUND when none has the tag. */
int qplug_source_kind_unregister(const char *tag);

/* Hands one package to the index: a JSON object in the shape `qplug info --json` prints a
 * package and its releases ({"name", "display_name", "summary", "keywords", "backend",
 * "releases": [{"version", "download_url", ...}]}, docs/index-sources.md). */
int qplug_source_sync_add_package(qplug_source_sync *sync, const char *package_json);
/* Hands one plugin ZIP to the index, read as a "folder" repository reads its ZIPs (checked as
 * QGIS needs it, metadata.txt, requirements.txt, size and SHA-256); release_json (may be NULL)
 * gives the release's "download_url", "file_name", "update_date" and "channel". A ZIP QGIS
 * would refuse becomes a warning, not a failure (*accepted = 0). */
int qplug_source_sync_add_plugin_archive(int *accepted, qplug_source_sync *sync, const char *data,
                                         size_t size, const char *release_json);
/* Fetches a URL with qplug's fetcher (its download limits, proxies, credentials of the
 * repository and cancellation): *out = the body (free with qplug_free), *out_size its size.
 * QPLUG_EIO on a transfer failure or a status >= 400; QPLUG_ECANCELED when cancelled. */
int qplug_source_sync_fetch(char **out, size_t *out_size, qplug_source_sync *sync, const char *url);
/* A warning about the repository (shown by `repo sync`, kept with the sync's report). */
int qplug_source_sync_warn(qplug_source_sync *sync, const char *message);
/* Records why the sync fails; the callback then returns non-zero. */
int qplug_source_sync_fail(qplug_source_sync *sync, const char *message);

/* Extension libraries (docs/capi.md, "Extension libraries"): a shared object TAG.so found in
 * $QPLUG_EXTENSION_PATH, <libdir>/qplug/extensions or $XDG_DATA_HOME/qplug/extensions, loaded
 * when a repository of kind TAG is added, checked or synced, exports
 *     int qplug_extension_init(const qplug_extension_host *host);
 * which registers its kinds with host->source_kind_register and returns 0. */
#define QPLUG_EXTENSION_HOST_VERSION 1

typedef struct qplug_extension_host {
    unsigned version; /* QPLUG_EXTENSION_HOST_VERSION */
    int (*source_kind_register)(const qplug_source_kind *kind);
} qplug_extension_host;

typedef int (*qplug_extension_init_fn)(const qplug_extension_host *host);

/* QPLUG_CDEF_END */

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#define QPLUG_VERSION_CHECK(major, minor, patch)                                                   \
    (QPLUG_VERSION_NUMBER >= ((major)*10000 + (minor)*100 + (patch)))
#define QPLUG_COMPAT_OPTIONS_INIT                                                                  \
    { QPLUG_COMPAT_OPTIONS_VERSION, QPLUG_RULES_INSTALLER, 1, 0 }
#define QPLUG_PARSE_OPTIONS_INIT                                                                   \
    { QPLUG_PARSE_OPTIONS_VERSION, QPLUG_KEYS_QGIS, 0, NULL }
#define QPLUG_VALIDATE_OPTIONS_INIT                                                                \
    { QPLUG_VALIDATE_OPTIONS_VERSION, QPLUG_PROFILE_QGIS, 0, NULL }
#define QPLUG_PACKAGE_OPTIONS_INIT                                                                 \
    { QPLUG_PACKAGE_OPTIONS_VERSION, QPLUG_PROFILE_SITE, 0, NULL, 0, 0 }
#define QPLUG_REPOSITORY_OPTIONS_INIT                                                              \
    { QPLUG_REPOSITORY_OPTIONS_VERSION, 0, 0, 0, NULL, NULL }
#define QPLUG_SYNC_OPTIONS_INIT                                                                    \
    { QPLUG_SYNC_OPTIONS_VERSION, NULL, 0, NULL, NULL }
#define QPLUG_TARGET_OPTIONS_INIT                                                                  \
    { QPLUG_TARGET_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL }
#define QPLUG_APPLY_OPTIONS_INIT                                                                   \
    { QPLUG_APPLY_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, 0, 0 }
#define QPLUG_SOURCE_KIND_INIT                                                                     \
    { QPLUG_SOURCE_KIND_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }
#define QPLUG_RESOLVE_OPTIONS_INIT                                                                 \
    {                                                                                              \
        QPLUG_RESOLVE_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, \
            NULL, 0                                                                                \
    }

#ifdef __cplusplus
}
#endif

#endif /* QPLUG_H */
