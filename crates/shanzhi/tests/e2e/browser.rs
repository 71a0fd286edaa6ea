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

/// A browser walk on a fresh demo server: what it ran on, and the script's summary.
struct Walk {
    summary: serde_json::Value,
    db: shanzhi_testkit::TestDb,
    server: Server,
    _cwd: tempfile::TempDir,
    _heavy: tokio::sync::MutexGuard<'static, ()>,
}

impl Walk {
    /// Run `web/tests/SCRIPT` against `serve --demo` (its arguments: the
    /// server's address and the screenshots' folder); `None` without a browser.
    async fn demo(script: &str) -> Option<Walk> {
        Walk::start(script, false).await
    }

    /// [`Walk::demo`] with the fake SMS gateway: the script's arguments are
    /// the server's address, the gateway's and the screenshots' folder.
    async fn demo_with_sms(script: &str) -> Option<Walk> {
        Walk::start(script, true).await
    }

    async fn start(script: &str, sms: bool) -> Option<Walk> {
        if !ready() {
            return None;
        }
        let heavy = heavy().await;
        let db = test_db().await;
        let cwd = tempfile::tempdir().expect("cwd");
        let shots = Path::new(ROOT).join("target/screenshots");
        let (server, summary) = if sms {
            let gateway = sms_gateway();
            let mut serve = Server::command(cwd.path(), &["--demo"], &db.cli_args);
            serve.env("SHANZHI_SMS_GATEWAY_URL", format!("{gateway}/send"));
            let server = Server::spawn(serve);
            let summary = node(script, &[Path::new(&server.base), Path::new(&gateway), &shots]);
            (server, summary)
        } else {
            let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
            let summary = node(script, &[Path::new(&server.base), &shots]);
            (server, summary)
        };
        Some(Walk { summary, db, server, _cwd: cwd, _heavy: heavy })
    }

    /// The account named `username` in the summary.
    async fn user(&self) -> shanzhi_store::UserRecord {
        let username = self.summary["username"].as_str().expect("username");
        let name = shanzhi_domain::Username::parse(username).expect("name");
        self.db.fixture.store.user_by_name(&name).await.expect("read").expect("the account")
    }
}

/// The server logged no panic; its log.
fn calm(server: &Server) -> String {
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
    log
}

/// The demo served in `cwd` on a drill clock (`--clock-file`) that starts on
/// Monday 2026-11-30, 10:00 in Beijing, and `script` run against it with
/// the clock file to move (and where its screenshots go); the server, and
/// the script's summary.
fn on_the_drill_clock(cwd: &Path, db_args: &[String], script: &str) -> (Server, serde_json::Value) {
    let clock = cwd.join("clock.txt");
    std::fs::write(&clock, "2026-11-30T10:00:00+08:00\n").expect("clock file");
    let clock_arg = clock.to_string_lossy().into_owned();
    let server = Server::start(cwd, &["--demo", "--clock-file", &clock_arg], db_args);
    let shots = Path::new(ROOT).join("target/screenshots");
    let summary = node(script, &[Path::new(&server.base), &clock, &shots]);
    (server, summary)
}

#[tokio::test]
async fn the_whole_loop_through_the_ui_in_chromium() {
    let Some(walk) = Walk::demo("flow.mjs").await else { return };
    let (summary, db) = (&walk.summary, &walk.db);
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
    calm(&walk.server);
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
    let (server, summary) = on_the_drill_clock(cwd.path(), &db.cli_args, "deliberation.mjs");
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
    let log = calm(&server);
    assert!(log.contains("DRILL CLOCK"), "the drill clock is announced");
}

