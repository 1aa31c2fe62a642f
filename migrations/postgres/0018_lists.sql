-- A member's lists of the people and groups they follow (Mastodon's lists): a list timeline
-- shows their posts; replies_policy ('followed', 'list' or 'none') says which replies it shows;
-- an exclusive list's members leave the owner's home timeline.
CREATE TABLE lists (
    id BIGINT PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    replies_policy TEXT NOT NULL,
    exclusive BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX lists_owner ON lists (owner_id, id);

CREATE TABLE list_members (
    id BIGINT PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    UNIQUE (list_id, actor_id)
);
CREATE INDEX list_members_actor ON list_members (actor_id);
