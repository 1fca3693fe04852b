-- A preview can show changes an editor has not saved: the article as the changes would make it,
-- rendered when the preview is made (every check of a real save ran, then was rolled back) and kept
-- here until the preview expires. A preview without it shows the article as saved, live.

ALTER TABLE article_previews
    ADD COLUMN article      json,
    ADD COLUMN base_version integer;
