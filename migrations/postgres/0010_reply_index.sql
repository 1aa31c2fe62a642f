-- Most posts answer nothing: a full index on `in_reply_to` holds one huge NULL key, and once the
-- planner has statistics (ANALYZE, PRAGMA optimize, autovacuum) it judges the index useless and
-- counts a page's replies by scanning every post (measured: 8 s for a page of 40 over a million
-- posts on SQLite). Only the answers are indexed now; `in_reply_to = x` implies `IS NOT NULL`.
DROP INDEX posts_in_reply_to;
CREATE INDEX posts_in_reply_to ON posts (in_reply_to) WHERE in_reply_to IS NOT NULL;
