// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/solver/plugin_offer.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/version/compat.hpp>

namespace qplug::solver {

bool offered(const ReleaseRecord& rec, const OfferOptions& options) {
    if (rec.release.deprecated && !options.allow_deprecated) {
        return false;
    }
    if (rec.backend != Backend::legacy) {
        return true;
    }
    // check() reads an empty minimum as "2" (a repository entry) and an empty maximum as
    // the minimum's first character + ".99", as xmlDownloaded does.
    auto c =
        version::compat::check(options.qgis, rec.release.qgis_minimum, rec.release.qgis_maximum);
    return c && c->compatible;
}

Offer qgis_offer(std::span<const ReleaseRecord* const> releases, const OfferOptions& options) {
    Offer offer;
    for (const ReleaseRecord* r : releases) {
        if (!offered(*r, options)) {
            continue;
        }
        const ReleaseRecord*& best =
            r->release.channel == Channel::stable ? offer.stable : offer.experimental;
        // Among equal versions the later one listed, as QGIS's merge keeps.
        if (best == nullptr ||
            !version_less(r->backend, r->release.version, best->release.version)) {
            best = r;
        }
    }
    if (offer.stable != nullptr && offer.experimental != nullptr &&
        offer.stable->backend == Backend::legacy &&
        version_less(offer.stable->backend, offer.experimental->release.version,
                     offer.stable->release.version)) {
        offer.experimental = nullptr; // "If the stable version is higher ... we ignore" it
    }
    return offer;
}

} // namespace qplug::solver
