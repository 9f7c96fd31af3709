// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdlib>

#include "error.hpp"

QPLUG_API const char* qplug_version(void) {
    return QPLUG_VERSION_STRING;
}

QPLUG_API int qplug_version_number(void) {
    return QPLUG_VERSION_NUMBER;
}

QPLUG_API void qplug_free(void* buffer) {
    std::free(buffer);
}
