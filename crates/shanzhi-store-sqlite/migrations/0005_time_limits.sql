-- 一套机制 (1): time limits. The stage clock of each matter as JSON, with the
-- two columns the sweep and the warning queries read; the lease that lets one
-- server at a time run the sweep; the editable calendar days.
ALTER TABLE matters ADD COLUMN clock_json TEXT;
ALTER TABLE matters ADD COLUMN warning TEXT NOT NULL DEFAULT 'none'
    CHECK (warning IN ('none', 'yellow', 'orange', 'red'));
-- When the sweep must look next (a colour change or an owed supervision).
ALTER TABLE matters ADD COLUMN next_alarm_at INTEGER;

-- A ~150 m cell of the point (see shanzhi_store::cell_of), so that looking
-- for duplicates nearby reads a few index entries, not every recent matter.
ALTER TABLE matters ADD COLUMN cell INTEGER;
UPDATE matters SET cell = CAST(lat / 0.0015 AS INTEGER) * 1000000 + CAST(lng / 0.0015 AS INTEGER)
    WHERE lat > 0 AND lng > 0;
-- Covering: a busy corner's many recent reports are read from the index alone.
CREATE INDEX matters_by_cell ON matters (category_code, cell, reported_at, state, lng, lat, id, number);

CREATE INDEX matters_by_alarm ON matters (next_alarm_at) WHERE next_alarm_at IS NOT NULL;
CREATE INDEX matters_by_warning ON matters (warning, reported_at, id) WHERE warning <> 'none';

-- Lists read newest first within a scope. The division a matter is in, at
-- each level, so that a town's or a district's list walks one index in time
-- order instead of the whole table; and time-ordered indexes for the other
-- ways a scope is given (grid, department, own reports).
ALTER TABLE matters ADD COLUMN city_code TEXT;
ALTER TABLE matters ADD COLUMN district_code TEXT;
ALTER TABLE matters ADD COLUMN town_code TEXT;
UPDATE matters SET city_code = substr(community_code, 1, 4) || '00000000',
                   district_code = substr(community_code, 1, 6) || '000000',
                   town_code = substr(community_code, 1, 9) || '000';
DROP INDEX matters_by_community;
DROP INDEX matters_by_reporter;
DROP INDEX matters_by_assignee;
DROP INDEX matters_by_category;
CREATE INDEX matters_by_city ON matters (city_code, reported_at, id);
CREATE INDEX matters_by_district ON matters (district_code, reported_at, id);
CREATE INDEX matters_by_town ON matters (town_code, reported_at, id);
-- A town's few yellow matters without walking all of the town's matters.
CREATE INDEX matters_by_town_warning ON matters (town_code, warning, reported_at, id) WHERE warning <> 'none';
CREATE INDEX matters_by_community ON matters (community_code, reported_at, id);
CREATE INDEX matters_by_grid ON matters (grid_code, reported_at, id);
CREATE INDEX matters_by_general_grid ON matters (general_grid, reported_at, id);
CREATE INDEX matters_by_assignee ON matters (assignee_code, reported_at, id) WHERE assignee_code IS NOT NULL;
CREATE INDEX matters_by_reporter ON matters (reporter_user_id, reported_at, id) WHERE reporter_user_id IS NOT NULL;
CREATE INDEX matters_by_category ON matters (category_code, reported_at, id);

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    renewed_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE calendar_days (
    day        TEXT NOT NULL CHECK (length(day) = 10),
    source     TEXT NOT NULL CHECK (source IN ('official', 'local')),
    kind       TEXT NOT NULL CHECK (kind IN ('work', 'off')),
    name       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (day, source)
);
