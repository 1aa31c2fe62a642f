-- Counters of an actor's live posts, kept by triggers in the transaction that changes a post
-- (as Mastodon keeps account_stats): reading a page of 40 statuses then costs one lookup per
-- author instead of counting their posts. `authored` counts the posts an actor wrote, `filed`
-- the posts filed under a group; `last_status_at` is the newest post an actor wrote.
CREATE TABLE actor_stats (
    actor_id BIGINT PRIMARY KEY,
    authored BIGINT NOT NULL DEFAULT 0,
    filed BIGINT NOT NULL DEFAULT 0,
    last_status_at TIMESTAMPTZ
);

INSERT INTO actor_stats (actor_id, authored, last_status_at)
    SELECT author_id, COUNT(*), MAX(published_at) FROM posts WHERE deleted_at IS NULL GROUP BY author_id;
INSERT INTO actor_stats (actor_id, filed)
    SELECT group_id, COUNT(*) FROM posts WHERE deleted_at IS NULL AND group_id IS NOT NULL GROUP BY group_id
    ON CONFLICT (actor_id) DO UPDATE SET filed = excluded.filed;

CREATE FUNCTION posts_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO actor_stats (actor_id, authored, last_status_at) VALUES (NEW.author_id, 1, NEW.published_at)
                ON CONFLICT (actor_id) DO UPDATE SET authored = actor_stats.authored + 1,
                    last_status_at = GREATEST(actor_stats.last_status_at, excluded.last_status_at);
            IF NEW.group_id IS NOT NULL THEN
                INSERT INTO actor_stats (actor_id, filed) VALUES (NEW.group_id, 1)
                    ON CONFLICT (actor_id) DO UPDATE SET filed = actor_stats.filed + 1;
            END IF;
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
            UPDATE actor_stats SET authored = authored - 1 WHERE actor_id = NEW.author_id;
            UPDATE actor_stats SET filed = filed - 1 WHERE actor_id = NEW.group_id;
        END IF;
        RETURN NEW;
    ELSE
        IF OLD.deleted_at IS NULL THEN
            UPDATE actor_stats SET authored = authored - 1 WHERE actor_id = OLD.author_id;
            UPDATE actor_stats SET filed = filed - 1 WHERE actor_id = OLD.group_id;
        END IF;
        RETURN OLD;
    END IF;
END;
$$;

CREATE TRIGGER posts_count AFTER INSERT OR UPDATE OF deleted_at OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_count();
