// Source kinds from outside the library (source_kinds.hpp): the process's registry of kinds
// given through the C ABI, their settings schema, the adapter that makes a Source of one, and
// the loader of extension libraries (docs/index-sources.md, "Kinds from extensions").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h> // (dladdr: _GNU_SOURCE, which g++ defines)
#include <fstream>
#include <map>
#include <mutex>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/cancel.hpp>
#include <qplug/solver/source_kinds.hpp>

#include "errors.hpp"
#include "sources/sources.hpp"

#ifndef QPLUG_EXTENSION_DIR
#define QPLUG_EXTENSION_DIR ""
#endif

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// A registered kind. Sources made of it hold it, so that its user data is released (and an
/// unregistered kind forgotten) only once no sync runs with it.
struct Kind {
    std::string tag;
    std::string summary;
    std::optional<Backend> backend;
    json schema = json::object(); ///< option name -> {"type", "required", "summary"}
    qplug_source_sync_fn sync = nullptr;
    void* user_data = nullptr;
    qplug_user_data_free_fn free_user_data = nullptr;

    Kind() = default;
    Kind(const Kind&) = delete;
    Kind& operator=(const Kind&) = delete;
    ~Kind() {
        if (free_user_data != nullptr) {
            free_user_data(user_data);
        }
    }
};

struct Registry {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const Kind>, std::less<>> kinds;
};

Registry& registry() {
    static Registry* r = new Registry; // never destroyed: kinds may outlive static destruction
    return *r;
}

std::shared_ptr<const Kind> registered(std::string_view tag) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    const auto it = r.kinds.find(tag);
    return it == r.kinds.end() ? nullptr : it->second;
}

bool valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 64) {
        return false;
    }
    for (std::size_t i = 0; i < tag.size(); ++i) {
        const char c = tag[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_'))) {
            return false;
        }
    }
    return true;
}

constexpr std::string_view kTypes[] = {"string", "boolean", "integer", "number", "array", "object"};

/// The schema's problem, or "" when it is one.
std::string schema_problem(const json& schema) {
    if (!schema.is_object()) {
        return "the settings schema must be a JSON object of options";
    }
    for (const auto& [name, spec] : schema.items()) {
        if (!spec.is_object()) {
            return fmt::format("the settings schema's option '{}' must be an object", name);
        }
        const auto type = spec.find("type");
        if (type == spec.end() || !type->is_string() ||
            std::find(std::begin(kTypes), std::end(kTypes), type->get<std::string>()) ==
                std::end(kTypes)) {
            return fmt::format("the settings schema's option '{}' needs a \"type\": string, "
                               "boolean, integer, number, array or object",
                               name);
        }
        for (const auto& [key, value] : spec.items()) {
            if (key == "required" && !value.is_boolean()) {
                return fmt::format("the settings schema's option '{}': \"required\" must be "
                                   "true or false",
                                   name);
            }
            if (key == "summary" && !value.is_string()) {
                return fmt::format("the settings schema's option '{}': \"summary\" must be a "
                                   "string",
                                   name);
            }
            if (key != "type" && key != "required" && key != "summary") {
                return fmt::format("the settings schema's option '{}' has an unknown member "
                                   "'{}' (type, required, summary)",
                                   name, key);
            }
        }
    }
    return {};
}

bool has_type(const json& value, std::string_view type) {
    if (type == "string") {
        return value.is_string();
    }
    if (type == "boolean") {
        return value.is_boolean();
    }
    if (type == "integer") {
        return value.is_number_integer();
    }
    if (type == "number") {
        return value.is_number();
    }
    if (type == "array") {
        return value.is_array();
    }
    return value.is_object();
}

std::string a_type(std::string_view type) {
    return type == "integer" ? "an integer"
           : type == "array" ? "an array"
           : type == "object"
               ? "an object"
               : fmt::format("a {}", type == "boolean" ? "boolean (true or false)" : type);
}

