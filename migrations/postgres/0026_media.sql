-- Unit images (issue 19; docs/decisions/0016-0019).
--
-- media_blobs: every stored width of every image, named by the SHA-256 of its
-- bytes and served publicly at /media/{hash}/{width}.{ext}. Global, not per
-- tenant, and so without row-level security (like `tenants`): the same picture
-- uploaded twice, by one tenant or two, is stored once, and the public route
-- finds a blob by its hash alone, in a transaction that names no tenant. A blob
-- holds only public pixels (what /media/ serves to anyone); which tenant and
-- unit use it lives in the tenant-owned tables below, under row-level security.
-- `refs` counts the variant rows that point at a blob; the last one to go
-- deletes it.
CREATE TABLE media_blobs (
    hash         text        NOT NULL PRIMARY KEY,
    content_type text        NOT NULL,
    width        bigint      NOT NULL CHECK (width > 0),
    height       bigint      NOT NULL CHECK (height > 0),
    bytes        bytea       NOT NULL,
    refs         integer     NOT NULL CHECK (refs >= 0),
    created_at   timestamptz NOT NULL
);

-- A unit's uploaded images, in order (position 0, 1, ...), with alt text; an
-- image is known by its widest variant's hash, once per unit.
CREATE TABLE unit_images (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    unit_id    uuid        NOT NULL,
    position   bigint      NOT NULL CHECK (position >= 0),
    alt        text,
    width      bigint      NOT NULL,
    height     bigint      NOT NULL,
    hash       text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    UNIQUE (tenant_id, unit_id, hash)
);
CREATE INDEX unit_images_by_unit ON unit_images (tenant_id, unit_id, position);

-- The stored widths of each image.
CREATE TABLE unit_image_variants (
    tenant_id uuid    NOT NULL,
    image_id  uuid    NOT NULL,
    width     bigint  NOT NULL,
    height    bigint  NOT NULL,
    hash      text    NOT NULL REFERENCES media_blobs (hash),
    PRIMARY KEY (tenant_id, image_id, width),
    FOREIGN KEY (tenant_id, image_id) REFERENCES unit_images (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX unit_image_variants_by_hash ON unit_image_variants (hash);

ALTER TABLE unit_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON unit_images
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE unit_image_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_image_variants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON unit_image_variants
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
