-- Search in scripts written without spaces between words (Chinese, Japanese, Korean), in any
-- database locale: each run of such characters is indexed as its overlapping two-character pairs
-- (in order, so a query can ask for them as a phrase) and its single characters. A query run of n
-- characters then matches exactly where those n characters stand together in the text.
-- This replaces the trigram index, which finds nothing in databases whose LC_CTYPE is C.

DROP INDEX articles_search_text_trgm_idx;

CREATE FUNCTION cjk_search_terms(doc text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(string_agg(t.term, ' ' ORDER BY r.run_no, t.part, t.pos), '')
    FROM regexp_matches(doc, '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+', 'g')
         WITH ORDINALITY AS r (m, run_no)
    CROSS JOIN LATERAL (
        SELECT 1 AS part, i AS pos, substr(r.m[1], i, 2) AS term
        FROM generate_series(1, length(r.m[1]) - 1) AS i
        UNION ALL
        SELECT 2, i, substr(r.m[1], i, 1)
        FROM generate_series(1, length(r.m[1])) AS i
    ) AS t
$$;

ALTER TABLE articles DROP COLUMN search_vector;
ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', summary), 'B') ||
    setweight(to_tsvector('english', body_text), 'C') ||
    setweight(to_tsvector('simple', cjk_search_terms(title)), 'A') ||
    setweight(to_tsvector('simple', cjk_search_terms(summary)), 'B') ||
    setweight(to_tsvector('simple', cjk_search_terms(body_text)), 'C')) STORED;

CREATE INDEX articles_search_idx ON articles USING gin (search_vector);
