-- Servers that refused a group's Announce of a bare object id (Lemmy answers 400 "missing field
-- `actor`": it reads only the Announce of the activity): they get only that one from now on.
ALTER TABLE instances ADD COLUMN refuses_object_announces BOOLEAN NOT NULL DEFAULT FALSE;
