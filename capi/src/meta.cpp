// The metadata, package and diagnostics part of the C ABI: argument checks, conversion, a call
// into libmeta, and the error record.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <qplug/meta/diagnostic_json.hpp>
#include <qplug/meta/package.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/meta/serialize.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/solver/link_check.hpp>

#include "error.hpp"
#include "strings.hpp"

struct qplug_diagnostics {
    qplug::meta::Diagnostics items;
};

struct qplug_document {
    qplug::meta::Document document;
    qplug_diagnostics parse_diagnostics;
    std::vector<std::string> keys;
    std::vector<std::string> values; // get() results, kept alive for the returned pointers
    std::vector<bool> readable;
};

struct qplug_package {
    qplug::meta::PackageReport report;
    qplug_diagnostics diagnostics;
    std::unique_ptr<qplug_document> metadata;
};

namespace {

using namespace qplug;
using capi::guarded;
using capi::set_error;

int null_argument(const char* name) {
    return set_error(QPLUG_EINVALID, std::string("argument '") + name + "' must not be NULL");
}

int bad_version(const char* what, unsigned v) {
    return set_error(QPLUG_EINVALID,
                     std::string("unsupported ") + what + " version " + std::to_string(v));
}

std::optional<meta::Profile> to_profile(int p) {
    switch (p) {
    case QPLUG_PROFILE_QGIS:
        return meta::Profile::qgis;
    case QPLUG_PROFILE_SITE:
        return meta::Profile::site;
    case QPLUG_PROFILE_STRICT:
        return meta::Profile::strict;
    default:
        return std::nullopt;
    }
}

std::unique_ptr<qplug_document> wrap(meta::Document doc) {
    auto d = std::make_unique<qplug_document>();
    d->document = std::move(doc);
    d->parse_diagnostics.items = d->document.diagnostics;
    if (d->document.general() != nullptr && (d->document.ok || d->document.lenient)) {
        for (const auto& item : d->document.general_items()) {
            d->keys.emplace_back(item.entry->name);
            d->values.emplace_back(item.value->value_or(std::string_view()));
            d->readable.push_back(item.value->has_value());
        }
    }
    return d;
}

int parse_options(const qplug_parse_options* options, meta::ParseOptions& po) {
    if (options == nullptr) {
        return QPLUG_OK;
    }
    if (options->version != QPLUG_PARSE_OPTIONS_VERSION) {
        return bad_version("qplug_parse_options", options->version);
    }
    if (options->keys != QPLUG_KEYS_QGIS && options->keys != QPLUG_KEYS_SITE) {
        return set_error(QPLUG_EINVALID, "unknown keys mode " + std::to_string(options->keys));
    }
    po.keys = options->keys == QPLUG_KEYS_SITE ? meta::KeyMode::site : meta::KeyMode::qgis;
    po.lenient = options->lenient != 0;
    if (options->file_name != nullptr) {
        po.file_name = options->file_name;
    }
    return QPLUG_OK;
}

const meta::Diagnostic* item(const qplug_diagnostics* d, size_t i) {
    capi::clear_error();
    if (d == nullptr || i >= d->items.size()) {
        return nullptr;
    }
    return &d->items[i];
}

int severity_code(meta::Severity s) {
    switch (s) {
    case meta::Severity::info:
        return QPLUG_SEVERITY_INFO;
    case meta::Severity::warning:
        return QPLUG_SEVERITY_WARNING;
    case meta::Severity::error:
        return QPLUG_SEVERITY_ERROR;
    default:
        return 0;
    }
}

} // namespace

QPLUG_API int qplug_parse_options_init(qplug_parse_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_PARSE_OPTIONS_VERSION) {
            return bad_version("qplug_parse_options", version);
        }
        *options = qplug_parse_options{QPLUG_PARSE_OPTIONS_VERSION, QPLUG_KEYS_QGIS, 0, nullptr};
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_metadata_parse(qplug_document** out, const char* data, size_t size,
                                   const qplug_parse_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || (data == nullptr && size > 0)) {
            return null_argument(out == nullptr ? "out" : "data");
        }
        meta::ParseOptions po;
        if (const int rc = parse_options(options, po); rc != QPLUG_OK) {
            return rc;
        }
        *out = wrap(meta::parse(std::string_view(data == nullptr ? "" : data, size), po)).release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_metadata_parse_file(qplug_document** out, const char* path,
                                        const qplug_parse_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || path == nullptr) {
            return null_argument(out == nullptr ? "out" : "path");
        }
        meta::ParseOptions po;
        if (const int rc = parse_options(options, po); rc != QPLUG_OK) {
            return rc;
        }
        auto doc = meta::parse_file(path, po);
        if (!doc) {
            return set_error(QPLUG_EIO, std::string(path) + ": " + doc.error().message);
        }
        *out = wrap(std::move(*doc)).release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_document_ok(const qplug_document* document) {
    capi::clear_error();
    return document != nullptr && document->document.ok ? 1 : 0;
}

