-- Images in an article's body that come from the media library (<img data-medium-id="12"> in body_html),
-- in the order they appear: what the article's `media` shows, and what keeps a medium from being deleted.

CREATE TABLE article_media (
    article_id bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0),
    medium_id  bigint  NOT NULL REFERENCES media (id),
    PRIMARY KEY (article_id, position)
);

CREATE INDEX article_media_medium ON article_media (medium_id);

CREATE TRIGGER article_media_inserted AFTER INSERT ON article_media
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_media_updated AFTER UPDATE ON article_media
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
CREATE TRIGGER article_media_deleted AFTER DELETE ON article_media
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_article_changes('article_id');
