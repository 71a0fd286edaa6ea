-- Hardening. An anonymous reporter's private key is random and kept only as
-- its SHA-256 (the matter id, which staff see, is no key); a request's
-- fingerprint sits beside its idempotency key so a reused key with another
-- body is refused; sign-in throttles live in the database, so every server
-- counts the same attempts.
ALTER TABLE matters ADD COLUMN reporter_key_hash TEXT;
ALTER TABLE matters ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX matters_by_reporter_key ON matters (reporter_key_hash) WHERE reporter_key_hash IS NOT NULL;

-- One row per throttled key (`login:<ip>:<username>`, `login-ip:<ip>`): the
-- failures counted in the window that began at `window_start`.
CREATE TABLE throttles (
    key          TEXT PRIMARY KEY,
    hits         BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

-- Sign out everywhere, list a person's tokens.
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
