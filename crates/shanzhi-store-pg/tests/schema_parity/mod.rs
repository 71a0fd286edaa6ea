//! Schema parity: SQLite's and PostgreSQL's migrations must build the same
//! schema. A fresh store of each engine is migrated, its schema read back
//! from the live catalogue (`catalogue`), normalised to one model and
//! compared (`model`): tables, columns (type family, nullability, default),
//! primary keys, unique constraints, indexes (columns, uniqueness, partial
//! predicate), foreign keys and the number of CHECK constraints per table.
//! A difference fails the test with one line per table, column, key, index or
//! constraint that differs.
//!
//! It needs both engines, so it runs where `SHANZHI_TEST_PG_URL` is set: in
//! CI's PostgreSQL pass (`scripts/with-postgres`). It fails, rather than
//! skips, if `SHANZHI_TEST_BACKEND=postgres` or `CI=true` and no URL is set.

mod catalogue;
mod model;

use shanzhi_store_pg::testkit;

use model::Allowance;

/// Columns that differ between the engines by design, with the reason.
const BY_DESIGN: &[Allowance] = &[engine_clock("divisions"), engine_clock("settings")];

/// A table's `updated_at` that only the engine's own clock writes.
const fn engine_clock(table: &'static str) -> Allowance {
    Allowance {
        table,
        column: "updated_at",
        sqlite: "text",
        postgres: "timestamp with time zone",
        reason: "written only by the engine's own clock (Dialect::NOW: ISO-8601 text from strftime on SQLite, \
                 now() on PostgreSQL) and never read back",
    }
}

/// The PostgreSQL server, or `None` (after saying so) where this is not the
/// PostgreSQL pass.
fn pg_url() -> Option<String> {
    match std::env::var(testkit::URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let backend = std::env::var("SHANZHI_TEST_BACKEND").unwrap_or_default();
            assert!(
                backend != "postgres",
                "SHANZHI_TEST_BACKEND=postgres but {} is not set: the schema parity test needs the server",
                testkit::URL_VAR
            );
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "CI=true but {} is not set: the schema parity test must run in CI", testkit::URL_VAR);
            eprintln!(
                "note: SQLite/PostgreSQL schema parity runs in the PostgreSQL pass ({} unset; see scripts/with-postgres)",
                testkit::URL_VAR
            );
            None
        }
    }
}

#[tokio::test]
async fn sqlite_and_postgresql_migrations_build_the_same_schema() {
    let Some(url) = pg_url() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let lite = shanzhi_store_sqlite::open(&dir.path().join("schema.db")).await.expect("open and migrate sqlite");
    let (pg, guard) = testkit::fresh_store(&url).await;

    let sqlite = catalogue::sqlite(lite.pool()).await;
    let postgres = catalogue::postgres(pg.pool(), guard.schema()).await;
    // Not vacuous: both catalogues were read, with what the migrations made.
    for schema in [&sqlite, &postgres] {
        let matters = schema.tables.get("matters");
        assert!(
            schema.tables.len() >= 20
                && matters.is_some_and(|m| {
                    m.columns.len() >= 30 && m.indexes.len() >= 10 && !m.foreign_keys.is_empty() && m.checks > 0
                }),
            "{}: the catalogue read found too little: {:?}",
            schema.engine,
            schema.tables.keys().collect::<Vec<_>>()
        );
    }

    let diffs = model::compare(&sqlite, &postgres, BY_DESIGN);
    assert!(
        diffs.is_empty(),
        "SQLite's and PostgreSQL's migrations build different schemas ({} differences, read from the live \
         catalogues of freshly migrated stores):\n  {}\n",
        diffs.len(),
        diffs.join("\n  ")
    );
    eprintln!(
        "schema parity: {} tables equivalent on SQLite and PostgreSQL ({} by-design column differences)",
        sqlite.tables.len(),
        BY_DESIGN.len()
    );
}
