-- 一套机制 (1): time limits. The stage clock of each matter as JSON, with the
-- two columns the sweep and the warning queries read; the lease that lets one
-- server at a time run the sweep; the editable calendar days.
ALTER TABLE matters ADD COLUMN clock_json TEXT;
ALTER TABLE matters ADD COLUMN warning TEXT NOT NULL DEFAULT 'none'
    CHECK (warning IN ('none', 'yellow', 'orange', 'red'));
-- When the sweep must look next (a colour change or an owed supervision).
ALTER TABLE matters ADD COLUMN next_alarm_at BIGINT;

-- A ~150 m cell of the point (see shanzhi_store::cell_of), so that looking
-- for duplicates nearby reads a few index entries, not every recent matter.
ALTER TABLE matters ADD COLUMN cell BIGINT;
UPDATE matters SET cell = CAST(FLOOR(lat / 0.0015) AS BIGINT) * 1000000 + CAST(FLOOR(lng / 0.0015) AS BIGINT)
    WHERE lat > 0 AND lng > 0;
CREATE INDEX matters_by_cell ON matters (category_code, cell, reported_at);

CREATE INDEX matters_by_alarm ON matters (next_alarm_at) WHERE next_alarm_at IS NOT NULL;
CREATE INDEX matters_by_warning ON matters (warning, reported_at) WHERE warning <> 'none';

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at BIGINT NOT NULL,
    renewed_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE calendar_days (
    day        TEXT NOT NULL CHECK (length(day) = 10),
    source     TEXT NOT NULL CHECK (source IN ('official', 'local')),
    kind       TEXT NOT NULL CHECK (kind IN ('work', 'off')),
    name       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (day, source)
);
