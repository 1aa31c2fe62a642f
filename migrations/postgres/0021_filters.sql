-- Members' filters (Mastodon's filters v2): keywords and posts that, in the contexts named
-- (a comma-separated list of home, notifications, public, thread, account), put a post behind a
-- warning ('warn') or leave it out ('hide'), until expires_at (NULL: for good).
CREATE TABLE filters (
    id BIGINT PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    contexts TEXT NOT NULL,
    action TEXT NOT NULL,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX filters_owner ON filters (owner_id, id);

CREATE TABLE filter_keywords (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word BOOLEAN NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id);

CREATE TABLE filter_statuses (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    UNIQUE (filter_id, post_id)
);
