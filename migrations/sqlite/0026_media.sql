-- Unit images (issue 19; docs/decisions/0016-0019).
--
-- media_blobs: every stored width of every image, named by the SHA-256 of its
-- bytes and served publicly at /media/{hash}/{width}.{ext}. Global, not per
-- tenant: the same picture uploaded twice, by one tenant or two, is stored
-- once, and the public route finds a blob by its hash alone. `refs` counts the
-- variant rows that point at a blob; the last one to go deletes it.
CREATE TABLE media_blobs (
    hash         TEXT    NOT NULL PRIMARY KEY,
    content_type TEXT    NOT NULL,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    bytes        BLOB    NOT NULL,
    refs         INTEGER NOT NULL CHECK (refs >= 0),
    created_at   INTEGER NOT NULL
);

-- A unit's uploaded images, in order (position 0, 1, ...), with alt text; an
-- image is known by its widest variant's hash, once per unit.
CREATE TABLE unit_images (
    tenant_id  BLOB    NOT NULL REFERENCES tenants (id),
    id         BLOB    NOT NULL,
    unit_id    BLOB    NOT NULL,
    position   INTEGER NOT NULL CHECK (position >= 0),
    alt        TEXT,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    UNIQUE (tenant_id, unit_id, hash)
);
CREATE INDEX unit_images_by_unit ON unit_images (tenant_id, unit_id, position);

-- The stored widths of each image.
CREATE TABLE unit_image_variants (
    tenant_id BLOB    NOT NULL,
    image_id  BLOB    NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    hash      TEXT    NOT NULL REFERENCES media_blobs (hash),
    PRIMARY KEY (tenant_id, image_id, width),
    FOREIGN KEY (tenant_id, image_id) REFERENCES unit_images (tenant_id, id) ON DELETE CASCADE
);
