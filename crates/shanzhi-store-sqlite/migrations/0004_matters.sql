-- 一个平台: categories (versioned), duty lists, matters with their derived
-- status, the append-only timeline (hash-chained per matter) and attachments.
CREATE TABLE categories (
    code          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    name          TEXT NOT NULL,
    parent_code   TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('event', 'hotline', 'governance')),
    line          TEXT NOT NULL CHECK (line IN ('development', 'safety', 'both')),
    -- The whole category as JSON (limits, conditions, keywords …).
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    superseded_at INTEGER,
    PRIMARY KEY (code, version)
);

CREATE UNIQUE INDEX categories_one_current ON categories (code) WHERE superseded_at IS NULL;

CREATE TABLE duties (
    category_code TEXT NOT NULL,
    level         TEXT NOT NULL CHECK (level IN ('district', 'town', 'community')),
    list          TEXT NOT NULL CHECK (list IN ('basic', 'cooperate', 'withdrawn', 'lawful', 'assist', 'negative')),
    lead          TEXT,
    co            TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (category_code, level)
);

CREATE TABLE matters (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    idempotency_key  TEXT UNIQUE,
    channel          TEXT NOT NULL,
    external_ref     TEXT,
    category_code    TEXT NOT NULL,
    category_version INTEGER NOT NULL,
    line             TEXT NOT NULL,
    severity         TEXT NOT NULL,
    description      TEXT NOT NULL,
    address          TEXT,
    lng              REAL,
    lat              REAL,
    grid_code        TEXT NOT NULL CHECK (length(grid_code) = 15),
    -- The general grid the matter's grid belongs to (itself, for a general grid).
    general_grid     TEXT,
    community_code   TEXT NOT NULL,
    reporter_user_id TEXT,
    reporter_name    TEXT,
    reporter_phone   TEXT,
    duplicate_of     TEXT,
    state            TEXT NOT NULL,
    level            TEXT NOT NULL,
    assignee_kind    TEXT,
    assignee_code    TEXT,
    status_json      TEXT NOT NULL,
    reported_at      INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deadline_at      INTEGER,
    event_count      INTEGER NOT NULL,
    last_hash        TEXT NOT NULL,
    FOREIGN KEY (category_code, category_version) REFERENCES categories (code, version)
);

CREATE UNIQUE INDEX matters_by_external_ref ON matters (channel, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX matters_by_time ON matters (reported_at, id);
CREATE INDEX matters_by_community ON matters (community_code, reported_at);
CREATE INDEX matters_by_state ON matters (state, reported_at);
CREATE INDEX matters_by_assignee ON matters (assignee_code, state);
CREATE INDEX matters_by_reporter ON matters (reporter_user_id);
CREATE INDEX matters_by_category ON matters (category_code, reported_at);

CREATE TABLE matter_events (
    matter_id   TEXT NOT NULL REFERENCES matters (id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    command     TEXT NOT NULL,
    body        TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (matter_id, seq)
);

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    matter_id    TEXT REFERENCES matters (id),
    uploaded_by  TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE INDEX attachments_by_matter ON attachments (matter_id);
