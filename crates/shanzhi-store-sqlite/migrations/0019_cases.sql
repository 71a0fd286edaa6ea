-- 善治成都, the case library: articles written by district and town editors
-- (for a division in their scope), reviewed by the city. `articles` holds
-- each article's current version (for lists and search); every edit is
-- also kept whole in `article_versions`, never changed; `article_reviews`
-- records each step (submit, return, publish, withdraw) with the version
-- it was taken on and its comment. tags, places and links are JSON lists
-- of text; search_text is the folded text searched with LIKE
-- (shanzhi_domain::search::fold, done by the application, not SQL).
CREATE TABLE articles (
    id            TEXT PRIMARY KEY,
    division_code TEXT NOT NULL,
    author        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'published', 'withdrawn')),
    version       INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('policy', 'interview', 'case', 'innovation')),
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    tags          TEXT NOT NULL,
    places        TEXT NOT NULL,
    links         TEXT NOT NULL,
    source        TEXT NOT NULL,
    images        TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    published_at  INTEGER
);
CREATE INDEX articles_by_state ON articles (state, published_at);
CREATE INDEX articles_by_division ON articles (division_code);

CREATE TABLE article_versions (
    article_id TEXT NOT NULL REFERENCES articles (id),
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    body       TEXT NOT NULL,
    tags       TEXT NOT NULL,
    places     TEXT NOT NULL,
    links      TEXT NOT NULL,
    source     TEXT NOT NULL,
    images     TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE article_reviews (
    article_id TEXT NOT NULL REFERENCES articles (id),
    seq        INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    step       TEXT NOT NULL CHECK (step IN ('submit', 'return', 'publish', 'withdraw')),
    author     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (article_id, seq)
);
