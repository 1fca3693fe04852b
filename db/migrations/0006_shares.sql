-- Sharing: one short link per article, and every share intent, share event and short-link click
-- (no raw IP address is stored: only the referrer's host and the user agent's family).

CREATE TABLE share_links (
    code        text        PRIMARY KEY,
    article_id  bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT share_links_article_key UNIQUE (article_id),
    CONSTRAINT share_links_code_format CHECK (code ~ '^[0-9A-Za-z]{6,16}$')
);

CREATE TABLE share_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id     bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind           text        NOT NULL,
    network        text        NOT NULL,
    placement      text,
    referrer_host  text,
    agent_family   text,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT share_events_kind_valid CHECK (kind IN ('intent', 'event', 'click')),
    CONSTRAINT share_events_network_length CHECK (length(network) <= 32),
    CONSTRAINT share_events_placement_length CHECK (placement IS NULL OR length(placement) <= 64)
);
CREATE INDEX share_events_article_idx ON share_events (article_id, occurred_at);
CREATE INDEX share_events_time_idx ON share_events (occurred_at, article_id);
