-- Direct conversations as each local participant sees them (Mastodon's conversations): one row
-- per person and thread (`root`: the ActivityPub id of the thread's first post), pointing at its
-- latest direct post, unread until they read it. Hiding one deletes the row; a new message in the
-- thread brings it back.
CREATE TABLE conversations (
    id BIGINT PRIMARY KEY,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    root TEXT NOT NULL,
    last_post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    unread BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (actor_id, root)
);
CREATE INDEX conversations_latest ON conversations (actor_id, last_post_id);