QPLUG_API int qplug_document_has(const qplug_document* document, const char* key) {
    capi::clear_error();
    if (document == nullptr || key == nullptr) {
        return 0;
    }
    try {
        const meta::Entry* e = document->document.find(key); // (may allocate)
        if (e == nullptr) {
            return 0;
        }
        for (const auto& name : document->keys) {
            if (name == e->name) {
                return 1;
            }
        }
    } catch (...) {
        set_error(QPLUG_ERROR, "out of memory");
    }
    return 0;
}

QPLUG_API const char* qplug_document_get(const qplug_document* document, const char* key) {
    capi::clear_error();
    if (document == nullptr || key == nullptr) {
        return nullptr;
    }
    try {
        const meta::Entry* e = document->document.find(key); // (may allocate)
        if (e == nullptr) {
            return nullptr;
        }
        for (size_t i = 0; i < document->keys.size(); ++i) {
            if (document->keys[i] == e->name) {
                return document->readable[i] ? document->values[i].c_str() : nullptr;
            }
        }
    } catch (...) {
        set_error(QPLUG_ERROR, "out of memory");
    }
    return nullptr;
}

QPLUG_API size_t qplug_document_key_count(const qplug_document* document) {
    capi::clear_error();
    return document == nullptr ? 0 : document->keys.size();
}

QPLUG_API const char* qplug_document_key(const qplug_document* document, size_t index) {
    capi::clear_error();
    return document == nullptr || index >= document->keys.size() ? nullptr
                                                                 : document->keys[index].c_str();
}

QPLUG_API const qplug_diagnostics* qplug_document_diagnostics(const qplug_document* document) {
    capi::clear_error();
    return document == nullptr ? nullptr : &document->parse_diagnostics;
}

QPLUG_API int qplug_document_to_json(char** out, const qplug_document* document) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || document == nullptr) {
            return null_argument(out == nullptr ? "out" : "document");
        }
        *out = capi::copy_out(meta::document_json(document->document));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_document_format(char** out, const qplug_document* document) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || document == nullptr) {
            return null_argument(out == nullptr ? "out" : "document");
        }
        if (!document->document.ok && !document->document.lenient) {
            return set_error(QPLUG_EINVALID,
                             document->document.file +
                                 ": configparser cannot read this file; it is not formatted");
        }
        *out = capi::copy_out(meta::format_metadata(document->document));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_document_free(qplug_document* document) {
    capi::clear_error();
    delete document;
}

QPLUG_API int qplug_validate_options_init(qplug_validate_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_VALIDATE_OPTIONS_VERSION) {
            return bad_version("qplug_validate_options", version);
        }
        *options =
            qplug_validate_options{QPLUG_VALIDATE_OPTIONS_VERSION, QPLUG_PROFILE_QGIS, 0, nullptr};
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_metadata_validate(qplug_diagnostics** out, const qplug_document* document,
                                      const qplug_validate_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || document == nullptr) {
            return null_argument(out == nullptr ? "out" : "document");
        }
        meta::ValidateOptions vo;
        if (options != nullptr) {
            if (options->version != QPLUG_VALIDATE_OPTIONS_VERSION) {
                return bad_version("qplug_validate_options", options->version);
            }
            const auto profile = to_profile(options->profile);
            if (!profile) {
                return set_error(QPLUG_EINVALID,
                                 "unknown profile " + std::to_string(options->profile));
            }
            vo.profile = *profile;
            if (options->check_links != 0) {
                vo.check_link = [](std::string_view url) {
                    return solver::check_link_with_curl(url, 10);
                };
            }
            if (options->plugin_dir != nullptr) {
                const std::filesystem::path folder(options->plugin_dir);
                vo.file_exists = [folder](std::string_view relative) {
                    std::error_code ec;
                    return std::filesystem::is_regular_file(
                        folder / std::filesystem::path(relative), ec);
                };
            }
        }
        auto d = std::make_unique<qplug_diagnostics>();
        d->items = meta::validate(document->document, vo);
        *out = d.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_package_options_init(qplug_package_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_PACKAGE_OPTIONS_VERSION) {
            return bad_version("qplug_package_options", version);
        }
        *options = qplug_package_options{
            QPLUG_PACKAGE_OPTIONS_VERSION, QPLUG_PROFILE_SITE, 0, nullptr, 0, 0};
        return QPLUG_OK;
    });
}

namespace {

int package_options(const qplug_package_options* options, meta::PackageOptions& po) {
    if (options == nullptr) {
        return QPLUG_OK;
    }
    if (options->version != QPLUG_PACKAGE_OPTIONS_VERSION) {
        return bad_version("qplug_package_options", options->version);
    }
    const auto profile = to_profile(options->profile);
    if (!profile) {
        return set_error(QPLUG_EINVALID, "unknown profile " + std::to_string(options->profile));
    }
    po.profile = *profile;
    po.new_plugin = options->new_plugin != 0;
    if (options->expected_package_name != nullptr) {
        po.expected_package_name = options->expected_package_name;
    }
    if (options->check_links != 0) {
        po.check_link = [](std::string_view url) { return solver::check_link_with_curl(url, 10); };
    }
    if (options->max_size != 0) {
        po.max_size = options->max_size;
    }
    return QPLUG_OK;
}

qplug_package* wrap_package(meta::PackageReport report) {
    auto p = std::make_unique<qplug_package>();
    p->report = std::move(report);
    p->diagnostics.items = p->report.diagnostics;
    if (p->report.metadata) {
        // The document moves into its handle (documents are move-only).
        p->metadata = wrap(std::move(*p->report.metadata));
        p->report.metadata.reset();
    }
    return p.release();
}

} // namespace

