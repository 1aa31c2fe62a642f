-- Actors: local and remote people, groups and the node's application actor.
-- A NULL domain means the actor lives on this node.
CREATE TABLE actors (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('Person', 'Group', 'Application', 'Service')),
    username TEXT NOT NULL,
    domain TEXT,
    ap_id TEXT NOT NULL UNIQUE,
    url TEXT,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    outbox_url TEXT,
    followers_url TEXT,
    following_url TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    summary_source TEXT NOT NULL DEFAULT '',
    summary_html TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    header_url TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable BOOLEAN NOT NULL DEFAULT TRUE,
    suspended_at TEXT,
    fetched_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX actors_local_username ON actors (lower(username)) WHERE domain IS NULL;
CREATE UNIQUE INDEX actors_remote_username ON actors (lower(username), domain) WHERE domain IS NOT NULL;

-- Members of this node who sign in: one row per local Person actor.
CREATE TABLE users (
    id INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'member')),
    approved BOOLEAN NOT NULL DEFAULT TRUE,
    last_active_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Follow relations between any two actors; pending until accepted.
CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    follower_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    followed_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    ap_id TEXT UNIQUE,
    accepted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    UNIQUE (follower_id, followed_id)
);
CREATE INDEX follows_followed ON follows (followed_id, accepted, id);
