-- Groups: a local or remote Group actor with its policy.
CREATE TABLE groups (
    id BIGINT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
    posting_restricted_to_mods BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Owners and stewards (moderators) of a group; members are its accepted followers.
CREATE TABLE group_roles (
    group_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'steward')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, actor_id)
);

CREATE TABLE group_bans (
    group_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, actor_id)
);

-- What stewards did, readable by members.
CREATE TABLE moderation_log (
    id BIGINT PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    moderator_id BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moderation_log_group ON moderation_log (group_id, id);

-- Posts and replies (Note, Page, Article), local and remote.
CREATE TABLE posts (
    id BIGINT PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    url TEXT,
    author_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    in_reply_to TEXT,
    kind TEXT NOT NULL,
    title TEXT,
    content_html TEXT NOT NULL,
    source TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'members', 'direct')),
    tags TEXT NOT NULL DEFAULT '[]',
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    local BOOLEAN NOT NULL,
    -- Pinned by a steward into the group's featured collection.
    pinned_at TIMESTAMPTZ,
    -- Locked by a steward: no new replies.
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    published_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_group ON posts (group_id, id);
CREATE INDEX posts_author ON posts (author_id, id);
CREATE INDEX posts_in_reply_to ON posts (in_reply_to);

-- Activities this node sent, one row each; deliveries fan them out.
CREATE TABLE outgoing_activities (
    id BIGINT PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The durable delivery queue: one row per (activity, target inbox).
CREATE TABLE deliveries (
    id BIGINT PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES outgoing_activities (id) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    host TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (activity_id, inbox_url)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

-- Remote servers we deliver to: marked unreachable after repeated failures.
CREATE TABLE instances (
    host TEXT PRIMARY KEY,
    unreachable_since TIMESTAMPTZ,
    failures INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Activities received, stored before processing; the id makes redelivery idempotent.
CREATE TABLE inbox_activities (
    id BIGINT PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    actor_ap_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMPTZ,
    error TEXT,
    received_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ
);
CREATE INDEX inbox_activities_pending ON inbox_activities (status, id);

-- Likes and boosts of posts, by any actor.
CREATE TABLE reactions (
    id BIGINT PRIMARY KEY,
    ap_id TEXT UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, actor_id, post_id)
);

-- Remote actors also keep their group's featured and moderators collections here.
ALTER TABLE actors ADD COLUMN featured_url TEXT;
