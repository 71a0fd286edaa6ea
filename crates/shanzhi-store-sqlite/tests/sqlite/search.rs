//! Matters written before the search index (migration 0016) are indexed
//! when the store opens.

use shanzhi_store::testkit::{matters_to_index_later, older_matters_are_found_once_indexed};
use shanzhi_store::{MatterQuery, MatterScope, MatterStore, Store};
use shanzhi_store_sqlite::open;

#[tokio::test]
async fn a_store_indexes_older_matters_when_it_opens() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shanzhi.db");
    let store = open(&db).await.expect("open");
    matters_to_index_later(&store).await;
    // As a store from before the index holds them.
    for sql in ["UPDATE matters SET search_doc = NULL, search_text = NULL", "DELETE FROM matter_grams"] {
        sqlx::query(sql).execute(store.pool()).await.expect("un-index");
    }
    let query = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        text: Some("噪音".to_owned()),
        limit: 10,
        ..MatterQuery::default()
    };
    assert!(store.matters(&query).await.expect("search").is_empty(), "not indexed: not found");
    store.close().await;
    let store = open(&db).await.expect("reopen");
    older_matters_are_found_once_indexed(&store).await;
    let (grams,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM matter_grams").fetch_one(store.pool()).await.expect("n");
    assert!(grams > 10, "the grams were written ({grams})");
}
