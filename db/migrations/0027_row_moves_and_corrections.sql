-- Two gaps for writes made outside the API (an import, psql):
-- - An UPDATE that moves a row of article_tags, article_authors, article_aliases or article_media
--   from one article to another changes both articles; the triggers named only the article after.
--   They now name the articles of the rows before and after, and article_lists is recomputed for both.
-- - Corrections show in their article (and in lists that show it) but notified nothing; they are
--   content, so they notify 'edit:' (0026).

-- An UPDATE of a table naming articles in column TG_ARGV[0]: notify kind TG_ARGV[1] ('article' when
-- absent) for the articles of the rows before and after.
CREATE FUNCTION notify_article_row_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
    kind text := coalesce(TG_ARGV[1], 'article');
BEGIN
    EXECUTE format('SELECT string_agg(DISTINCT id::text, '','') FROM (SELECT %1$I AS id FROM old_rows UNION SELECT %1$I FROM new_rows) r', TG_ARGV[0])
        INTO ids;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('news_api_content', CASE WHEN length(ids) > 7000 THEN 'everything' ELSE kind || ':' || ids END);
    RETURN NULL;
END
$$;

CREATE FUNCTION refresh_article_lists_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_article_lists_of(ARRAY(SELECT article_id FROM old_rows UNION SELECT article_id FROM new_rows));
    RETURN NULL;
END
$$;

DROP TRIGGER article_tags_updated ON article_tags;
CREATE TRIGGER article_tags_updated AFTER UPDATE ON article_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_authors_updated ON article_authors;
CREATE TRIGGER article_authors_updated AFTER UPDATE ON article_authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_aliases_updated ON article_aliases;
CREATE TRIGGER article_aliases_updated AFTER UPDATE ON article_aliases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id');
DROP TRIGGER article_media_updated ON article_media;
CREATE TRIGGER article_media_updated AFTER UPDATE ON article_media
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id', 'edit');

DROP TRIGGER article_tags_lists_updated ON article_tags;
CREATE TRIGGER article_tags_lists_updated AFTER UPDATE ON article_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists_updated();
DROP TRIGGER article_authors_lists_updated ON article_authors;
CREATE TRIGGER article_authors_lists_updated AFTER UPDATE ON article_authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_article_lists_updated();

CREATE TRIGGER article_corrections_inserted AFTER INSERT ON article_corrections
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');
CREATE TRIGGER article_corrections_updated AFTER UPDATE ON article_corrections
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_row_updates('article_id', 'edit');
CREATE TRIGGER article_corrections_deleted AFTER DELETE ON article_corrections
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id', 'edit');
