-- Editorial writes: a snapshot of every version of an article, and the responses of POSTs made
-- with an Idempotency-Key (so that a retried request returns the first answer and creates nothing).

CREATE TABLE article_revisions (
    article_id  bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     integer     NOT NULL,
    change      text        NOT NULL,
    snapshot    jsonb       NOT NULL,
    key_id      bigint      REFERENCES api_keys (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, version)
);

CREATE TABLE idempotency_keys (
    key_id           bigint      NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key  text        NOT NULL,
    request_hash     bytea       NOT NULL,
    status           integer     NOT NULL,
    location         text,
    etag             text,
    body             bytea       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
