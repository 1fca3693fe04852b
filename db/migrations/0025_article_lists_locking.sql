-- article_lists (migration 0024), made safe under concurrent writers:
-- - Recomputing an article's lists locks the article row first (in id order), so a tag or author
--   renamed while an editor saves the same article's tags cannot leave a list computed from one of
--   the two changes only (READ COMMITTED: each statement after the lock sees what the other committed),
--   and the row is upserted rather than deleted and inserted (two writers would collide on the key).
-- - Renames recompute only when what articles show changed (a tag's slug or name, an author's slug,
--   name or title), not on every update of the row (a version bump, a biography).

CREATE OR REPLACE FUNCTION refresh_article_lists_of(p_articles bigint[]) RETURNS void
LANGUAGE sql AS $$
    SELECT 1 FROM articles WHERE id = ANY(p_articles) ORDER BY id FOR UPDATE;
    INSERT INTO article_lists (article_id, tags, authors)
    SELECT a.id, article_tag_list(a.id), article_author_list(a.id)
    FROM articles a
    WHERE a.id = ANY(p_articles)
    ON CONFLICT (article_id) DO UPDATE SET tags = EXCLUDED.tags, authors = EXCLUDED.authors;
    DELETE FROM article_lists WHERE article_id = ANY(p_articles) AND tags = '[]' AND authors = '[]';
$$;

CREATE OR REPLACE FUNCTION refresh_lists_naming() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'tags' THEN
        PERFORM refresh_article_lists_of(ARRAY(
            SELECT DISTINCT at.article_id FROM article_tags at
            WHERE at.tag_id IN (SELECT n.id FROM changed_rows n JOIN old_rows o ON o.id = n.id
                                WHERE (n.slug, n.name) IS DISTINCT FROM (o.slug, o.name))));
    ELSE
        PERFORM refresh_article_lists_of(ARRAY(
            SELECT DISTINCT aa.article_id FROM article_authors aa
            WHERE aa.author_id IN (SELECT n.id FROM changed_rows n JOIN old_rows o ON o.id = n.id
                                   WHERE (n.slug, n.name, n.title) IS DISTINCT FROM (o.slug, o.name, o.title))));
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER tags_lists_renamed ON tags;
DROP TRIGGER authors_lists_renamed ON authors;
CREATE TRIGGER tags_lists_renamed AFTER UPDATE ON tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_lists_naming();
CREATE TRIGGER authors_lists_renamed AFTER UPDATE ON authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_lists_naming();
