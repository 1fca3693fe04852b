-- Where a story was filed from (its dateline: "BEIJING"), and what kind of piece it is, for front ends
-- to show and filter on.

ALTER TABLE articles ADD COLUMN dateline text CHECK (length(dateline) <= 100);
ALTER TABLE articles ADD COLUMN kind text NOT NULL DEFAULT 'news'
    CHECK (kind IN ('news', 'opinion', 'analysis', 'feature', 'interview', 'press-release'));
CREATE INDEX articles_kind_published ON articles (kind, published_at DESC, id DESC) WHERE kind <> 'news';
