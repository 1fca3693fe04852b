-- Tags as a resource: editors rename and merge them. A tag gets a version (optimistic concurrency
-- with If-Match) and the time of its last change; each slug it no longer answers to (after a rename,
-- or the slug of a tag merged into it) is kept in tag_aliases and answers 301 to the tag.
-- (0016 is taken by the authors of articles.)

ALTER TABLE tags
    ADD COLUMN version    integer     NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE tag_aliases (
    alias       text        NOT NULL PRIMARY KEY,
    tag_id      bigint      NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tag_aliases_format CHECK (alias ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(alias) <= 100)
);
CREATE INDEX tag_aliases_tag_idx ON tag_aliases (tag_id);

-- An alias changes which tag an old slug (and a list filtered by it) answers with.
CREATE TRIGGER tag_aliases_inserted AFTER INSERT ON tag_aliases
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER tag_aliases_updated AFTER UPDATE ON tag_aliases
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER tag_aliases_deleted AFTER DELETE ON tag_aliases
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