/// The repository's options checked against the kind's schema: every message names the option.
Expected<void> check_options(const Kind& kind, const RepositoryConfig& repository) {
    auto options = sources::read_options(repository);
    QPLUG_RETURN_IF_ERROR(options);
    std::string known;
    for (const auto& [name, spec] : kind.schema.items()) {
        known += (known.empty() ? "" : ", ") + name;
    }
    for (const auto& [name, value] : options->items()) {
        const auto spec = kind.schema.find(name);
        if (spec == kind.schema.end()) {
            return sources::setting_error(
                repository,
                known.empty()
                    ? fmt::format("unknown option '{}': the kind '{}' takes no options", name,
                                  kind.tag)
                    : fmt::format("unknown option '{}' for the kind '{}' (its options: {})", name,
                                  kind.tag, known));
        }
        const std::string type = spec->at("type").get<std::string>();
        if (!has_type(value, type)) {
            return sources::setting_error(
                repository,
                fmt::format("the option '{}' must be {}, not {}", name, a_type(type),
                            value.dump(-1, ' ', false, json::error_handler_t::replace)));
        }
    }
    for (const auto& [name, spec] : kind.schema.items()) {
        if (spec.value("required", false) && !options->contains(name)) {
            return sources::setting_error(
                repository, fmt::format("the kind '{}' requires the option '{}' (--option {}=...)",
                                        kind.tag, name, name));
        }
    }
    return {};
}

/// One running sync of an external kind: what the qplug_source_sync handle points at.
struct SyncState {
    const Kind& kind;
    const RepositoryConfig& repository;
    const SyncContext& context;
    SyncSink& sink;
    std::vector<Package> packages;
    std::map<std::string, std::size_t, std::less<>> by_name;
    std::string failure;

    void add(Package package) {
        auto [it, added] = by_name.try_emplace(package.name, packages.size());
        if (added) {
            packages.push_back(std::move(package));
            return;
        }
        Package& p = packages[it->second]; // another release of a package already handed over
        for (auto& r : package.releases) {
            p.releases.push_back(std::move(r));
        }
    }
};

SyncState& state_of(qplug_source_sync* sync) {
    return *static_cast<SyncState*>(sync->state);
}

int refuse(std::string* message, int code, std::string text) {
    *message = std::move(text);
    return code;
}

int add_package(qplug_source_sync* sync, const char* package_json, std::string* message) {
    SyncState& s = state_of(sync);
    if (cancelled(s.context.cancel)) {
        return refuse(message, QPLUG_ECANCELED, "the sync was cancelled");
    }
    auto package = sources::package_from_json(package_json);
    if (!package) {
        return refuse(message, QPLUG_EINVALID, package.error().to_string());
    }
    s.add(std::move(*package));
    return QPLUG_OK;
}

/// The last segment of a URL's path, without its query.
std::string file_name_of(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto slash = url.rfind('/');
    return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

int add_plugin_archive(qplug_source_sync* sync, const char* data, std::size_t size,
                       const char* release_json, int* accepted, std::string* message) {
    SyncState& s = state_of(sync);
    *accepted = 0;
    if (cancelled(s.context.cancel)) {
        return refuse(message, QPLUG_ECANCELED, "the sync was cancelled");
    }
    json release = json::object();
    if (release_json != nullptr && *release_json != '\0') {
        release = json::parse(release_json, nullptr, false);
        if (release.is_discarded() || !release.is_object()) {
            return refuse(message, QPLUG_EINVALID, "the release must be a JSON object");
        }
    }
    for (const auto& [key, value] : release.items()) {
        if (key != "download_url" && key != "file_name" && key != "update_date" &&
            key != "channel") {
            return refuse(message, QPLUG_EINVALID,
                          fmt::format("the release has an unknown member '{}' (download_url, "
                                      "file_name, update_date, channel)",
                                      key));
        }
        if (!value.is_string()) {
            return refuse(message, QPLUG_EINVALID,
                          fmt::format("the release's '{}' must be a string", key));
        }
    }
    const std::string url = release.value("download_url", "");
    if (url.empty()) {
        return refuse(message, QPLUG_EINVALID, "the release needs a \"download_url\"");
    }
    const std::string file_name = release.value("file_name", file_name_of(url));
    const std::string channel = release.value("channel", "");
    if (!channel.empty() && channel != "stable" && channel != "experimental") {
        return refuse(message, QPLUG_EINVALID,
                      "the release's \"channel\" must be \"stable\" or \"experimental\"");
    }
    // The ZIP is read from a private temporary file, as the folder kind reads its ZIPs.
    std::string temp = (fs::temp_directory_path() / "qplug-archive-XXXXXX").string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return refuse(message, QPLUG_EIO,
                      fmt::format("cannot create a temporary file: {}", std::strerror(errno)));
    }
    ::close(fd);
    const fs::path path = temp;
    std::optional<Package> package;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(data, static_cast<std::streamsize>(size));
        out.close();
        if (!out) {
            std::error_code ec;
            fs::remove(path, ec);
            return refuse(message, QPLUG_EIO, "cannot write a temporary file");
        }
        package = sources::read_plugin_zip(path, [&](std::string w) {
            replace_all(w, path.string(), url); // the messages name the archive by its URL
            s.sink.warn(std::move(w));
        });
        std::error_code ec;
        fs::remove(path, ec);
    }
    if (!package) {
        return QPLUG_OK; // left out, with a warning saying why
    }
    Release& r = package->releases.front();
    r.download_url = url;
    r.file_name = file_name;
    r.update_date = release.value("update_date", r.update_date);
    if (channel == "experimental") {
        r.channel = Channel::experimental;
    } else if (channel == "stable") {
        r.channel = Channel::stable;
    }
    s.add(std::move(*package));
    *accepted = 1;
    return QPLUG_OK;
}

