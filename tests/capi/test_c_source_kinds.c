/* A repository kind written in C, registered through the C ABI (docs/capi.md, "Source kinds"):
 * the registration's checks, the settings schema checked at qplug_index_add_repository, and a
 * sync callback that fetches with the library's fetcher, hands a plugin ZIP and a package in
 * JSON to the index, warns, and fails when told to (the index then keeps what it had).
 * Built with -std=c99 -Wall -Wextra -pedantic -Werror.
 * Usage: test_c_source_kinds BUNDLED_PLUGINS SCRATCH_DIR
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int freed = 0;
static int synced = 0;

static void free_user_data(void *user_data) {
    CHECK(strcmp((const char *)user_data, "mine") == 0);
    ++freed;
}

/* The repository's URL is a plugin ZIP; options {"mode": "ok" | "fail"}. */
static int sync_c_kind(void *user_data, qplug_source_sync *sync, const char *url,
                       const char *options_json) {
    char *data = NULL;
    size_t size = 0;
    int accepted = -1;
    char release[4200];
    CHECK(strcmp((const char *)user_data, "mine") == 0);
    ++synced;
    if (strstr(options_json, "\"fail\"") != NULL) {
        CHECK(qplug_source_sync_fail(sync, "told to fail") == QPLUG_OK);
        return 1;
    }
    CHECK(qplug_source_sync_fetch(&data, &size, sync, url) == QPLUG_OK);
    CHECK(data != NULL && size > 100 && data[0] == 'P' && data[1] == 'K');
    snprintf(release, sizeof release, "{\"download_url\": \"file://%.4000s\"}", url);
    CHECK(qplug_source_sync_add_plugin_archive(&accepted, sync, data, size, release) == QPLUG_OK);
    CHECK(accepted == 1);
    /* not a ZIP: left out with a warning */
    CHECK(qplug_source_sync_add_plugin_archive(
              &accepted, sync, "nope", 4, "{\"download_url\": \"http://x/nope.zip\"}") == QPLUG_OK);
    CHECK(accepted == 0);
    CHECK(qplug_source_sync_add_plugin_archive(&accepted, sync, data, size, "{}") ==
          QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "download_url") != NULL);
    qplug_free(data);
    CHECK(qplug_source_sync_fetch(&data, &size, sync, "/nonexistent/file.json") == QPLUG_EIO);
    CHECK(data == NULL);
    CHECK(qplug_source_sync_add_package(
              sync, "{\"name\": \"extra\", \"display_name\": \"Extra tool\", \"releases\": "
                    "[{\"version\": \"2.0\", \"qgis_minimum\": \"3.16\", \"download_url\": "
                    "\"https://example.org/extra.2.0.zip\", \"dependencies\": [{\"kind\": "
                    "\"plugin\", \"target\": \"Kart\"}]}]}") == QPLUG_OK);
    CHECK(qplug_source_sync_add_package(sync, "{\"name\": \"x\", \"releases\": [{\"version\": "
                                              "1}]}") == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "'version' must be a string") != NULL);
    CHECK(qplug_source_sync_add_package(sync,
                                        "{\"name\": \"x\", \"releases\": [{\"version\": "
                                        "\"1.0\", \"download_url\": \"\"}]}") == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "'download_url' must not be empty") != NULL);
    CHECK(qplug_source_sync_add_package(sync, "[") == QPLUG_EINVALID);
    CHECK(qplug_source_sync_warn(sync, "a note from the C kind") == QPLUG_OK);
    return 0;
}

static int has_package(qplug_index *index, const char *text, const char *name) {
    qplug_packages *found = NULL;
    size_t i;
    int seen = 0;
    CHECK(qplug_index_search(&found, index, text) == QPLUG_OK);
    for (i = 0; i < qplug_packages_count(found); ++i) {
        seen |= strcmp(qplug_packages_name(found, i), name) == 0;
    }
    qplug_packages_free(found);
    return seen;
}

