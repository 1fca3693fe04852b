-- What an article shows of its tags and authors, kept on the article row as JSON, so that reads (a
-- list page above all) take them with the row instead of joining article_tags and tags, or
-- article_authors and authors, once per row. article_tags, article_authors, tags and authors stay
-- the truth: statement-level triggers on all four recompute the lists of the articles a statement
-- touched, in its transaction, whoever writes (the API, an import, psql), so a read never sees a list
-- that disagrees with them.
--
-- tag_list:    [{"slug": …, "name": …}, …] in the article's order of its tags
-- author_list: [{"id": …, "slug": …, "name": …, "title": …}, …] in byline order

ALTER TABLE articles
    ADD COLUMN tag_list    jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN author_list jsonb NOT NULL DEFAULT '[]';

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

UPDATE articles a SET tag_list = article_tag_list(a.id)
WHERE EXISTS (SELECT 1 FROM article_tags at WHERE at.article_id = a.id);
UPDATE articles a SET author_list = article_author_list(a.id)
WHERE EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id);

-- Rows of article_tags or article_authors changed: the lists of their articles.
CREATE FUNCTION refresh_article_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'article_tags' THEN
        UPDATE articles a SET tag_list = article_tag_list(a.id)
        WHERE a.id IN (SELECT article_id FROM changed_rows)
          AND a.tag_list IS DISTINCT FROM article_tag_list(a.id);
    ELSE
        UPDATE articles a SET author_list = article_author_list(a.id)
        WHERE a.id IN (SELECT article_id FROM changed_rows)
          AND a.author_list IS DISTINCT FROM article_author_list(a.id);
    END IF;
    RETURN NULL;
END
$$;

-- A tag or an author renamed: the lists of every article that names it.
CREATE FUNCTION refresh_lists_naming() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'tags' THEN
        UPDATE articles a SET tag_list = article_tag_list(a.id)
        WHERE a.id IN (SELECT at.article_id FROM article_tags at WHERE at.tag_id IN (SELECT id FROM changed_rows))
          AND a.tag_list IS DISTINCT FROM article_tag_list(a.id);
    ELSE
        UPDATE articles a SET author_list = article_author_list(a.id)
        WHERE a.id IN (SELECT aa.article_id FROM article_authors aa WHERE aa.author_id IN (SELECT id FROM changed_rows))
          AND a.author_list IS DISTINCT FROM article_author_list(a.id);
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