int fetch(qplug_source_sync* sync, const char* url, char** out, std::size_t* out_size,
          std::string* message) {
    SyncState& s = state_of(sync);
    if (s.context.fetcher == nullptr) {
        return refuse(message, QPLUG_EIO, "this sync has no fetcher");
    }
    auto request = sources::request_for(s.repository, url, s.context);
    if (!request) {
        return refuse(message, QPLUG_EINVALID, request.error().to_string());
    }
    request->etag.clear(); // the kind asks for the document itself, not whether it changed
    request->last_modified.clear();
    request->kind =
        file_name_of(url).ends_with(".zip") ? DocumentKind::archive : DocumentKind::other;
    auto response = s.context.fetcher->fetch(*request, s.context.progress);
    if (!response) {
        const int code =
            response.error().kind == Error::Kind::cancelled ? QPLUG_ECANCELED : QPLUG_EIO;
        return refuse(message, code, response.error().to_string());
    }
    const std::string& body = response->body;
    char* buffer = static_cast<char*>(std::malloc(body.size() + 1));
    if (buffer == nullptr) {
        return refuse(message, QPLUG_ERROR, "out of memory");
    }
    std::memcpy(buffer, body.data(), body.size());
    buffer[body.size()] = '\0'; // (a text document can be read as a C string)
    *out = buffer;
    *out_size = body.size();
    return QPLUG_OK;
}

int warn(qplug_source_sync* sync, const char* text, std::string* /*message*/) {
    SyncState& s = state_of(sync);
    s.sink.warn(fmt::format("repository '{}': {}", s.repository.name, text));
    return QPLUG_OK;
}

int fail(qplug_source_sync* sync, const char* text, std::string* /*message*/) {
    state_of(sync).failure = text;
    return QPLUG_OK;
}

/// Every entry is noexcept for the C side: the callers (capi wrappers) guard exceptions, but a
/// direct caller of the table (another copy of the library) must not see one either.
template <auto F, class... Args>
int guarded_call(Args... args) noexcept {
    try {
        return F(args...);
    } catch (const std::bad_alloc&) {
        return QPLUG_ERROR;
    } catch (...) {
        return QPLUG_ERROR;
    }
}

const SourceSyncFunctions kFunctions{
    &guarded_call<add_package, qplug_source_sync*, const char*, std::string*>,
    &guarded_call<add_plugin_archive, qplug_source_sync*, const char*, std::size_t, const char*,
                  int*, std::string*>,
    &guarded_call<fetch, qplug_source_sync*, const char*, char**, std::size_t*, std::string*>,
    &guarded_call<warn, qplug_source_sync*, const char*, std::string*>,
    &guarded_call<fail, qplug_source_sync*, const char*, std::string*>,
};

