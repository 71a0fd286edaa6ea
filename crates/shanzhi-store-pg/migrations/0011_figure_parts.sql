-- The figures kept ready (docs/indicators.md, "Stored parts"): each matter's
-- contributions to the indicators, recomputed from its whole record whenever
-- an entry is added; a figure is then a sum over these rows.
CREATE TABLE figure_parts (
    matter_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    at          BIGINT NOT NULL,
    known_at    BIGINT NOT NULL,
    numerator   DOUBLE PRECISION NOT NULL,
    numerator_k DOUBLE PRECISION NOT NULL,
    denominator DOUBLE PRECISION NOT NULL,
    line        TEXT NOT NULL,
    district    TEXT NOT NULL,
    town        TEXT NOT NULL,
    community   TEXT NOT NULL,
    grid        TEXT NOT NULL,
    department  TEXT,
    -- The part's place among its matter's parts (a matter may have two alike).
    n           BIGINT NOT NULL,
    -- Kept in time order: a period's sum reads one range, not rows all over.
    PRIMARY KEY (at, matter_id, n)
);
CREATE INDEX figure_parts_matter ON figure_parts (matter_id);

-- Matters whose parts are stale: marked in the same transaction as every new
-- timeline entry (seq: the timeline's length then).
CREATE TABLE figure_stale (
    matter_id TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL
);
INSERT INTO figure_stale (matter_id, seq) SELECT id, event_count FROM matters;
