-- Hashtags and mentions of posts in their own tables, written with the post: the tag timeline
-- reads its index (name, newest post first) instead of matching text in the `tags` JSON, and
-- a page's mentions are one join. Filled from the posts already stored.
CREATE TABLE post_tags (
    name TEXT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (name, post_id)
);
CREATE INDEX post_tags_post ON post_tags (post_id);

CREATE TABLE post_mentions (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    href TEXT NOT NULL,
    PRIMARY KEY (post_id, href)
);
CREATE INDEX post_mentions_href ON post_mentions (href, post_id);

INSERT INTO post_tags (name, post_id)
    SELECT DISTINCT lower(substr(t->>'name', 2)), p.id
    FROM posts p,
         jsonb_array_elements(CASE WHEN jsonb_typeof(p.tags::jsonb) = 'array' THEN p.tags::jsonb ELSE '[]'::jsonb END) t
    WHERE jsonb_typeof(t) = 'object' AND t->>'type' = 'Hashtag' AND t->>'name' LIKE '#_%'
ON CONFLICT DO NOTHING;

INSERT INTO post_mentions (post_id, href)
    SELECT DISTINCT p.id, t->>'href'
    FROM posts p,
         jsonb_array_elements(CASE WHEN jsonb_typeof(p.tags::jsonb) = 'array' THEN p.tags::jsonb ELSE '[]'::jsonb END) t
    WHERE jsonb_typeof(t) = 'object' AND t->>'type' = 'Mention' AND jsonb_typeof(t->'href') = 'string'
ON CONFLICT DO NOTHING;
