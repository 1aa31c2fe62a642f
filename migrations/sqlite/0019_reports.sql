-- Reports of people and posts: filed by a local member (and forwarded as a Flag), or received as
-- a Flag from another server (reporter: the actor that sent it, often that server's own actor).
-- group_id: the group whose posts are reported, whose stewards handle it with the node's
-- moderators. post_ids: a JSON array of the reported posts' ids.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    reporter_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    post_ids TEXT NOT NULL,
    comment TEXT NOT NULL,
    category TEXT NOT NULL,
    forwarded BOOLEAN NOT NULL,
    ap_id TEXT UNIQUE,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX reports_open ON reports (resolved_at, id);

-- A notification may be about a report (admin.report).
ALTER TABLE notifications ADD COLUMN report_id BIGINT REFERENCES reports (id) ON DELETE CASCADE;
