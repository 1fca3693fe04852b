-- The media library: one row per distinct image file (the same bytes uploaded twice are one medium),
-- with what was read from the file when it was uploaded and what editors wrote about it. The original
-- file is kept in media_chunks (the default, so that every instance reaches it with no shared disk)
-- or in a folder named by Media:Storage; `storage` says which.

CREATE TABLE media (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256         bytea       NOT NULL UNIQUE CHECK (length(sha256) = 32),
    format         text        NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'avif', 'gif', 'heif')),
    width          integer     NOT NULL CHECK (width > 0),
    height         integer     NOT NULL CHECK (height > 0),
    byte_size      bigint      NOT NULL CHECK (byte_size > 0),
    dominant_color text        NOT NULL CHECK (dominant_color ~ '^#[0-9a-f]{6}$'),
    placeholder    text        NOT NULL,
    file_name      text        CHECK (length(file_name) <= 255),
    alt            text,
    caption        text,
    credit         text,
    copyright      text,
    source         text,
    focal_x        real        NOT NULL DEFAULT 0.5 CHECK (focal_x >= 0 AND focal_x <= 1),
    focal_y        real        NOT NULL DEFAULT 0.5 CHECK (focal_y >= 0 AND focal_y <= 1),
    taken_at       timestamptz,
    storage        text        NOT NULL CHECK (storage IN ('database', 'folder')),
    version        integer     NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     bigint      REFERENCES api_keys (id) ON DELETE SET NULL,
    search_vector  tsvector    GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(credit, '') || ' ' || coalesce(alt, '') || ' '
            || coalesce(source, '') || ' ' || coalesce(copyright, '') || ' ' || coalesce(file_name, ''))
    ) STORED
);

CREATE INDEX media_search ON media USING gin (search_vector);

-- The original file in pieces of at most 1 MiB, read back in order: a download or a rendition streams
-- them without holding the whole file, and a range request starts at the right piece.
CREATE TABLE media_chunks (
    media_id bigint  NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    seq      integer NOT NULL CHECK (seq >= 0),
    data     bytea   NOT NULL,
    PRIMARY KEY (media_id, seq)
);

-- Image files are compressed already: store the pieces out of line without trying to compress them again.
ALTER TABLE media_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Instances keep what they know of media in memory (rendition URLs' tokens, the cached answers of
-- articles that show a medium's alt text and credit): a change or delete drops it everywhere. A new
-- medium changes nothing that is cached.
CREATE TRIGGER media_updated AFTER UPDATE ON media
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER media_deleted AFTER DELETE ON media
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
