use crate::{AuditEntry, Backend, Store};

pub async fn schema_info_reports_the_latest_migration(store: &dyn Store) {
    let info = store.schema_info().await.expect("schema info");
    assert!(info.latest_version > 0, "a build knows at least one migration");
    assert_eq!(info.schema_version, info.latest_version, "a fresh store is fully migrated");
    assert_eq!(info.backend, store.backend());
    let engine = info.engine_version.to_ascii_lowercase();
    match store.backend() {
        Backend::Sqlite => assert!(engine.starts_with("sqlite 3."), "{engine}"),
        Backend::Postgres => assert!(engine.starts_with("postgresql "), "{engine}"),
    }
}

pub async fn contents_count_what_the_store_holds(store: &dyn Store) {
    let fresh = store.contents().await.expect("contents");
    assert!(fresh.is_empty(), "{fresh:?}");
    assert_eq!((fresh.matters, fresh.matter_events), (0, 0));
    assert_eq!(fresh.schema_version, store.schema_info().await.expect("schema info").latest_version);
    let province = super::division(shanzhi_domain::CodeSystem::Nbs2023, "51", "四川省");
    store.upsert_divisions(&[province]).await.expect("write");
    let after = store.contents().await.expect("contents");
    assert_eq!(after.divisions, 1);
    assert!(!after.is_empty(), "a division makes the store in use");
}

pub async fn settings_round_trip(store: &dyn Store) {
    assert_eq!(store.setting("demo.divisions").await.expect("read"), None);
    store
        .put_setting("demo.divisions", "v1", &AuditEntry::new("test", "setting.put", "demo.divisions"))
        .await
        .expect("write");
    store.put_setting("other", "x", &AuditEntry::new("test", "setting.put", "other")).await.expect("write");
    assert_eq!(store.setting("demo.divisions").await.expect("read").as_deref(), Some("v1"));
    store
        .put_setting("demo.divisions", "v2 — 第二版", &AuditEntry::new("test", "setting.put", "demo.divisions"))
        .await
        .expect("overwrite");
    assert_eq!(store.setting("demo.divisions").await.expect("read").as_deref(), Some("v2 — 第二版"));
    assert_eq!(store.setting("other").await.expect("read").as_deref(), Some("x"));
}
