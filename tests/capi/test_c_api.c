/* The C ABI as a C99 program sees it: only qplug.h, only libqplug.so.
 * Built with -std=c99 -Wall -Wextra -pedantic -Werror.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
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

int main(void) {
    test_library();
    test_compare();
    test_strings();
    test_sort_and_match();
    test_compat();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("C ABI: all checks passed");
    return 0;
}
