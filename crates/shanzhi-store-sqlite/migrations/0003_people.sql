-- 一支队伍: people, their roles and scopes (assignments with terms),
-- departments, sign-in sessions and API tokens (hashes only), patrols, the
-- append-only admin audit log (hash-chained) and the record of who saw
-- personal data. Instants are microseconds since the Unix epoch (UTC);
-- days are ISO text.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('staff', 'resident')),
    phone         TEXT,
    password_hash TEXT,
    disabled_at   INTEGER,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE departments (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    code_system   TEXT NOT NULL DEFAULT 'NBS2023' CHECK (code_system = 'NBS2023'),
    division_code TEXT NOT NULL,
    FOREIGN KEY (code_system, division_code) REFERENCES divisions (code_system, code)
);

CREATE INDEX departments_by_division ON departments (division_code);

CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'community_worker', 'dispatcher',
                                                  'dept_handler', 'supervisor', 'admin')),
    scope_kind      TEXT CHECK (scope_kind IN ('division', 'grid', 'department')),
    scope_code      TEXT,
    -- The 12-digit division the scope lies in, for roster queries by subtree.
    scope_division  TEXT,
    department_code TEXT REFERENCES departments (code),
    valid_from      TEXT NOT NULL,
    valid_to        TEXT CHECK (valid_to IS NULL OR valid_to > valid_from),
    CHECK ((scope_kind IS NULL) = (scope_code IS NULL))
);

CREATE INDEX assignments_by_user ON assignments (user_id);
CREATE INDEX assignments_by_division ON assignments (scope_division);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE patrols (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    grid_code  TEXT NOT NULL CHECK (length(grid_code) = 15),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE INDEX patrols_by_grid ON patrols (grid_code, started_at);
CREATE INDEX patrols_by_user ON patrols (user_id, started_at);

CREATE TABLE patrol_points (
    patrol_id  TEXT NOT NULL REFERENCES patrols (id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    lng        REAL NOT NULL,
    lat        REAL NOT NULL,
    grid_code  TEXT,
    households INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
    note       TEXT,
    PRIMARY KEY (patrol_id, seq)
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

CREATE TABLE pii_access_log (
    id      TEXT PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    subject TEXT NOT NULL,
    field   TEXT NOT NULL,
    purpose TEXT NOT NULL
);

CREATE INDEX pii_access_by_subject ON pii_access_log (subject, at);

INSERT INTO counters (name, value) VALUES ('audit', 0);
