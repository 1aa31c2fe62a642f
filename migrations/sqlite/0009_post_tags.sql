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

INSERT OR IGNORE INTO post_tags (name, post_id)
    SELECT lower(substr(json_extract(t.value, '$.name'), 2)), p.id
    FROM posts p, json_each(CASE WHEN json_valid(p.tags) AND json_type(p.tags) = 'array' THEN p.tags ELSE '[]' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'Hashtag'
      AND json_extract(t.value, '$.name') LIKE '#_%';

INSERT OR IGNORE INTO post_mentions (post_id, href)
    SELECT p.id, json_extract(t.value, '$.href')
    FROM posts p, json_each(CASE WHEN json_valid(p.tags) AND json_type(p.tags) = 'array' THEN p.tags ELSE '[]' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'Mention'
      AND json_type(t.value, '$.href') = 'text';
