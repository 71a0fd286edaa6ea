//! The shared storage contract, on SQLite.

use std::sync::Arc;

use shanzhi_store::testkit::Fixture;

async fn fresh() -> Option<Fixture> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = shanzhi_store_sqlite::open(&dir.path().join("contract.db")).await.expect("open sqlite");
    Some(Fixture::new(Arc::new(store), dir))
}

shanzhi_store::contract_tests!(fresh);
