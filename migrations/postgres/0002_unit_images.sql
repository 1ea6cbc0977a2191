-- Units show images on the public site (a JSON array of URLs).
ALTER TABLE units ADD COLUMN images jsonb NOT NULL DEFAULT '[]';
