//! `shanzhi backup` and `shanzhi restore`, end to end on the backend chosen by
//! SHANZHI_TEST_BACKEND: a backup taken while intake runs restores every
//! matter acknowledged before it began, with intact chains; and every refusal
//! (a store in use, a file of the wrong kind, an existing backup) changes nothing.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use shanzhi_testkit::{TestBackend, backend, test_db};

use crate::support::{Server, heavy, lift_intake_limits, load_a_grid, run, run_ok, shanzhi, text, with_divisions};

/// The binary against an explicit store (`--data-dir`/`--database-url` …).
fn run_on(cwd: &Path, args: &[&str], store: &[String]) -> std::process::Output {
    shanzhi(cwd).args(args).args(store).output().expect("run shanzhi")
}

struct Acknowledged {
    id: String,
    at: Instant,
}

/// A writer posting anonymous reports until told to stop; every 201 is kept
/// with the instant its answer arrived. Anything else is a failure.
async fn writer(base: String, w: usize, stop: Arc<AtomicBool>, count: Arc<AtomicUsize>) -> Vec<Acknowledged> {
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let body = serde_json::json!({
            "category": "0110", "lng": 104.0806, "lat": 30.6571, "description": format!("备份期间 写入者 {w} 第 {i} 件"),
        });
        let response = client.post(format!("{base}/api/v1/matters")).json(&body).send().await.expect("post");
        let status = response.status().as_u16();
        let v: Value = response.json().await.expect("JSON");
        assert_eq!(status, 201, "intake refused a report during the backup: {v}");
        let id = v["matter"]["id"].as_str().expect("matter id").to_owned();
        acknowledged.push(Acknowledged { id, at: Instant::now() });
        count.fetch_add(1, Ordering::Relaxed);
    }
    acknowledged
}

