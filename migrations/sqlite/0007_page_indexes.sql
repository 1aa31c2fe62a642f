-- Indexes for reading a whole page of statuses at once (api::entities::PageData): counts of a
-- post's reactions, and an account's live posts and last post, from the index alone.
CREATE INDEX reactions_post ON reactions (post_id, kind, actor_id);
CREATE INDEX posts_author_live ON posts (author_id, deleted_at, published_at);
CREATE INDEX posts_group_live ON posts (group_id, deleted_at);
