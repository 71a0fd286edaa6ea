-- The desk's search by a reporter's phone number (an exact, normalised
-- 11-digit number, as `Phone` stores it) reads this index, newest first.
CREATE INDEX matters_by_reporter_phone ON matters (reporter_phone, reported_at, id) WHERE reporter_phone IS NOT NULL;
