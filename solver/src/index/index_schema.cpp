// SPDX-License-Identifier: GPL-2.0-or-later
#include "index/index_schema.hpp"

#include <array>

namespace qplug::solver::schema {

namespace {

// Never edit a migration that a release of qplug has shipped: add the next one.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE repositories (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    backend       TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0,
    enabled       INTEGER NOT NULL DEFAULT 1,
    protected     INTEGER NOT NULL DEFAULT 0,
    credentials   TEXT NOT NULL DEFAULT '',
    options       TEXT NOT NULL DEFAULT '{}',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_sync     TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    revision      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE packages (
    id            INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    keywords      TEXT NOT NULL DEFAULT '',
    UNIQUE (repository_id, name)
) STRICT;
CREATE INDEX packages_name ON packages(name COLLATE NOCASE);
CREATE INDEX packages_display_name ON packages(display_name COLLATE NOCASE);

CREATE TABLE releases (
    id                 INTEGER PRIMARY KEY,
    repository_id      INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    package_id         INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    version            TEXT NOT NULL,
    channel            TEXT NOT NULL CHECK (channel IN ('stable', 'experimental')),
    deprecated         INTEGER NOT NULL DEFAULT 0,
    trusted            INTEGER NOT NULL DEFAULT 0,
    qgis_minimum       TEXT NOT NULL DEFAULT '',
    qgis_maximum       TEXT NOT NULL DEFAULT '',
    requires_python    TEXT NOT NULL DEFAULT '',
    download_url       TEXT NOT NULL DEFAULT '',
    file_name          TEXT NOT NULL DEFAULT '',
    size               INTEGER,
    hash               TEXT NOT NULL DEFAULT '',
    build              TEXT NOT NULL DEFAULT '',
    build_number       INTEGER,
    subdir             TEXT NOT NULL DEFAULT '',
    update_date        TEXT NOT NULL DEFAULT '',
    metadata           TEXT NOT NULL DEFAULT '{}',
    dependencies_known INTEGER NOT NULL DEFAULT 1,
    path               TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX releases_package ON releases(package_id);
CREATE INDEX releases_repository ON releases(repository_id);

-- Dependencies and modules are clustered by release (WITHOUT ROWID): one B-tree each, filled
-- in order by a sync, read by release.
CREATE TABLE dependencies (
    release_id    INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('plugin', 'pip', 'conda', 'qgis', 'python')),
    target        TEXT NOT NULL,
    spec          TEXT NOT NULL DEFAULT '',
    markers       TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '',
    is_constraint INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (release_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE modules (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    module     TEXT NOT NULL,
    PRIMARY KEY (release_id, module)
) STRICT, WITHOUT ROWID;

CREATE VIEW installed_releases AS
    SELECT r.*, p.name AS package, p.display_name, repo.name AS repository
    FROM releases r
    JOIN packages p ON p.id = r.package_id
    JOIN repositories repo ON repo.id = r.repository_id
    WHERE repo.kind = 'installed';
)sql";

// Pins: "target stays within spec whenever it is installed" (qplug pin, docs/resolve.md).
constexpr const char* kVersion2 = R"sql(
CREATE TABLE pins (
    target TEXT PRIMARY KEY,
    spec   TEXT NOT NULL,
    added  TEXT NOT NULL DEFAULT ''
) STRICT;
)sql";

// Dependencies move into their release's row as one JSON array (dependency_json.hpp): a row per
// dependency made a large import spend most of its time in B-tree inserts. The `dependencies`
// view keeps the table's shape for SQL readers.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE releases ADD COLUMN dependencies_json TEXT NOT NULL DEFAULT '[]';
UPDATE releases SET dependencies_json = (
    SELECT json_group_array(json_array(kind, target, spec, markers, extra, is_constraint))
    FROM (SELECT * FROM dependencies d WHERE d.release_id = releases.id ORDER BY d.seq))
WHERE id IN (SELECT release_id FROM dependencies);
DROP TABLE dependencies;
CREATE VIEW dependencies AS
    SELECT r.id AS release_id, CAST(d.key AS INTEGER) AS seq, d.value ->> 0 AS kind,
           d.value ->> 1 AS target, d.value ->> 2 AS spec, d.value ->> 3 AS markers,
           d.value ->> 4 AS extra, d.value ->> 5 AS is_constraint
    FROM releases r, json_each(r.dependencies_json) d;
)sql";

// A hash of what the source gave for each release (index/release_hash.hpp): a sync keeps the
// rows whose content did not change (their ids, and dependencies learnt from their ZIPs since)
// and writes only the others. 0 (rows of earlier schemas) matches no hash: rewritten once.
constexpr const char* kVersion4 = R"sql(
ALTER TABLE releases ADD COLUMN content_hash INTEGER NOT NULL DEFAULT 0;
)sql";

// A release's metadata as a merge patch over its package's (index/shared_metadata.hpp): the
// versions of a plugin repeat most of theirs. `release_metadata` gives every release's
// metadata whole to SQL readers (json_patch applies the patches; qplug's own reader gives the
// exact bytes back). Modules move into their release's row, as dependencies did in schema 3
// (a B-tree insert per release less); the `modules` view keeps the table's shape.
constexpr const char* kVersion5 = R"sql(
ALTER TABLE packages ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE releases ADD COLUMN metadata_shared INTEGER NOT NULL DEFAULT 0;
CREATE VIEW release_metadata AS
    SELECT r.id AS release_id,
           CASE WHEN r.metadata_shared THEN json_patch(p.metadata, r.metadata)
                ELSE r.metadata END AS metadata
    FROM releases r JOIN packages p ON p.id = r.package_id;
ALTER TABLE releases ADD COLUMN modules_json TEXT NOT NULL DEFAULT '[]';
UPDATE releases SET modules_json = (
    SELECT json_group_array(module)
    FROM (SELECT module FROM modules m WHERE m.release_id = releases.id ORDER BY module))
WHERE id IN (SELECT release_id FROM modules);
DROP TABLE modules;
CREATE VIEW modules AS
    SELECT r.id AS release_id, m.value AS module
    FROM releases r, json_each(r.modules_json) m;
)sql";

// The releases of a repository are found through its packages (the packages' unique index
// leads with the repository, and releases_package follows): an index of releases by repository
// served only those lookups and cost a B-tree insert per release (8-11 ms of a 15,000-release
// sync, docs/performance.md).
constexpr const char* kVersion6 = R"sql(
DROP INDEX releases_repository;
)sql";

constexpr std::array<const char*, 6> kMigrations = {kVersion1, kVersion2, kVersion3,
                                                    kVersion4, kVersion5, kVersion6};

} // namespace

std::span<const char* const> migrations() {
    return kMigrations;
}

} // namespace qplug::solver::schema
