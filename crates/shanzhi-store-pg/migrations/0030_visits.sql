-- Issue 20: visits (走访) and the 民情日志.
-- A visit: the worker, the day (China) and instant, where (lng/lat WGS-84,
-- NULL when the phone gave no position: kept and flagged), whom (a register
-- resident or household; care_mark_id when the person is marked for care),
-- what was raised: in clear text in `raised`, or, for a visit to a care
-- person, only sealed (AEAD, base64, key_id) like the care reason; photos as
-- a JSON list of attachment ids; the matter reported from it. A retried
-- submission with the same Idempotency-Key (keyed per worker, hashed) finds
-- the same visit; request_hash tells a different request apart.
CREATE TABLE visits (
    id              TEXT PRIMARY KEY,
    worker_id       TEXT NOT NULL,
    community_code  TEXT NOT NULL,
    grid_code       TEXT,
    day             TEXT NOT NULL,
    at              BIGINT NOT NULL,
    lng             DOUBLE PRECISION,
    lat             DOUBLE PRECISION,
    subject_id      TEXT NOT NULL REFERENCES register_records (id),
    care_mark_id    TEXT REFERENCES care_marks (id),
    raised          TEXT,
    key_id          TEXT,
    sealed          TEXT,
    images          TEXT NOT NULL DEFAULT '[]',
    matter_id       TEXT REFERENCES matters (id),
    idempotency_key TEXT UNIQUE,
    request_hash    TEXT NOT NULL,
    CHECK ((raised IS NULL) = (sealed IS NOT NULL))
);
CREATE INDEX visits_by_worker ON visits (worker_id, day);
CREATE INDEX visits_by_place ON visits (community_code, grid_code, day);

-- A worker's own notes on their day (written that day only), with the grid
-- and community the log belongs to.
CREATE TABLE daily_logs (
    worker_id      TEXT NOT NULL,
    day            TEXT NOT NULL,
    community_code TEXT NOT NULL,
    grid_code      TEXT,
    notes          TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (worker_id, day)
);
CREATE INDEX daily_logs_by_place ON daily_logs (community_code, day);

-- The community worker's review comments on a day's log: who, when, what.
CREATE TABLE daily_log_comments (
    id         TEXT PRIMARY KEY,
    worker_id  TEXT NOT NULL,
    day        TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    at         BIGINT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX daily_log_comments_by_log ON daily_log_comments (worker_id, day, at);
