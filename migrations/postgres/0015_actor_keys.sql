-- Ed25519 keys of actors (FEP-521a `assertionMethod` Multikeys), beside their RSA keys: ours with
-- the secret (multibase, `z` + base58btc of the ed25519-priv multicodec), made when first needed;
-- other servers' as they publish them. They sign and verify object integrity proofs (FEP-8b32).
CREATE TABLE actor_keys (
    actor_id BIGINT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    key_id TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    secret_multibase TEXT
);
CREATE INDEX actor_keys_key_id ON actor_keys (key_id);
