-- The roll-ups of the figures kept ready (docs/indicators.md, "Roll-ups"): the
-- stored parts summed by unit, month of `at` and month of `known_at` (China's
-- time, as year × 12 + month − 1), changed in the same transaction as the
-- parts, so that a month's figures read these rows instead of every part.
CREATE TABLE figure_rollups (
    -- district | town | community | grid | department: what `unit` is.
    level       TEXT NOT NULL,
    month       BIGINT NOT NULL,
    known_month BIGINT NOT NULL,
    -- The first digits of the matters' community code (6, 9 or 12 by level):
    -- what `within` and scopes filter by.
    place       TEXT NOT NULL,
    -- The matters' district and town (empty on department rows): coarser units.
    district    TEXT NOT NULL,
    town        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    key         TEXT NOT NULL,
    line        TEXT NOT NULL,
    -- Whole counts: taking a matter's old parts away is exact.
    numerator   BIGINT NOT NULL,
    numerator_k BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    -- How many parts are summed here; a row of none is dropped.
    parts       BIGINT NOT NULL,
    PRIMARY KEY (level, month, known_month, place, district, town, unit, key, line)
);
CREATE INDEX figure_rollups_empty ON figure_rollups (level) WHERE parts = 0;

-- The parts of the month `as_of` falls in, known before it or after it (deadlines
-- ahead): added to the earlier months' roll-ups or taken from all, the fewer.
CREATE INDEX figure_parts_known ON figure_parts (known_at);

-- Existing stores: every matter's parts are recomputed, which fills the
-- roll-ups (the sweep's leader does it; figures read timelines meanwhile).
DELETE FROM figure_parts;
DELETE FROM figure_stale;
INSERT INTO figure_stale (matter_id, seq) SELECT id, event_count FROM matters;
