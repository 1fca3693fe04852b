-- Signed webhooks: the subscriptions, where the dispatcher stands in the change feed, one delivery
-- per (webhook, change) and every attempt made to deliver it.
--
-- The signing secret must be known to sign, so it cannot be hashed: it is stored encrypted with
-- AES-256-GCM under the server key Secrets:webhookSecret (nonce || ciphertext || tag).

CREATE TABLE webhooks (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url              text        NOT NULL,
    events           text[]      NOT NULL,
    description      text        NOT NULL DEFAULT '',
    enabled          boolean     NOT NULL DEFAULT true,
    disabled_reason  text,
    secret           bytea       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhooks_url_length CHECK (length(url) BETWEEN 1 AND 2000),
    CONSTRAINT webhooks_events_not_empty CHECK (cardinality(events) > 0),
    CONSTRAINT webhooks_description_length CHECK (length(description) <= 500)
);

-- The last change turned into deliveries. It is advanced in the transaction that inserts them, under
-- this row's lock, so each change becomes deliveries exactly once whatever the number of instances.
-- Webhooks hear of changes committed after this migration, not of the history before it.
CREATE TABLE webhook_dispatch_position (
    singleton  boolean PRIMARY KEY DEFAULT true,
    last_seq   bigint  NOT NULL,
    CONSTRAINT webhook_dispatch_position_single_row CHECK (singleton)
);
INSERT INTO webhook_dispatch_position (singleton, last_seq) SELECT true, last FROM change_sequence;

CREATE TABLE webhook_deliveries (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id        bigint      NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id          uuid        NOT NULL,
    event_type        text        NOT NULL,
    seq               bigint      NOT NULL,
    payload           text        NOT NULL,
    status            text        NOT NULL DEFAULT 'pending',
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, seq),
    CONSTRAINT webhook_deliveries_status_valid CHECK (status IN ('pending', 'delivered', 'failed')),
    CONSTRAINT webhook_deliveries_attempts_positive CHECK (attempts >= 0)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   bigint      NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       integer     NOT NULL,
    status_code   integer,
    duration_ms   integer     NOT NULL,
    error         text,
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_attempts_error_length CHECK (error IS NULL OR length(error) <= 500)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);
