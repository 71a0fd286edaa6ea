//! The web UI in a real browser: headless Chromium driven by playwright-core
//! (`web/tests/flow.mjs`) against a running Shanzhi with the demo data, on
//! the backend chosen by SHANZHI_TEST_BACKEND. The script walks the whole
//! loop through the pages (resident → dispatcher → department → grid worker
//! → resident), checks scopes and that no request leaves the host, and
//! writes screenshots to `target/screenshots/`; this test then checks the
//! database.
//!
//! Needs Debian's `chromium` and `web/node_modules` (`npm ci --prefix web`);
//! `.ci/run` provides both. Without them the test says so and passes, except
//! under CI=true.

use std::path::{Path, PathBuf};
use std::process::Command;

use shanzhi_domain::MatterState;
use shanzhi_testkit::test_db;

use crate::support::{Server, heavy, text};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn chromium() -> PathBuf {
    std::env::var_os("SHANZHI_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn ready() -> bool {
    let driver = Path::new(ROOT).join("web/node_modules/playwright-core/package.json");
    let missing: Vec<String> = [(chromium(), "Chromium (apt-get install chromium)"), (driver, "npm ci --prefix web")]
        .into_iter()
        .filter(|(p, _)| !p.exists())
        .map(|(p, how)| format!("{} ({how})", p.display()))
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true: the browser test must run; missing {}", missing.join(", "));
    }
    eprintln!("browser test not run: missing {}", missing.join(", "));
    false
}

/// Run `web/tests/SCRIPT` with `args` in Chromium; it must succeed. Its
/// summary: the JSON of its last line.
fn node(script: &str, args: &[&Path]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(Path::new(ROOT).join("web/tests").join(script))
        .args(args)
        .env("SHANZHI_CHROMIUM", chromium())
        .output()
        .expect("run node");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    println!("{said}");
    assert!(out.status.success(), "{script} failed:\n{said}");
    serde_json::from_str(text(&out.stdout).lines().last().unwrap_or("")).expect("the script's summary")
}

#[tokio::test]
async fn the_whole_loop_through_the_ui_in_chromium() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let shots = Path::new(ROOT).join("target/screenshots");
    let summary = node("flow.mjs", &[Path::new(&server.base), &shots]);
    let number = summary["number"].as_str().expect("number");

    // What the pages did is in the database.
    let store = db.fixture.store.as_ref();
    let m = store.matter_by_number(number).await.expect("read").expect("the reported matter");
    assert_eq!(m.status.state, MatterState::Rated, "rated by the resident");
    assert_eq!(m.channel, shanzhi_domain::Channel::Resident);
    assert_eq!(m.grid.as_str().get(..15).map(|g| g.starts_with("510104022006")), Some(true), "{}", m.grid);
    let events = store.matter_events(&m.id).await.expect("timeline");
    let commands: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(commands, ["report", "accept", "dispatch", "sign", "respond", "verify", "rate"]);
    let roles: Vec<&str> = events.iter().map(|e| e.role.as_str()).collect();
    assert_eq!(
        roles,
        ["resident", "dispatcher", "dispatcher", "dept_handler", "dept_handler", "grid_worker", "resident"]
    );
    assert!(events[1..].iter().all(|e| e.actor.starts_with("demo_")), "each step by the signed-in person");
    let photos = store.attachment_ids(std::slice::from_ref(&m.id)).await.expect("photos");
    assert_eq!(photos.len(), 2, "the resident's photo and the department's");
    assert_eq!(events[0].attachments.len(), 1);
    assert_eq!(events[4].attachments.len(), 1);
    let department = shanzhi_domain::DepartmentCode::parse("510104-wenlv").expect("code");
    assert!(store.department(&department).await.expect("read").is_some(), "created on the admin page");
    let grid_user = store
        .user_by_name(&shanzhi_domain::Username::parse("demo_grid").expect("name"))
        .await
        .expect("read")
        .expect("the grid worker");
    let patrols = store
        .patrols(&shanzhi_store::PatrolQuery {
            within: None,
            grids: Vec::new(),
            user_id: Some(grid_user.id),
            from: None,
            to: None,
        })
        .await
        .expect("patrols");
    assert!(patrols.iter().any(|p| p.ended_at.is_some()), "a patrol started and ended on the tasks page");
    let shots_written = summary["screenshots"].as_array().map_or(0, Vec::len);
    assert!(shots_written >= 16, "screenshots of the main pages at both widths");
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