/// Issue 19's case library on the pages (`web/tests/cases.mjs`): a town's
/// editor submits, the city's reviewer returns it with a comment, the editor
/// revises, the reviewer publishes; the public finds it by a two-character
/// word, in the feed and on the community's page. The database then holds
/// both versions whole and the four steps of the review.
#[tokio::test]
async fn a_case_is_reviewed_revised_published_and_found_in_chromium() {
    let Some(walk) = Walk::demo("cases.mjs").await else { return };
    let id = walk.summary["case"].as_str().expect("case");

    let store = walk.db.fixture.store.as_ref();
    let a = store.article(id).await.expect("read").expect("the article");
    assert_eq!((a.state.as_str(), a.version, a.division.as_str()), ("published", 2, "510104022000"));
    assert_eq!(a.content.places, "[\"510104022006\"]", "about the demo community");
    let versions = store.article_versions(id).await.expect("versions");
    assert_eq!(versions.len(), 2, "both versions kept");
    assert!(!versions[0].content.body.contains("86 户") && versions[1].content.body.contains("86 户"));
    let reviews = store.article_reviews(id).await.expect("reviews");
    let steps: Vec<(&str, i64)> = reviews.iter().map(|r| (r.step.as_str(), r.version)).collect();
    assert_eq!(steps, [("submit", 1), ("return", 1), ("submit", 2), ("publish", 2)]);
    assert_eq!(reviews[1].body, "请补充参与的居民户数", "the reviewer's comment");
    calm(&walk.server);
}

/// A fake SMS gateway on a thread of its own (the test's thread waits in
/// `node`): `POST /send` keeps each message (the default JSON template's
/// `phone` and `text`), `GET /last/{phone}` answers the last text to it.
fn sms_gateway() -> String {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let seen: Arc<Mutex<HashMap<String, String>>> = Arc::default();
            let keep = seen.clone();
            let send = move |axum::Json(v): axum::Json<serde_json::Value>| async move {
                let (phone, text) = (v["phone"].as_str().unwrap_or(""), v["text"].as_str().unwrap_or(""));
                keep.lock().expect("lock").insert(phone.to_owned(), text.to_owned());
                axum::http::StatusCode::OK
            };
            let last = move |axum::extract::Path(phone): axum::extract::Path<String>| async move {
                seen.lock().expect("lock").get(&phone).cloned().ok_or(axum::http::StatusCode::NOT_FOUND)
            };
            let router = axum::Router::new()
                .route("/send", axum::routing::post(send))
                .route("/last/{phone}", axum::routing::get(last));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(format!("http://{}", listener.local_addr().expect("addr"))).expect("address");
            axum::serve(listener, router).await.expect("gateway");
        });
    });
    rx.recv().expect("the gateway's address")
}

/// Issue 18's first part: a resident signs up by phone on the pages
/// (`web/tests/signup.mjs`), the code from the fake gateway, and reports;
/// the account is a resident's, with the consent recorded, and the report
/// is theirs.
#[tokio::test]
async fn a_resident_signs_up_by_phone_in_chromium() {
    let Some(walk) = Walk::demo_with_sms("signup.mjs").await else { return };
    let (number, server) = (walk.summary["number"].as_str().expect("number"), &walk.server);
    let store = walk.db.fixture.store.as_ref();
    let user = walk.user().await;
    assert_eq!(user.kind, shanzhi_store::UserKind::Resident);
    assert_eq!(user.phone.as_ref().map(|p| p.reveal()), Some("13700001234"));
    let consents = store.consents_of(&user.id).await.expect("consents");
    assert_eq!(consents.len(), 1, "consent recorded once, with its version");
    let m = store.matter_by_number(number).await.expect("read").expect("the report");
    assert_eq!(m.reporter.user_id.as_deref(), Some(user.id.as_str()), "the report is the resident's");
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(!log.contains("DEV SMS"), "a gateway is configured: nothing goes to the log instead");
    assert!(!log.contains("13700001234"), "the number is masked in the log");
    assert!(!log.contains("panicked"), "{log}");
}

