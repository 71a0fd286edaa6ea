-- Issue 16: a milestone (or the acceptance survey) carries photos: a JSON
-- list of attachment ids (uploads checked as matters' photos are, at most
-- 6), served only to those who may read the proposal.
ALTER TABLE proposal_notes ADD COLUMN images TEXT NOT NULL DEFAULT '[]';
