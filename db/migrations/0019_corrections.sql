-- Corrections and updates: dated public notes editors add to a published article ("Correction: an
-- earlier version misstated ..."), shown in order; and when the article's content last changed for
-- readers (contentModifiedAt), apart from updated_at, which any write moves.

CREATE TABLE article_corrections (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('correction', 'update')),
    text       text        NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    key_id     bigint      REFERENCES api_keys (id) ON DELETE SET NULL
);

CREATE INDEX article_corrections_article ON article_corrections (article_id, created_at, id);

ALTER TABLE articles ADD COLUMN content_modified_at timestamptz;

-- A correction is a change of its own in the change feed (and the webhooks' article.corrected).
ALTER TABLE changes DROP CONSTRAINT changes_kind_valid;
ALTER TABLE changes ADD CONSTRAINT changes_kind_valid CHECK (kind IN (
    'created', 'updated', 'published', 'unpublished', 'archived', 'slug-changed', 'deleted', 'restored', 'corrected'));
