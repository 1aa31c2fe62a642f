-- A post's content warning (ActivityPub `summary`, Mastodon's `spoiler_text`) and the language
-- it is written in (an ISO 639 code, `contentMap`'s key on the wire).
ALTER TABLE posts ADD COLUMN summary TEXT;
ALTER TABLE posts ADD COLUMN language TEXT;
-- What a post's history keeps of each version.
ALTER TABLE post_edits ADD COLUMN summary TEXT;
