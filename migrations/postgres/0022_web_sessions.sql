-- Web interface: a browser's sign-in (the cookie holds a secret; only its SHA-256 is stored),
-- listed and revocable by its member; and the member's interface language.
CREATE TABLE web_sessions (
    id BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id, id);

ALTER TABLE users ADD COLUMN locale TEXT;

-- Why someone asked to join (approval mode), for the secretariat.
ALTER TABLE users ADD COLUMN registration_reason TEXT;
