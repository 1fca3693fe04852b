-- Articles take their lead image from the media library (or, as before, from an external URL).
-- A rendition URL carries the medium's token: random, and drawn again whenever the focal point moves,
-- so the URL of a crop changes with it (renditions are cached for a year) and nobody can list the
-- library by counting ids.

ALTER TABLE media ADD COLUMN token text;
UPDATE media SET token = substr(translate(encode(decode(replace(gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/', '-_'), 1, 12);
ALTER TABLE media ALTER COLUMN token SET NOT NULL;
ALTER TABLE media ADD CONSTRAINT media_token_format CHECK (token ~ '^[A-Za-z0-9_-]{12}$');

ALTER TABLE articles ADD COLUMN image_medium_id bigint REFERENCES media (id);
ALTER TABLE articles ADD CONSTRAINT articles_one_lead_image CHECK (image_url IS NULL OR image_medium_id IS NULL);
CREATE INDEX articles_image_medium ON articles (image_medium_id) WHERE image_medium_id IS NOT NULL;