QPLUG_API int qplug_package_check(qplug_package** out, const char* data, size_t size,
                                  const qplug_package_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || (data == nullptr && size > 0)) {
            return null_argument(out == nullptr ? "out" : "data");
        }
        meta::PackageOptions po;
        if (const int rc = package_options(options, po); rc != QPLUG_OK) {
            return rc;
        }
        *out = wrap_package(
            meta::check_package(std::string_view(data == nullptr ? "" : data, size), po));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_package_check_file(qplug_package** out, const char* path,
                                       const qplug_package_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || path == nullptr) {
            return null_argument(out == nullptr ? "out" : "path");
        }
        meta::PackageOptions po;
        if (const int rc = package_options(options, po); rc != QPLUG_OK) {
            return rc;
        }
        auto report = meta::check_package_file(path, po);
        if (!report) {
            return set_error(QPLUG_EIO, std::string(path) + ": " + report.error().message);
        }
        *out = wrap_package(std::move(*report));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_package_valid(const qplug_package* package) {
    capi::clear_error();
    return package != nullptr && package->report.valid() ? 1 : 0;
}

QPLUG_API const char* qplug_package_name(const qplug_package* package) {
    capi::clear_error();
    return package == nullptr ? "" : package->report.package_name.c_str();
}

QPLUG_API const qplug_diagnostics* qplug_package_diagnostics(const qplug_package* package) {
    capi::clear_error();
    return package == nullptr ? nullptr : &package->diagnostics;
}

QPLUG_API const qplug_document* qplug_package_metadata(const qplug_package* package) {
    capi::clear_error();
    return package == nullptr ? nullptr : package->metadata.get();
}

QPLUG_API void qplug_package_free(qplug_package* package) {
    capi::clear_error();
    delete package;
}

QPLUG_API size_t qplug_diagnostics_count(const qplug_diagnostics* diagnostics) {
    capi::clear_error();
    return diagnostics == nullptr ? 0 : diagnostics->items.size();
}

QPLUG_API size_t qplug_diagnostics_count_severity(const qplug_diagnostics* diagnostics,
                                                  int severity) {
    capi::clear_error();
    if (diagnostics == nullptr) {
        return 0;
    }
    size_t n = 0;
    for (const auto& d : diagnostics->items) {
        n += severity_code(d.severity) == severity ? 1U : 0U;
    }
    return n;
}

namespace {

/// A Diagnostic's rule or hint as a C string: the spec's NUL-terminated text (see
/// diagnostic.hpp), or "" for an empty view.
const char* spec_text(std::string_view text) {
    return text.empty() ? "" : text.data();
}

} // namespace

QPLUG_API const char* qplug_diagnostic_rule(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : spec_text(x->rule);
}
QPLUG_API int qplug_diagnostic_severity(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? 0 : severity_code(x->severity);
}
QPLUG_API const char* qplug_diagnostic_file(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : x->file.c_str();
}
QPLUG_API size_t qplug_diagnostic_line(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? 0 : x->line;
}
QPLUG_API size_t qplug_diagnostic_column(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? 0 : x->column;
}
QPLUG_API size_t qplug_diagnostic_offset(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? 0 : x->offset;
}
QPLUG_API const char* qplug_diagnostic_key(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : x->key.c_str();
}
QPLUG_API const char* qplug_diagnostic_message(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : x->message.c_str();
}
QPLUG_API const char* qplug_diagnostic_hint(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : spec_text(x->hint);
}
QPLUG_API const char* qplug_diagnostic_source_line(const qplug_diagnostics* d, size_t i) {
    const auto* x = item(d, i);
    return x == nullptr ? nullptr : x->source_line.c_str();
}

QPLUG_API int qplug_diagnostics_to_json(char** out, const qplug_diagnostics* diagnostics) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || diagnostics == nullptr) {
            return null_argument(out == nullptr ? "out" : "diagnostics");
        }
        const auto a = meta::diagnostics_json(diagnostics->items);
        *out = capi::copy_out(
            a.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_diagnostics_free(qplug_diagnostics* diagnostics) {
    capi::clear_error();
    delete diagnostics;
}

QPLUG_API const char* qplug_metadata_spec_json(void) {
    capi::clear_error();
    try {
        static const std::string spec = meta::spec_json(); // (a throw retries next time)
        return spec.c_str();
    } catch (...) {
        set_error(QPLUG_ERROR, "out of memory");
        return "{}";
    }
}
