-- Blocks: a local member's block of anyone (sent as a Block to a remote target), and a remote
-- actor's Block of a local member (received). ap_id is the Block activity's id, for its Undo.
CREATE TABLE blocks (
    id BIGINT PRIMARY KEY,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    ap_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (actor_id, target_id)
);
CREATE INDEX blocks_target ON blocks (target_id);

-- Mutes of local members: never federated. notifications: their notifications are muted too;
-- expires_at NULL: until unmuted.
CREATE TABLE mutes (
    id BIGINT PRIMARY KEY,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    notifications BOOLEAN NOT NULL,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (actor_id, target_id)
);

-- Domains a local member hides: their posts and notifications, and their followers removed.
CREATE TABLE domain_blocks (
    id BIGINT PRIMARY KEY,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (actor_id, domain)
);
