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
