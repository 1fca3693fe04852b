-- Authors as a resource: the people an article is by, in order ("with reporting by" comes after), beside
-- the free-text byline that agency copy keeps ("Xinhua").

CREATE TABLE authors (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    title           text        CHECK (length(title) <= 200),
    bio             text        CHECK (length(bio) <= 5000),
    email           text        CHECK (length(email) <= 254),
    photo_medium_id bigint      REFERENCES media (id),
    links           jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    version         integer     NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX authors_name ON authors (lower(name), slug);

CREATE TABLE article_authors (
    article_id bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0),
    author_id  bigint  NOT NULL REFERENCES authors (id),
    PRIMARY KEY (article_id, position),
    UNIQUE (article_id, author_id)
);

CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

-- Articles show their authors' names: a change to an author drops what instances hold; a change to an
-- article's authors is a change to that article.
CREATE TRIGGER authors_updated AFTER UPDATE ON authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER authors_deleted AFTER DELETE ON authors
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_everything_changed();
CREATE TRIGGER article_authors_inserted AFTER INSERT ON article_authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_authors_updated AFTER UPDATE ON article_authors
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_authors_deleted AFTER DELETE ON article_authors
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