/// Issue 16's walk: one fund proposal of the demo community through the
/// five steps on the pages (`web/tests/deliberation.mjs`), on a server whose
/// drill clock (`--clock-file`) the script moves past each notice's end;
/// then the database holds the finished proposal, its five steps and the
/// ledger's commitment and payment, and the ledger verifies.
#[tokio::test]
async fn five_steps_of_a_fund_proposal_in_chromium() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let clock = cwd.path().join("clock.txt");
    // Monday 2026-11-30, 10:00 in Beijing.
    std::fs::write(&clock, "2026-11-30T10:00:00+08:00\n").expect("clock file");
    let clock_arg = clock.to_string_lossy().into_owned();
    let server = Server::start(cwd.path(), &["--demo", "--clock-file", &clock_arg], &db.cli_args);
    let shots = Path::new(ROOT).join("target/screenshots");
    let summary = node("deliberation.mjs", &[Path::new(&server.base), &clock, &shots]);
    let id = summary["proposal"].as_str().expect("proposal");

    let store = db.fixture.store.as_ref();
    let p = store.proposal(id).await.expect("read").expect("the proposal");
    assert_eq!((p.status.as_str(), p.supporters, p.community.as_str()), ("done", 30, "510104022006"));
    let steps: Vec<String> = store.proposal_steps(id).await.expect("steps").into_iter().map(|s| s.step_code).collect();
    assert_eq!(steps, ["propose", "decide", "implement", "accept", "supervise"]);
    let notices = store.notices(id).await.expect("notices");
    assert_eq!(notices.len(), 3, "the proposal, the decision and the acceptance were noticed");
    let ledger = store.ledger("510104022006").await.expect("ledger");
    assert!(shanzhi_domain::deliberation::ledger::verify(&ledger).is_ok(), "the books balance and the chain holds");
    assert_eq!(ledger.len(), 3, "the demo's allocation, the commitment, the payment");
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(log.contains("DRILL CLOCK"), "the drill clock is announced");
    assert!(!log.contains("panicked"), "{log}");
}

/// Issue 18's hotline part (`web/tests/callback.mjs`): a closed 12345 order
/// is called back on `/callbacks` (one unreachable try, then the three
/// answers); the results export holds it once. Then the database has the
/// `callback` entry with the answers, and the task is done after two tries.
#[tokio::test]
async fn a_hotline_clerk_calls_back_and_the_results_export_holds_the_order() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let summary = node("callback.mjs", &[Path::new(&server.base)]);
    let number = summary["number"].as_str().expect("number");

    let store = db.fixture.store.as_ref();
    let m = store.matter_by_number(number).await.expect("read").expect("the order");
    assert_eq!((m.channel, m.status.state), (shanzhi_domain::Channel::Hotline, MatterState::Closed));
    let events = store.matter_events(&m.id).await.expect("timeline");
    let last = events.last().expect("entries");
    assert_eq!(
        (last.kind.as_str(), last.role.as_str(), last.actor.as_str()),
        ("callback", "dispatcher", "demo_dispatcher")
    );
    let answers: serde_json::Value = serde_json::from_str(&last.body).expect("json");
    assert_eq!(answers["answers"], serde_json::json!({"contacted": true, "solved": true, "satisfaction": "satisfied"}));
    assert_eq!(answers["attempts"], 2, "one unreachable try, then the answers");
    let task = store.callback_task(&format!("{}:{}", m.id, last.seq - 1)).await.expect("read").expect("the task");
    assert_eq!(task.state, shanzhi_domain::callback::CallbackState::Done);
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}