/// Issue 19's walk (`web/tests/volunteer.mjs`): on the demo's activity, a
/// resident signs up, checks in and out with the organiser's rotating code
/// (the drill clock moved to the day), earns the points, redeems a reward
/// and the shop confirms the code; then the database holds the position of
/// the check-in, a ledger that replays to what is left, and the confirmed
/// redemption.
#[tokio::test]
async fn a_volunteer_earns_and_redeems_points_in_chromium() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    // The demo's activity is the morning after the drill clock's start.
    let (server, summary) = on_the_drill_clock(cwd.path(), &db.cli_args, "volunteer.mjs");
    let activity = summary["activity"].as_str().expect("activity");

    let store = db.fixture.store.as_ref();
    let name = shanzhi_domain::Username::parse("demo_resident").expect("name");
    let resident = store.user_by_name(&name).await.expect("read").expect("the demo resident").id;
    let signup = store.signup(activity, &resident).await.expect("read").expect("signed up");
    assert!(matches!(signup.minutes, Some(89 | 90)), "from 09:10 to 10:40 on the drill clock: {:?}", signup.minutes);
    assert!(signup.check_in_lng.is_some_and(|lng| (lng - 104.0823).abs() < 1e-4), "the phone's position");
    let ledger = store.points(&resident, 100).await.expect("ledger");
    assert_eq!(shanzhi_domain::volunteer::replay_points(&resident, &ledger), Ok(5), "20 earned, 15 redeemed");
    let redeemed = store.redemptions_of_user(&resident, 10).await.expect("redemptions");
    assert_eq!(redeemed.len(), 1);
    assert!(redeemed[0].confirmed_at.is_some(), "the shop confirmed it");
    assert_eq!(Some(redeemed[0].code_hint.as_str()), summary["code_hint"].as_str());
    calm(&server);
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
    calm(&server);
}

/// Issue 18's notices (`web/tests/notices.mjs`): a resident signed up by
/// phone reports; the bell and /inbox tell each step (received, accepted,
/// dispatched, handled, closed); the closing notice leads to the rating form
/// and the resident rates from it. Then the database holds the rated matter
/// and the resident's five inbox notices, one per step in order, the
/// closing one read.
#[tokio::test]
async fn a_resident_hears_of_each_step_and_rates_from_the_notice_in_chromium() {
    let Some(walk) = Walk::demo_with_sms("notices.mjs").await else { return };
    let number = walk.summary["number"].as_str().expect("number");
    assert_eq!(walk.summary["bell"], serde_json::json!([1, 2, 3, 4, 5]), "the bell counted each notice");

    let store = walk.db.fixture.store.as_ref();
    let m = store.matter_by_number(number).await.expect("read").expect("the report");
    assert_eq!(m.status.state, MatterState::Rated, "rated from the notice");
    let user = walk.user().await;
    assert_eq!(m.reporter.user_id.as_deref(), Some(user.id.as_str()));
    let mut inbox = store.inbox(&user.id, None, 50).await.expect("inbox");
    inbox.reverse();
    let kinds: Vec<&str> = inbox.iter().map(|r| r.notice.kind.as_str()).collect();
    assert_eq!(kinds, ["received", "accepted", "dispatched", "responded", "closed"]);
    assert!(inbox.iter().all(|r| r.notice.matter_id.as_ref() == Some(&m.id)), "all of the matter");
    let read: Vec<bool> = inbox.iter().map(|r| r.read_at.is_some()).collect();
    assert_eq!(read, [false, false, false, false, true], "only the notice opened is read");
    calm(&walk.server);
}

