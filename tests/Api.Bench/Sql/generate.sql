-- tests/Api.Bench/Sql/generate.sql - synthetic news content for scripts/bench.
--
-- Run with psql, after the API's migrations, in the benchmark database:
--   psql -v articles=N -v hidden=H [-v part=I -v parts=P] [-v vacuum=false] -f generate.sql
--
--   articles  visible articles: published, published_at in the past, slugs
--             bench-article-1 .. bench-article-<articles>. Every one of them
--             answers 200 on GET /v1/articles/{slug}.
--   hidden    articles the public API must not show, slugs
--             bench-hidden-1 .. bench-hidden-<hidden>: odd numbers are drafts,
--             even numbers are scheduled (published with published_at in the
--             future).
--   part, parts
--             this session generates only the numbers n with n % parts = part
--             (default: part 0 of 1, i.e. everything). scripts/bench runs
--             one session per CPU, part 0..parts-1, side by side: the cost is
--             in computing each row's generated search vector and its index
--             entries, which one session does on one CPU only.
--   vacuum    VACUUM (ANALYZE) the tables at the end (default true);
--             scripts/bench passes false to the parallel sessions and runs it
--             once after all of them.
--
-- Idempotent: only the slugs that do not exist yet are inserted, so running it
-- again with a larger `articles` tops the data up. Content is derived from
-- hashes of the article number, so a number always gets the same words,
-- category and tags; dates are relative to the day of generation.
--
-- Shape of the data:
--   - categories: all existing ones (nested ones included), picked uniformly;
--   - published_at: spread over the 5 years before today, drawn from a pool
--     of articles/4 distinct seconds, so on average four articles share a
--     second and keyset pagination has to break ties on id at most page
--     boundaries; ids are uncorrelated with published_at;
--   - language: about 95% 'en' and 5% 'zh-Hans' (Chinese title and body);
--   - English text is built from news vocabulary: each article has a main and
--     a secondary topic that recur in its title, summary and body, plus
--     random other topics, so a query for one topic phrase matches several
--     percent of the articles, not all of them, while words shared by many
--     topics ('cooperation', 'security') match far more;
--   - body_html: 4-6 <p> paragraphs of 3-4 sentences (about 1-3 KB);
--     body_text: the same paragraphs separated by blank lines;
--   - tags: 40 topic tags, 0-4 per article;
--   - byline and source on most articles, an image on half of them.
--
-- Only the base columns are written: id, search_vector, version, deleted_at,
-- translation_group and canonical_url keep their defaults (or generated
-- values), so later migrations that add columns with defaults do not break it.
-- The final VACUUM (ANALYZE) gives the planner fresh statistics, merges the
-- GIN pending lists into the GIN indexes and sets hint bits
-- and the visibility map, so the first benchmark case does not pay for them.

\set ON_ERROR_STOP on
\if :{?part}
\else
\set part 0
\endif
\if :{?parts}
\else
\set parts 1
\endif
\if :{?vacuum}
\else
\set vacuum true
\endif

-- No JIT: compiling the large inlined text expressions below costs more than it saves.
SET jit = off;

