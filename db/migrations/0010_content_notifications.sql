-- Every committed change to what public reads show notifies channel news_api_content, whoever makes
-- it (the API, an import, an administrator with psql). Each API instance listens and drops what it
-- keeps in memory about the change: cached answers and the category tree (see ContentCache).
-- PostgreSQL delivers notifications when the transaction commits, and not at all when it rolls back.
--
-- Payloads: 'article:<id>,<id>...' for articles and their tags and aliases; 'everything' for
-- categories, renamed or deleted tags, and statements that touch too many articles to list.

CREATE FUNCTION notify_article_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    -- TG_ARGV[0]: the column holding the article id in the changed table's rows.
    EXECUTE format('SELECT string_agg(DISTINCT %I::text, '','') FROM changed_rows', TG_ARGV[0]) INTO ids;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- A payload must stay under 8000 bytes.
    PERFORM pg_notify('news_api_content', CASE WHEN length(ids) > 7000 THEN 'everything' ELSE 'article:' || ids END);
    RETURN NULL;
END
$$;

CREATE FUNCTION notify_everything_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows) THEN
        PERFORM pg_notify('news_api_content', 'everything');
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables takes one event, hence three per table.
CREATE TRIGGER articles_inserted AFTER INSERT ON articles
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('id');
CREATE TRIGGER articles_updated AFTER UPDATE ON articles
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('id');
CREATE TRIGGER articles_deleted AFTER DELETE ON articles
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('id');

CREATE TRIGGER article_tags_inserted AFTER INSERT ON article_tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_tags_updated AFTER UPDATE ON article_tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_tags_deleted AFTER DELETE ON article_tags
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');

CREATE TRIGGER article_aliases_inserted AFTER INSERT ON article_aliases
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_aliases_updated AFTER UPDATE ON article_aliases
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_aliases_deleted AFTER DELETE ON article_aliases
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');

CREATE TRIGGER categories_inserted AFTER INSERT ON categories
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER categories_updated AFTER UPDATE ON categories
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER categories_deleted AFTER DELETE ON categories
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();

-- A new tag shows nowhere until an article uses it (article_tags says so); a renamed or deleted one
-- shows in every article that had it.
CREATE TRIGGER tags_updated AFTER UPDATE ON tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER tags_deleted AFTER DELETE ON tags
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
