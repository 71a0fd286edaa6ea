//! Two servers on one database (PostgreSQL in production; the same on
//! SQLite): only one sweeps at a time, killing it hands the lease to the other
//! within the lease time, and no matter is ever supervised twice.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use shanzhi_domain::MatterId;
use shanzhi_store::{LeaseRecord, Store};
use shanzhi_testkit::{TestDb, test_db};

use crate::support::{Server, heavy, load_a_grid, run_ok};

const LEASE_SECS: u64 = 3;
const INTERVAL_SECS: u64 = 1;

/// A server named `name` that sweeps every [`INTERVAL_SECS`] under a lease
/// of [`LEASE_SECS`].
fn start(name: &'static str, cwd: &Path, db: &TestDb) -> (&'static str, Server) {
    let mut cmd = Server::command(cwd, &["--no-demo"], &db.cli_args);
    cmd.env("SHANZHI_SERVER_NAME", name)
        .env("SHANZHI_SWEEP_INTERVAL_SECS", INTERVAL_SECS.to_string())
        .env("SHANZHI_SWEEP_LEASE_SECS", LEASE_SECS.to_string());
    (name, Server::spawn(cmd))
}

/// Did this server ever say it leads the sweep?
fn led(server: &Server) -> bool {
    server.log.lock().expect("log").iter().any(|l| l.contains("sweep lease") && l.contains("leading=true"))
}

/// Sweeps this server logged that supervised something.
fn supervising_sweeps(server: &Server) -> usize {
    server
        .log
        .lock()
        .expect("log")
        .iter()
        .filter(|l| l.contains(" sweep ") && !l.contains("supervised=0") && l.contains("supervised="))
        .count()
}

async fn lease(store: &dyn Store) -> Option<LeaseRecord> {
    store.lease("sweep").await.expect("lease")
}

/// Automatic supervisions per matter; panics if any matter has two for one deadline.
async fn automatic_supervisions(store: &dyn Store, ids: &[MatterId]) -> usize {
    let mut total = 0;
    for id in ids {
        let mut per_deadline: HashMap<String, usize> = HashMap::new();
        for e in store.matter_events(id).await.expect("events") {
            if e.actor == "system:sweep" {
                let body: serde_json::Value = serde_json::from_str(&e.body).expect("json");
                *per_deadline.entry(body["overdue"]["deadline"].to_string()).or_default() += 1;
                total += 1;
            }
        }
        assert!(per_deadline.values().all(|n| *n == 1), "matter {id} supervised twice: {per_deadline:?}");
    }
    total
}

async fn all_ids(store: &dyn Store) -> Vec<MatterId> {
    let q = shanzhi_store::MatterQuery {
        scope: shanzhi_store::MatterScope { everything: true, ..Default::default() },
        limit: 10_000,
        ..Default::default()
    };
    store.matters(&q).await.expect("matters").into_iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn one_server_sweeps_and_a_killed_one_hands_over_within_the_lease() {
    let _heavy = heavy().await;
    let db = test_db().await;
    let store = db.fixture.store.clone();
    let cwd = tempfile::tempdir().expect("cwd");
    load_a_grid(cwd.path(), &db, 5, None);
    // Open matters reported over the last ten days: most are overdue already.
    run_ok(cwd.path(), &["demo", "matters", "--count", "400", "--open-only", "--spread-hours", "240"], &db);

    let a = start("server-a", cwd.path(), &db);
    let b = start("server-b", cwd.path(), &db);
    let mut servers = vec![a, b];
    // Someone takes the lease and sweeps the backlog.
    let started = Instant::now();
    let first = loop {
        if let Some(l) = lease(store.as_ref()).await {
            break l;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "nobody took the sweep lease");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // For a few rounds, the lease stays with one holder and only it sweeps.
    for _ in 0..(3 * INTERVAL_SECS * 4) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(lease(store.as_ref()).await.map(|l| l.holder), Some(first.holder.clone()), "the lease moved");
    }
    let leader = servers.iter().position(|(name, _)| *name == first.holder).expect("a server holds it");
    let other = 1 - leader;
    assert!(led(&servers[leader].1) && !led(&servers[other].1), "exactly one server swept");
    let ids = all_ids(store.as_ref()).await;
    let before = automatic_supervisions(store.as_ref(), &ids).await;
    assert!(before > 50, "the backlog was supervised: {before}");

    // Kill the leader: the other takes over within the lease time.
    let killed_at = Instant::now();
    let (_, mut dead) = servers.remove(leader);
    let (survivor_name, survivor) = servers.remove(0);
    dead.child.kill().expect("SIGKILL");
    let _ = dead.child.wait();
    loop {
        if lease(store.as_ref()).await.is_some_and(|l| l.holder == survivor_name) {
            break;
        }
        // Expiry comes at most LEASE_SECS after the kill; the standby polls
        // every sixth of the lease.
        assert!(
            killed_at.elapsed() < Duration::from_millis(LEASE_SECS * 1000 + 700),
            "the lease did not pass on within {LEASE_SECS} s (+ one standby poll)"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("lease handed over {:?} after the kill", killed_at.elapsed());

    // New overdue work (demo matters reported days ago, added by another
    // process) is supervised by the survivor, once each.
    let known: std::collections::HashSet<MatterId> = all_ids(store.as_ref()).await.into_iter().collect();
    run_ok(
        cwd.path(),
        &["demo", "matters", "--count", "30", "--open-only", "--spread-hours", "240", "--seed", "9"],
        &db,
    );
    let ids = all_ids(store.as_ref()).await;
    let now = shanzhi_domain::Micros::now();
    let fresh: Vec<MatterId> = ids.iter().filter(|id| !known.contains(*id)).cloned().collect();
    let owed = store
        .matters_by_ids(&fresh)
        .await
        .expect("new matters")
        .iter()
        .filter(|m| m.deadline_at().is_some_and(|d| d <= now))
        .count();
    assert!(owed >= 1, "some of the new matters are overdue");
    let waited = Instant::now();
    loop {
        let now = automatic_supervisions(store.as_ref(), &ids).await;
        if now >= before + owed {
            assert_eq!(now, before + owed, "one supervision per new overdue matter");
            break;
        }
        assert!(waited.elapsed() < Duration::from_secs(15), "the survivor did not sweep the new matters");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(supervising_sweeps(&survivor) >= 1, "the survivor swept after taking over");
    // A further round changes nothing.
    tokio::time::sleep(Duration::from_secs(2 * INTERVAL_SECS)).await;
    assert_eq!(automatic_supervisions(store.as_ref(), &ids).await, before + owed);
    drop(survivor);
}
