-- Tenant pictures (issue 20; docs/decisions/0083, 0102-0109): the cover and
-- gallery a tenant's profile names (files of its directory), processed like
-- unit photos and replaced as a whole each time its policy goes live. Their
-- widths are `media_blobs`, shared with unit images and counted alike (one
-- reference per variant row).
--
-- A picture is known by its role and place: the cover at position 0, the
-- gallery 0, 1, ... `hash` is its widest width's blob, `source` the SHA-256 of
-- the file it came from (a reload of unchanged files processes nothing).
CREATE TABLE tenant_pictures (
    tenant_id  BLOB    NOT NULL REFERENCES tenants (id),
    role       TEXT    NOT NULL CHECK (role IN ('cover', 'gallery')),
    position   INTEGER NOT NULL CHECK (position >= 0),
    alt        TEXT    NOT NULL,
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    hash       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, role, position),
    CHECK (role = 'gallery' OR position = 0)
);

-- The stored widths of each picture.
CREATE TABLE tenant_picture_variants (
    tenant_id BLOB    NOT NULL,
    role      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    hash      TEXT    NOT NULL REFERENCES media_blobs (hash),
    PRIMARY KEY (tenant_id, role, position, width),
    FOREIGN KEY (tenant_id, role, position)
        REFERENCES tenant_pictures (tenant_id, role, position) ON DELETE CASCADE
);
