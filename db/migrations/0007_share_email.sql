-- "Suggest to a friend" by e-mail: each request, an outbox of one message per recipient that the
-- background sender drains, and the addresses that opted out.
--
-- Privacy: no client IP is stored, only a keyed hash of it (for the per-address limit). A
-- recipient's address is kept in clear only while its message is queued; once the message is
-- sent, skipped or failed the column is emptied and only the keyed hash remains (for the
-- per-recipient limit and the suppression list).

CREATE TABLE share_email_requests (
    id             uuid        PRIMARY KEY,
    article_id     bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    client_hash    bytea       NOT NULL,
    sender_name    text        NOT NULL,
    note           text,
    article_title  text        NOT NULL,
    article_summary text       NOT NULL,
    article_url    text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT share_email_requests_client_hash_length CHECK (length(client_hash) = 32),
    CONSTRAINT share_email_requests_sender_name_length CHECK (length(sender_name) BETWEEN 1 AND 50),
    -- The note is kept as sent: at most 300 characters in, longer once links became "[link removed]".
    CONSTRAINT share_email_requests_note_length CHECK (note IS NULL OR length(note) <= 1000)
);
CREATE INDEX share_email_requests_client_idx ON share_email_requests (client_hash, created_at);
CREATE INDEX share_email_requests_created_idx ON share_email_requests (created_at);

CREATE TABLE share_email_outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       uuid        NOT NULL REFERENCES share_email_requests (id) ON DELETE CASCADE,
    recipient        text,
    recipient_hash   bytea       NOT NULL,
    status           text        NOT NULL DEFAULT 'queued',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CONSTRAINT share_email_outbox_status_valid CHECK (status IN ('queued', 'sent', 'skipped', 'failed')),
    CONSTRAINT share_email_outbox_recipient_only_while_queued CHECK (status = 'queued' OR recipient IS NULL),
    CONSTRAINT share_email_outbox_recipient_hash_length CHECK (length(recipient_hash) = 32),
    CONSTRAINT share_email_outbox_attempts_positive CHECK (attempts >= 0),
    CONSTRAINT share_email_outbox_last_error_length CHECK (last_error IS NULL OR length(last_error) <= 500)
);
CREATE INDEX share_email_outbox_request_idx ON share_email_outbox (request_id);
CREATE INDEX share_email_outbox_due_idx ON share_email_outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX share_email_outbox_recipient_idx ON share_email_outbox (recipient_hash, created_at);
CREATE INDEX share_email_outbox_created_idx ON share_email_outbox (created_at);

CREATE TABLE share_email_suppressions (
    address_hash  bytea       PRIMARY KEY,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT share_email_suppressions_hash_length CHECK (length(address_hash) = 32)
);
