//! The real binary, end to end: `serve`, `migrate`, `import divisions`, on the
//! backend chosen by SHANZHI_TEST_BACKEND.

use std::time::Duration;

use serde_json::Value;
use shanzhi_testkit::test_db;

use crate::support::{
    CHENGDU, Server, add_user_with_password, heavy, lift_intake_limits, load_a_grid, run, run_ok, shanzhi, text,
    with_divisions,
};

#[tokio::test]
async fn serve_with_demo_answers_health_and_divisions_then_stops_on_sigterm() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let mut server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let (status, health) = server.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    let (status, city) = server.get("/api/v1/divisions/510100000000").await;
    assert_eq!(status, 200);
    assert_eq!(city["children"].as_array().map(Vec::len), Some(20));
    assert_eq!(city["descendant_counts"]["town"], 261);
    assert_eq!(city["descendant_counts"]["community"], 3047);
    let (status, err) = server.get("/api/v1/divisions/510199").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["code"], "division_not_found");
    // The demo grid covers the city; 春熙路 is in 锦江区, in a micro-grid.
    let (status, hit) = server.get("/api/v1/locate?lng=104.0806&lat=30.6571").await;
    assert_eq!(status, 200);
    assert_eq!(hit["district"]["code"], "510104000000");
    assert!(hit["micro_grid"]["code"].as_str().is_some_and(|c| c.starts_with("510104")), "{hit}");

    server.signal("-TERM");
    let exit = server.child.wait().expect("wait");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
}

#[tokio::test]
async fn committed_data_survive_a_killed_server_and_the_demo_is_not_reloaded() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    assert_eq!(server.get("/healthz").await.0, 200);
    server.signal("-KILL");
    drop(server);

    let again = Server::start(cwd.path(), &["--no-demo"], &db.cli_args);
    let (status, city) = again.get("/api/v1/divisions/5101").await;
    assert_eq!(status, 200, "{city}");
    assert_eq!(city["descendant_counts"]["community"], 3047);
    drop(again);
    let third = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let (_, city) = third.get("/api/v1/divisions/5101").await;
    assert_eq!(city["descendant_counts"]["community"], 3047, "a second --demo start adds nothing");
}

#[tokio::test]
async fn import_divisions_reports_counts_and_is_idempotent() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let first = run_ok(cwd.path(), &["import", "divisions", CHENGDU], &db);
    let out = text(&first.stdout);
    assert!(out.contains("导入 3328 行") && out.contains("新增 3330"), "{out}");
    let second = run_ok(cwd.path(), &["import", "divisions", CHENGDU], &db);
    assert!(text(&second.stdout).contains("新增 0，更新 0，未变 3328"), "{}", text(&second.stdout));
}

#[tokio::test]
async fn a_bad_file_is_rejected_whole_with_line_numbers() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let file = cwd.path().join("bad.csv");
    std::fs::write(
        &file,
        "level,code,name,parent_code\ndistrict,510104,锦江区,5101\ntown_street,51010402,坏代码,510104\ntown_street,510104022,春熙路街道,510104\ntown_street,510104022,重复,510104\n",
    )
    .expect("write");
    let out = run(cwd.path(), &["import", "divisions", file.to_str().expect("path")], &db);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("第 3 行") && err.contains("第 5 行"), "{err}");
    assert!(err.contains("duplicate code, already on line 4"), "{err}");
    let totals = db.fixture.store.count_divisions(shanzhi_domain::CodeSystem::Nbs2023, None).await.expect("count");
    assert!(totals.is_empty(), "nothing written: {totals:?}");

    let missing = run(cwd.path(), &["import", "divisions", "no-such.csv"], &db);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("cannot open the file"), "{}", text(&missing.stderr));
}

