-- The change feed: one row per change to an article (or category), numbered in COMMIT order.
-- A writer takes the next number from change_sequence as the last step of its transaction; the
-- row lock on the counter is held until commit, so a later number is never handed out before an
-- earlier one is committed. A reader asking for "everything after N" therefore never skips a
-- change that was still in flight (an identity column or a timestamp, assigned when a statement
-- runs rather than when its transaction commits, would).

CREATE TABLE change_sequence (
    singleton  boolean PRIMARY KEY DEFAULT true,
    last       bigint  NOT NULL,
    CONSTRAINT change_sequence_single_row CHECK (singleton)
);
INSERT INTO change_sequence (singleton, last) VALUES (true, 0);

CREATE TABLE changes (
    seq          bigint      PRIMARY KEY,
    entity       text        NOT NULL,
    entity_id    bigint      NOT NULL,
    kind         text        NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT changes_entity_valid CHECK (entity IN ('article', 'category')),
    CONSTRAINT changes_kind_valid CHECK (kind IN (
        'created', 'updated', 'published', 'unpublished', 'archived', 'slug-changed', 'deleted', 'restored'))
);
CREATE INDEX changes_entity_idx ON changes (entity, entity_id, seq);
