// SPDX-License-Identifier: GPL-2.0-or-later
#include "handles.hpp"

#include "error.hpp"

namespace qplug::capi {

int null_argument(const char* name) {
    return set_error(QPLUG_EINVALID, std::string("argument '") + name + "' must not be NULL");
}

int bad_options_version(const char* what, unsigned version) {
    return set_error(QPLUG_EINVALID,
                     std::string("unsupported ") + what + " version " + std::to_string(version));
}

void ProgressBridge::report(int phase, std::string_view name, std::uint64_t done,
                            std::uint64_t total) {
    if (fn_ == nullptr) {
        return;
    }
    name_.assign(name);
    const qplug_progress progress{phase, name_.c_str(), done, total};
    if (fn_(user_data_, &progress) != 0) {
        cancel_.request();
    }
}

} // namespace qplug::capi
