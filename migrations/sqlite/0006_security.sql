-- Rate limits kept in the database, so that every process of a node counts the same attempts.
-- One fixed window per (action, client address or /64 network).
CREATE TABLE rate_limits (
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (action, subject)
);

-- Files are served by name after asking who may see them.
CREATE UNIQUE INDEX media_file_name ON media (file_name);
CREATE INDEX events_cover_url ON events (cover_url);
