-- While instances of the previous release still run beside new ones during an upgrade, they record
-- article changes without visible_before and visible_after (they do not know the columns), which the
-- CHECK of migration 0011 would refuse. This trigger fills both in as record_changes() does: judged
-- once the change has its number (every earlier-numbered writer has committed), by the database's
-- clock, visible_before from the article's previous change. record_changes() sets them itself.

CREATE FUNCTION changes_fill_visibility() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_before boolean;
    v_after boolean;
BEGIN
    IF NEW.entity <> 'article' OR (NEW.visible_before IS NOT NULL AND NEW.visible_after IS NOT NULL) THEN
        RETURN NEW;
    END IF;

    SELECT a.status = 'published' AND a.published_at <= clock_timestamp() AND a.deleted_at IS NULL INTO v_after
    FROM articles a
    WHERE a.id = NEW.entity_id;
    SELECT c.visible_after INTO v_before
    FROM changes c
    WHERE c.entity = 'article' AND c.entity_id = NEW.entity_id
    ORDER BY c.seq DESC
    LIMIT 1;
    NEW.visible_after := coalesce(NEW.visible_after, v_after, false);
    NEW.visible_before := coalesce(NEW.visible_before, v_before, NEW.kind <> 'created' AND NEW.visible_after);
    RETURN NEW;
END
$$;

CREATE TRIGGER changes_fill_visibility BEFORE INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_fill_visibility();
