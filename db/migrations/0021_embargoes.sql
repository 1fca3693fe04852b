-- Embargoes: a scheduled article can be given to partner keys before its publication time. The flag
-- only counts while the article is published (scheduled), not deleted, and its time is still to come;
-- once the time passes the article is public like any scheduled one, with no write. Partners read it
-- through the change feed, ninjs and GET /v1/articles/{idOrSlug} with their key; public reads,
-- lists, feeds, sitemaps, search and every cache keep using the public condition, which the flag does
-- not touch. Adding a column with a constant default rewrites nothing.

ALTER TABLE articles ADD COLUMN embargoed boolean NOT NULL DEFAULT false;
