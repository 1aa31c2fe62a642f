-- Servers that refused our draft-cavage signature and took the same request signed the RFC 9421
-- way: they get RFC 9421 signatures from then on.
ALTER TABLE instances ADD COLUMN prefers_rfc9421 BOOLEAN NOT NULL DEFAULT FALSE;
