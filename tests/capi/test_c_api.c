/* The C ABI as a C99 program sees it: only qplug.h, only libqplug.so.
 * Built with -std=c99 -Wall -Wextra -pedantic -Werror.
 * Usage: test_c_api QPLUG_CLI BUNDLED_PLUGINS SCRATCH_DIR (the resolution checks build an index
 * of the bundled plugin ZIPs in SCRATCH_DIR with the qplug program, the only way to fill one).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void test_library(void) {
    CHECK(strcmp(qplug_version(), QPLUG_VERSION_STRING) == 0);
    CHECK(qplug_version_number() == QPLUG_VERSION_NUMBER);
    CHECK(QPLUG_VERSION_CHECK(0, 1, 0));
    CHECK(qplug_error_last() != NULL);
    CHECK(qplug_error_last()->code == QPLUG_OK);
    CHECK(strcmp(qplug_strerror(QPLUG_EPARSE), "parse error") == 0);
    qplug_free(NULL);
    qplug_compat_free(NULL);
}

static void test_compare(void) {
    int out = 99;
    int scheme = -1;
    CHECK(qplug_scheme_from_name(&scheme, "qgis-classic") == QPLUG_OK);
    CHECK(scheme == QPLUG_SCHEME_QGIS_CLASSIC);
    CHECK(strcmp(qplug_scheme_name(QPLUG_SCHEME_PEP440), "pep440") == 0);
    CHECK(qplug_scheme_name(42) == NULL);
    CHECK(qplug_scheme_from_name(&scheme, "semver") == QPLUG_ENOTFOUND);

    CHECK(qplug_version_compare(&out, QPLUG_SCHEME_QGIS, "1.0", "1.0.0") == QPLUG_OK && out == 0);
    CHECK(qplug_version_compare(&out, QPLUG_SCHEME_QGIS_CLASSIC, "1.0", "1.0.0") == QPLUG_OK &&
          out == -1);
    CHECK(qplug_version_compare(&out, QPLUG_SCHEME_CONDA, "1.0.1a", "1.0.1") == QPLUG_OK &&
          out == -1);

    /* A parse error: the code, a message naming the input and the offset; cleared by the next
     * successful call. */
    CHECK(qplug_version_compare(&out, QPLUG_SCHEME_PEP440, "1.0+", "1.0") == QPLUG_EPARSE);
    CHECK(qplug_error_last()->code == QPLUG_EPARSE);
    CHECK(strstr(qplug_error_last()->message, "'1.0+'") != NULL);
    CHECK(qplug_error_last()->offset == 3);
    CHECK(qplug_version_compare(&out, QPLUG_SCHEME_PEP440, "1.0", "1.0") == QPLUG_OK);
    CHECK(qplug_error_last()->code == QPLUG_OK);
    CHECK(strcmp(qplug_error_last()->message, "") == 0);

    CHECK(qplug_version_compare(NULL, QPLUG_SCHEME_QGIS, "1", "2") == QPLUG_EINVALID);
    CHECK(qplug_version_compare(&out, 17, "1", "2") == QPLUG_EINVALID);
}

static void test_strings(void) {
    char *normalized = (char *)1;
    unsigned char *key = NULL;
    size_t key_size = 0;
    CHECK(qplug_version_normalize(&normalized, QPLUG_SCHEME_PEP440, "1.0-RC1-2+Ubuntu_01") ==
          QPLUG_OK);
    CHECK(normalized != NULL && strcmp(normalized, "1.0rc1.post2+ubuntu.1") == 0);
    qplug_free(normalized);

    normalized = (char *)1;
    CHECK(qplug_version_normalize(&normalized, QPLUG_SCHEME_PEP440, "nope") == QPLUG_EPARSE);
    CHECK(normalized == NULL);

    CHECK(qplug_version_sort_key(&key, &key_size, QPLUG_SCHEME_PEP440, "1.2.3") == QPLUG_OK);
    CHECK(key != NULL && key_size > 0);
    qplug_free(key);
}

