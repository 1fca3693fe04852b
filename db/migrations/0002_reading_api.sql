-- Indexes for the public article lists (every sort order has a keyset index ending in id) and
-- search over text without word breaks; a table for server-side secrets shared by all instances.

-- sort=title and sort=-updatedAt over the visible set.
CREATE INDEX articles_visible_title_idx ON articles (title, id)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX articles_visible_updated_idx ON articles (updated_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;

-- Substring search (ILIKE) over title, summary and body for scripts written without spaces between
-- words (Chinese, Japanese, Thai), where the English full-text parser finds no word boundaries.
DROP INDEX articles_title_trgm_idx;
CREATE INDEX articles_search_text_trgm_idx ON articles
    USING gin ((title || ' ' || summary || ' ' || body_text) gin_trgm_ops)
    WHERE status = 'published' AND deleted_at IS NULL;

-- Keys for signing pagination cursors and the like, created once and shared by every instance.
CREATE TABLE app_secrets (
    name        text        PRIMARY KEY,
    value       bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_secrets_value_length CHECK (length(value) >= 32)
);
