//! Ranking schemes and published rankings: versions are numbered per unit
//! type, a publication is chained by hash to the one before, refused twice
//! for the same month, kind and scope, and logged in its own transaction.

use shanzhi_domain::Micros;
use shanzhi_domain::ranking::{RANKING_GENESIS, ranking_hash};
use shanzhi_domain::tlog::{LeafKind, LeafRecord};

use crate::{AuditEntry, NewRanking, Store, StoreError};

fn new_ranking(period: &str, kind: &str, scope: &str, body: &str) -> NewRanking {
    NewRanking {
        period: period.to_owned(),
        unit_kind: kind.to_owned(),
        scope: scope.to_owned(),
        body: body.to_owned(),
        published_at: Micros::from(1_764_000_000_000_000),
        published_by: "sup".to_owned(),
    }
}

pub async fn scheme_versions_are_numbered_per_unit_type(store: &dyn Store) {
    let audit = AuditEntry::new("admin", "ranking.scheme.save", "district");
    let save = |kind: &'static str, from: &'static str| {
        let audit = audit.clone();
        async move { store.save_ranking_scheme(kind, from, "{}", "admin", &audit).await.expect("save") }
    };
    assert_eq!(save("district", "2026-01").await, 1);
    assert_eq!(save("district", "2026-11").await, 2);
    assert_eq!(save("department", "2026-11").await, 1);
    let all = store.ranking_schemes(None).await.expect("all");
    assert_eq!(all.len(), 3);
    let districts = store.ranking_schemes(Some("district")).await.expect("districts");
    assert_eq!(
        districts.iter().map(|s| (s.version, s.valid_from.as_str())).collect::<Vec<_>>(),
        [(1, "2026-01"), (2, "2026-11")]
    );
    assert_eq!(districts[0].saved_by, "admin");
    let audited = store.audit_log(0, 100).await.expect("audit");
    assert_eq!(audited.iter().filter(|a| a.action == "ranking.scheme.save").count(), 3, "audited with the save");
}

pub async fn published_rankings_are_chained_logged_and_unique(store: &dyn Store) {
    let before = store.log_head().await.expect("head").size;
    let first = store.publish_ranking(&new_ranking("2026-10", "district", "5101", "{\"a\":1}")).await.expect("first");
    assert_eq!(first.seq, 1);
    assert_eq!(first.prev_hash, RANKING_GENESIS);
    assert_eq!(first.hash, ranking_hash(RANKING_GENESIS, 1, "{\"a\":1}"));
    assert_eq!(first.log_index, Some(before), "its leaf was appended with it");
    let second = store.publish_ranking(&new_ranking("2026-11", "district", "5101", "{\"b\":2}")).await.expect("second");
    assert_eq!((second.seq, second.prev_hash.as_str()), (2, first.hash.as_str()));
    assert_eq!(second.hash, ranking_hash(&first.hash, 2, "{\"b\":2}"));

    let again = store.publish_ranking(&new_ranking("2026-11", "district", "5101", "{}")).await;
    assert!(matches!(again, Err(StoreError::Constraint(_))), "{again:?}");
    assert_eq!(store.log_head().await.expect("head").size, before + 2, "a refused publication logs nothing");
    // Another scope or kind of the same month is its own publication.
    store.publish_ranking(&new_ranking("2026-11", "district", "510104", "{}")).await.expect("other scope");
    store.publish_ranking(&new_ranking("2026-11", "department", "5101", "{}")).await.expect("other kind");

    let read = store.published_ranking("2026-11", "district", "5101").await.expect("read").expect("found");
    assert_eq!(read, second);
    assert!(store.published_ranking("2026-09", "district", "5101").await.expect("read").is_none());
    let chain = store.published_rankings(0, 100).await.expect("chain");
    assert_eq!(chain.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(store.published_rankings(2, 1).await.expect("page")[0].seq, 3);

    let leaves = store.log_leaves_of(LeafKind::Ranking, "").await.expect("leaves");
    assert_eq!(leaves.len(), 4);
    let expected = LeafRecord::ranking(2, &second.hash).expect("leaf");
    assert_eq!(leaves[1].leaf_hash, expected.leaf_hash());
    let checks = store.log_leaf_checks(before, 10).await.expect("checks");
    assert_eq!(checks[1].record_hash.as_deref(), Some(second.hash.as_str()), "verification reads the record's hash");
    assert!(store.unlogged_records(10).await.expect("unlogged").is_empty());
}