static void test_sort_and_match(void) {
    const char *versions[] = {"1.10", "1.9", "1.0rc1", "1.0"};
    size_t order[4];
    int yes = -1;
    CHECK(qplug_version_sort(order, QPLUG_SCHEME_PEP440, versions, 4) == QPLUG_OK);
    CHECK(order[0] == 2 && order[1] == 3 && order[2] == 1 && order[3] == 0);

    CHECK(qplug_version_satisfies(&yes, QPLUG_SCHEME_PEP440, "1.5", ">=1.0,<2", -1) == QPLUG_OK &&
          yes == 1);
    CHECK(qplug_version_satisfies(&yes, QPLUG_SCHEME_PEP440, "2.0a1", ">=1.0", -1) == QPLUG_OK &&
          yes == 0);
    CHECK(qplug_version_satisfies(&yes, QPLUG_SCHEME_PEP440, "2.0a1", ">=1.0", 1) == QPLUG_OK &&
          yes == 1);
    CHECK(qplug_version_satisfies(&yes, QPLUG_SCHEME_CONDA, "1.7.1", "1.7.*|>2", -1) == QPLUG_OK &&
          yes == 1);
    CHECK(qplug_version_satisfies(&yes, QPLUG_SCHEME_PEP440, "1.0", "=>1", -1) == QPLUG_EPARSE);
    CHECK(qplug_version_is_valid(&yes, QPLUG_SCHEME_CONDA, "1.0-2") == QPLUG_OK && yes == 1);
}