class ExternalSource final : public Source {
public:
    ExternalSource(std::shared_ptr<const Kind> kind, RepositoryConfig repository)
        : kind_(std::move(kind)), repository_(std::move(repository)) {}

    Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) override {
        SyncState state{*kind_, repository_, context, sink, {}, {}, {}};
        qplug_source_sync handle{&kFunctions, &state};
        const int code = kind_->sync(kind_->user_data, &handle, repository_.url.c_str(),
                                     repository_.options.c_str());
        if (cancelled(context.cancel)) {
            return cancelled_error("syncing " + repository_.name);
        }
        if (code != 0) {
            Error e = sources::setting_error(
                repository_,
                state.failure.empty()
                    ? fmt::format("the sync of kind '{}' failed (code {})", kind_->tag, code)
                    : state.failure);
            e.kind = Error::Kind::io;
            return e;
        }
        sink.expect(state.packages.size());
        QPLUG_TRY(sink.clear());
        for (const auto& p : state.packages) {
            QPLUG_TRY(sink.add(p));
        }
        return Index::SyncResult{};
    }

private:
    std::shared_ptr<const Kind> kind_;
    RepositoryConfig repository_;
};

SourceType type_of(std::shared_ptr<const Kind> kind) {
    SourceType t;
    t.tag = kind->tag;
    t.summary = kind->summary;
    t.backend = kind->backend;
    t.make = [kind](const RepositoryConfig& repository) -> Expected<std::unique_ptr<Source>> {
        QPLUG_TRY(check_options(*kind, repository));
        return std::unique_ptr<Source>(std::make_unique<ExternalSource>(kind, repository));
    };
    return t;
}

thread_local std::string host_message; // why the last host_register of this thread failed

int host_register(const qplug_source_kind* kind) noexcept {
    try {
        if (kind == nullptr) {
            host_message = "no kind given";
            return QPLUG_EINVALID;
        }
        return register_source_kind(*kind, host_message);
    } catch (...) {
        return QPLUG_ERROR;
    }
}

std::mutex& loader_mutex() {
    static std::mutex m;
    return m;
}

/// Loads TAG.so from the first extension folder that has it: it must register the kind.
Expected<void> load_extension(std::string_view tag) {
    std::lock_guard lock(loader_mutex());
    if (registered(tag)) {
        return {}; // (another thread loaded it meanwhile)
    }
    const auto folders = extension_folders();
    for (const auto& folder : folders) {
        const fs::path path = folder / (std::string(tag) + ".so");
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            continue;
        }
        // Never closed: the kinds it registers point into it for the rest of the process.
        void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (library == nullptr) {
            const char* why = ::dlerror();
            return failure(fmt::format("the extension {} cannot be loaded: {}", path.string(),
                                       why != nullptr ? why : "unknown error"));
        }
        auto init =
            reinterpret_cast<qplug_extension_init_fn>(::dlsym(library, "qplug_extension_init"));
        if (init == nullptr) {
            return failure(
                fmt::format("the extension {} has no qplug_extension_init", path.string()));
        }
        const qplug_extension_host host{QPLUG_EXTENSION_HOST_VERSION, &host_register};
        host_message.clear();
        if (const int code = init(&host); code != 0) {
            return failure(fmt::format("the extension {} failed to start (code {}){}{}",
                                       path.string(), code, host_message.empty() ? "" : ": ",
                                       host_message));
        }
        if (!registered(tag)) {
            return failure(
                fmt::format("the extension {} did not register the kind '{}'", path.string(), tag));
        }
        return {};
    }
    std::string searched;
    for (const auto& folder : folders) {
        searched += (searched.empty() ? "" : ", ") + folder.string();
    }
    Error e = failure(fmt::format("no extension library {}.so in {}", tag, searched));
    e.kind = Error::Kind::not_found;
    return e;
}

} // namespace

