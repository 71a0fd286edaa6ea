//! A store's roll-ups from before migration 0032 (a row per key) are carried
//! into the rows by unit with a column per key: every sum is unchanged (as
//! `crates/shanzhi-store-sqlite/tests/sqlite/rollups.rs`, on PostgreSQL).

use shanzhi_store::Store;
use shanzhi_store::testkit::{rolled_up_parts_to_migrate, rolled_up_sums_of_every_query, rollups_back_to_0031};
use shanzhi_store_pg::{connect, testkit};

#[tokio::test]
async fn rollups_by_key_are_carried_into_rows_by_unit() {
    let Some(url) = testkit::url_from_env() else { return };
    let (store, guard) = testkit::fresh_store(&url).await;
    rolled_up_parts_to_migrate(&store).await;
    let before = rolled_up_sums_of_every_query(&store).await;
    assert!(before.len() > 100, "the parts count in many sums ({})", before.len());
    let free_key = "ALTER INDEX figure_rollups_pkey RENAME TO wide_pkey;";
    // A test's own fixed text, no input in it.
    let back = rollups_back_to_0031("BIGINT", "", free_key);
    sqlx::raw_sql(sqlx::AssertSqlSafe(back)).execute(store.pool()).await.expect("back to 0031");
    let (narrow,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM figure_rollups").fetch_one(store.pool()).await.expect("n");
    assert!(narrow > 0, "the roll-ups are a row per key again");
    store.close().await;
    let store = connect(&guard.url_with_schema()).await.expect("reconnect: 0032 again");
    let (all,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM figure_rollups WHERE line = 'all'")
        .fetch_one(store.pool())
        .await
        .expect("n");
    assert!(all > 0, "the rows of every line are made");
    assert_eq!(rolled_up_sums_of_every_query(&store).await, before);
}
