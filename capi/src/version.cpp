// The version and compatibility part of the C ABI: argument checks, conversion, a call into
// libversion, and the error record. No version logic lives here.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <qplug/version/compat.hpp>
#include <qplug/version/scheme.hpp>

#include "error.hpp"
#include "strings.hpp"

namespace {

using namespace qplug;
using capi::guarded;
using capi::set_error;

std::optional<version::Scheme> to_scheme(int scheme) {
    switch (scheme) {
    case QPLUG_SCHEME_QGIS:
        return version::Scheme::qgis;
    case QPLUG_SCHEME_QGIS_CLASSIC:
        return version::Scheme::qgis_classic;
    case QPLUG_SCHEME_PEP440:
        return version::Scheme::pep440;
    case QPLUG_SCHEME_CONDA:
        return version::Scheme::conda;
    default:
        return std::nullopt;
    }
}

int bad_scheme(int scheme) {
    return set_error(QPLUG_EINVALID, "unknown version scheme " + std::to_string(scheme));
}

int null_argument(const char* name) {
    return set_error(QPLUG_EINVALID, std::string("argument '") + name + "' must not be NULL");
}

} // namespace

struct qplug_compat {
    qplug::version::compat::Result result;
};

QPLUG_API int qplug_scheme_from_name(int* out, const char* name) {
    return guarded([&] {
        if (out == nullptr || name == nullptr) {
            return null_argument(out == nullptr ? "out" : "name");
        }
        const auto s = version::scheme_from_name(name);
        if (!s) {
            return set_error(QPLUG_ENOTFOUND, std::string("unknown version scheme '") + name +
                                                  "' (known: qgis, qgis-classic, pep440, conda)");
        }
        *out = static_cast<int>(*s);
        return QPLUG_OK;
    });
}

QPLUG_API const char* qplug_scheme_name(int scheme) {
    capi::clear_error();
    const auto s = to_scheme(scheme);
    return s ? version::scheme_name(*s).data() : nullptr;
}

QPLUG_API int qplug_version_compare(int* out, int scheme, const char* a, const char* b) {
    return guarded([&] {
        if (out == nullptr || a == nullptr || b == nullptr) {
            return null_argument(out == nullptr ? "out" : a == nullptr ? "a" : "b");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        auto r = version::compare(*s, a, b);
        if (!r) {
            return set_error(r.error());
        }
        *out = static_cast<int>(*r);
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_version_normalize(char** out, int scheme, const char* v) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || v == nullptr) {
            return null_argument(out == nullptr ? "out" : "version");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        auto r = version::normalize(*s, v);
        if (!r) {
            return set_error(r.error());
        }
        *out = capi::copy_out(*r);
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_version_sort_key(unsigned char** out, size_t* out_size, int scheme,
                                     const char* v) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || out_size == nullptr || v == nullptr) {
            return null_argument(out == nullptr        ? "out"
                                 : out_size == nullptr ? "out_size"
                                                       : "version");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        auto r = version::sort_key(*s, v);
        if (!r) {
            return set_error(r.error());
        }
        *out = reinterpret_cast<unsigned char*>(capi::copy_out(*r));
        *out_size = r->size();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_version_sort(size_t* order_out, int scheme, const char* const* versions,
                                 size_t count) {
    return guarded([&] {
        if (count > 0 && (order_out == nullptr || versions == nullptr)) {
            return null_argument(order_out == nullptr ? "order_out" : "versions");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        std::vector<std::string_view> views;
        views.reserve(count);
        for (size_t i = 0; i < count; ++i) {
            if (versions[i] == nullptr) {
                return set_error(QPLUG_EINVALID, "versions[" + std::to_string(i) + "] is NULL");
            }
            views.emplace_back(versions[i]);
        }
        auto order = version::sort_order(*s, views);
        if (!order) {
            return set_error(order.error());
        }
        std::copy(order->begin(), order->end(), order_out);
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_version_satisfies(int* out, int scheme, const char* v, const char* spec,
                                      int prereleases) {
    return guarded([&] {
        if (out == nullptr || v == nullptr || spec == nullptr) {
            return null_argument(out == nullptr ? "out" : v == nullptr ? "version" : "spec");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        std::optional<bool> pre;
        if (prereleases >= 0) {
            pre = prereleases != 0;
        }
        auto r = version::satisfies(*s, v, spec, pre);
        if (!r) {
            return set_error(r.error());
        }
        *out = *r ? 1 : 0;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_version_is_valid(int* out, int scheme, const char* v) {
    return guarded([&] {
        if (out == nullptr || v == nullptr) {
            return null_argument(out == nullptr ? "out" : "version");
        }
        const auto s = to_scheme(scheme);
        if (!s) {
            return bad_scheme(scheme);
        }
        *out = version::is_valid(*s, v) ? 1 : 0;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_compat_options_init(qplug_compat_options* options, unsigned struct_version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (struct_version != QPLUG_COMPAT_OPTIONS_VERSION) {
            return set_error(QPLUG_EINVALID, "unsupported qplug_compat_options version " +
                                                 std::to_string(struct_version));
        }
        *options = qplug_compat_options{QPLUG_COMPAT_OPTIONS_VERSION, QPLUG_RULES_INSTALLER, 1, 0};
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_compat_check(qplug_compat** out, const char* qgis, const char* minimum,
                                 const char* maximum, const qplug_compat_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || qgis == nullptr || minimum == nullptr) {
            return null_argument(out == nullptr ? "out" : qgis == nullptr ? "qgis" : "minimum");
        }
        version::compat::Options o;
        if (options != nullptr) {
            if (options->version != QPLUG_COMPAT_OPTIONS_VERSION) {
                return set_error(QPLUG_EINVALID, "unsupported qplug_compat_options version " +
                                                     std::to_string(options->version));
            }
            if (options->rules != QPLUG_RULES_INSTALLER && options->rules != QPLUG_RULES_LOADER) {
                return set_error(QPLUG_EINVALID, "unknown rules " + std::to_string(options->rules));
            }
            o.rules = options->rules == QPLUG_RULES_LOADER ? version::compat::Rules::loader
                                                           : version::compat::Rules::installer;
            o.bump_dev_major = options->bump_dev_major != 0;
            o.installed_plugin = options->installed_plugin != 0;
        }
        auto r = version::compat::check(qgis, minimum, maximum == nullptr ? "" : maximum, o);
        if (!r) {
            return set_error(r.error());
        }
        *out = new qplug_compat{std::move(*r)};
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_compat_is_compatible(const qplug_compat* result) {
    capi::clear_error();
    return result != nullptr && result->result.compatible ? 1 : 0;
}
QPLUG_API const char* qplug_compat_qgis(const qplug_compat* result) {
    capi::clear_error();
    return result != nullptr ? result->result.qgis.c_str() : "";
}
QPLUG_API const char* qplug_compat_minimum(const qplug_compat* result) {
    capi::clear_error();
    return result != nullptr ? result->result.minimum.c_str() : "";
}
QPLUG_API const char* qplug_compat_maximum(const qplug_compat* result) {
    capi::clear_error();
    return result != nullptr ? result->result.maximum.c_str() : "";
}
QPLUG_API const char* qplug_compat_reason(const qplug_compat* result) {
    capi::clear_error();
    return result != nullptr ? result->result.reason.c_str() : "";
}
QPLUG_API void qplug_compat_free(qplug_compat* result) {
    capi::clear_error();
    delete result;
}
