-- The grid's register (人、地、事、物、组织) and care marks (关爱对象).
-- `register_records` holds each record's current version: kind (building,
-- household, resident, organisation, facility), the community and grid it
-- lies in, its parent (a household's building, a resident's household),
-- its name and the kind's other fields as JSON object text; search_text is
-- the folded text searched with LIKE. A resident's ID number is never
-- stored: id_hash is a keyed hash of it, for de-duplication. Every version
-- (the first included) is also kept whole in `register_versions`, never
-- changed, with who saved it and when.
CREATE TABLE register_records (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('building', 'household', 'resident', 'organisation', 'facility')),
    community_code TEXT NOT NULL,
    grid_code      TEXT,
    parent_id      TEXT,
    name           TEXT NOT NULL,
    fields         TEXT NOT NULL,
    id_hash        TEXT UNIQUE,
    search_text    TEXT NOT NULL,
    version        INTEGER NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX register_records_by_place ON register_records (community_code, grid_code, kind, name);
CREATE INDEX register_records_by_parent ON register_records (parent_id);

CREATE TABLE register_versions (
    record_id TEXT NOT NULL REFERENCES register_records (id),
    version   INTEGER NOT NULL,
    grid_code TEXT,
    parent_id TEXT,
    name      TEXT NOT NULL,
    fields    TEXT NOT NULL,
    saved_by  TEXT NOT NULL,
    saved_at  INTEGER NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- A care mark: the reason and notes only sealed (AEAD ciphertext, base64,
-- nonce first) with the id of the key that sealed them; sealed becomes
-- NULL once purge_on has passed after the marking ended. One open mark per
-- resident (open_resident is the resident while the mark is open).
CREATE TABLE care_marks (
    id             TEXT PRIMARY KEY,
    resident_id    TEXT NOT NULL REFERENCES register_records (id),
    open_resident  TEXT UNIQUE,
    community_code TEXT NOT NULL,
    grid_code      TEXT,
    key_id         TEXT NOT NULL,
    sealed         TEXT,
    every_days     INTEGER NOT NULL CHECK (every_days > 0),
    worker_id      TEXT,
    started_on     TEXT NOT NULL,
    last_visit_on  TEXT,
    ended_on       TEXT,
    purge_on       TEXT,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX care_marks_by_place ON care_marks (community_code, grid_code);
CREATE INDEX care_marks_by_purge ON care_marks (purge_on);