#[tokio::test]
async fn the_drill_clock_is_refused_without_the_demo_or_without_an_instant() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let clock = cwd.path().join("clock.txt");
    std::fs::write(&clock, "2026-11-30T10:00:00+08:00").expect("clock");
    let file = clock.to_string_lossy().into_owned();
    let out = run(cwd.path(), &["serve", "--addr", "127.0.0.1:0", "--clock-file", &file], &db);
    assert!(!out.status.success(), "real data never run on a drill clock");
    let said = text(&out.stderr);
    assert!(said.contains("仅用于演练") && said.contains("needs --demo"), "{said}");
    std::fs::write(&clock, "next Monday").expect("clock");
    let out = run(cwd.path(), &["serve", "--addr", "127.0.0.1:0", "--demo", "--clock-file", &file], &db);
    assert!(!out.status.success(), "no instant, no start");
    assert!(text(&out.stderr).contains("RFC 3339"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn migrate_reports_the_schema_version() {
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let out = run_ok(cwd.path(), &["migrate"], &db);
    assert!(text(&out.stdout).contains("schema up to date"), "{}", text(&out.stdout));
}

#[test]
fn with_no_flags_the_database_lives_in_shanzhi_data_and_config_layers_apply() {
    let cwd = tempfile::tempdir().expect("cwd");
    let out = shanzhi(cwd.path()).arg("migrate").output().expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(cwd.path().join("shanzhi-data/shanzhi.db").is_file());

    std::fs::write(cwd.path().join("shanzhi.toml"), "data_dir = \"from-file\"\n").expect("toml");
    let out = shanzhi(cwd.path()).arg("migrate").output().expect("run");
    assert!(out.status.success());
    assert!(cwd.path().join("from-file/shanzhi.db").is_file(), "shanzhi.toml is read");

    let out = shanzhi(cwd.path()).arg("migrate").env("SHANZHI_DATA_DIR", "from-env").output().expect("run");
    assert!(out.status.success());
    assert!(cwd.path().join("from-env/shanzhi.db").is_file(), "environment beats the file");

    let out = shanzhi(cwd.path())
        .args(["migrate", "--data-dir", "from-flag"])
        .env("SHANZHI_DATA_DIR", "from-env")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(cwd.path().join("from-flag/shanzhi.db").is_file(), "flags beat the environment");
}

#[test]
fn database_passwords_never_reach_the_terminal() {
    let cwd = tempfile::tempdir().expect("cwd");
    let out = shanzhi(cwd.path())
        .args(["migrate", "--database-url", "postgres://shanzhi:topsecret@127.0.0.1:1/shanzhi?connect_timeout=2"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("cannot open the database"), "{all}");
    assert!(!all.contains("topsecret"), "{all}");
    assert!(all.contains("shanzhi:***@"), "{all}");
}

#[tokio::test]
async fn grid_generate_writes_a_file_that_import_grids_accepts_and_bad_files_are_refused() {
    let (db, cwd) = with_divisions().await;
    let file = cwd.path().join("jinjiang.geojson");
    let file_arg = file.to_str().expect("path");
    run_ok(cwd.path(), &["grid", "generate", "--seed", "3", "--districts", "510104", "--out", file_arg], &db);
    let out = run_ok(cwd.path(), &["import", "grids", file_arg, "--valid-from", "2025-01-01"], &db);
    assert!(text(&out.stdout).contains("自 2025-01-01 起生效"), "{}", text(&out.stdout));

    let bad = cwd.path().join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"5101040170030","kind":"general","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[104.0,30.0],[104.1,30.0],[104.1,30.1],[104.0,30.0]]]}}]}"#,
    )
    .expect("write");
    let out = run(cwd.path(), &["import", "grids", bad.to_str().expect("path")], &db);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("第 1 个要素") && err.contains("15 digits"), "{err}");
}

#[tokio::test]
async fn the_first_admin_comes_from_the_cli_and_tokens_are_printed_alone() {
    let (db, cwd) = with_divisions().await;
    let chief = ["--username", "chief", "--role", "admin", "--scope", "5101"];
    let out = add_user_with_password(cwd.path(), &db, &chief, "Tianfu-Square-2026!");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Tianfu-Square-2026!"), "a given password is not echoed");

    let generated =
        run(cwd.path(), &["user", "add", "--username", "deputy", "--role", "supervisor", "--scope", "5101"], &db);
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let shown = text(&generated.stdout);
    let password = shown.split("initial password (shown once): ").nth(1).map(str::trim).unwrap_or_default();
    assert_eq!(password.chars().count(), 20, "a generated password, once: {shown}");

    for (args, needle) in [
        (vec!["--role", "captain", "--scope", "5101"], "unknown role"),
        (vec!["--role", "admin", "--scope", "519999"], "does not exist"),
        (vec!["--role", "grid_worker", "--scope", "5101"], "takes"),
    ] {
        let mut all = vec!["user", "add", "--username", "wrong"];
        all.extend(args);
        let out = run(cwd.path(), &all, &db);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(needle), "{needle}: {}", text(&out.stderr));
    }

    let out = run_ok(cwd.path(), &["token", "create", "--username", "chief"], &db);
    let token = text(&out.stdout).trim().to_owned();
    assert!(token.starts_with("szt_") && !token.contains(' '), "only the token: {token}");

    let server = Server::start(cwd.path(), &[], &db.cli_args);
    let client = reqwest::Client::new();
    let me: Value = client
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["username"], "chief");
    let session = server.sign_in("chief", "Tianfu-Square-2026!").await;
    let wrong = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&serde_json::json!({"username": "chief", "password": "Not-The-Password-9"}))
        .send()
        .await
        .expect("login");
    assert_eq!(wrong.status().as_u16(), 401);
    std::thread::sleep(Duration::from_millis(300));
    let log = server.log.lock().expect("log").join("\n");
    assert!(log.contains("signed in") && log.contains("sign-in failed"), "the log tells what happened: {log}");
    for secret in [token.as_str(), session.as_str(), "Tianfu-Square-2026!", "Not-The-Password-9"] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    drop(server);

    let ok = run_ok(cwd.path(), &["audit", "verify"], &db);
    assert!(text(&ok.stdout).contains("audit log intact"));
    db.execute_raw("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1").await;
    let broken = run(cwd.path(), &["audit", "verify"], &db);
    assert!(!broken.status.success());
    assert!(text(&broken.stderr).contains("broken at entry 1"), "{}", text(&broken.stderr));
}