-- A number in [0, n) derived from h; salt gives independent draws for the same h.
CREATE FUNCTION pg_temp.pick(h bigint, salt integer, n integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((hashint8extended(h, salt) & 9223372036854775807) % n)::integer $$;

-- One element of words, derived from h and salt.
CREATE FUNCTION pg_temp.word(words text[], h bigint, salt integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT words[1 + pg_temp.pick(h, salt, cardinality(words))] $$;

-- Topics of the English articles. The search cases of scripts/bench query
-- some of them (tests/Api.Bench/Wrk/search-queries.txt).
CREATE FUNCTION pg_temp.topics() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'trade cooperation', 'security dialogue', 'climate change', 'economic cooperation',
        'people-to-people exchanges', 'maritime security', 'nuclear nonproliferation',
        'the denuclearization of the Korean Peninsula', 'investment protection',
        'agricultural exports', 'public health', 'renewable energy', 'infrastructure financing',
        'cultural heritage', 'student exchanges', 'visa facilitation', 'tourism promotion',
        'counterterrorism', 'cyber security', 'supply chains', 'tariff reductions',
        'poverty alleviation', 'scientific research', 'space exploration', 'the digital economy',
        'food security', 'disaster relief', 'peacekeeping operations', 'regional stability',
        'law enforcement cooperation', 'the Belt and Road Initiative', 'market access',
        'intellectual property rights', 'energy security', 'arms control', 'financial regulation',
        'currency stability', 'export controls', 'semiconductor supply', 'electric vehicles',
        'green development', 'carbon neutrality', 'biodiversity protection', 'ocean governance',
        'Arctic affairs', 'the Middle East peace process', 'the Ukraine crisis',
        'humanitarian assistance', 'refugee protection', 'human rights dialogue',
        'judicial assistance', 'anti-corruption cooperation', 'drug control', 'fentanyl control',
        'military communication', 'defense consultations', 'nuclear safety', 'vaccine development',
        'pandemic preparedness', 'medical research', 'aviation safety', 'direct flights',
        'consular protection', 'passport services', 'overseas students', 'language teaching',
        'university partnerships', 'film and television', 'sports exchanges', 'youth exchanges',
        'sister city relations', 'subnational cooperation', 'agricultural technology',
        'water resources', 'railway construction', 'port development', 'telecommunications',
        'artificial intelligence', 'data protection', 'e-commerce', 'small businesses',
        'manufacturing investment', 'the automotive industry', 'steel overcapacity',
        'soybean purchases', 'energy imports', 'liquefied natural gas', 'oil prices',
        'global governance', 'multilateralism', 'the World Trade Organization',
        'the United Nations Charter', 'the G20 agenda', 'the BRICS mechanism',
        'the Asia-Pacific Economic Cooperation forum', 'South-South cooperation',
        'debt relief', 'development finance', 'the Taiwan question', 'the South China Sea',
        'the Mekong River', 'Antarctic research', 'polar navigation', 'wildlife protection',
        'giant pandas', 'archaeological research', 'museum exhibitions', 'traditional medicine'
    ] $$;

CREATE FUNCTION pg_temp.subjects() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'The foreign minister', 'The ambassador', 'The premier', 'The president',
        'A foreign ministry spokesperson', 'The vice foreign minister', 'The visiting delegation',
        'The consul general', 'Senior officials', 'The state councilor', 'Trade negotiators',
        'The embassy', 'The commerce minister', 'Provincial leaders', 'Business leaders',
        'University presidents', 'The special envoy', 'Defense officials', 'Members of Congress',
        'Diplomats from both countries', 'The finance minister', 'The central bank governor',
        'The health minister', 'The education minister', 'The deputy chief of mission'
    ] $$;

CREATE FUNCTION pg_temp.verbs() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'held talks on', 'discussed', 'reaffirmed support for', 'called for progress on',
        'signed an agreement on', 'welcomed new steps on', 'stressed the importance of',
        'pledged to deepen cooperation on', 'reviewed the progress of', 'outlined plans for',
        'expressed concern over', 'agreed to expand dialogue on', 'announced new measures on',
        'praised the results of', 'briefed reporters on', 'exchanged views on',
        'proposed a working group on', 'highlighted'
    ] $$;

CREATE FUNCTION pg_temp.occasions() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'during a visit to Beijing', 'at a press conference on Monday', 'in a telephone call',
        'at the annual forum', 'ahead of the summit', 'in a joint statement',
        'on the sidelines of the United Nations General Assembly',
        'at a reception marking the anniversary of diplomatic relations',
        'in an interview with reporters', 'after two days of talks', 'at a meeting in Washington',
        'during the ministerial conference', 'at a seminar in Shanghai', 'on Tuesday',
        'at the embassy on Wednesday', 'during a video conference', 'in New York on Thursday',
        'at a business roundtable', 'in a written statement', 'at the opening ceremony'
    ] $$;

