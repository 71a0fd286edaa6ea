-- Issue 17: an original matter lists its repeats (matters flagged as, or merged as, its duplicates).
CREATE INDEX matters_by_duplicate_of ON matters (duplicate_of) WHERE duplicate_of IS NOT NULL;
