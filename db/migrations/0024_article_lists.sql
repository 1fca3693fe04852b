-- What an article shows of its tags and authors, kept ready as JSON in a narrow table beside it, so
-- that reads (a list page above all) take them with one primary-key probe per article instead of
-- joining article_tags with tags, and article_authors with authors, and aggregating, once per row.
-- article_tags, article_authors, tags and authors stay the truth: statement-level triggers on all
-- four recompute the lists of the articles a statement touched, in its transaction, whoever writes
-- (the API, an import, psql), so a read never sees a list that disagrees with them. The wide
-- articles row is not rewritten (its search vector would be recomputed each time).
--
-- tags:    [{"slug": …, "name": …}, …] in the article's order of its tags
-- authors: [{"id": …, "slug": …, "name": …, "title": …}, …] in byline order
-- An article with neither has no row.

CREATE TABLE article_lists (
    article_id bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    tags       jsonb  NOT NULL DEFAULT '[]',
    authors    jsonb  NOT NULL DEFAULT '[]'
);

CREATE FUNCTION article_tag_list(p_article bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('slug', t.slug, 'name', t.name) ORDER BY at.position, t.slug), '[]')
    FROM article_tags at JOIN tags t ON t.id = at.tag_id
    WHERE at.article_id = p_article
$$;

CREATE FUNCTION article_author_list(p_article bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', au.id, 'slug', au.slug, 'name', au.name, 'title', au.title) ORDER BY aa.position), '[]')
    FROM article_authors aa JOIN authors au ON au.id = aa.author_id
    WHERE aa.article_id = p_article
$$;

-- Recomputes the lists of these articles (those that still exist): a row when they name something.
CREATE FUNCTION refresh_article_lists_of(p_articles bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM article_lists WHERE article_id = ANY(p_articles);
    INSERT INTO article_lists (article_id, tags, authors)
    SELECT a.id, article_tag_list(a.id), article_author_list(a.id)
    FROM articles a
    WHERE a.id = ANY(p_articles)
      AND (EXISTS (SELECT 1 FROM article_tags at WHERE at.article_id = a.id)
           OR EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id));
$$;

INSERT INTO article_lists (article_id, tags)
SELECT at.article_id, jsonb_agg(jsonb_build_object('slug', t.slug, 'name', t.name) ORDER BY at.position, t.slug)
FROM article_tags at JOIN tags t ON t.id = at.tag_id
GROUP BY at.article_id;

INSERT INTO article_lists (article_id, authors)
SELECT aa.article_id, jsonb_agg(jsonb_build_object('id', au.id, 'slug', au.slug, 'name', au.name, 'title', au.title) ORDER BY aa.position)
FROM article_authors aa JOIN authors au ON au.id = aa.author_id
GROUP BY aa.article_id
ON CONFLICT (article_id) DO UPDATE SET authors = EXCLUDED.authors;

-- Rows of article_tags or article_authors changed: the lists of their articles.
CREATE FUNCTION refresh_article_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_article_lists_of(ARRAY(SELECT DISTINCT article_id FROM changed_rows));
    RETURN NULL;
END
$$;

-- A tag or an author renamed: the lists of every article that names it.
CREATE FUNCTION refresh_lists_naming() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'tags' THEN
        PERFORM refresh_article_lists_of(ARRAY(
            SELECT DISTINCT at.article_id FROM article_tags at WHERE at.tag_id IN (SELECT id FROM changed_rows)));
    ELSE
        PERFORM refresh_article_lists_of(ARRAY(
            SELECT DISTINCT aa.article_id FROM article_authors aa WHERE aa.author_id IN (SELECT id FROM changed_rows)));
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger, hence one trigger per event.
CREATE TRIGGER article_tags_lists_inserted AFTER INSERT ON article_tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER article_tags_lists_updated AFTER UPDATE ON article_tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER article_tags_lists_deleted AFTER DELETE ON article_tags
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER article_authors_lists_inserted AFTER INSERT ON article_authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER article_authors_lists_updated AFTER UPDATE ON article_authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER article_authors_lists_deleted AFTER DELETE ON article_authors
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists();
CREATE TRIGGER tags_lists_renamed AFTER UPDATE ON tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_lists_naming();
CREATE TRIGGER authors_lists_renamed AFTER UPDATE ON authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_lists_naming();