#[tokio::test]
async fn every_acknowledged_report_survives_a_sigkill_during_a_burst() {
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    load_a_grid(cwd.path(), &db, 5, Some("2025-01-01"));
    lift_intake_limits(cwd.path());
    let mut server = Server::start(cwd.path(), &[], &db.cli_args);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    // Eight writers, each posting reports as fast as answers come back until the server is gone. The kill comes
    // once a few hundred reports are acknowledged, so it always lands mid-burst however fast intake is.
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (client, base, counter) = (client.clone(), base.clone(), counter.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..100_000 {
                let body = serde_json::json!({
                    "category": "0110", "lng": 104.0806, "lat": 30.6571, "description": format!("写入者 {w} 第 {i} 件"),
                });
                match client.post(format!("{base}/api/v1/matters")).json(&body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = v["matter"]["id"].as_str() {
                            acknowledged.push(id.to_owned());
                            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    _ => return (acknowledged, true), // the server is gone
                }
            }
            (acknowledged, false)
        }));
    }
    let started = std::time::Instant::now();
    while counter.load(std::sync::atomic::Ordering::Relaxed) < 300 {
        assert!(started.elapsed() < Duration::from_secs(60), "the burst never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.signal("-KILL");
    let _ = server.child.wait();
    let mut acknowledged = Vec::new();
    for w in writers {
        let (ids, cut_off) = w.await.expect("writer");
        assert!(cut_off, "the kill came during the burst, not after it");
        acknowledged.extend(ids);
    }
    eprintln!("{} reports acknowledged before the kill", acknowledged.len());
    assert!(acknowledged.len() >= 300, "the burst got going before the kill: {}", acknowledged.len());
    // After a restart, every report that got a 201 is there.
    let again = Server::start(cwd.path(), &[], &db.cli_args);
    drop(again);
    for id in &acknowledged {
        assert!(
            db.fixture.store.matter(&shanzhi_domain::MatterId::parse(id).expect("id")).await.expect("read").is_some(),
            "acknowledged matter {id} was lost"
        );
    }
    run_ok(cwd.path(), &["audit", "verify"], &db);
}