/// Wait until `count` reaches `n` (a guard against a hang, not a timing claim).
async fn wait_for(count: &AtomicUsize, n: usize) {
    let started = Instant::now();
    while count.load(Ordering::Relaxed) < n {
        assert!(started.elapsed() < Duration::from_secs(120), "intake stalled at {}", count.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_intake_load_restores_every_acknowledged_matter_with_intact_chains() {
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    load_a_grid(cwd.path(), &db, 5, Some("2025-01-01"));
    lift_intake_limits(cwd.path());
    let server = Server::start(cwd.path(), &[], &db.cli_args);
    let (stop, count) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let writers: Vec<_> =
        (0..6).map(|w| tokio::spawn(writer(server.base.clone(), w, stop.clone(), count.clone()))).collect();
    wait_for(&count, 200).await;

    let file = cwd.path().join("shanzhi.backup");
    let backup_args: Vec<String> = ["backup", "--out", file.to_str().expect("path")]
        .iter()
        .map(|s| s.to_string())
        .chain(db.cli_args.clone())
        .collect();
    let (dir, at_start) = (cwd.path().to_path_buf(), count.load(Ordering::Relaxed));
    let backup_started = Instant::now();
    let out = tokio::task::spawn_blocking(move || shanzhi(&dir).args(&backup_args).output().expect("backup"))
        .await
        .expect("backup task");
    let during = count.load(Ordering::Relaxed) - at_start;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    eprintln!("{summary}{during} reports acknowledged while the backup ran");
    // Intake goes on after the backup, then stops.
    wait_for(&count, count.load(Ordering::Relaxed) + 100).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.expect("writer"));
    }
    drop(server);
    let before: Vec<&Acknowledged> = acknowledged.iter().filter(|a| a.at < backup_started).collect();
    assert!(before.len() >= 200 && acknowledged.len() > before.len(), "{} of {}", before.len(), acknowledged.len());
    assert!(summary.contains("backup written") && file.is_file(), "{summary}");

    let target = db.empty_target().await;
    let out = run_on(cwd.path(), &["restore", file.to_str().expect("path")], &target.cli_args);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("audit log intact") && report.contains("matter timelines intact"), "{report}");

    let restored = target.open().await;
    for a in &before {
        assert!(
            restored.matter(&shanzhi_domain::MatterId::parse(&a.id).expect("id")).await.expect("read").is_some(),
            "acknowledged matter {} is missing",
            a.id
        );
    }
    let held = restored.contents().await.expect("contents");
    let source = db.fixture.store.contents().await.expect("contents");
    assert!(held.matters as usize >= before.len(), "{held:?}");
    assert!(held.matters <= source.matters && source.matters as usize == acknowledged.len(), "{held:?} {source:?}");
    assert!(held.matter_events >= held.matters && held.divisions == source.divisions, "{held:?}");
    // The summary counted the backup itself: exactly what came back.
    assert!(
        summary.contains(&format!("({} matters, {} timeline events)", held.matters, held.matter_events)),
        "{summary}"
    );
    restored.close().await;

    let verify = run_on(cwd.path(), &["audit", "verify"], &target.cli_args);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

#[tokio::test]
async fn refusals_change_nothing() {
    let (db, cwd) = with_divisions().await;
    let file = cwd.path().join("shanzhi.backup");
    let path = file.to_str().expect("path");
    run_ok(cwd.path(), &["backup", "--out", path], &db);
    let first = std::fs::read(&file).expect("backup");

    // An existing backup is kept unless --force.
    let out = run(cwd.path(), &["backup", "--out", path], &db);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("add --force to replace it"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&file).expect("backup"), first, "the existing backup is untouched");
    run_ok(cwd.path(), &["backup", "--out", path, "--force"], &db);
    let leftovers: Vec<_> = std::fs::read_dir(cwd.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no partial file left: {leftovers:?}");

    // Into an empty store: restored. Then the store is in use: refused without --force.
    let target = db.empty_target().await;
    let out = run_on(cwd.path(), &["restore", path], &target.cli_args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let add = ["user", "add", "--username", "chief", "--role", "admin", "--scope", "5101"];
    assert!(run_on(cwd.path(), &add, &target.cli_args).status.success());
    let out = run_on(cwd.path(), &["restore", path], &target.cli_args);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already holds data") && text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    let store = target.open().await;
    let in_use = store.contents().await.expect("contents");
    store.close().await;
    assert_eq!(in_use.users, 1, "the refused restore changed nothing");

    // Files it cannot use: refused, the store as it was.
    let garbage = cwd.path().join("garbage.bin");
    std::fs::write(&garbage, "这不是备份 not a backup at all").expect("write");
    let mut truncated = first.clone();
    truncated.truncate(first.len() / 2);
    let half = cwd.path().join("half.backup");
    std::fs::write(&half, truncated).expect("write");
    let (other, needle) = match backend() {
        TestBackend::Sqlite => {
            let fake = cwd.path().join("fake.dump");
            std::fs::write(&fake, b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01").expect("write");
            (fake, "restores only into PostgreSQL")
        }
        TestBackend::Postgres => {
            let dir = cwd.path().join("sqlite-store");
            let store = ["--data-dir".to_owned(), dir.display().to_string()];
            assert!(run_on(cwd.path(), &["migrate"], &store).status.success());
            let sqlite_file = cwd.path().join("sqlite.backup");
            let out = run_on(cwd.path(), &["backup", "--out", sqlite_file.to_str().expect("path")], &store);
            assert!(out.status.success(), "{}", text(&out.stderr));
            (sqlite_file, "restores only into SQLite")
        }
    };
    for (bad, needle) in [(garbage.as_path(), "not a Shanzhi backup"), (other.as_path(), needle), (half.as_path(), "")]
    {
        for force in [false, true] {
            let mut args = vec!["restore", bad.to_str().expect("path")];
            args.extend(force.then_some("--force"));
            let out = run_on(cwd.path(), &args, &target.cli_args);
            assert!(!out.status.success(), "{args:?} was refused");
            assert!(text(&out.stderr).contains(needle), "{args:?}: {}", text(&out.stderr));
        }
    }
    let store = target.open().await;
    assert_eq!(store.contents().await.expect("contents"), in_use, "the refused files changed nothing");
    store.close().await;

    // With --force the backup replaces the store: the account made since is gone.
    let out = run_on(cwd.path(), &["restore", path, "--force"], &target.cli_args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store = target.open().await;
    let replaced = store.contents().await.expect("contents");
    store.close().await;
    assert_eq!((replaced.users, replaced.divisions), (0, in_use.divisions), "{replaced:?}");
}

#[test]
fn a_failed_postgres_backup_never_shows_the_password() {
    let cwd = tempfile::tempdir().expect("cwd");
    let url = "postgres://shanzhi:topsecret@127.0.0.1:1/shanzhi?connect_timeout=2";
    let out = shanzhi(cwd.path()).args(["backup", "--out", "x.dump", "--database-url", url]).output().expect("run");
    assert!(!out.status.success());
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains("topsecret"), "{all}");
    assert!(all.contains("shanzhi:***@") || all.contains("PostgreSQL client tools"), "{all}");
    assert!(!cwd.path().join("x.dump").exists());
}

#[tokio::test]
async fn a_restore_whose_audit_chain_is_broken_fails() {
    let (db, cwd) = with_divisions().await;
    let add = ["user", "add", "--username", "chief", "--role", "admin", "--scope", "5101"];
    run_ok(cwd.path(), &add, &db);
    db.execute_raw("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1").await;
    let file = cwd.path().join("tampered.backup");
    let out = run(cwd.path(), &["backup", "--out", file.to_str().expect("path")], &db);
    assert!(out.status.success(), "a backup copies what is there: {}", text(&out.stderr));

    let target = db.empty_target().await;
    let out = run_on(cwd.path(), &["restore", file.to_str().expect("path")], &target.cli_args);
    assert!(!out.status.success(), "verification failed, so the restore does");
    assert!(text(&out.stderr).contains("broken at entry 1"), "{}", text(&out.stderr));
}