int main(int argc, char **argv) {
    qplug_source_kind kind = QPLUG_SOURCE_KIND_INIT;
    qplug_repository_options options = QPLUG_REPOSITORY_OPTIONS_INIT;
    qplug_index *index = NULL;
    qplug_sync *sync = NULL;
    char zip[4096], path[1024];
    static char user[] = "mine";
    if (argc != 3) {
        fprintf(stderr, "usage: test_c_source_kinds BUNDLED_PLUGINS SCRATCH_DIR\n");
        return 2;
    }
    snprintf(zip, sizeof zip, "%.2000s/kart.1.0.10.zip", argv[1]);
    mkdir(argv[2], 0755);
    snprintf(path, sizeof path, "%.900s/index.sqlite", argv[2]);
    remove(path);

    /* Registration's checks. */
    CHECK(qplug_source_kind_init(&kind, 999) == QPLUG_EINVALID);
    CHECK(qplug_source_kind_init(&kind, QPLUG_SOURCE_KIND_VERSION) == QPLUG_OK);
    kind.sync = sync_c_kind;
    kind.tag = "Bad Tag";
    CHECK(qplug_source_kind_register(&kind) == QPLUG_EINVALID);
    kind.tag = "folder";
    CHECK(qplug_source_kind_register(&kind) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "built in") != NULL);
    kind.tag = "c-kind";
    kind.settings_schema = "{\"mode\": {\"type\": \"text\"}}";
    CHECK(qplug_source_kind_register(&kind) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "'mode'") != NULL);
    kind.settings_schema = "{\"mode\": {\"type\": \"string\", \"required\": true}}";
    kind.backend = "svn";
    CHECK(qplug_source_kind_register(&kind) == QPLUG_EINVALID);
    kind.backend = NULL;
    kind.sync = NULL;
    CHECK(qplug_source_kind_register(&kind) == QPLUG_EINVALID);
    kind.sync = sync_c_kind;
    kind.summary = "a plugin ZIP, read by a kind written in C";
    kind.user_data = user;
    kind.free_user_data = free_user_data;
    CHECK(qplug_source_kind_register(&kind) == QPLUG_OK);

    /* The schema at add: a required option, a wrong type, an unknown option. */
    CHECK(qplug_index_open(&index, path, QPLUG_INDEX_READ_WRITE) == QPLUG_OK);
    CHECK(qplug_index_add_repository(NULL, index, "c", zip, "c-kind", NULL) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "requires the option 'mode'") != NULL);
    options.options_json = "{\"mode\": 1}";
    CHECK(qplug_index_add_repository(NULL, index, "c", zip, "c-kind", &options) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "'mode' must be a string") != NULL);
    options.options_json = "{\"mode\": \"ok\", \"depth\": 2}";
    CHECK(qplug_index_add_repository(NULL, index, "c", zip, "c-kind", &options) == QPLUG_EINVALID);
    CHECK(strstr(qplug_error_last()->message, "unknown option 'depth'") != NULL);
    options.options_json = "{\"mode\": \"ok\"}";
    CHECK(qplug_index_add_repository(NULL, index, "c", zip, "c-kind", &options) == QPLUG_OK);
    CHECK(qplug_index_add_repository(NULL, index, "x", zip, "no-such-kind", NULL) ==
          QPLUG_ENOTFOUND);
    CHECK(strstr(qplug_error_last()->message, "no extension library no-such-kind.so") != NULL);

    /* A sync: the ZIP and the package in JSON reach the index. */
    CHECK(qplug_index_sync(&sync, index, NULL, 0, NULL) == QPLUG_OK);
    CHECK(synced == 1);
    CHECK(qplug_sync_count(sync) == 1 && qplug_sync_error(sync, 0) == NULL);
    CHECK(qplug_sync_packages(sync, 0) == 2);
    qplug_sync_free(sync);
    CHECK(has_package(index, "Kart", "kart"));
    CHECK(has_package(index, "Extra tool", "extra"));

    /* A sync that fails keeps what the repository had. */
    options.options_json = "{\"mode\": \"fail\"}";
    CHECK(qplug_index_add_repository(NULL, index, "f", zip, "c-kind", &options) == QPLUG_OK);
    {
        const char *names[] = {"f"};
        CHECK(qplug_index_sync(&sync, index, names, 1, NULL) == QPLUG_OK);
        CHECK(qplug_sync_error(sync, 0) != NULL &&
              strstr(qplug_sync_error(sync, 0), "told to fail") != NULL);
        qplug_sync_free(sync);
    }
    CHECK(has_package(index, "Kart", "kart"));

    /* Dropping the kind releases its user data, once. */
    CHECK(qplug_source_kind_unregister("c-kind") == QPLUG_OK);
    CHECK(freed == 1);
    CHECK(qplug_source_kind_unregister("c-kind") == QPLUG_ENOTFOUND);
    {
        const char *names[] = {"c"};
        CHECK(qplug_index_sync(&sync, index, names, 1, NULL) == QPLUG_OK);
        CHECK(qplug_sync_error(sync, 0) != NULL &&
              strstr(qplug_sync_error(sync, 0), "c-kind") != NULL);
        qplug_sync_free(sync);
    }
    /* Calls outside a sync are refused, not a crash. */
    CHECK(qplug_source_sync_warn(NULL, "x") == QPLUG_EINVALID);
    qplug_index_close(index);
    if (failures == 0) {
        printf("source kinds through the C ABI: ok\n");
    }
    return failures == 0 ? 0 : 1;
}
