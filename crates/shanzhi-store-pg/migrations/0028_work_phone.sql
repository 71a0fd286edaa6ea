-- Issue 19: the community's public page lists each grid's workers with a
-- public work phone (工作电话): opt-in, set by whoever manages the person,
-- and apart from their private mobile (`phone`), which is never shown there.
-- A mainland mobile or `AREA-NUMBER` (shanzhi_domain::WorkPhone).
ALTER TABLE users ADD COLUMN work_phone TEXT;
