//! The real binary for end-to-end tests: a clean environment, a server on a
//! free port whose log is kept, the common set-ups, and the lock that keeps
//! heavy tests apart.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use shanzhi_testkit::TestDb;
use tokio::sync::{Mutex, MutexGuard};

pub const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");
pub const CHENGDU: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/chengdu/chengdu_divisions_nbs2023.csv");

/// The binary with a clean environment (no SHANZHI_* from the test run) in `cwd`.
pub fn shanzhi(cwd: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd).env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// A `shanzhi.toml` in `cwd` that lifts the per-address limits on reports
/// and uploads: load and crash tests post thousands from one address.
pub fn lift_intake_limits(cwd: &Path) {
    std::fs::write(
        cwd.join("shanzhi.toml"),
        "anonymous_reports_per_hour = 1000000000\nuploads_per_hour = 1000000000\n",
    )
    .expect("write shanzhi.toml");
}

/// Held for the whole run of a test that loads the machine (a burst of
/// writers, a capped server, a browser, a fuzzer) or times what a server
/// does (a lease hand-over): two of them at once could make either miss
/// its time. The other tests run beside them.
static HEAVY: Mutex<()> = Mutex::const_new(());

/// Wait until no other heavy test runs; hold the guard until the end.
pub async fn heavy() -> MutexGuard<'static, ()> {
    HEAVY.lock().await
}

pub fn run(cwd: &Path, args: &[&str], db: &TestDb) -> Output {
    shanzhi(cwd).args(args).args(&db.cli_args).output().expect("run shanzhi")
}

/// As [`run`], and it must succeed.
pub fn run_ok(cwd: &Path, args: &[&str], db: &TestDb) -> Output {
    let out = run(cwd, args, db);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    out
}

/// A fresh store holding the Chengdu divisions, and a working directory.
pub async fn with_divisions() -> (TestDb, tempfile::TempDir) {
    let db = shanzhi_testkit::test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    run_ok(cwd.path(), &["import", "divisions", CHENGDU], &db);
    (db, cwd)
}

/// The Chengdu divisions and a small generated grid of 锦江区 (a fifth of
/// the general grids, no micro-grids), so that reports can be placed.
pub fn load_a_grid(cwd: &Path, db: &TestDb, seed: u32, valid_from: Option<&str>) {
    run_ok(cwd, &["import", "divisions", CHENGDU], db);
    let seed = seed.to_string();
    let mut args =
        vec!["grid", "generate", "--seed", &seed, "--districts", "510104", "--scale", "0.2", "--micro", "none"];
    if let Some(day) = valid_from {
        args.extend(["--valid-from", day]);
    }
    run_ok(cwd, &args, db);
}

/// `shanzhi user add ARGS --password-stdin` with `password` on its input.
pub fn add_user_with_password(cwd: &Path, db: &TestDb, args: &[&str], password: &str) -> Output {
    let mut add = shanzhi(cwd)
        .args(["user", "add"])
        .args(args)
        .arg("--password-stdin")
        .args(&db.cli_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    writeln!(add.stdin.take().expect("stdin"), "{password}").expect("write");
    add.wait_with_output().expect("wait")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub struct Server {
    pub child: Child,
    pub base: String,
    /// Everything the server wrote to stderr (its log) so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Start `serve` on a free port and wait for its "listening on" line.
    pub fn start(cwd: &Path, extra: &[&str], db_args: &[String]) -> Server {
        Server::spawn(Server::command(cwd, extra, db_args))
    }

    /// The `serve` command [`Server::start`] runs, to add to.
    pub fn command(cwd: &Path, extra: &[&str], db_args: &[String]) -> Command {
        let mut cmd = shanzhi(cwd);
        cmd.args(["serve", "--addr", "127.0.0.1:0"]).args(extra).args(db_args);
        cmd
    }

    /// As [`Server::start`], with the process's address space capped at
    /// `kib` KiB (`ulimit -v`): an allocation past it fails, as it would on
    /// a small machine.
    pub fn start_capped(cwd: &Path, kib: u64, extra: &[&str], db_args: &[String]) -> Server {
        let mut cmd = Command::new("sh");
        cmd.current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // glibc reserves 64 MiB of address space per thread arena.
            .env("MALLOC_ARENA_MAX", "2")
            .args(["-c", &format!("ulimit -v {kib} && exec \"$0\" \"$@\""), BIN, "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .args(db_args);
        Server::spawn(cmd)
    }

    /// Run `cmd` (a `serve`) and wait for its "listening on" line.
    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("listening on http://") {
                    let addr = line[i + "listening on ".len()..].split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(addr);
                }
                if let Ok(mut l) = sink.lock() {
                    l.push(line);
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(180)).expect("server announced its address");
        Server { child, base, log }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = reqwest::get(format!("{}{path}", self.base)).await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }

    /// Sign `username` in over HTTP; the session token.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let login: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        login["token"].as_str().expect("session token").to_owned()
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill").args([sig, &self.child.id().to_string()]).status().expect("kill");
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The python with `scripts/requirements-interop.txt` installed
/// (SHANZHI_INTEROP_PYTHON, set by `.ci/run`). Without it the `what` test
/// says so and passes, except under CI=true, where it must run.
pub fn interop_python(what: &str) -> Option<std::path::PathBuf> {
    match std::env::var_os("SHANZHI_INTEROP_PYTHON") {
        Some(p) => Some(std::path::PathBuf::from(p)),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true: the {what} test must run; set SHANZHI_INTEROP_PYTHON (see .ci/run)")
        }
        None => {
            eprintln!(
                "{what} test not run: set SHANZHI_INTEROP_PYTHON to a python with \
                 scripts/requirements-interop.txt installed (.ci/run does)"
            );
            None
        }
    }
}
