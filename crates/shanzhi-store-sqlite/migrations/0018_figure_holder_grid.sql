-- Figures by grid worker kept ready (docs/indicators.md, "Roll-ups"): each
-- part held by a grid (holder_kind = grid) keeps that grid, whose workers it
-- goes to; the roll-ups gain the level `holder_grid` (unit: that grid).
ALTER TABLE figure_parts ADD COLUMN holder_grid TEXT;

-- Existing parts know no holder grid: every matter's parts are recomputed
-- once (the sweep's leader; figures are read from the timelines meanwhile).
-- Replacing a part takes it out of the roll-ups it is in and puts the new
-- one in every level's, so the roll-ups stay exact all along.
INSERT INTO figure_stale (matter_id, seq)
    SELECT id, event_count FROM matters WHERE id NOT IN (SELECT matter_id FROM figure_stale);
