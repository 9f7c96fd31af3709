// The one way qplug includes libsolv (only from solver/src/solv/).
// libsolv's C headers name a struct member `requires`, a keyword since C++20: it is spelled
// `requires_` while they are read, so C++ code writes `solvable->requires_`. Some of the
// headers (testcase.h, knownid.h ...) lack extern "C" guards.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#define requires requires_
extern "C" {
#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/repo.h>
}
#undef requires
