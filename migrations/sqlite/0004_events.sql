-- Events: conferences, seminars, training courses, workshops, virtual meetings; local and remote.
-- A session of a series points at the series (its parent event).
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    url TEXT,
    organizer_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    series_id BIGINT REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description_html TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    timezone TEXT NOT NULL,
    all_day BOOLEAN NOT NULL DEFAULT FALSE,
    place_name TEXT,
    place_address TEXT,
    latitude REAL,
    longitude REAL,
    online_url TEXT,
    online_url_public BOOLEAN NOT NULL DEFAULT FALSE,
    category TEXT NOT NULL DEFAULT 'other',
    status TEXT NOT NULL CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
    capacity INTEGER,
    join_mode TEXT NOT NULL CHECK (join_mode IN ('free', 'approval', 'invite', 'external')),
    external_url TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
    local BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_group ON events (group_id, starts_at);
CREATE INDEX events_starts ON events (starts_at);

-- Who takes part: going, waiting for a place, waiting for approval.
CREATE TABLE participations (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('going', 'waitlist', 'pending', 'interested')),
    ap_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (event_id, actor_id)
);
CREATE INDEX participations_event ON participations (event_id, state, id);

-- Private agenda feed tokens (stored hashed).
CREATE TABLE calendar_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

-- Notifications about events (changes, cancellations) for their participants.
ALTER TABLE notifications ADD COLUMN event_id BIGINT REFERENCES events (id) ON DELETE CASCADE;
