-- Polls (a post of kind 'Question'): options as a JSON array of titles. Votes on our own polls
-- are counted from poll_votes; a remote poll's counts are as its server last sent them
-- (counts: a JSON array, voters_count when given). Local members' votes on remote polls are
-- kept in poll_votes too (so apps show what they chose).
CREATE TABLE polls (
    post_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    options TEXT NOT NULL,
    counts TEXT NOT NULL,
    multiple BOOLEAN NOT NULL,
    hide_totals BOOLEAN NOT NULL,
    expires_at TEXT,
    voters_count BIGINT
);

CREATE TABLE poll_votes (
    id BIGINT PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    choice BIGINT NOT NULL,
    ap_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (post_id, actor_id, choice)
);
CREATE INDEX poll_votes_voter ON poll_votes (actor_id, post_id);
