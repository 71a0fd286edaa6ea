//! `VACUUM INTO` backups and the checks a restore makes on a file.

use shanzhi_store::testkit::division;
use shanzhi_store::{DivisionStore, Store};
use shanzhi_store_sqlite::{backup_into, check_backup, existing_contents, open, path_of_url};

#[tokio::test]
async fn a_backup_holds_what_the_store_held_and_passes_its_checks() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shanzhi.db");
    assert_eq!(existing_contents(&db).await.expect("no file"), None);
    let store = open(&db).await.expect("open");
    let province = division(shanzhi_domain::CodeSystem::Nbs2023, "51", "四川省");
    store.upsert_divisions(&[province]).await.expect("write");
    let copy = dir.path().join("copy.db");
    // While the store is open (its WAL holds the write).
    backup_into(&db, &copy).await.expect("backup");
    let held = check_backup(&copy).await.expect("checks pass");
    assert_eq!(held, store.contents().await.expect("contents"));
    assert_eq!(held.divisions, 1);
    assert!(!dir.path().join("copy.db-wal").exists() && !dir.path().join("copy.db-shm").exists());
    let existing = existing_contents(&db).await.expect("read").expect("migrated");
    assert_eq!(existing.divisions, 1);
    store.close().await;

    let err = backup_into(&db, &copy).await.expect_err("an existing file is not overwritten");
    assert!(err.to_string().contains("exists") || err.to_string().contains("output file"), "{err}");
    let missing = backup_into(&dir.path().join("none.db"), &dir.path().join("none-copy.db")).await;
    assert!(missing.is_err(), "a missing database is not backed up as an empty one");
}

#[tokio::test]
async fn damaged_or_foreign_files_fail_the_checks() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shanzhi.db");
    let store = open(&db).await.expect("open");
    store.close().await;
    let copy = dir.path().join("copy.db");
    backup_into(&db, &copy).await.expect("backup");
    // Overwrite a page in the middle of the file: a b-tree page no longer parses.
    let mut bytes = std::fs::read(&copy).expect("read");
    let page = 4096 * 3;
    assert!(bytes.len() > page + 4096, "the copy has several pages");
    bytes[page..page + 4096].fill(0x5a);
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, &bytes).expect("write");
    assert!(check_backup(&damaged).await.is_err(), "a damaged page is noticed");

    let other = dir.path().join("other.db");
    let url = format!("sqlite://{}?mode=rwc", other.display());
    assert_eq!(path_of_url(&url).expect("path"), other);
    {
        use sqlx::{ConnectOptions, Connection};
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&other).create_if_missing(true);
        let mut conn = options.connect().await.expect("create");
        sqlx::query("CREATE TABLE t (x)").execute(&mut conn).await.expect("table");
        conn.close().await.expect("close");
    }
    let err = check_backup(&other).await.expect_err("not a Shanzhi database");
    assert!(err.to_string().contains("_sqlx_migrations"), "{err}");
    assert!(path_of_url("sqlite::memory:").is_err());
}
