/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <qplug.h>

int main(void) {
    int order = 0;
    if (strcmp(qplug_version(), QPLUG_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", QPLUG_VERSION_STRING, qplug_version());
        return 1;
    }
    if (qplug_version_compare(&order, QPLUG_SCHEME_QGIS_CLASSIC, "1.0", "1.0.0") != QPLUG_OK ||
        order != -1) {
        fprintf(stderr, "compare failed: %s\n", qplug_error_last()->message);
        return 1;
    }
    printf("consumer: qplug %s works\n", qplug_version());
    return 0;
}
