-- Issue 18: residents sign up and sign in by phone. A one-time code is kept
-- only as a peppered SHA-256 (never the code), one live code per phone (a new
-- code replaces the previous one), with its expiry and the attempts made on
-- it. Consent to the privacy notice is recorded with its version and time;
-- a claim records how a resident came to follow a matter. An erased account
-- keeps its row (matters and timelines point at its id) without name, phone
-- or login.
CREATE TABLE sms_codes (
    phone      TEXT PRIMARY KEY,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    INTEGER
);

CREATE TABLE consents (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    version      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    withdrawn_at INTEGER
);

CREATE INDEX consents_by_user ON consents (user_id, at);

CREATE TABLE matter_claims (
    matter_id TEXT NOT NULL REFERENCES matters (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    how       TEXT NOT NULL CHECK (how IN ('private_link', 'verified_phone')),
    at        INTEGER NOT NULL,
    PRIMARY KEY (matter_id, user_id)
);

ALTER TABLE users ADD COLUMN erased_at INTEGER;
-- When the account's phone was last proved by a one-time code (reports filed
-- earlier with that number are offered for claim only then).
ALTER TABLE users ADD COLUMN phone_verified_at INTEGER;

CREATE INDEX users_by_phone ON users (phone) WHERE phone IS NOT NULL;