int register_source_kind(const qplug_source_kind& kind, std::string& message) {
    if (kind.version != QPLUG_SOURCE_KIND_VERSION) {
        message = fmt::format("unsupported qplug_source_kind version {}", kind.version);
        return QPLUG_EINVALID;
    }
    const std::string tag = kind.tag != nullptr ? kind.tag : "";
    if (!valid_tag(tag)) {
        message = fmt::format("'{}' is not a kind's tag: lower-case letters, digits, '-' and '_', "
                              "starting with a letter or digit",
                              tag);
        return QPLUG_EINVALID;
    }
    if (SourceRegistry::builtin().find(tag) != nullptr) {
        message = fmt::format("the kind '{}' is built in", tag);
        return QPLUG_EINVALID;
    }
    if (kind.sync == nullptr) {
        message = fmt::format("the kind '{}' has no sync callback", tag);
        return QPLUG_EINVALID;
    }
    auto made = std::make_shared<Kind>();
    made->tag = tag;
    made->summary = kind.summary != nullptr ? kind.summary : "";
    const std::string backend =
        kind.backend != nullptr && *kind.backend != '\0' ? kind.backend : "legacy";
    made->backend = backend_from_name(backend);
    if (!made->backend) {
        message = fmt::format("the kind '{}' has an unknown backend '{}' (legacy, pip, conda)", tag,
                              backend);
        return QPLUG_EINVALID;
    }
    if (kind.settings_schema != nullptr && *kind.settings_schema != '\0') {
        made->schema = json::parse(kind.settings_schema, nullptr, false);
        if (made->schema.is_discarded()) {
            message = fmt::format("the kind '{}': its settings schema is not JSON", tag);
            return QPLUG_EINVALID;
        }
        if (auto problem = schema_problem(made->schema); !problem.empty()) {
            message = fmt::format("the kind '{}': {}", tag, problem);
            return QPLUG_EINVALID;
        }
    }
    made->sync = kind.sync;
    made->user_data = kind.user_data;
    made->free_user_data = kind.free_user_data; // (from here on the Kind owns the user data)
    std::shared_ptr<const Kind> replaced;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        auto& slot = r.kinds[tag];
        replaced = std::move(slot);
        slot = std::move(made);
    }
    return QPLUG_OK; // (`replaced` lets go of the old kind outside the lock)
}

bool unregister_source_kind(std::string_view tag) {
    std::shared_ptr<const Kind> dropped;
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    const auto it = r.kinds.find(tag);
    if (it == r.kinds.end()) {
        return false;
    }
    dropped = std::move(it->second);
    r.kinds.erase(it);
    return true;
}

Expected<SourceType> external_source_kind(std::string_view tag) {
    if (!valid_tag(tag)) {
        Error e = failure(fmt::format("'{}' is not a kind's name", tag));
        e.kind = Error::Kind::not_found;
        return e;
    }
    if (auto kind = registered(tag)) {
        return type_of(std::move(kind));
    }
    QPLUG_TRY(load_extension(tag));
    auto kind = registered(tag);
    if (!kind) {
        return failure(fmt::format("the kind '{}' was dropped while it was loaded", tag));
    }
    return type_of(std::move(kind));
}

Expected<const SourceType*> find_source_type(const SourceRegistry& registry, std::string_view kind,
                                             std::optional<SourceType>& external) {
    if (const SourceType* type = registry.find(kind)) {
        return type;
    }
    auto found = external_source_kind(kind);
    QPLUG_RETURN_IF_ERROR(found);
    external = std::move(*found);
    return &*external;
}

std::vector<fs::path> extension_folders() {
    std::vector<fs::path> folders;
    if (const char* path = std::getenv("QPLUG_EXTENSION_PATH"); path != nullptr) {
        std::string_view rest = path;
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const std::string_view part = rest.substr(0, colon);
            if (!part.empty()) {
                folders.emplace_back(part);
            }
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    }
    // <libdir>/qplug/extensions beside the library holding this code (libqplug.so in <libdir>,
    // qplug-commands.so in <libdir>/qplug), so that an installed tree can move; then the
    // folder of the prefix it was built for.
    static const char marker = 0;
    Dl_info info{};
    if (::dladdr(&marker, &info) != 0 && info.dli_fname != nullptr) {
        const fs::path dir = fs::path(info.dli_fname).parent_path();
        folders.push_back(dir.filename() == "qplug" ? dir / "extensions"
                                                    : dir / "qplug" / "extensions");
    }
    if (const fs::path built_for = QPLUG_EXTENSION_DIR;
        !built_for.empty() &&
        std::find(folders.begin(), folders.end(), built_for) == folders.end()) {
        folders.push_back(built_for);
    }
    const char* data = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    if (data != nullptr && *data == '/') {
        folders.push_back(fs::path(data) / "qplug" / "extensions");
    } else if (home != nullptr && *home != '\0') {
        folders.push_back(fs::path(home) / ".local" / "share" / "qplug" / "extensions");
    }
    return folders;
}

} // namespace qplug::solver
