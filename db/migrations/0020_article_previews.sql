-- Previews: an editor hands the front end a link to an unpublished (or changed) article. The token is
-- random; only its SHA-256 is kept. It stops working when it expires or is revoked.

CREATE TABLE article_previews (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    key_id     bigint      REFERENCES api_keys (id) ON DELETE SET NULL
);

CREATE INDEX article_previews_article ON article_previews (article_id);
