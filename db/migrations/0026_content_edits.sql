-- Two kinds of article change, told apart in the notifications of channel news_api_content (0010):
--
-- 'article:<id>,...'  the change may move articles into, out of or around lists: their visibility,
--                     times, category, language, kind, slug, translations, tags or authors changed.
--                     Instances drop the articles' own answers and every collection.
-- 'edit:<id>,...'     only what the articles themselves show changed (title, summary, body, images,
--                     byline...): instances drop the articles' own answers, the lists that show them,
--                     and the collections whose membership or order depends on content (searches,
--                     related articles, sorts by title or update time, feeds, sitemaps), but keep the
--                     plain lists that do not show them.
--
-- Corrections, which notified nothing, notify as edits; an UPDATE moving a row of a table that names
-- articles from one article to another names both.
--
-- Which columns are content is listed once, below; a column added later counts as moving articles
-- until it is listed here, so a new column can make invalidation coarser, never stale.

CREATE FUNCTION article_content_columns() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['title', 'summary', 'body_html', 'body_text', 'search_vector', 'byline', 'source',
                 'image_url', 'image_alt', 'image_medium_id', 'canonical_url', 'dateline',
                 'updated_at', 'content_modified_at', 'version']
$$;

-- What decides where an article appears in lists, as one value: compared before and after a write
-- (under the article's row lock) by the API instance that makes it.
CREATE FUNCTION article_listing_key(p_article bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT (to_jsonb(a) - article_content_columns())
           || jsonb_build_object('tags', coalesce(l.tags, '[]'), 'authors', coalesce(l.authors, '[]'))
    FROM articles a LEFT JOIN article_lists l ON l.article_id = a.id
    WHERE a.id = p_article
$$;

-- Notifies KIND:ids for these articles (a comma-separated list; nothing when null), or 'everything'
-- when the list would not fit a payload (under 8000 bytes).
CREATE FUNCTION notify_articles(kind text, ids text) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_notify('news_api_content', CASE WHEN length(ids) > 7000 THEN 'everything' ELSE kind || ':' || ids END)
    WHERE ids IS NOT NULL
$$;

-- TG_ARGV[0]: the column holding the article id; TG_ARGV[1]: the payload's kind ('article' when absent).
CREATE OR REPLACE FUNCTION notify_article_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    EXECUTE format('SELECT string_agg(DISTINCT %I::text, '','') FROM changed_rows', TG_ARGV[0]) INTO ids;
    PERFORM notify_articles(coalesce(TG_ARGV[1], 'article'), ids);
    RETURN NULL;
END
$$;

-- The same for an UPDATE, naming the articles of the rows before and after (a row moved from one
-- article to another changes both).
CREATE FUNCTION notify_article_row_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    EXECUTE format('SELECT string_agg(DISTINCT id::text, '','') FROM (SELECT %1$I AS id FROM old_rows UNION SELECT %1$I FROM new_rows) r', TG_ARGV[0])
        INTO ids;
    PERFORM notify_articles(coalesce(TG_ARGV[1], 'article'), ids);
    RETURN NULL;
END
$$;

-- An UPDATE of articles: each row compared with what it was.
CREATE FUNCTION notify_article_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved text;
    edited text;
BEGIN
    SELECT string_agg(c.id::text, ',' ORDER BY c.id) FILTER (WHERE c.moved),
           string_agg(c.id::text, ',' ORDER BY c.id) FILTER (WHERE NOT c.moved)
    INTO moved, edited
    FROM (SELECT coalesce(n.id, o.id) AS id,
                 (to_jsonb(o) - article_content_columns()) IS DISTINCT FROM (to_jsonb(n) - article_content_columns()) AS moved
          FROM new_rows n FULL JOIN old_rows o ON o.id = n.id) c;
    PERFORM notify_articles('article', moved);
    PERFORM notify_articles('edit', edited);
    RETURN NULL;
END
$$;

-- Recomputes article_lists (0024) for the articles of the rows before and after an UPDATE.
CREATE FUNCTION refresh_article_lists_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_article_lists_of(ARRAY(SELECT article_id FROM old_rows UNION SELECT article_id FROM new_rows));
    RETURN NULL;
END
$$;

DROP TRIGGER articles_updated ON articles;
CREATE TRIGGER articles_updated AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_updates();

-- The images of an article's body, and corrections, show only in the article itself (and in the
-- answers that show it).
DROP TRIGGER article_media_inserted ON article_media;
DROP TRIGGER article_media_updated ON article_media;
DROP TRIGGER article_media_deleted ON article_media;
CREATE TRIGGER article_media_inserted AFTER INSERT ON article_media
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');
CREATE TRIGGER article_media_updated AFTER UPDATE ON article_media
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id', 'edit');
CREATE TRIGGER article_media_deleted AFTER DELETE ON article_media
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');
CREATE TRIGGER article_corrections_inserted AFTER INSERT ON article_corrections
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');
CREATE TRIGGER article_corrections_updated AFTER UPDATE ON article_corrections
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id', 'edit');
CREATE TRIGGER article_corrections_deleted AFTER DELETE ON article_corrections
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');

-- An UPDATE that moves a row of article_tags, article_authors or article_aliases from one article
-- to another names both articles (the triggers of 0010, 0016 and 0024 named only the one after).
DROP TRIGGER article_tags_updated ON article_tags;
CREATE TRIGGER article_tags_updated AFTER UPDATE ON article_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_authors_updated ON article_authors;
CREATE TRIGGER article_authors_updated AFTER UPDATE ON article_authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_aliases_updated ON article_aliases;
CREATE TRIGGER article_aliases_updated AFTER UPDATE ON article_aliases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_tags_lists_updated ON article_tags;
CREATE TRIGGER article_tags_lists_updated AFTER UPDATE ON article_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists_updated();
DROP TRIGGER article_authors_lists_updated ON article_authors;
CREATE TRIGGER article_authors_lists_updated AFTER UPDATE ON article_authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists_updated();
