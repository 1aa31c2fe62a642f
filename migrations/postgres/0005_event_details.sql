-- Events, continued: tags, a cover image, who may see the attendees, and invitations.
-- Tags are stored lower-case, without '#', separated by single spaces.
ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN cover_url TEXT;
ALTER TABLE events ADD COLUMN cover_media_type TEXT;
ALTER TABLE events ADD COLUMN cover_description TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN attendees_visibility TEXT NOT NULL DEFAULT 'organisers'
    CHECK (attendees_visibility IN ('public', 'participants', 'organisers'));

-- Invitations: the organisers invite someone (here or elsewhere) to an event; an invitation
-- lets its holder join an invitation-only event. Invitations we received for remote events
-- are kept the same way (invited_by is then the remote organiser).
CREATE TABLE event_invitations (
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    invited_by BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    ap_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, actor_id)
);