CREATE FUNCTION pg_temp.qualities() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'mutual', 'practical', 'long-term', 'comprehensive', 'strategic', 'constructive',
        'pragmatic', 'sustainable', 'steady', 'closer', 'candid', 'in-depth', 'balanced',
        'open', 'regular'
    ] $$;

CREATE FUNCTION pg_temp.matters() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'communication', 'coordination', 'consensus', 'partnership', 'trust', 'engagement',
        'development', 'growth', 'stability', 'dialogue', 'investment', 'exchanges',
        'understanding', 'consultation', 'collaboration'
    ] $$;

CREATE FUNCTION pg_temp.sources() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'Xinhua', 'the Ministry of Foreign Affairs', 'the embassy press office', 'China Daily',
        'the State Council Information Office', 'the Ministry of Commerce', 'People''s Daily',
        'CGTN', 'the consulate general'
    ] $$;

CREATE FUNCTION pg_temp.title_subjects() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'Foreign Minister', 'Ambassador', 'Premier', 'Spokesperson', 'Vice Premier', 'Embassy',
        'Delegation', 'Consul General', 'State Councilor', 'Commerce Minister', 'President',
        'Special Envoy', 'Vice Foreign Minister', 'Finance Minister'
    ] $$;

CREATE FUNCTION pg_temp.title_verbs() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'holds talks on', 'discusses', 'calls for progress on', 'welcomes cooperation on',
        'signs agreement on', 'stresses', 'reviews', 'outlines plans for',
        'meets business leaders on', 'highlights', 'briefs press on', 'attends forum on',
        'delivers speech on', 'hosts seminar on'
    ] $$;

CREATE FUNCTION pg_temp.places() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'in Beijing', 'in Washington', 'at the United Nations', 'in New York', 'in Shanghai',
        'at G20 Summit', 'in Geneva', 'in Chicago', 'in San Francisco', 'in Houston',
        'at APEC Meeting', 'in Los Angeles', ''
    ] $$;

CREATE FUNCTION pg_temp.bylines() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        'Wang Lei', 'Li Na', 'Zhang Wei', 'Emily Carter', 'James Miller', 'Liu Yang', 'Chen Jing',
        'Sarah Thompson', 'Zhao Min', 'Michael Brown', 'Embassy Press Office'
    ] $$;

CREATE FUNCTION pg_temp.zh_phrases() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY[
        '外交部', '中美关系', '朝鲜半岛', '无核化', '经济合作', '人文交流', '发言人', '举行会谈',
        '双边关系', '战略对话', '贸易投资', '气候变化', '和平稳定', '共同发展', '互利共赢',
        '高层交往', '领事服务', '签证便利', '教育合作', '文化交流', '国际社会', '联合国',
        '安全对话', '务实合作', '一带一路', '全球治理', '多边主义', '公共卫生', '绿色发展',
        '科技创新', '地区和平', '友好往来', '大使馆', '记者会', '联合声明', '深入交流'
    ] $$;

