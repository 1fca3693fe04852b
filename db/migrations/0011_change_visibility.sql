-- What a change did to the public's view of its article, recorded by the writer, and scheduled
-- publications announced when their time comes.
--
-- Each article change says whether the public could see the article just before it and right after
-- it (visible_before, visible_after; NULL for categories). Webhooks send their events from these two
-- facts (not published -> published is article.published, whatever the action), so no reader has to
-- guess afterwards by comparing times written by different clocks.
--
-- record_changes() is the one way to record changes. It numbers them in commit order (as 0008
-- explains), then, holding the counter's row lock, judges visibility at that moment by the database's
-- clock, which also dates the change: every writer numbered earlier has committed by then, so
-- visible_before is the visible_after of the article's previous change (or, for an article with none,
-- what the writer saw when it locked the row).
--
-- A scheduled article (published, with a publication time still to come) is listed in
-- scheduled_publications by a trigger, whoever writes it. A worker in every instance takes the due
-- rows and records a 'published' change for each article the public can now see and whose last
-- change said it could not.

ALTER TABLE changes
    ADD COLUMN visible_before boolean,
    ADD COLUMN visible_after boolean;

-- Earlier changes: judged as the webhook dispatcher used to judge them, from the revision written with
-- the change (or the article as it is, when it has none), so that changes not yet dispatched keep
-- their meaning.
UPDATE changes c SET visible_after = coalesce(
    (SELECT r.snapshot->>'status' = 'published'
            AND coalesce((r.snapshot->>'publishedAt')::timestamptz <= c.occurred_at, false)
            AND r.snapshot->>'deletedAt' IS NULL
     FROM article_revisions r
     WHERE r.article_id = c.entity_id AND r.created_at <= c.occurred_at
     ORDER BY r.version DESC
     LIMIT 1),
    (SELECT a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL
     FROM articles a WHERE a.id = c.entity_id),
    false)
WHERE c.entity = 'article';

UPDATE changes c SET visible_before = coalesce(p.previous, c.kind <> 'created' AND c.visible_after)
FROM (SELECT seq, lag(visible_after) OVER (PARTITION BY entity_id ORDER BY seq) AS previous
      FROM changes WHERE entity = 'article') p
WHERE c.seq = p.seq;

ALTER TABLE changes ADD CONSTRAINT changes_visibility_of_articles CHECK (
    (entity = 'article') = (visible_before IS NOT NULL AND visible_after IS NOT NULL));

CREATE FUNCTION record_changes(p_entity text, p_entity_id bigint, p_kinds text[], p_visible_before boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_first bigint;
    v_at timestamptz;
    v_before boolean;
    v_after boolean;
BEGIN
    -- Waits for every writer that took a number before this one to commit (or roll back).
    UPDATE change_sequence SET last = last + cardinality(p_kinds) WHERE singleton
    RETURNING last - cardinality(p_kinds) + 1 INTO v_first;

    -- Each statement of a volatile function takes a new snapshot: what those writers committed shows.
    SELECT clock_timestamp() INTO v_at;
    IF p_entity = 'article' THEN
        SELECT c.visible_after INTO v_before
        FROM changes c
        WHERE c.entity = 'article' AND c.entity_id = p_entity_id
        ORDER BY c.seq DESC
        LIMIT 1;
        SELECT a.status = 'published' AND a.published_at <= v_at AND a.deleted_at IS NULL INTO v_after
        FROM articles a
        WHERE a.id = p_entity_id;
        v_after := coalesce(v_after, false);
        v_before := coalesce(v_before, p_visible_before, v_after);
    END IF;

    -- The changes of one write share its visibility: a new slug and the edit that made the article
    -- public are one transition, not two.
    INSERT INTO changes (seq, entity, entity_id, kind, occurred_at, visible_before, visible_after)
    SELECT v_first + k.n - 1, p_entity, p_entity_id, k.kind, v_at, v_before, v_after
    FROM unnest(p_kinds) WITH ORDINALITY AS k (kind, n);
END
$$;

CREATE TABLE scheduled_publications (
    article_id  bigint      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    due_at      timestamptz NOT NULL
);
CREATE INDEX scheduled_publications_due_idx ON scheduled_publications (due_at, article_id);

INSERT INTO scheduled_publications (article_id, due_at)
SELECT id, published_at FROM articles
WHERE status = 'published' AND deleted_at IS NULL AND published_at > now();

CREATE FUNCTION schedule_publication() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND NEW.deleted_at IS NULL AND NEW.published_at > now() THEN
        INSERT INTO scheduled_publications (article_id, due_at) VALUES (NEW.id, NEW.published_at)
        ON CONFLICT (article_id) DO UPDATE SET due_at = EXCLUDED.due_at;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM scheduled_publications WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_scheduled_on_insert AFTER INSERT ON articles
    FOR EACH ROW WHEN (NEW.status = 'published' AND NEW.deleted_at IS NULL AND NEW.published_at > now())
    EXECUTE FUNCTION schedule_publication();
CREATE TRIGGER articles_scheduled_on_update AFTER UPDATE OF status, published_at, deleted_at ON articles
    FOR EACH ROW EXECUTE FUNCTION schedule_publication();
