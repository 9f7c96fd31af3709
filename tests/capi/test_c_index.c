/* The plugin manager through the C ABI (issue 16), as a C99 program with POSIX threads sees
 * it: an index opened and filled through the library alone (repositories added, synced with
 * progress, cancelled mid-sync), queried, a profile as the target, a resolution applied with
 * progress and cancellation, plugins enabled, lock files, and a sync in one thread while
 * another searches. Built with -std=c99 -Wall -Wextra -pedantic -Werror.
 * Usage: test_c_index BUNDLED_PLUGINS SCRATCH_DIR
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <qplug.h>

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__,      \
                    #cond, qplug_error_last()->message);                                           \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static char plugins[4096]; /* PATH_MAX: realpath() writes it */
static char scratch[512];

static void path_of(char *out, const char *relative) {
    snprintf(out, 1024, "%s/%s", scratch, relative);
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Copies a bundled plugin ZIP into a folder of the scratch folder. */
static void copy_zip(const char *name, const char *folder) {
    char from[2048], to[2048], buffer[8192];
    FILE *in, *out;
    size_t n;
    snprintf(from, sizeof from, "%.1000s/%s", plugins, name);
    snprintf(to, sizeof to, "%s/%s/%s", scratch, folder, name);
    in = fopen(from, "rb");
    out = fopen(to, "wb");
    CHECK(in != NULL && out != NULL);
    while (in != NULL && out != NULL && (n = fread(buffer, 1, sizeof buffer, in)) > 0) {
        CHECK(fwrite(buffer, 1, n, out) == n);
    }
    if (in != NULL) {
        fclose(in);
    }
    if (out != NULL) {
        fclose(out);
    }
}

static char *file_text(const char *path) {
    FILE *f = fopen(path, "rb");
    char *text;
    size_t n;
    if (f == NULL) {
        return NULL;
    }
    text = calloc(1, 1 << 16);
    n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* ---- NULL and garbage arguments: codes, never a crash -------------------------------- */

static void test_arguments(void) {
    qplug_index *index = (qplug_index *)1;
    qplug_target *target = (qplug_target *)1;
    qplug_sync *sync = (qplug_sync *)1;
    qplug_packages *packages = (qplug_packages *)1;
    qplug_repositories *repositories = (qplug_repositories *)1;
    qplug_resolution *resolution = (qplug_resolution *)1;
    qplug_applied *applied = (qplug_applied *)1;
    char *json = (char *)1;
    const char *null_name[] = {NULL};
    qplug_repository_options ro;
    qplug_sync_options so;
    qplug_target_options to;
    qplug_apply_options ao;
    const qplug_repository_options ro_init = QPLUG_REPOSITORY_OPTIONS_INIT;
    const qplug_sync_options so_init = QPLUG_SYNC_OPTIONS_INIT;
    const qplug_target_options to_init = QPLUG_TARGET_OPTIONS_INIT;
    const qplug_apply_options ao_init = QPLUG_APPLY_OPTIONS_INIT;

    /* Options: _init and the macros agree; a NULL struct or an unknown version is refused. */
    CHECK(qplug_repository_options_init(&ro, QPLUG_REPOSITORY_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(ro.version == ro_init.version && ro.priority == 0 && ro.disabled == 0 &&
          ro.is_protected == 0 && ro.credentials == NULL && ro.options_json == NULL);
    CHECK(qplug_sync_options_init(&so, QPLUG_SYNC_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(so.version == so_init.version && so.progress == NULL && so.force == 0);
    CHECK(qplug_target_options_init(&to, QPLUG_TARGET_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(to.version == to_init.version && to.profile == NULL && to.profiles_path == NULL &&
          to.plugins_dir == NULL && to.python_exe == NULL && to.conda_prefix == NULL);
    CHECK(qplug_apply_options_init(&ao, QPLUG_APPLY_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(ao.version == ao_init.version && ao.dry_run == 0 && ao.progress == NULL);
    CHECK(qplug_repository_options_init(NULL, 1) == QPLUG_EINVALID);
    CHECK(qplug_sync_options_init(NULL, 1) == QPLUG_EINVALID);
    CHECK(qplug_target_options_init(NULL, 1) == QPLUG_EINVALID);
    CHECK(qplug_apply_options_init(NULL, 1) == QPLUG_EINVALID);
    CHECK(qplug_repository_options_init(&ro, 99) == QPLUG_EINVALID);
    CHECK(qplug_sync_options_init(&so, 0) == QPLUG_EINVALID);
    CHECK(qplug_target_options_init(&to, 7) == QPLUG_EINVALID);
    CHECK(qplug_apply_options_init(&ao, 2) == QPLUG_EINVALID);

    /* Entry points: NULL out or handle is QPLUG_EINVALID, and *out is NULL. */
    CHECK(qplug_index_open(NULL, NULL, QPLUG_INDEX_READ_ONLY) == QPLUG_EINVALID);
    CHECK(qplug_index_open(&index, "/nonexistent/x.sqlite", 5) == QPLUG_EINVALID && !index);
    index = (qplug_index *)1;
    CHECK(qplug_index_open(&index, "/nonexistent/qplug/x.sqlite", QPLUG_INDEX_READ_ONLY) ==
              QPLUG_ENOTFOUND &&
          index == NULL);
    CHECK(qplug_index_add_repository(&json, NULL, "a", "b", NULL, NULL) == QPLUG_EINVALID);
    CHECK(json == NULL);
    CHECK(qplug_index_remove_repository(NULL, "a", 0) == QPLUG_EINVALID);
    CHECK(qplug_index_enable_repository(NULL, "a", 1) == QPLUG_EINVALID);
    CHECK(qplug_index_repositories(&repositories, NULL) == QPLUG_EINVALID && !repositories);
    CHECK(qplug_index_repositories(NULL, NULL) == QPLUG_EINVALID);
    CHECK(qplug_index_sync(&sync, NULL, NULL, 0, NULL) == QPLUG_EINVALID && sync == NULL);
    CHECK(qplug_index_sync(NULL, NULL, NULL, 0, NULL) == QPLUG_EINVALID);
    CHECK(qplug_index_search(&packages, NULL, "x") == QPLUG_EINVALID && packages == NULL);
    CHECK(qplug_index_available(NULL, NULL, NULL) == QPLUG_EINVALID);
    json = (char *)1;
    CHECK(qplug_index_info(&json, NULL, "x", NULL) == QPLUG_EINVALID && json == NULL);
    CHECK(qplug_target_open(NULL, NULL) == QPLUG_EINVALID);
    to.version = 42;
    CHECK(qplug_target_open(&target, &to) == QPLUG_EINVALID && target == NULL);
    packages = (qplug_packages *)1;
    CHECK(qplug_target_installed(&packages, NULL, NULL, 0) == QPLUG_EINVALID && !packages);
    CHECK(qplug_target_enable(NULL, NULL, NULL, 0, 1) == QPLUG_EINVALID);
    CHECK(qplug_index_resolve(&resolution, NULL, NULL, QPLUG_ACTION_INSTALL, NULL, 0, NULL) ==
              QPLUG_EINVALID &&
          resolution == NULL);
    CHECK(qplug_resolution_apply(&applied, NULL, NULL, NULL, NULL) == QPLUG_EINVALID);
    CHECK(applied == NULL);
    CHECK(qplug_resolution_write_lock(NULL, "x") == QPLUG_EINVALID);
    json = (char *)1;
    CHECK(qplug_lock_file_read(&json, NULL) == QPLUG_EINVALID && json == NULL);
    CHECK(qplug_lock_file_read(NULL, "x") == QPLUG_EINVALID);
    CHECK(qplug_repositories_to_json(NULL, NULL) == QPLUG_EINVALID);
    CHECK(qplug_sync_to_json(&json, NULL) == QPLUG_EINVALID);
    CHECK(qplug_packages_to_json(&json, NULL) == QPLUG_EINVALID);
    CHECK(qplug_applied_to_json(&json, NULL) == QPLUG_EINVALID);
    (void)null_name;

    /* Getters of NULL handles: NULL, 0 or -1, and the last error cleared. */
    CHECK(qplug_index_path(NULL) == NULL && qplug_error_last()->code == QPLUG_OK);
    CHECK(qplug_repositories_count(NULL) == 0 && qplug_repositories_name(NULL, 0) == NULL);
    CHECK(qplug_repositories_kind(NULL, 0) == NULL && qplug_repositories_url(NULL, 0) == NULL);
    CHECK(qplug_repositories_enabled(NULL, 0) == 0);
    CHECK(qplug_repositories_last_sync(NULL, 0) == NULL);
    CHECK(qplug_repositories_last_error(NULL, 0) == NULL);
    CHECK(qplug_sync_count(NULL) == 0 && qplug_sync_repository(NULL, 0) == NULL);
    CHECK(qplug_sync_error(NULL, 0) == NULL && qplug_sync_not_modified(NULL, 0) == 0);
    CHECK(qplug_sync_packages(NULL, 0) == 0 && qplug_sync_releases(NULL, 0) == 0);
    CHECK(qplug_packages_count(NULL) == 0 && qplug_packages_name(NULL, 0) == NULL);
    CHECK(qplug_packages_display_name(NULL, 0) == NULL);
    CHECK(qplug_packages_version(NULL, 0) == NULL && qplug_packages_backend(NULL, 0) == NULL);
    CHECK(qplug_packages_repository(NULL, 0) == NULL && qplug_packages_summary(NULL, 0) == NULL);
    CHECK(qplug_packages_enabled(NULL, 0) == -1);
    CHECK(qplug_target_kind(NULL) == -1 && qplug_target_root(NULL) == NULL);
    CHECK(qplug_target_plugins_dir(NULL) == NULL && qplug_target_describe(NULL) == NULL);
    CHECK(qplug_resolution_step_display_name(NULL, 0) == NULL);
    CHECK(qplug_resolution_step_requested(NULL, 0) == 0);
    CHECK(qplug_resolution_load_order_count(NULL) == 0);
    CHECK(qplug_resolution_load_order(NULL, 0) == NULL);
    CHECK(qplug_resolution_qgis_version(NULL) == NULL);
    CHECK(qplug_resolution_python_version(NULL) == NULL);
    CHECK(qplug_resolution_platform(NULL) == NULL);
    CHECK(qplug_applied_count(NULL) == 0 && qplug_applied_action(NULL, 0) == NULL);
    CHECK(qplug_applied_backend(NULL, 0) == NULL && qplug_applied_name(NULL, 0) == NULL);
    CHECK(qplug_applied_version(NULL, 0) == NULL && qplug_applied_path(NULL, 0) == NULL);
    CHECK(qplug_applied_done(NULL, 0) == 0 && qplug_applied_enabled_count(NULL) == 0);
    CHECK(qplug_applied_enabled(NULL, 0) == NULL);
    CHECK(strcmp(qplug_strerror(QPLUG_ECANCELED), "cancelled") == 0);
    qplug_index_close(NULL);
    qplug_repositories_free(NULL);
    qplug_sync_free(NULL);
    qplug_packages_free(NULL);
    qplug_target_free(NULL);
    qplug_applied_free(NULL);
}

/* ---- progress ---------------------------------------------------------------------------- */

struct progress_log {
    int phases[4];             /* reports per phase */
    unsigned long long stored; /* the last STORE report's done */
    unsigned long long total;  /* and its total */
    int cancel_phase;          /* -1: never cancel */
    unsigned long long cancel_at;
    int cancelled;
    const char *cancel_name; /* NULL: any */
    char last_name[256];
};

static int record_progress(void *user_data, const qplug_progress *p) {
    struct progress_log *log = user_data;
    CHECK(p != NULL && p->name != NULL && p->phase >= 0 && p->phase <= 3);
    if (p == NULL || p->phase < 0 || p->phase > 3) {
        return 1;
    }
    ++log->phases[p->phase];
    snprintf(log->last_name, sizeof log->last_name, "%s", p->name);
    if (p->phase == QPLUG_PHASE_STORE) {
        CHECK(p->done <= p->total);
        log->stored = p->done;
        log->total = p->total;
    }
    if (p->phase == log->cancel_phase && p->done >= log->cancel_at &&
        (log->cancel_name == NULL || strcmp(log->cancel_name, p->name) == 0)) {
        ++log->cancelled;
        return 1;
    }
    return 0;
}

static void new_log(struct progress_log *log, int cancel_phase, unsigned long long at) {
    memset(log, 0, sizeof *log);
    log->cancel_phase = cancel_phase;
    log->cancel_at = at;
}

static qplug_sync *sync_with(qplug_index *index, const char *name, struct progress_log *log,
                             int force, int expected) {
    qplug_sync_options options = QPLUG_SYNC_OPTIONS_INIT;
    qplug_sync *sync = (qplug_sync *)1;
    const char *names[1];
    names[0] = name;
    options.qgis_version = "3.22.16";
    options.force = force;
    options.progress = record_progress;
    options.user_data = log;
    CHECK(qplug_index_sync(&sync, index, names, name != NULL ? 1 : 0, &options) == expected);
    return sync;
}

/* The index's packages and repositories as JSON: what must not change when a sync is
 * cancelled. */
static char *snapshot(qplug_index *index) {
    qplug_packages *all = NULL;
    qplug_repositories *repos = NULL;
    char *a = NULL, *b = NULL, *both;
    CHECK(qplug_index_search(&all, index, "") == QPLUG_OK);
    CHECK(qplug_packages_to_json(&a, all) == QPLUG_OK);
    CHECK(qplug_index_repositories(&repos, index) == QPLUG_OK);
    CHECK(qplug_repositories_to_json(&b, repos) == QPLUG_OK);
    both = malloc(strlen(a) + strlen(b) + 1);
    strcpy(both, a);
    strcat(both, b);
    qplug_free(a);
    qplug_free(b);
    qplug_packages_free(all);
    qplug_repositories_free(repos);
    return both;
}

static size_t package_count(qplug_index *index) {
    qplug_packages *all = NULL;
    size_t n;
    CHECK(qplug_index_search(&all, index, "") == QPLUG_OK);
    n = qplug_packages_count(all);
    qplug_packages_free(all);
    return n;
}

/* ---- repositories, sync, queries ----------------------------------------------------- */

static void test_repositories(qplug_index *index) {
    char *json = NULL;
    qplug_repositories *repos = NULL;
    qplug_repository_options options = QPLUG_REPOSITORY_OPTIONS_INIT;
    qplug_sync *sync;
    struct progress_log log;
    qplug_packages *found = NULL;
    size_t i;
    int kart = 0;

    CHECK(qplug_index_repositories(&repos, index) == QPLUG_OK);
    CHECK(qplug_repositories_count(repos) == 0);
    qplug_repositories_free(repos);

    options.priority = 5;
    CHECK(qplug_index_add_repository(&json, index, "bundled", plugins, "folder", &options) ==
          QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"kind\": \"folder\"") != NULL &&
          strstr(json, "\"priority\": 5") != NULL);
    qplug_free(json);
    json = (char *)1;
    /* A second repository of that name, an unknown kind, a bad setting: refused. */
    CHECK(qplug_index_add_repository(&json, index, "bundled", plugins, "folder", NULL) ==
              QPLUG_EINVALID &&
          json == NULL);
    CHECK(qplug_index_add_repository(NULL, index, "x", plugins, "svn", NULL) == QPLUG_ENOTFOUND);
    CHECK(strstr(qplug_error_last()->message, "unknown kind 'svn'") != NULL);
    options.version = 9;
    CHECK(qplug_index_add_repository(NULL, index, "x", plugins, "folder", &options) ==
          QPLUG_EINVALID);
    CHECK(qplug_index_add_repository(NULL, index, "x", NULL, "folder", NULL) == QPLUG_EINVALID);

    CHECK(qplug_index_repositories(&repos, index) == QPLUG_OK);
    CHECK(qplug_repositories_count(repos) == 1);
    CHECK(strcmp(qplug_repositories_name(repos, 0), "bundled") == 0);
    CHECK(strcmp(qplug_repositories_kind(repos, 0), "folder") == 0);
    CHECK(strcmp(qplug_repositories_url(repos, 0), plugins) == 0);
    CHECK(qplug_repositories_enabled(repos, 0) == 1);
    CHECK(strcmp(qplug_repositories_last_sync(repos, 0), "") == 0);
    CHECK(strcmp(qplug_repositories_last_error(repos, 0), "") == 0);
    CHECK(qplug_repositories_name(repos, 1) == NULL);
    CHECK(qplug_repositories_to_json(&json, repos) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"repositories\": [") != NULL);
    qplug_free(json);
    qplug_repositories_free(repos);

    /* A sync reports its progress: bytes of ZIPs read, then packages stored, to the end. */
    new_log(&log, -1, 0);
    sync = sync_with(index, NULL, &log, 0, QPLUG_OK);
    CHECK(log.phases[QPLUG_PHASE_FETCH] > 0 && log.phases[QPLUG_PHASE_STORE] > 0);
    CHECK(log.stored > 0 && log.stored == log.total);
    CHECK(strcmp(log.last_name, "bundled") == 0);
    CHECK(qplug_sync_count(sync) == 1);
    CHECK(strcmp(qplug_sync_repository(sync, 0), "bundled") == 0);
    CHECK(qplug_sync_error(sync, 0) == NULL && qplug_sync_not_modified(sync, 0) == 0);
    CHECK(qplug_sync_packages(sync, 0) == log.total && qplug_sync_releases(sync, 0) >= 16);
    CHECK(qplug_sync_repository(sync, 1) == NULL && qplug_sync_packages(sync, 1) == 0);
    CHECK(qplug_sync_to_json(&json, sync) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"synced\": [") != NULL &&
          strstr(json, "\"repository\": \"bundled\"") != NULL);
    qplug_free(json);
    qplug_sync_free(sync);
    /* Unchanged: not modified. A repository that does not exist: its outcome says so. */
    new_log(&log, -1, 0);
    sync = sync_with(index, "bundled", &log, 0, QPLUG_OK);
    CHECK(qplug_sync_not_modified(sync, 0) == 1);
    qplug_sync_free(sync);
    sync = sync_with(index, "nope", &log, 0, QPLUG_OK);
    CHECK(qplug_sync_count(sync) == 1 && qplug_sync_error(sync, 0) != NULL &&
          strstr(qplug_sync_error(sync, 0), "not configured") != NULL);
    qplug_sync_free(sync);

    /* Queries. */
    CHECK(qplug_index_search(&found, index, "kart") == QPLUG_OK);
    for (i = 0; i < qplug_packages_count(found); ++i) {
        if (strcmp(qplug_packages_name(found, i), "kart") == 0) {
            kart = 1;
            CHECK(strcmp(qplug_packages_display_name(found, i), "Kart") == 0);
            CHECK(strcmp(qplug_packages_version(found, i), "1.0.10") == 0);
            CHECK(strcmp(qplug_packages_backend(found, i), "legacy") == 0);
            CHECK(strcmp(qplug_packages_repository(found, i), "bundled") == 0);
            CHECK(qplug_packages_summary(found, i) != NULL);
            CHECK(qplug_packages_enabled(found, i) == -1);
        }
    }
    CHECK(kart == 1);
    CHECK(qplug_packages_to_json(&json, found) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"query\": \"kart\"") != NULL);
    qplug_free(json);
    qplug_packages_free(found);
    CHECK(qplug_index_search(&found, index, "no such plugin anywhere") == QPLUG_OK);
    CHECK(qplug_packages_count(found) == 0);
    qplug_packages_free(found);

    CHECK(qplug_index_available(&found, index, "3.22.16") == QPLUG_OK);
    CHECK(qplug_packages_count(found) >= 10);
    for (i = 0; i < qplug_packages_count(found); ++i) {
        if (strcmp(qplug_packages_name(found, i), "koordinates") == 0) {
            CHECK(strcmp(qplug_packages_version(found, i), "2.1.0") == 0);
        }
        if (strcmp(qplug_packages_name(found, i), "Qgis2threejs") == 0) {
            CHECK(strcmp(qplug_packages_version(found, i), "") == 0); /* QGIS 4 only */
        }
    }
    CHECK(qplug_packages_to_json(&json, found) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"qgis\": \"3.22.16\"") != NULL);
    qplug_free(json);
    qplug_packages_free(found);

    json = NULL;
    CHECK(qplug_index_info(&json, index, "Koordinates", "3.22.16") == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"stable\": \"2.1.0\"") != NULL &&
          strstr(json, "\"target\": \"Kart\"") != NULL);
    qplug_free(json);
    json = (char *)1;
    CHECK(qplug_index_info(&json, index, "No Such Plugin", NULL) == QPLUG_ENOTFOUND);
    CHECK(json == NULL);

    /* Disabled, a repository's packages are gone from the queries; enabled, they are back. */
    CHECK(qplug_index_enable_repository(index, "bundled", 0) == QPLUG_OK);
    CHECK(package_count(index) == 0);
    CHECK(qplug_index_enable_repository(index, "bundled", 1) == QPLUG_OK);
    CHECK(package_count(index) > 0);
    CHECK(qplug_index_enable_repository(index, "nope", 1) == QPLUG_ENOTFOUND);
    CHECK(qplug_index_remove_repository(index, "nope", 0) == QPLUG_ENOTFOUND);
}

/* A cancelled sync leaves the index exactly as it was (its repository's packages, its last
 * sync and last error); syncs before it in the same call keep what they did. */
static void test_cancel_sync(qplug_index *index) {
    char folder[1024], *before, *after;
    struct progress_log log;
    qplug_sync *sync;
    const char *both[2];
    qplug_sync_options options = QPLUG_SYNC_OPTIONS_INIT;

    path_of(folder, "moving");
    CHECK(mkdir(folder, 0755) == 0);
    copy_zip("kart.1.0.10.zip", "moving");
    copy_zip("koordinates.2.1.0.zip", "moving");
    copy_zip("french_locator_filter.0.2.zip", "moving");
    CHECK(qplug_index_add_repository(NULL, index, "moving", folder, "folder", NULL) == QPLUG_OK);
    new_log(&log, -1, 0);
    sync = sync_with(index, "moving", &log, 0, QPLUG_OK);
    CHECK(qplug_sync_packages(sync, 0) == 3);
    qplug_sync_free(sync);
    before = snapshot(index);

    copy_zip("profiletool.4.3.3.zip", "moving");
    copy_zip("a00_qpip.dev.zip", "moving");
    /* Stopped while packages are being stored: inside the transaction. */
    new_log(&log, QPLUG_PHASE_STORE, 2);
    sync = sync_with(index, "moving", &log, 0, QPLUG_ECANCELED);
    CHECK(sync == NULL && log.cancelled == 1 && log.stored == 2 && log.total == 5);
    CHECK(strstr(qplug_error_last()->message, "keeps its previous contents") != NULL);
    after = snapshot(index);
    CHECK(strcmp(before, after) == 0);
    free(after);
    /* Stopped while the ZIPs are read. */
    new_log(&log, QPLUG_PHASE_FETCH, 0);
    sync = sync_with(index, "moving", &log, 1, QPLUG_ECANCELED);
    CHECK(sync == NULL && log.cancelled == 1 && log.phases[QPLUG_PHASE_STORE] == 0);
    after = snapshot(index);
    CHECK(strcmp(before, after) == 0);
    free(after);
    /* Two repositories, the second stopped: the first keeps its sync, the message says so. */
    new_log(&log, QPLUG_PHASE_STORE, 1);
    log.cancel_name = "moving";
    both[0] = "bundled";
    both[1] = "moving";
    options.qgis_version = "3.22.16";
    options.force = 1;
    options.progress = record_progress;
    options.user_data = &log;
    sync = (qplug_sync *)1;
    CHECK(qplug_index_sync(&sync, index, both, 2, &options) == QPLUG_ECANCELED && sync == NULL);
    CHECK(strstr(qplug_error_last()->message, "synced before it: bundled") != NULL);
    CHECK(log.cancelled == 1);
    /* Then it syncs. */
    new_log(&log, -1, 0);
    sync = sync_with(index, "moving", &log, 0, QPLUG_OK);
    CHECK(qplug_sync_packages(sync, 0) == 5);
    qplug_sync_free(sync);
    free(before);
}

/* ---- a sync in one thread while another searches -------------------------------------- */

struct reader {
    qplug_index *index; /* the same handle the sync runs on */
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    int go, done;
    size_t seen;
    int rc;
};

static void *search_when_asked(void *arg) {
    struct reader *r = arg;
    qplug_packages *all = NULL;
    pthread_mutex_lock(&r->mutex);
    while (!r->go) {
        pthread_cond_wait(&r->changed, &r->mutex);
    }
    pthread_mutex_unlock(&r->mutex);
    r->rc = qplug_index_search(&all, r->index, "");
    pthread_mutex_lock(&r->mutex);
    r->seen = qplug_packages_count(all);
    r->done = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->mutex);
    qplug_packages_free(all);
    return NULL;
}

struct midway {
    struct reader *reader;
    int asked;
    int answered; /* the search finished while the sync's transaction was open */
};

/* At the first package stored (the sync's write transaction is open), let the other thread
 * search and wait for its answer (at most 10 s: a search blocked by the sync would fail). */
static int search_midway(void *user_data, const qplug_progress *p) {
    struct midway *m = user_data;
    struct timespec deadline;
    if (p->phase != QPLUG_PHASE_STORE || m->asked) {
        return 0;
    }
    m->asked = 1;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&m->reader->mutex);
    m->reader->go = 1;
    pthread_cond_broadcast(&m->reader->changed);
    while (!m->reader->done) {
        if (pthread_cond_timedwait(&m->reader->changed, &m->reader->mutex, &deadline) ==
            ETIMEDOUT) {
            break;
        }
    }
    m->answered = m->reader->done;
    pthread_mutex_unlock(&m->reader->mutex);
    return 0;
}

struct looping_search {
    qplug_index *index;
    volatile int stop;
    size_t low, high; /* the counts a search may see */
    int searches, wrong;
};

static void *search_in_a_loop(void *arg) {
    struct looping_search *s = arg;
    while (!s->stop) {
        qplug_packages *all = NULL;
        size_t n;
        if (qplug_index_search(&all, s->index, "") != QPLUG_OK) {
            ++s->wrong;
            break;
        }
        n = qplug_packages_count(all);
        s->wrong += n != s->low && n != s->high;
        ++s->searches;
        qplug_packages_free(all);
    }
    return NULL;
}

static void test_threads(qplug_index *index) {
    struct reader reader;
    struct midway midway;
    pthread_t thread;
    qplug_sync_options options = QPLUG_SYNC_OPTIONS_INIT;
    qplug_sync *sync = NULL;
    const char *moving[] = {"moving"};
    size_t before = package_count(index);
    struct looping_search loop;
    int i;

    memset(&reader, 0, sizeof reader);
    reader.index = index;
    pthread_mutex_init(&reader.mutex, NULL);
    pthread_cond_init(&reader.changed, NULL);
    memset(&midway, 0, sizeof midway);
    midway.reader = &reader;
    CHECK(pthread_create(&thread, NULL, search_when_asked, &reader) == 0);
    copy_zip("mapillary2qgis4all.0.1.zip", "moving");
    options.progress = search_midway;
    options.user_data = &midway;
    options.qgis_version = "3.22.16";
    CHECK(qplug_index_sync(&sync, index, moving, 1, &options) == QPLUG_OK);
    CHECK(qplug_sync_error(sync, 0) == NULL && qplug_sync_packages(sync, 0) == 6);
    qplug_sync_free(sync);
    pthread_join(thread, NULL);
    /* The search ran to its end while the sync was writing, and saw the index as it was. */
    CHECK(midway.asked == 1 && midway.answered == 1);
    CHECK(reader.rc == QPLUG_OK && reader.seen == before);
    CHECK(package_count(index) == before + 1);
    pthread_mutex_destroy(&reader.mutex);
    pthread_cond_destroy(&reader.changed);

    /* Syncs (forced, so each rewrites the repository) while another thread keeps searching:
     * every search sees a whole index, before or after. */
    memset(&loop, 0, sizeof loop);
    loop.index = index;
    loop.low = loop.high = package_count(index);
    CHECK(pthread_create(&thread, NULL, search_in_a_loop, &loop) == 0);
    options.progress = NULL;
    options.force = 1;
    for (i = 0; i < 5; ++i) {
        CHECK(qplug_index_sync(&sync, index, moving, 1, &options) == QPLUG_OK);
        qplug_sync_free(sync);
    }
    loop.stop = 1;
    pthread_join(thread, NULL);
    CHECK(loop.wrong == 0 && loop.searches > 0);
}

/* ---- a target: resolve, apply, enable, lock files -------------------------------------- */

static long step_of(const qplug_resolution *r, const char *name) {
    size_t i;
    for (i = 0; i < qplug_resolution_step_count(r); ++i) {
        if (strcmp(qplug_resolution_step_name(r, i), name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static qplug_resolution *resolve(qplug_index *index, qplug_target *target, int action,
                                 const char *request) {
    qplug_resolve_options options;
    qplug_resolution *r = NULL;
    const char *requests[1];
    requests[0] = request;
    CHECK(qplug_resolve_options_init(&options, QPLUG_RESOLVE_OPTIONS_VERSION) == QPLUG_OK);
    options.qgis_version = "3.22.16";
    options.python_exe = "none";
    CHECK(qplug_index_resolve(&r, index, target, action, requests, 1, &options) == QPLUG_OK);
    return r;
}

static void test_target(qplug_index *index) {
    char profile[1024], path[2048], lock[1024], *json = NULL, *text;
    qplug_target_options to = QPLUG_TARGET_OPTIONS_INIT;
    qplug_target *target = NULL, *server = NULL;
    qplug_packages *installed = NULL;
    qplug_resolution *r, *again;
    qplug_applied *applied = NULL;
    qplug_apply_options ao = QPLUG_APPLY_OPTIONS_INIT;
    struct progress_log log;
    const char *kart[] = {"kart"};
    const char *missing[] = {"not_installed"};
    const char *bad[] = {"../x"};
    size_t i;

    path_of(profile, "profiles/work");
    to.profile = profile;
    to.python_exe = "none";
    CHECK(qplug_target_open(&target, &to) == QPLUG_OK);
    CHECK(qplug_target_kind(target) == QPLUG_TARGET_PROFILE);
    CHECK(strcmp(qplug_target_root(target), profile) == 0);
    snprintf(path, sizeof path, "%s/python/plugins", profile);
    CHECK(strcmp(qplug_target_plugins_dir(target), path) == 0);
    CHECK(strstr(qplug_target_describe(target), "profile 'work'") != NULL);
    CHECK(qplug_target_installed(&installed, target, "3.22.16", 0) == QPLUG_OK);
    CHECK(qplug_packages_count(installed) == 0);
    qplug_packages_free(installed);

    /* Nothing installed, nothing to upgrade: an empty plan applies as nothing done. */
    CHECK(qplug_index_resolve(&r, index, target, QPLUG_ACTION_UPGRADE, NULL, 0, NULL) == QPLUG_OK);
    CHECK(r != NULL && qplug_resolution_solved(r) == 1 && qplug_resolution_step_count(r) == 0);
    CHECK(qplug_resolution_apply(&applied, r, index, target, NULL) == QPLUG_OK);
    CHECK(qplug_applied_count(applied) == 0 && qplug_applied_enabled_count(applied) == 0);
    qplug_applied_free(applied);
    applied = NULL;
    qplug_resolution_free(r);

    /* The plan: Kart, which Koordinates needs, first. */
    r = resolve(index, target, QPLUG_ACTION_INSTALL, "Koordinates");
    CHECK(r != NULL && qplug_resolution_solved(r) == 1 && qplug_resolution_step_count(r) == 2);
    CHECK(step_of(r, "kart") == 0 && step_of(r, "koordinates") == 1);
    CHECK(strcmp(qplug_resolution_step_display_name(r, 1), "Koordinates") == 0);
    CHECK(qplug_resolution_step_requested(r, 0) == 0 && qplug_resolution_step_requested(r, 1));
    CHECK(qplug_resolution_load_order_count(r) == 2);
    CHECK(strcmp(qplug_resolution_load_order(r, 0), "kart") == 0);
    CHECK(strcmp(qplug_resolution_load_order(r, 1), "koordinates") == 0);
    CHECK(qplug_resolution_load_order(r, 2) == NULL);
    CHECK(strcmp(qplug_resolution_qgis_version(r), "3.22.16") == 0);
    CHECK(qplug_resolution_python_version(r) != NULL && qplug_resolution_platform(r) != NULL);

    /* Cancelled at its first step report: nothing is installed. */
    new_log(&log, QPLUG_PHASE_DOWNLOAD, 0);
    ao.progress = record_progress;
    ao.user_data = &log;
    CHECK(qplug_resolution_apply(&applied, r, index, target, &ao) == QPLUG_ECANCELED);
    CHECK(applied == NULL && log.cancelled >= 1);
    snprintf(path, sizeof path, "%s/python/plugins/kart", profile);
    CHECK(!exists(path));

    /* A dry run changes nothing; an apply installs both and enables them. */
    new_log(&log, -1, 0);
    ao.dry_run = 1;
    CHECK(qplug_resolution_apply(&applied, r, index, target, &ao) == QPLUG_OK);
    CHECK(qplug_applied_count(applied) == 2 && qplug_applied_done(applied, 0) == 0);
    CHECK(!exists(path));
    qplug_applied_free(applied);
    applied = NULL;
    ao.dry_run = 0;
    new_log(&log, -1, 0);
    CHECK(qplug_resolution_apply(&applied, r, index, target, &ao) == QPLUG_OK);
    CHECK(log.phases[QPLUG_PHASE_STEP] == 2 && log.phases[QPLUG_PHASE_DOWNLOAD] > 0);
    CHECK(qplug_applied_count(applied) == 2);
    for (i = 0; i < qplug_applied_count(applied); ++i) {
        CHECK(strcmp(qplug_applied_action(applied, i), "install") == 0);
        CHECK(strcmp(qplug_applied_backend(applied, i), "legacy") == 0);
        CHECK(qplug_applied_done(applied, i) == 1);
        CHECK(strstr(qplug_applied_path(applied, i), qplug_applied_name(applied, i)) != NULL);
    }
    CHECK(strcmp(qplug_applied_name(applied, 0), "kart") == 0);
    CHECK(strcmp(qplug_applied_version(applied, 0), "1.0.10") == 0);
    CHECK(qplug_applied_name(applied, 2) == NULL);
    CHECK(qplug_applied_enabled_count(applied) == 2);
    CHECK(strcmp(qplug_applied_enabled(applied, 0), "kart") == 0);
    CHECK(qplug_applied_enabled(applied, 2) == NULL);
    CHECK(qplug_applied_to_json(&json, applied) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"applied\": [") != NULL &&
          strstr(json, "\"dry_run\": false") != NULL);
    qplug_free(json);
    qplug_applied_free(applied);
    applied = NULL;
    CHECK(exists(path));
    snprintf(path, sizeof path, "%s/QGIS/QGIS3.ini", profile);
    text = file_text(path);
    CHECK(text != NULL && strstr(text, "kart=true") != NULL &&
          strstr(text, "koordinates=true") != NULL);
    free(text);

    /* The same resolution again: the target changed, the plan would not be the same. */
    CHECK(qplug_resolution_apply(&applied, r, index, target, &ao) == QPLUG_EINVALID);
    CHECK(applied == NULL && strstr(qplug_error_last()->message, "resolve again") != NULL);

    /* Lock files. */
    path_of(lock, "qplug.lock");
    CHECK(qplug_resolution_write_lock(r, lock) == QPLUG_OK);
    CHECK(qplug_lock_file_read(&json, lock) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"name\": \"koordinates\"") != NULL &&
          strstr(json, "\"requests\": [") != NULL);
    qplug_free(json);
    json = (char *)1;
    path_of(path, "no.lock");
    CHECK(qplug_lock_file_read(&json, path) == QPLUG_EIO && json == NULL);
    snprintf(path, sizeof path, "%s/QGIS/QGIS3.ini", profile);
    CHECK(qplug_lock_file_read(&json, path) == QPLUG_EINVALID && json == NULL);
    qplug_resolution_free(r);

    /* No solution: nothing to apply, no lock file. */
    r = resolve(index, target, QPLUG_ACTION_INSTALL, "Koordinates==99");
    CHECK(r != NULL && qplug_resolution_solved(r) == 0);
    CHECK(qplug_resolution_apply(&applied, r, index, target, NULL) == QPLUG_EUNSAT);
    CHECK(qplug_resolution_write_lock(r, lock) == QPLUG_EUNSAT);
    qplug_resolution_free(r);

    /* What is installed, enabled; disabled; enabled again. */
    CHECK(qplug_target_installed(&installed, target, "3.22.16", 0) == QPLUG_OK);
    CHECK(qplug_packages_count(installed) == 2);
    for (i = 0; i < qplug_packages_count(installed); ++i) {
        CHECK(qplug_packages_enabled(installed, i) == 1);
    }
    CHECK(qplug_packages_to_json(&json, installed) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"installed\": [") != NULL);
    qplug_free(json);
    qplug_packages_free(installed);
    CHECK(qplug_target_enable(&json, target, kart, 1, 0) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"enabled\": false") != NULL);
    qplug_free(json);
    CHECK(qplug_target_installed(&installed, target, "3.22.16", 0) == QPLUG_OK);
    CHECK(strcmp(qplug_packages_name(installed, 0), "kart") == 0);
    CHECK(qplug_packages_enabled(installed, 0) == 0 && qplug_packages_enabled(installed, 1) == 1);
    qplug_packages_free(installed);
    CHECK(qplug_target_enable(NULL, target, kart, 1, 1) == QPLUG_OK);
    CHECK(qplug_target_enable(NULL, target, missing, 1, 1) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "not installed") != NULL);
    CHECK(qplug_target_enable(NULL, target, bad, 1, 1) == QPLUG_EINVALID);

    /* A plugins folder has no settings to enable plugins in; the resolution of one target is
     * not applied to another. */
    path_of(path, "server/plugins");
    to.profile = NULL;
    to.plugins_dir = path;
    CHECK(qplug_target_open(&server, &to) == QPLUG_OK);
    CHECK(qplug_target_kind(server) == QPLUG_TARGET_PLUGINS_DIR);
    CHECK(qplug_target_enable(NULL, server, kart, 1, 1) == QPLUG_EINVALID);
    again = resolve(index, target, QPLUG_ACTION_REMOVE, "Koordinates");
    CHECK(again != NULL && qplug_resolution_solved(again) == 1);
    CHECK(qplug_resolution_apply(&applied, again, index, server, NULL) == QPLUG_EINVALID);
    /* Removed: Koordinates, and Kart which only it needed. */
    CHECK(qplug_resolution_apply(&applied, again, index, target, NULL) == QPLUG_OK);
    CHECK(qplug_applied_count(applied) == 2);
    CHECK(strcmp(qplug_applied_action(applied, 0), "remove") == 0);
    qplug_applied_free(applied);
    qplug_resolution_free(again);
    snprintf(path, sizeof path, "%s/python/plugins/kart", profile);
    CHECK(!exists(path));
    qplug_target_free(server);
    qplug_target_free(target);
}

static void test_read_only(void) {
    char path[1024];
    qplug_index *index = NULL;
    qplug_sync *sync = NULL;
    path_of(path, "index.sqlite");
    CHECK(qplug_index_open(&index, path, QPLUG_INDEX_READ_ONLY) == QPLUG_OK);
    CHECK(qplug_index_add_repository(NULL, index, "x", plugins, "folder", NULL) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "read-only") != NULL);
    CHECK(qplug_index_sync(&sync, index, NULL, 0, NULL) == QPLUG_EINVALID && sync == NULL);
    CHECK(qplug_index_remove_repository(index, "bundled", 1) == QPLUG_EINVALID);
    CHECK(qplug_index_enable_repository(index, "bundled", 0) == QPLUG_EINVALID);
    CHECK(package_count(index) > 0);
    qplug_index_close(index);
}