-- One English sentence. t1 and t2 are the article's main and secondary topics;
-- about half of the sentences mention t1, a quarter t2, the rest a random topic.
-- STABLE, not IMMUTABLE, because format() is STABLE: PostgreSQL only inlines a
-- SQL function whose declared volatility matches its body, and inlining makes
-- the generation several times faster.
CREATE FUNCTION pg_temp.en_sentence(h bigint, t1 text, t2 text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT CASE pg_temp.pick(h, 1, 8)
        WHEN 0 THEN format('%s %s %s %s.',
            pg_temp.word(pg_temp.subjects(), h, 2), pg_temp.word(pg_temp.verbs(), h, 3),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END,
            pg_temp.word(pg_temp.occasions(), h, 6))
        WHEN 1 THEN format('Both sides agreed to strengthen %s %s and to promote %s.',
            pg_temp.word(pg_temp.qualities(), h, 7), pg_temp.word(pg_temp.matters(), h, 8),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END)
        WHEN 2 THEN format('%s said that %s %s on %s serves the fundamental interests of both peoples.',
            pg_temp.word(pg_temp.subjects(), h, 2), pg_temp.word(pg_temp.qualities(), h, 7),
            pg_temp.word(pg_temp.matters(), h, 8),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END)
        WHEN 3 THEN format('Officials noted that %s and %s remain priorities for the coming year.',
            t1, pg_temp.word(pg_temp.topics(), h, 5))
        WHEN 4 THEN format('%s %s %s, according to a statement released by %s.',
            pg_temp.word(pg_temp.subjects(), h, 2), pg_temp.word(pg_temp.verbs(), h, 3),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END,
            pg_temp.word(pg_temp.sources(), h, 9))
        WHEN 5 THEN format('According to %s, %s agreements on %s were signed %s.',
            pg_temp.word(pg_temp.sources(), h, 9),
            pg_temp.word(ARRAY['two', 'three', 'four', 'five', 'seven', 'nine', 'twelve'], h, 10),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END,
            pg_temp.word(pg_temp.occasions(), h, 6))
        WHEN 6 THEN format('%s called on all parties to maintain %s %s and to resolve differences over %s through dialogue.',
            pg_temp.word(pg_temp.subjects(), h, 2), pg_temp.word(pg_temp.qualities(), h, 7),
            pg_temp.word(pg_temp.matters(), h, 8),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END)
        ELSE format('The two countries have made %s progress on %s since %s, and further talks are planned %s.',
            pg_temp.word(ARRAY['steady', 'significant', 'limited', 'remarkable', 'gradual', 'notable'], h, 11),
            CASE pg_temp.pick(h, 4, 4) WHEN 0 THEN t2 WHEN 1 THEN pg_temp.word(pg_temp.topics(), h, 5) ELSE t1 END,
            2010 + pg_temp.pick(h, 12, 15),
            pg_temp.word(pg_temp.occasions(), h, 6))
    END $$;

-- One Chinese sentence of seven phrases.
CREATE FUNCTION pg_temp.zh_sentence(h bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT pg_temp.word(pg_temp.zh_phrases(), h, 1) || pg_temp.word(pg_temp.zh_phrases(), h, 2)
              || pg_temp.word(pg_temp.zh_phrases(), h, 3) || '，' || pg_temp.word(pg_temp.zh_phrases(), h, 4)
              || pg_temp.word(pg_temp.zh_phrases(), h, 5) || pg_temp.word(pg_temp.zh_phrases(), h, 6)
              || pg_temp.word(pg_temp.zh_phrases(), h, 7) || '。' $$;

-- The 40 tags (forty is not a multiple of 7, which the tag picking below relies on),
-- committed on their own so that parallel sessions wait for each other only briefly.
BEGIN;
CREATE TEMP TABLE bench_tags (slug text PRIMARY KEY, name text NOT NULL);
INSERT INTO bench_tags (slug, name) VALUES
    ('trade', 'Trade'), ('security', 'Security'), ('climate-change', 'Climate Change'),
    ('economy', 'Economy'), ('people-to-people-exchanges', 'People-to-People Exchanges'),
    ('maritime-affairs', 'Maritime Affairs'), ('nonproliferation', 'Nonproliferation'),
    ('korean-peninsula', 'Korean Peninsula'), ('investment', 'Investment'),
    ('agriculture', 'Agriculture'), ('public-health', 'Public Health'), ('energy', 'Energy'),
    ('infrastructure', 'Infrastructure'), ('culture', 'Culture'), ('education', 'Education'),
    ('visas', 'Visas'), ('tourism', 'Tourism'), ('counterterrorism', 'Counterterrorism'),
    ('cyber-security', 'Cyber Security'), ('technology', 'Technology'),
    ('science', 'Science'), ('space', 'Space'), ('digital-economy', 'Digital Economy'),
    ('food-security', 'Food Security'), ('disaster-relief', 'Disaster Relief'),
    ('peacekeeping', 'Peacekeeping'), ('belt-and-road', 'Belt and Road'),
    ('finance', 'Finance'), ('environment', 'Environment'), ('human-rights', 'Human Rights'),
    ('law-enforcement', 'Law Enforcement'), ('defense', 'Defense'), ('aviation', 'Aviation'),
    ('consular-affairs', 'Consular Affairs'), ('youth', 'Youth'), ('sports', 'Sports'),
    ('united-nations', 'United Nations'), ('g20', 'G20'), ('multilateralism', 'Multilateralism'),
    ('south-china-sea', 'South China Sea');

INSERT INTO tags (slug, name)
SELECT slug, name FROM bench_tags ORDER BY slug
ON CONFLICT (slug) DO NOTHING;
COMMIT;

BEGIN;
-- Bigger in-memory budgets for the one big INSERT (sorts, the GIN pending lists).
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
SET LOCAL gin_pending_list_limit = '64MB';

WITH cats AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM categories
), tag_ids AS (
    SELECT array_agg(t.id ORDER BY t.slug) AS ids
    FROM tags t JOIN bench_tags b ON b.slug = t.slug
), wanted AS (
    SELECT 'bench-article-' || g AS slug, g::bigint AS seed, 'visible' AS kind
    FROM generate_series(1, :articles) AS g
    WHERE g % :parts = :part
    UNION ALL
    SELECT 'bench-hidden-' || g, -g::bigint, CASE WHEN g % 2 = 1 THEN 'draft' ELSE 'scheduled' END
    FROM generate_series(1, :hidden) AS g
    WHERE g % :parts = :part
), missing AS (
    SELECT w.*
    FROM wanted w
    WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = w.slug)
), shaped AS (
    SELECT m.slug, m.seed, m.kind,
           pg_temp.pick(m.seed, 20, 100) < 5 AS zh,
           pg_temp.word(pg_temp.topics(), m.seed, 21) AS t1,
           pg_temp.word(pg_temp.topics(), m.seed, 22) AS t2,
           c.ids[1 + pg_temp.pick(m.seed, 23, cardinality(c.ids))] AS category_id,
           CASE m.kind
               -- A pool of articles/4 distinct seconds over 5 years (157,680,000 s) before today.
               WHEN 'visible' THEN date_trunc('day', now()) - interval '1 minute'
                   - make_interval(secs => pg_temp.pick(m.seed, 24, greatest(1, :articles / 4))
                                           * (157680000 / greatest(1, :articles / 4)))
               WHEN 'scheduled' THEN date_trunc('second', now())
                   + make_interval(days => 1 + pg_temp.pick(m.seed, 24, 365), secs => pg_temp.pick(m.seed, 25, 86400))
           END AS published_at
    FROM missing m CROSS JOIN cats c
), composed AS (
    SELECT s.*,
           CASE WHEN s.zh
               THEN pg_temp.word(pg_temp.zh_phrases(), s.seed, 26) || pg_temp.word(pg_temp.zh_phrases(), s.seed, 27)
                    || pg_temp.word(pg_temp.zh_phrases(), s.seed, 28)
               ELSE trim(format('%s %s %s %s',
                   pg_temp.word(pg_temp.title_subjects(), s.seed, 26), pg_temp.word(pg_temp.title_verbs(), s.seed, 27),
                   s.t1, pg_temp.word(pg_temp.places(), s.seed, 28)))
           END AS title,
           CASE WHEN s.zh
               THEN pg_temp.zh_sentence(s.seed * 1000 + 3)
               ELSE pg_temp.en_sentence(s.seed * 1000 + 3, s.t1, s.t2) || ' '
                    || pg_temp.en_sentence(s.seed * 1000 + 4, s.t1, s.t2)
           END AS summary,
           b.body_html, b.body_text
    FROM shaped s
    CROSS JOIN LATERAL (
        SELECT string_agg('<p>' || para.text || '</p>', E'\n' ORDER BY para.p) AS body_html,
               string_agg(para.text, E'\n\n' ORDER BY para.p) AS body_text
        FROM (
            SELECT p.p,
                   string_agg(CASE WHEN s.zh THEN pg_temp.zh_sentence(h.h)
                                   ELSE pg_temp.en_sentence(h.h, s.t1, s.t2) END,
                              CASE WHEN s.zh THEN '' ELSE ' ' END ORDER BY k.k) AS text
            FROM generate_series(1, 4 + pg_temp.pick(s.seed, 29, 3)) AS p (p)
            CROSS JOIN LATERAL generate_series(1, 3 + pg_temp.pick(s.seed * 10 + p.p, 30, 2)) AS k (k)
            CROSS JOIN LATERAL (SELECT s.seed * 1000 + p.p * 10 + k.k + 100 AS h) AS h
            GROUP BY p.p
        ) AS para
    ) AS b
), inserted AS (
    INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status,
                          byline, source, image_url, image_alt, published_at, created_at, updated_at)
    SELECT c.slug, c.title, c.summary, c.body_html, c.body_text,
           CASE WHEN c.zh THEN 'zh-Hans' ELSE 'en' END,
           c.category_id,
           CASE WHEN c.kind = 'draft' THEN 'draft' ELSE 'published' END,
           CASE WHEN pg_temp.pick(c.seed, 31, 10) < 7 THEN pg_temp.word(pg_temp.bylines(), c.seed, 32) END,
           CASE WHEN pg_temp.pick(c.seed, 33, 10) < 8
                THEN pg_temp.word(ARRAY['Xinhua', 'Ministry of Foreign Affairs', 'Embassy Press Office',
                                        'China Daily', 'State Council Information Office',
                                        'Ministry of Commerce', 'People''s Daily', 'CGTN'], c.seed, 34) END,
           CASE WHEN pg_temp.pick(c.seed, 35, 2) = 0
                THEN 'https://images.example.com/bench/' || c.slug || '.jpg' END,
           CASE WHEN pg_temp.pick(c.seed, 35, 2) = 0 THEN c.title END,
           c.published_at,
           CASE c.kind
               WHEN 'visible' THEN c.published_at - make_interval(mins => pg_temp.pick(c.seed, 36, 240))
               ELSE date_trunc('second', now()) - make_interval(days => pg_temp.pick(c.seed, 36, 30))
           END,
           CASE c.kind
               WHEN 'visible' THEN least(now(), c.published_at
                   + CASE WHEN pg_temp.pick(c.seed, 37, 4) = 0
                          THEN make_interval(hours => 1 + pg_temp.pick(c.seed, 38, 72))
                          ELSE interval '0' END)
               ELSE date_trunc('second', now())
           END
    FROM composed c
    ORDER BY c.kind DESC, abs(c.seed)
    RETURNING id
)
INSERT INTO article_tags (article_id, tag_id, position)
SELECT i.id,
       t.ids[1 + (pg_temp.pick(i.id, 40, cardinality(t.ids)) + k * 7) % cardinality(t.ids)],
       k + 1
FROM inserted i
CROSS JOIN tag_ids t
CROSS JOIN LATERAL generate_series(0, pg_temp.pick(i.id, 41, 5) - 1) AS k
ON CONFLICT DO NOTHING;

COMMIT;

\if :vacuum
VACUUM (ANALYZE) articles, article_tags, tags, categories;
\endif
