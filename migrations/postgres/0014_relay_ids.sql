-- A post filed under a group reaches its members' home timelines as the group's boost; apps need
-- that boost to have an id of its own (they key statuses by id). It is made with the post, just
-- after the post's own id, so it sorts with it and serves as a pagination cursor.
ALTER TABLE posts ADD COLUMN relay_id BIGINT;
CREATE UNIQUE INDEX posts_relay_id ON posts (relay_id) WHERE relay_id IS NOT NULL;