static void test_compat(void) {
    qplug_compat_options options = QPLUG_COMPAT_OPTIONS_INIT;
    qplug_compat_options from_init;
    qplug_compat *result = NULL;
    CHECK(qplug_compat_options_init(&from_init, QPLUG_COMPAT_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(from_init.rules == options.rules && from_init.bump_dev_major == options.bump_dev_major);
    CHECK(qplug_compat_options_init(&from_init, 99) == QPLUG_EINVALID);

    CHECK(qplug_compat_check(&result, "3.34.5", "3.22", "3.34", NULL) == QPLUG_OK);
    CHECK(qplug_compat_is_compatible(result) == 1);
    CHECK(strcmp(qplug_compat_reason(result), "") == 0);
    CHECK(strcmp(qplug_compat_qgis(result), "3.34.5") == 0);
    CHECK(strcmp(qplug_compat_minimum(result), "3.22") == 0);
    CHECK(strcmp(qplug_compat_maximum(result), "3.34") == 0);
    qplug_compat_free(result);
    /* No maximum: the installer's default, the minimum's major .99. */
    CHECK(qplug_compat_check(&result, "4.0.0", "3.22", NULL, NULL) == QPLUG_OK);
    CHECK(qplug_compat_is_compatible(result) == 0);
    CHECK(strcmp(qplug_compat_maximum(result), "3.99") == 0);
    CHECK(strstr(qplug_compat_reason(result), "3.99") != NULL);
    qplug_compat_free(result);

    options.rules = QPLUG_RULES_LOADER;
    CHECK(qplug_compat_check(&result, "3.34.5", "3.22beta", NULL, &options) == QPLUG_OK);
    CHECK(qplug_compat_is_compatible(result) == 0);
    CHECK(strstr(qplug_compat_reason(result), "3.22beta") != NULL);
    qplug_compat_free(result);

    result = (qplug_compat *)&options;
    CHECK(qplug_compat_check(&result, "three", "3.0", NULL, NULL) == QPLUG_EINVALID);
    CHECK(result == NULL);
}

static const char GOOD_METADATA[] = "[general]\n"
                                    "name=My Plugin\n"
                                    "qgisMinimumVersion=3.22\n"
                                    "qgisMaximumVersion=4.99\n"
                                    "description=Does things\n"
                                    "about=Long text\n"
                                    "    second line\n"
                                    "version=1.0\n"
                                    "author=Jane\n"
                                    "email=jane@example.org\n"
                                    "repository=https://example.org/repo\n"
                                    "tracker=https://example.org/issues\n"
                                    "homepage=https://example.org\n";

static void test_metadata(void) {
    qplug_parse_options options;
    qplug_document *doc = NULL;
    const qplug_diagnostics *parse_findings = NULL;
    char *text = NULL;
    size_t i;
    int found_version = 0;

    CHECK(qplug_parse_options_init(&options, QPLUG_PARSE_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(options.keys == QPLUG_KEYS_QGIS && options.lenient == 0 && options.file_name == NULL);
    CHECK(qplug_parse_options_init(&options, 99) == QPLUG_EINVALID);
    CHECK(qplug_parse_options_init(&options, QPLUG_PARSE_OPTIONS_VERSION) == QPLUG_OK);

    CHECK(qplug_metadata_parse(&doc, GOOD_METADATA, strlen(GOOD_METADATA), NULL) == QPLUG_OK);
    CHECK(qplug_document_ok(doc) == 1);
    CHECK(strcmp(qplug_document_get(doc, "name"), "My Plugin") == 0);
    /* QGIS lower-cases keys, so any spelling finds the key. */
    CHECK(strcmp(qplug_document_get(doc, "QGISMINIMUMVERSION"), "3.22") == 0);
    CHECK(strcmp(qplug_document_get(doc, "about"), "Long text\nsecond line") == 0);
    CHECK(qplug_document_get(doc, "icon") == NULL);
    CHECK(qplug_document_has(doc, "Name") == 1 && qplug_document_has(doc, "icon") == 0);
    CHECK(qplug_document_key_count(doc) == 11);
    for (i = 0; i < qplug_document_key_count(doc); ++i) {
        found_version |= strcmp(qplug_document_key(doc, i), "version") == 0;
    }
    CHECK(found_version);
    CHECK(qplug_document_key(doc, 11) == NULL);
    parse_findings = qplug_document_diagnostics(doc);
    CHECK(qplug_diagnostics_count(parse_findings) == 0);

    CHECK(qplug_document_format(&text, doc) == QPLUG_OK);
    CHECK(text != NULL &&
          strncmp(text, "[general]\nname=My Plugin\nqgisMinimumVersion=3.22\n", 49) == 0);
    qplug_free(text);
    CHECK(qplug_document_to_json(&text, doc) == QPLUG_OK);
    CHECK(text != NULL && strstr(text, "\"ok\": true") != NULL);
    qplug_free(text);
    qplug_document_free(doc);

    /* The site reads keys as written. */
    options.keys = QPLUG_KEYS_SITE;
    CHECK(qplug_metadata_parse(&doc, GOOD_METADATA, strlen(GOOD_METADATA), &options) == QPLUG_OK);
    CHECK(strcmp(qplug_document_get(doc, "qgisMinimumVersion"), "3.22") == 0);
    CHECK(qplug_document_get(doc, "qgisminimumversion") == NULL);
    CHECK(qplug_document_has(doc, "qgisminimumversion") == 0);
    qplug_document_free(doc);

    CHECK(qplug_metadata_parse(NULL, "", 0, NULL) == QPLUG_EINVALID);
    CHECK(qplug_metadata_parse_file(&doc, "/nonexistent/metadata.txt", NULL) == QPLUG_EIO);
    CHECK(doc == NULL);
    CHECK(strstr(qplug_error_last()->message, "No such file or directory") != NULL);
    qplug_document_free(NULL);
}

static void test_diagnostics(void) {
    /* A repeated key: configparser raises; the finding names the line and the column. */
    static const char text[] = "[general]\nname=x\nname=y\n";
    qplug_parse_options options;
    qplug_document *doc = NULL;
    const qplug_diagnostics *ds = NULL;
    char *json = NULL;
    CHECK(qplug_parse_options_init(&options, QPLUG_PARSE_OPTIONS_VERSION) == QPLUG_OK);
    options.file_name = "plugin/metadata.txt";
    CHECK(qplug_metadata_parse(&doc, text, sizeof text - 1, &options) == QPLUG_OK);
    CHECK(qplug_document_ok(doc) == 0);
    CHECK(qplug_document_get(doc, "name") == NULL);
    ds = qplug_document_diagnostics(doc);
    CHECK(qplug_diagnostics_count(ds) == 1);
    CHECK(qplug_diagnostics_count_severity(ds, QPLUG_SEVERITY_ERROR) == 1);
    CHECK(strcmp(qplug_diagnostic_rule(ds, 0), "META-PARSE-DUPLICATE-KEY") == 0);
    CHECK(qplug_diagnostic_severity(ds, 0) == QPLUG_SEVERITY_ERROR);
    CHECK(strcmp(qplug_diagnostic_file(ds, 0), "plugin/metadata.txt") == 0);
    CHECK(qplug_diagnostic_line(ds, 0) == 3 && qplug_diagnostic_column(ds, 0) == 1);
    CHECK(qplug_diagnostic_offset(ds, 0) == 17);
    CHECK(strcmp(qplug_diagnostic_key(ds, 0), "name") == 0);
    CHECK(strstr(qplug_diagnostic_message(ds, 0), "second time") != NULL);
    CHECK(strlen(qplug_diagnostic_hint(ds, 0)) > 0);
    CHECK(strcmp(qplug_diagnostic_source_line(ds, 0), "name=y") == 0);
    CHECK(qplug_diagnostic_rule(ds, 1) == NULL);
    CHECK(qplug_diagnostics_to_json(&json, ds) == QPLUG_OK);
    CHECK(json != NULL && json[0] == '[' && strstr(json, "META-PARSE-DUPLICATE-KEY") != NULL);
    qplug_free(json);
    qplug_document_free(doc);
}

static void test_validate(void) {
    qplug_document *doc = NULL;
    qplug_diagnostics *ds = NULL;
    qplug_validate_options options;
    size_t i;
    int slash = 0;
    /* "author=Jane/Doe": QGIS does not mind, the site's author pattern refuses a slash. */
    char text[sizeof GOOD_METADATA + 8];
    const char *at = strstr(GOOD_METADATA, "author=Jane\n");
    size_t head = (size_t)(at - GOOD_METADATA) + strlen("author=Jane");
    memcpy(text, GOOD_METADATA, head);
    memcpy(text + head, "/Doe", 4);
    strcpy(text + head + 4, GOOD_METADATA + head);

    CHECK(qplug_metadata_parse(&doc, text, strlen(text), NULL) == QPLUG_OK);
    CHECK(qplug_validate_options_init(&options, QPLUG_VALIDATE_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(options.profile == QPLUG_PROFILE_QGIS && options.check_links == 0);
    CHECK(qplug_metadata_validate(&ds, doc, &options) == QPLUG_OK);
    CHECK(qplug_diagnostics_count_severity(ds, QPLUG_SEVERITY_ERROR) == 0);
    qplug_diagnostics_free(ds);

    options.profile = QPLUG_PROFILE_SITE;
    CHECK(qplug_metadata_validate(&ds, doc, &options) == QPLUG_OK);
    CHECK(qplug_diagnostics_count_severity(ds, QPLUG_SEVERITY_ERROR) >= 1);
    for (i = 0; i < qplug_diagnostics_count(ds); ++i) {
        if (strcmp(qplug_diagnostic_rule(ds, i), "META-AUTHOR-SLASH") == 0) {
            slash = 1;
            CHECK(qplug_diagnostic_line(ds, i) == 9 && qplug_diagnostic_column(ds, i) == 8);
        }
    }
    CHECK(slash);
    qplug_diagnostics_free(ds);
    options.profile = 7;
    CHECK(qplug_metadata_validate(&ds, doc, &options) == QPLUG_EINVALID);
    qplug_document_free(doc);
    qplug_diagnostics_free(NULL);
}

/* ---- a stored (uncompressed) ZIP, written here so the test needs nothing but qplug.h ---- */

static unsigned long crc32_of(const char *data, size_t size) {
    unsigned long crc = 0xFFFFFFFFul;
    size_t i;
    int k;
    for (i = 0; i < size; ++i) {
        crc ^= (unsigned char)data[i];
        for (k = 0; k < 8; ++k) {
            crc = (crc >> 1) ^ (0xEDB88320ul & (0ul - (crc & 1ul)));
        }
    }
    return crc ^ 0xFFFFFFFFul;
}

static size_t put16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
    return 2;
}

static size_t put32(unsigned char *p, unsigned long v) {
    put16(p, (unsigned)(v & 0xFFFF));
    put16(p + 2, (unsigned)((v >> 16) & 0xFFFF));
    return 4;
}

/* Writes entries (name, content pairs) as a ZIP into out; returns its size. */
static size_t write_zip(unsigned char *out, const char *const *entries, size_t count) {
    unsigned char central[4096];
    size_t n = 0, c = 0, i;
    for (i = 0; i < count; ++i) {
        const char *name = entries[2 * i];
        const char *content = entries[2 * i + 1];
        const size_t name_size = strlen(name), size = strlen(content);
        const unsigned long crc = crc32_of(content, size);
        const size_t local = n;
        n += put32(out + n, 0x04034b50ul);
        n += put16(out + n, 20);
        n += put16(out + n, 0); /* flags */
        n += put16(out + n, 0); /* stored */
        n += put32(out + n, 0); /* time, date */
        n += put32(out + n, crc);
        n += put32(out + n, (unsigned long)size);
        n += put32(out + n, (unsigned long)size);
        n += put16(out + n, (unsigned)name_size);
        n += put16(out + n, 0);
        memcpy(out + n, name, name_size);
        n += name_size;
        memcpy(out + n, content, size);
        n += size;

        c += put32(central + c, 0x02014b50ul);
        c += put16(central + c, 20);
        c += put16(central + c, 20);
        c += put16(central + c, 0);
        c += put16(central + c, 0);
        c += put32(central + c, 0);
        c += put32(central + c, crc);
        c += put32(central + c, (unsigned long)size);
        c += put32(central + c, (unsigned long)size);
        c += put16(central + c, (unsigned)name_size);
        c += put16(central + c, 0); /* extra */
        c += put16(central + c, 0); /* comment */
        c += put16(central + c, 0); /* disk */
        c += put16(central + c, 0); /* internal attributes */
        c += put32(central + c, 0); /* external attributes */
        c += put32(central + c, (unsigned long)local);
        memcpy(central + c, name, name_size);
        c += name_size;
    }
    memcpy(out + n, central, c);
    {
        const size_t central_at = n;
        n += c;
        n += put32(out + n, 0x06054b50ul);
        n += put32(out + n, 0); /* disk numbers */
        n += put16(out + n, (unsigned)count);
        n += put16(out + n, (unsigned)count);
        n += put32(out + n, (unsigned long)c);
        n += put32(out + n, (unsigned long)central_at);
        n += put16(out + n, 0);
    }
    return n;
}

static void test_package(void) {
    const char *good[] = {"myplugin/__init__.py",  "def classFactory(iface):\n    pass\n",
                          "myplugin/metadata.txt", GOOD_METADATA,
                          "myplugin/LICENSE",      "GPL-2.0-or-later\n"};
    unsigned char zip[8192];
    size_t size = write_zip(zip, good, 3);
    qplug_package_options options;
    qplug_package *package = NULL;
    const qplug_diagnostics *ds = NULL;

    CHECK(qplug_package_options_init(&options, QPLUG_PACKAGE_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(options.profile == QPLUG_PROFILE_SITE && options.new_plugin == 0);
    CHECK(qplug_package_check(&package, (const char *)zip, size, &options) == QPLUG_OK);
    CHECK(qplug_package_valid(package) == 1);
    CHECK(strcmp(qplug_package_name(package), "myplugin") == 0);
    CHECK(qplug_diagnostics_count_severity(qplug_package_diagnostics(package),
                                           QPLUG_SEVERITY_ERROR) == 0);
    CHECK(qplug_package_metadata(package) != NULL);
    CHECK(strcmp(qplug_document_get(qplug_package_metadata(package), "version"), "1.0") == 0);
    qplug_package_free(package);

    /* Without LICENSE the site refuses the upload; a folder name the site refuses for a new
     * plugin. */
    size = write_zip(zip, good, 2);
    options.new_plugin = 1;
    CHECK(qplug_package_check(&package, (const char *)zip, size, &options) == QPLUG_OK);
    CHECK(qplug_package_valid(package) == 0);
    ds = qplug_package_diagnostics(package);
    CHECK(qplug_diagnostics_count(ds) >= 1);
    CHECK(strcmp(qplug_diagnostic_rule(ds, 0), "PKG-NO-LICENSE") == 0);
    qplug_package_free(package);

    CHECK(qplug_package_check(&package, "not a zip", 9, NULL) == QPLUG_OK);
    CHECK(qplug_package_valid(package) == 0);
    CHECK(strcmp(qplug_diagnostic_rule(qplug_package_diagnostics(package), 0), "PKG-NOT-ZIP") == 0);
    CHECK(qplug_package_metadata(package) == NULL);
    qplug_package_free(package);

    CHECK(qplug_package_check_file(&package, "/", NULL) == QPLUG_EIO);
    CHECK(strstr(qplug_error_last()->message, "Is a directory") != NULL);
    qplug_package_free(NULL);
}

static void test_spec(void) {
    const char *spec = qplug_metadata_spec_json();
    CHECK(spec != NULL && strstr(spec, "\"qgisMinimumVersion\"") != NULL);
    CHECK(strstr(spec, "\"PKG-NO-LICENSE\"") != NULL);
}

static void test_resolve(void) {
    qplug_resolve_options options;
    qplug_resolution *r = NULL;
    const char *requests[] = {"Kart", "==1.0"};
    CHECK(qplug_resolve_options_init(&options, QPLUG_RESOLVE_OPTIONS_VERSION) == QPLUG_OK);
    CHECK(options.allow_experimental == 0 && options.qgis_version == NULL);
    CHECK(qplug_resolve_options_init(&options, 99) == QPLUG_EINVALID);
    options.qgis_version = "3.40.4";
    /* A request that names nothing is a parse error naming it. */
    CHECK(qplug_resolve(&r, "/nonexistent/qplug/index.sqlite", QPLUG_ACTION_INSTALL, requests + 1,
                        1, &options) == QPLUG_EPARSE);
    CHECK(r == NULL && strstr(qplug_error_last()->message, "==1.0") != NULL);
    /* An index that cannot be opened read-only is an I/O error. */
    CHECK(qplug_resolve(&r, "/nonexistent/qplug/index.sqlite", QPLUG_ACTION_INSTALL, requests, 1,
                        &options) == QPLUG_EIO);
    CHECK(r == NULL);
    CHECK(qplug_resolve(&r, NULL, 7, requests, 1, &options) == QPLUG_EINVALID);
    CHECK(qplug_resolution_solved(NULL) == 0 && qplug_resolution_step_count(NULL) == 0);
    CHECK(qplug_resolution_step_name(NULL, 0) == NULL);
    qplug_resolution_free(NULL);
}

/* Runs a qplug command line (paths are the build's own: no quoting needed); 0 when it exits 0. */
static int qplug_command(const char *cli, const char *arguments, const char *index) {
    char line[4096];
    int n =
        snprintf(line, sizeof line, "'%s' %s --index '%s' >/dev/null 2>&1", cli, arguments, index);
    if (n < 0 || (size_t)n >= sizeof line) {
        return -1;
    }
    return system(line);
}

/* The step of a resolution for a package, or -1. */
static long step_of(const qplug_resolution *r, const char *name) {
    size_t i;
    for (i = 0; i < qplug_resolution_step_count(r); ++i) {
        if (strcmp(qplug_resolution_step_name(r, i), name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Resolution against a real index: a plan's steps in order with every field, an explanation's
 * causes and solutions, upgrade and remove over an installation, and JSON. */
static void test_resolve_index(const char *cli, const char *plugins, const char *scratch) {
    char index[1024], profile[1024], arguments[3072];
    qplug_resolve_options options;
    qplug_resolution *r = NULL;
    const char *koordinates[] = {"Koordinates"};
    const char *rana[] = {"Rana"};
    const char *kart[] = {"Kart"};
    char *json = NULL;
    long kart_step, koordinates_step;
    size_t i;

    sprintf(index, "%s/index.sqlite", scratch);
    sprintf(profile, "%s/profile", scratch);
    sprintf(arguments, "rm -rf '%s' && mkdir -p '%s/python/plugins'", scratch, profile);
    CHECK(system(arguments) == 0);
    sprintf(arguments, "repo add bundled '%s' --kind folder", plugins);
    CHECK(qplug_command(cli, arguments, index) == 0);
    CHECK(qplug_command(cli, "repo sync --qgis 3.40.4", index) == 0);
    CHECK(qplug_resolve_options_init(&options, QPLUG_RESOLVE_OPTIONS_VERSION) == QPLUG_OK);
    options.qgis_version = "3.40.4";
    options.profile = profile; /* the target: what is installed there counts */
    options.python_exe = "none";

    /* A plan: Kart before Koordinates, which needs it. */
    CHECK(qplug_resolve(&r, index, QPLUG_ACTION_INSTALL, koordinates, 1, &options) == QPLUG_OK);
    CHECK(r != NULL && qplug_resolution_solved(r) == 1);
    CHECK(qplug_resolution_step_count(r) == 2);
    kart_step = step_of(r, "kart");
    koordinates_step = step_of(r, "koordinates");
    CHECK(kart_step == 0 && koordinates_step == 1);
    if (kart_step == 0 && koordinates_step == 1) {
        CHECK(strcmp(qplug_resolution_step_action(r, 0), "install") == 0);
        CHECK(strcmp(qplug_resolution_step_backend(r, 0), "legacy") == 0);
        CHECK(strcmp(qplug_resolution_step_version(r, 0), "1.0.10") == 0);
        CHECK(strcmp(qplug_resolution_step_from_version(r, 0), "") == 0);
        CHECK(ends_with(qplug_resolution_step_download_url(r, 0), "kart.1.0.10.zip"));
        CHECK(strstr(qplug_resolution_step_reason(r, 0), "Koordinates 2.1.0") != NULL);
        CHECK(strcmp(qplug_resolution_step_version(r, 1), "2.1.0") == 0);
        CHECK(strcmp(qplug_resolution_step_reason(r, 1), "requested") == 0);
    }
    CHECK(qplug_resolution_step_action(r, 2) == NULL &&
          qplug_resolution_step_version(r, 2) == NULL);
    CHECK(qplug_resolution_step_backend(r, 2) == NULL &&
          qplug_resolution_step_reason(r, 2) == NULL);
    CHECK(qplug_resolution_step_from_version(r, 2) == NULL);
    CHECK(qplug_resolution_step_download_url(r, 2) == NULL);
    CHECK(qplug_resolution_cause_count(r) == 0 && qplug_resolution_solution_count(r) == 0);
    CHECK(qplug_resolution_cause(r, 0) == NULL && qplug_resolution_solution(r, 0) == NULL);
    CHECK(qplug_resolution_to_json(&json, r) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"solved\": true") != NULL);
    if (json != NULL) {
        const char *order = strstr(json, "\"load_order\"");
        const char *first = order != NULL ? strstr(order, "\"kart\"") : NULL;
        CHECK(first != NULL && strstr(first, "\"koordinates\"") != NULL);
    }
    qplug_free(json);
    json = NULL;
    qplug_resolution_free(r);
    r = NULL;

    /* No plan: the explanation's cause names the missing plugin; a solution is offered. */
    CHECK(qplug_resolve(&r, index, QPLUG_ACTION_INSTALL, rana, 1, &options) == QPLUG_OK);
    CHECK(r != NULL && qplug_resolution_solved(r) == 0 && qplug_resolution_step_count(r) == 0);
    CHECK(qplug_resolution_cause_count(r) == 1);
    CHECK(qplug_resolution_cause(r, 0) != NULL &&
          strstr(qplug_resolution_cause(r, 0),
                 "requires the plugin 'Nelen and Schuurmans Dependency Loader' ==1.2.12") != NULL);
    CHECK(qplug_resolution_cause(r, 1) == NULL);
    CHECK(qplug_resolution_solution_count(r) >= 1);
    for (i = 0; i < qplug_resolution_solution_count(r); ++i) {
        CHECK(qplug_resolution_solution(r, i) != NULL &&
              qplug_resolution_solution(r, i)[0] != '\0');
    }
    CHECK(qplug_resolution_solution(r, qplug_resolution_solution_count(r)) == NULL);
    /* The same cause as data: a missing dependency, the plugin that needs it and the
     * dependency as nodes of the problem graph. */
    CHECK(qplug_resolution_problem_count(r) >= 1);
    CHECK(qplug_resolution_cause_kind(r, 0) != NULL &&
          strcmp(qplug_resolution_cause_kind(r, 0), "missing") == 0);
    CHECK(qplug_resolution_cause_kind(r, 1) == NULL);
    CHECK(qplug_resolution_cause_subject(r, 0) != NULL &&
          strcmp(qplug_resolution_cause_subject(r, 0),
                 "the plugin 'Nelen and Schuurmans Dependency Loader' ==1.2.12") == 0);
    CHECK(qplug_resolution_cause_name_count(r, 0) == 2);
    CHECK(qplug_resolution_cause_name(r, 0, 0) != NULL &&
          strcmp(qplug_resolution_cause_name(r, 0, 0), "rana_qgis_plugin") == 0);
    CHECK(qplug_resolution_cause_name(r, 0, 1) != NULL &&
          strcmp(qplug_resolution_cause_name(r, 0, 1), qplug_resolution_cause_subject(r, 0)) == 0);
    CHECK(qplug_resolution_cause_name(r, 0, 2) == NULL);
    CHECK(qplug_resolution_cause_name_count(r, 1) == 0 &&
          qplug_resolution_cause_name(r, 1, 0) == NULL);
    CHECK(qplug_resolution_problems_json(&json, r) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"kind\":\"missing\"") != NULL &&
          strstr(json, "\"kind\":\"root\"") != NULL);
    qplug_free(json);
    json = NULL;
    CHECK(qplug_resolution_problems_json(NULL, r) == QPLUG_EINVALID);
    CHECK(qplug_resolution_to_json(&json, r) == QPLUG_OK);
    CHECK(json != NULL && strstr(json, "\"solved\": false") != NULL);
    CHECK(json != NULL && strstr(json, "\"problems\"") != NULL);
    qplug_free(json);
    json = NULL;
    CHECK(qplug_resolution_to_json(NULL, r) == QPLUG_EINVALID);
    qplug_resolution_free(r);
    r = NULL;

    /* Over an installation: Kart 1.0.0 installed, upgraded to 1.0.10, then removed. */
    sprintf(arguments, "install Kart==1.0.0 --profile '%s' --yes --qgis 3.40.4", profile);
    CHECK(qplug_command(cli, arguments, index) == 0);
    CHECK(qplug_resolve(&r, index, QPLUG_ACTION_UPGRADE, NULL, 0, &options) == QPLUG_OK);
    CHECK(r != NULL && qplug_resolution_solved(r) == 1 && qplug_resolution_step_count(r) == 1);
    if (r != NULL && qplug_resolution_step_count(r) == 1) {
        CHECK(strcmp(qplug_resolution_step_action(r, 0), "upgrade") == 0);
        CHECK(strcmp(qplug_resolution_step_name(r, 0), "kart") == 0);
        CHECK(strcmp(qplug_resolution_step_from_version(r, 0), "1.0.0") == 0);
        CHECK(strcmp(qplug_resolution_step_version(r, 0), "1.0.10") == 0);
    }
    qplug_resolution_free(r);
    r = NULL;
    CHECK(qplug_resolve(&r, index, QPLUG_ACTION_REMOVE, kart, 1, &options) == QPLUG_OK);
    CHECK(r != NULL && qplug_resolution_solved(r) == 1 && qplug_resolution_step_count(r) == 1);
    if (r != NULL && qplug_resolution_step_count(r) == 1) {
        CHECK(strcmp(qplug_resolution_step_action(r, 0), "remove") == 0);
        CHECK(strcmp(qplug_resolution_step_name(r, 0), "kart") == 0);
        CHECK(strcmp(qplug_resolution_step_version(r, 0), "1.0.0") == 0);
        CHECK(strcmp(qplug_resolution_step_reason(r, 0), "requested") == 0);
    }
    qplug_resolution_free(r);
    r = NULL;
    /* Removing what is not installed is refused. */
    CHECK(qplug_resolve(&r, index, QPLUG_ACTION_REMOVE, koordinates, 1, &options) != QPLUG_OK);
    CHECK(r == NULL && strstr(qplug_error_last()->message, "not installed") != NULL);
    sprintf(arguments, "rm -rf '%s'", scratch);
    CHECK(system(arguments) == 0);
}

int main(int argc, char **argv) {
    test_library();
    test_compare();
    test_strings();
    test_sort_and_match();
    test_compat();
    test_metadata();
    test_diagnostics();
    test_validate();
    test_package();
    test_spec();
    test_resolve();
    if (argc != 4) {
        fprintf(stderr, "usage: %s QPLUG_CLI BUNDLED_PLUGINS SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    test_resolve_index(argv[1], argv[2], argv[3]);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("C ABI: all checks passed");
    return 0;
}
