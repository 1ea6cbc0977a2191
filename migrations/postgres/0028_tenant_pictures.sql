-- Tenant pictures (issue 20; docs/decisions/0083, 0102-0109): the cover and
-- gallery a tenant's profile names (files of its directory), processed like
-- unit photos and replaced as a whole each time its policy goes live. Their
-- widths are `media_blobs`, shared with unit images and counted alike (one
-- reference per variant row). Tenant data, so under row-level security like
-- every tenant-owned table.
--
-- A picture is known by its role and place: the cover at position 0, the
-- gallery 0, 1, ... `hash` is its widest width's blob, `source` the SHA-256 of
-- the file it came from (a reload of unchanged files processes nothing).
CREATE TABLE tenant_pictures (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    role       text        NOT NULL CHECK (role IN ('cover', 'gallery')),
    position   bigint      NOT NULL CHECK (position >= 0),
    alt        text        NOT NULL,
    width      bigint      NOT NULL CHECK (width > 0),
    height     bigint      NOT NULL CHECK (height > 0),
    hash       text        NOT NULL,
    source     text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, role, position),
    CHECK (role = 'gallery' OR position = 0)
);

-- The stored widths of each picture.
CREATE TABLE tenant_picture_variants (
    tenant_id uuid   NOT NULL,
    role      text   NOT NULL,
    position  bigint NOT NULL,
    width     bigint NOT NULL,
    height    bigint NOT NULL,
    hash      text   NOT NULL REFERENCES media_blobs (hash),
    PRIMARY KEY (tenant_id, role, position, width),
    FOREIGN KEY (tenant_id, role, position)
        REFERENCES tenant_pictures (tenant_id, role, position) ON DELETE CASCADE
);
CREATE INDEX tenant_picture_variants_by_hash ON tenant_picture_variants (hash);

ALTER TABLE tenant_pictures ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_pictures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_pictures
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE tenant_picture_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_picture_variants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_picture_variants
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
