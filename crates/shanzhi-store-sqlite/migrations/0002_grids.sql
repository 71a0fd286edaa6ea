-- The grid, versioned: a re-cut ends the current version (valid_to, exclusive)
-- and begins a new one; history stays queryable by date. Dates are ISO text.
CREATE TABLE grids (
    code           TEXT NOT NULL CHECK (length(code) = 15),
    valid_from     TEXT NOT NULL,
    valid_to       TEXT CHECK (valid_to IS NULL OR valid_to > valid_from),
    kind           TEXT NOT NULL CHECK (kind IN ('master', 'general', 'micro', 'dedicated')),
    name           TEXT NOT NULL,
    parent_code    TEXT CHECK (parent_code IS NULL OR length(parent_code) = 15),
    code_system    TEXT NOT NULL DEFAULT 'NBS2023' CHECK (code_system = 'NBS2023'),
    community_code TEXT NOT NULL,
    households     INTEGER CHECK (households IS NULL OR households >= 0),
    min_lng        REAL NOT NULL,
    min_lat        REAL NOT NULL,
    max_lng        REAL NOT NULL,
    max_lat        REAL NOT NULL,
    -- GeoJSON Polygon/MultiPolygon, WGS-84.
    geometry       TEXT NOT NULL,
    PRIMARY KEY (code, valid_from),
    FOREIGN KEY (code_system, community_code) REFERENCES divisions (code_system, code)
);

CREATE UNIQUE INDEX grids_one_current ON grids (code) WHERE valid_to IS NULL;
CREATE INDEX grids_by_community ON grids (community_code, valid_from);
CREATE INDEX grids_by_box ON grids (min_lng, max_lng, min_lat, max_lat);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO counters (name, value) VALUES ('grids', 0);
