-- What search reads of each article, in a narrow table beside it: the columns its conditions,
-- filters and orders use, and the search vector stored uncompressed in the row. A search ranks
-- every article that matches (ts_rank_cd over the vector); from articles, each match cost a visit
-- to a wide heap row (the bodies sit in it, compressed) and a fetch of the vector from TOAST with
-- its decompression, about three quarters of the statement's time. Here a match is one read of a
-- row of a few pages' worth of rows per page, the vector ready to rank.
--
-- articles stays the truth (its generated search_vector too, which related articles and the
-- media library's own vectors do not depend on): a row trigger copies what search reads, in the
-- writer's transaction, whoever writes (the API, an import, psql), so a search never sees an
-- article other than it is. An update that changes none of these columns copies nothing.

CREATE TABLE article_search (
    id            bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    status        text        NOT NULL,
    published_at  timestamptz,
    deleted_at    timestamptz,
    updated_at    timestamptz NOT NULL,
    kind          text        NOT NULL,
    category_id   bigint,
    language      text        NOT NULL,
    title         text        NOT NULL,
    search_vector tsvector    NOT NULL
) WITH (toast_tuple_target = 8160);

-- Kept in the row as it is (EXTERNAL: never compressed; out of line only past toast_tuple_target).
ALTER TABLE article_search ALTER COLUMN search_vector SET STORAGE EXTERNAL;

INSERT INTO article_search (id, status, published_at, deleted_at, updated_at, kind, category_id, language, title, search_vector)
SELECT id, status, published_at, deleted_at, updated_at, kind, category_id, language, title, search_vector
FROM articles;

CREATE INDEX article_search_vector_idx ON article_search USING gin (search_vector);

CREATE FUNCTION copy_article_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (id, status, published_at, deleted_at, updated_at, kind, category_id, language, title, search_vector)
    VALUES (NEW.id, NEW.status, NEW.published_at, NEW.deleted_at, NEW.updated_at, NEW.kind, NEW.category_id, NEW.language, NEW.title, NEW.search_vector)
    ON CONFLICT (id) DO UPDATE SET
        status = EXCLUDED.status, published_at = EXCLUDED.published_at, deleted_at = EXCLUDED.deleted_at,
        updated_at = EXCLUDED.updated_at, kind = EXCLUDED.kind, category_id = EXCLUDED.category_id,
        language = EXCLUDED.language, title = EXCLUDED.title, search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_search_on_insert
AFTER INSERT ON articles
FOR EACH ROW EXECUTE FUNCTION copy_article_search();

CREATE TRIGGER article_search_on_update
AFTER UPDATE ON articles
FOR EACH ROW
WHEN ((OLD.status, OLD.published_at, OLD.deleted_at, OLD.updated_at, OLD.kind, OLD.category_id, OLD.language, OLD.title)
      IS DISTINCT FROM (NEW.status, NEW.published_at, NEW.deleted_at, NEW.updated_at, NEW.kind, NEW.category_id, NEW.language, NEW.title)
      OR OLD.search_vector IS DISTINCT FROM NEW.search_vector)
EXECUTE FUNCTION copy_article_search();

ANALYZE article_search;
