// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/release_download.hpp"

#include <fmt/format.h>

#include <qplug/solver/fetch.hpp>

#include "errors.hpp"

namespace qplug::solver::detail {

Expected<DownloadedFile> download_release(const Index& index, const ReleaseRecord& release,
                                          DownloadCache& downloads, const Cancellation* cancel) {
    Download d;
    d.url = release.release.download_url;
    d.hash = release.release.hash;
    d.size = release.release.size;
    d.name = fmt::format("{} {}", release.display_name, release.release.version);
    d.cancel = cancel;
    if (auto repo = index.repository(release.repository); repo && !repo->credentials.empty()) {
        auto c = resolve_credentials(repo->credentials);
        QPLUG_RETURN_IF_ERROR(c);
        d.credentials = *c;
    }
    return downloads.get(d);
}

} // namespace qplug::solver::detail
