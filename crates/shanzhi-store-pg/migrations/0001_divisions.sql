-- The division tree. Level and parent follow from the code; they are stored for
-- queries and checked by the foreign key, so an orphan can never be written.
-- Plain SQL only (no extensions): the schema must also run on PG-wire engines.
CREATE TABLE divisions (
    code_system TEXT NOT NULL CHECK (code_system IN ('NBS2023', 'MCA')),
    code        TEXT NOT NULL CHECK (length(code) = 12),
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'district', 'town', 'community')),
    parent_code TEXT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (code_system, code),
    FOREIGN KEY (code_system, parent_code) REFERENCES divisions (code_system, code)
);

CREATE INDEX divisions_by_parent ON divisions (code_system, parent_code, code);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
