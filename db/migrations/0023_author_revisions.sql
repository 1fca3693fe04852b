-- Authors keep their history as articles do: a snapshot of what an editor wrote at every version,
-- listed for editors and restorable as a new version. Authors saved before this have their current
-- version as their first snapshot.

CREATE TABLE author_revisions (
    author_id  bigint      NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    version    integer     NOT NULL,
    change     text        NOT NULL CHECK (change IN ('created', 'updated', 'revision-restored')),
    snapshot   jsonb       NOT NULL,
    key_id     bigint      REFERENCES api_keys (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (author_id, version)
);

INSERT INTO author_revisions (author_id, version, change, snapshot, created_at)
SELECT id, version, CASE WHEN version = 1 THEN 'created' ELSE 'updated' END,
       jsonb_build_object('name', name, 'slug', slug, 'title', title, 'bio', bio, 'email', email,
                          'photoMediumId', photo_medium_id, 'links', links),
       updated_at
FROM authors;
