-- Search (`q=` on matter lists): each matter's searchable fields folded
-- (shanzhi_domain::search: width, case, traditional → simplified) as one
-- text, and a posting table of its grams (every two adjacent characters,
-- every four adjacent ASCII letters or digits) keyed by a small number of
-- the matter's own (`search_doc`). Written in the transaction that writes
-- the matter; matters from before this migration are indexed by the store
-- when it opens (SqlStore::migrate), since the fold is not SQL.
ALTER TABLE matters ADD COLUMN search_doc BIGINT;
ALTER TABLE matters ADD COLUMN search_text TEXT;
CREATE UNIQUE INDEX matters_by_search_doc ON matters (search_doc);

CREATE TABLE matter_grams (
    gram TEXT NOT NULL,
    doc  BIGINT NOT NULL,
    PRIMARY KEY (gram, doc)
);
