//! The shared storage contract, on PostgreSQL (`SHANZHI_TEST_PG_URL`), the
//! parity of SQLite's and PostgreSQL's schemas (`schema_parity`), and the
//! roll-ups carried over by migration 0032 (`rollups`).

mod rollups;
mod schema_parity;

use std::sync::Arc;

use shanzhi_store::testkit::Fixture;
use shanzhi_store_pg::testkit;

async fn fresh() -> Option<Fixture> {
    let url = testkit::url_from_env()?;
    let (store, guard) = testkit::fresh_store(&url).await;
    Some(Fixture::new(Arc::new(store), guard))
}

shanzhi_store::contract_tests!(fresh);
