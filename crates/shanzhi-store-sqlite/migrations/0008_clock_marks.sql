-- The stage clock in force after each timeline entry: what the record export
-- and the indicators read (on-time rates need the deadline each unit had).
-- Entries written before this migration have none.
ALTER TABLE matter_events ADD COLUMN stage TEXT;
ALTER TABLE matter_events ADD COLUMN deadline_at INTEGER;