int main(int argc, char **argv) {
    char index_path[1024], command[3000], cache[1024];
    qplug_index *index = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: %s BUNDLED_PLUGINS SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    if (realpath(argv[1], plugins) == NULL || strlen(argv[2]) >= sizeof scratch) {
        fprintf(stderr, "%s: cannot be used\n", argv[1]);
        return 2;
    }
    snprintf(scratch, sizeof scratch, "%s", argv[2]);
    snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s'", scratch, scratch);
    CHECK(system(command) == 0);
    /* Downloads are cached under XDG_CACHE_HOME: inside the scratch folder. */
    path_of(cache, "cache");
    setenv("XDG_CACHE_HOME", cache, 1);

    test_arguments();
    path_of(index_path, "index.sqlite");
    CHECK(qplug_index_open(&index, index_path, QPLUG_INDEX_READ_WRITE) == QPLUG_OK);
    CHECK(index != NULL && strcmp(qplug_index_path(index), index_path) == 0);
    if (index == NULL) {
        return 1;
    }
    test_repositories(index);
    test_cancel_sync(index);
    test_threads(index);
    test_target(index);
    qplug_index_close(index);
    test_read_only();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    CHECK(system(command) == 0);
    puts("C ABI, plugin manager: all checks passed");
    return 0;
}