/// Issue 20's walk (`web/tests/visits.mjs`, phone width): the grid worker
/// sees the care visit due, records it with a photo, records another while
/// offline that arrives once back online, reports a matter from it, and the
/// community worker comments on the day's log. Then the database holds
/// exactly two visits of the worker that day (the care one sealed, with its
/// photo; the other tied to the matter), the care mark's last visit moved to
/// the day, and the comment with who wrote it.
#[tokio::test]
async fn a_grid_worker_records_visits_offline_and_the_day_is_reviewed_in_chromium() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let (server, summary) = on_the_drill_clock(cwd.path(), &db.cli_args, "visits.mjs");
    let day: jiff::civil::Date = summary["day"].as_str().expect("day").parse().expect("a day");

    let store = db.fixture.store.as_ref();
    let name = shanzhi_domain::Username::parse("demo_grid").expect("name");
    let worker = store.user_by_name(&name).await.expect("read").expect("the demo grid worker").id;
    let query = shanzhi_store::VisitQuery {
        worker_id: Some(worker.clone()),
        from: Some(day),
        to: Some(day),
        limit: 10,
        ..Default::default()
    };
    let visits = store.visits(&query).await.expect("visits");
    assert_eq!(visits.len(), 2, "the offline visit arrived exactly once: {visits:?}");
    let care = visits.iter().find(|v| v.care_mark_id.is_some()).expect("the care visit");
    assert!(care.raised.is_none() && care.sealed.is_some(), "a care visit's text is sealed");
    assert_eq!(care.images.len(), 1, "with its photo");
    let mark = store.care_mark(care.care_mark_id.as_deref().expect("mark")).await.expect("read").expect("the mark");
    assert_eq!(mark.last_visit_on, Some(day), "the visit moved the care mark");
    let other = visits.iter().find(|v| v.care_mark_id.is_none()).expect("the offline visit");
    assert!(other.idempotency_key.is_some() && other.matter_id.is_some(), "sent with its key, the matter tied");
    let comments = store.log_comments(&worker, day).await.expect("comments");
    assert_eq!(comments.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(), ["已阅，楼道灯请跟进"]);
    let community = shanzhi_domain::Username::parse("demo_community").expect("name");
    let reviewer = store.user_by_name(&community).await.expect("read").expect("the demo community worker").id;
    assert_eq!(comments[0].author_id, reviewer);
    assert!(summary["matter"].as_str().is_some_and(|n| n.starts_with("510104-")));
    calm(&server);
}

/// Issue 20's task walk (`web/tests/tasks.mjs`): the community worker gives
/// a task by ticking a grid by its NAME and writing a checklist; the grid
/// worker of that grid marks both sites on a phone and completes it. Then
/// the database holds the task given to that one grid, its two sites in
/// that grid and done, completed on time by the grid worker.
#[tokio::test]
async fn a_task_is_given_by_name_and_done_site_by_site() {
    if !ready() {
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let (server, summary) = on_the_drill_clock(cwd.path(), &db.cli_args, "tasks.mjs");
    let id = summary["task"].as_str().expect("the task's id");
    assert!(summary["grid"].as_str().is_some_and(|g| !g.is_empty()), "{summary}");

    let store = db.fixture.store.as_ref();
    let task = store.grid_task(id).await.expect("read").expect("the task");
    let grid = shanzhi_domain::GridCode::parse("510104022006001").expect("grid");
    assert_eq!(task.grids, std::slice::from_ref(&grid), "given to the grid ticked, by name");
    assert!(task.workers.is_empty());
    let name = shanzhi_domain::Username::parse("demo_grid").expect("name");
    let worker = store.user_by_name(&name).await.expect("read").expect("the demo grid worker").id;
    assert_eq!(task.completed_by.as_deref(), Some(worker.as_str()), "completed by the grid worker");
    let (completed, deadline) = (task.completed_at.expect("completed"), task.deadline);
    assert!(completed <= deadline, "on time");
    let sites = store.grid_task_sites(id).await.expect("sites");
    let shown: Vec<(&str, Option<&shanzhi_domain::GridCode>, bool)> = sites
        .iter()
        .map(|s| (s.name.as_str(), s.grid.as_ref(), s.state == shanzhi_domain::task::GridTaskSiteState::Done))
        .collect();
    assert_eq!(
        shown,
        [("总府路2号好再来餐馆", Some(&grid), true), ("总府路4号便利店", Some(&grid), true)],
        "the checklist, in the task's one grid, each site done"
    );
    assert!(sites.iter().all(|s| s.checked_by.as_deref() == Some(worker.as_str())));
    calm(&server);
}
