//! Other people's software against a running Shanzhi with the demo data, on
//! the backend chosen by SHANZHI_TEST_BACKEND:
//! - `georeport` (a published Open311 client from PyPI, unmodified) lists
//!   services and requests and reads one; plain HTTP posts as the spec says
//!   (`scripts/open311-clients.py`);
//! - openapi-spec-validator finds no error in `/api/openapi.json` (a valid
//!   OpenAPI 3.1 document: client generators refuse anything else);
//! - schemathesis fuzzes every operation of `/api/openapi.json` and must find
//!   no 5xx and no response that breaks the document; then, sending only what
//!   the document allows, fewer than 10 % of its requests may be refused as
//!   malformed (`scripts/schemathesis-rejections.py`).
//!
//! Both come from PyPI (`scripts/requirements-interop.txt`); `.ci/run`
//! installs them in a virtualenv and sets SHANZHI_INTEROP_PYTHON to its
//! python. Without it the test says so and passes, except under CI=true.

use std::path::Path;
use std::process::Command;

use shanzhi_testkit::{TestDb, test_db};

use crate::support::{Server, heavy, interop_python, run, text};

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts");

fn token(cwd: &Path, username: &str, db: &TestDb) -> String {
    let out = run(cwd, &["token", "create", "--username", username, "--name", "interop"], db);
    assert!(out.status.success(), "token create: {}", text(&out.stderr));
    text(&out.stdout).trim().to_owned()
}

/// Run a tool, echo what it said, and insist it succeeded.
fn check(what: &str, cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    println!("----- {what} -----\n{said}");
    assert!(out.status.success(), "{what} failed ({}):\n{said}", out.status);
}

#[tokio::test]
async fn published_clients_and_a_schema_fuzzer_find_nothing_wrong() {
    let Some(python) = interop_python("interop") else { return };
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let resident = token(cwd.path(), "demo_resident", &db);
    let admin = token(cwd.path(), "demo_admin", &db);

    check(
        "Open311: georeport (PyPI) and plain HTTP posts",
        Command::new(&python).arg(format!("{SCRIPTS}/open311-clients.py")).arg(&server.base).arg(&resident),
    );

    // schemathesis keeps caches in the working directory: give it its own.
    let work = tempfile::tempdir().expect("schemathesis dir");
    let url = format!("{}/api/openapi.json", server.base);
    let document = reqwest::get(&url).await.expect("the document").text().await.expect("its text");
    let file = work.path().join("openapi.json");
    std::fs::write(&file, document).expect("saved");
    check("OpenAPI: openapi-spec-validator", Command::new(python.with_file_name("openapi-spec-validator")).arg(&file));

    // One seed, one worker, no example database: the same run every time.
    // Signing out would end the token halfway through.
    let schemathesis = |extra: &[&str]| {
        let mut cmd = Command::new(python.with_file_name("st"));
        cmd.current_dir(work.path())
            .args(["run", &url, "--header", &format!("Authorization: Bearer {admin}")])
            .args(["--max-examples", "25", "--seed", "1311", "--workers", "1", "--generation-database", "none"])
            .args(["--request-timeout", "20", "--exclude-path", "/api/v1/auth/logout", "--no-color"])
            .args(extra);
        cmd
    };
    check(
        "OpenAPI: schemathesis",
        &mut schemathesis(&["--checks", "not_a_server_error,response_schema_conformance", "--wait-for-schema", "30"]),
    );

    // Only inputs the document allows: the server may refuse them for rules
    // between fields or the state of the data, but fewer than 10 % for a
    // pattern, a range or a length the document failed to state.
    let har = work.path().join("har");
    check(
        "OpenAPI: schemathesis, allowed inputs only",
        &mut schemathesis(&[
            "--mode",
            "positive",
            "--checks",
            "not_a_server_error",
            "--report",
            "har",
            "--report-dir",
            &har.to_string_lossy(),
        ]),
    );
    let report = std::fs::read_dir(&har).expect("the HAR report").next().expect("one file").expect("entry").path();
    check(
        "refusals for lack of patterns under 10 % (scripts/schemathesis-rejections.py)",
        Command::new(&python).arg(format!("{SCRIPTS}/schemathesis-rejections.py")).arg(&report).arg("10"),
    );
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(!log.contains("panicked"), "the server panicked under the fuzzer:\n{log}");
}

/// `web/`, where the TypeScript tools are installed (`npm ci --prefix web`).
const WEB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");

/// Clients generated from the document run the loop (scripts/clients/): a
/// Python client by openapi-python-client (PyPI) and TypeScript types by
/// openapi-typescript, type-checked by tsc and called through openapi-fetch
/// (npm). A document that generators misread fails here. Nothing generated is
/// kept.
#[tokio::test]
async fn generated_clients_sign_in_report_list_command_and_read_the_timeline() {
    let Some(python) = interop_python("interop") else { return };
    let tools = Path::new(WEB).join("node_modules/.bin");
    if !tools.join("openapi-typescript").exists() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true: run npm ci --prefix web first (.ci/run does)"
        );
        eprintln!("generated-client test not run: npm ci --prefix web installs its tools");
        return;
    }
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let server = Server::start(cwd.path(), &["--demo"], &db.cli_args);
    let document = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .expect("the document")
        .text()
        .await
        .expect("its text");

    // Python: generate the package `shanzhi_client`, then run the flow with it.
    let py = tempfile::tempdir().expect("python dir");
    let spec = py.path().join("openapi.json");
    std::fs::write(&spec, &document).expect("saved");
    let bin = python.parent().expect("the virtualenv's bin");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    check(
        "openapi-python-client generate",
        Command::new(bin.join("openapi-python-client")).env("PATH", &path).args([
            "generate",
            "--path",
            &spec.to_string_lossy(),
            "--output-path",
            &py.path().join("shanzhi_client").to_string_lossy(),
            "--meta",
            "none",
            "--config",
            &format!("{SCRIPTS}/clients/python-config.yml"),
        ]),
    );
    check(
        "the generated Python client runs the loop",
        Command::new(&python).arg(format!("{SCRIPTS}/clients/flow.py")).arg(&server.base).arg(py.path()),
    );

    // TypeScript: the work directory sits inside web/ so that Node and tsc
    // find openapi-fetch in web/node_modules.
    let ts = tempfile::Builder::new().prefix(".clients-").tempdir_in(WEB).expect("typescript dir");
    std::fs::write(ts.path().join("openapi.json"), &document).expect("saved");
    std::fs::write(ts.path().join("package.json"), r#"{"type": "module"}"#).expect("package.json");
    for file in ["flow.ts", "tsconfig.json"] {
        std::fs::copy(format!("{SCRIPTS}/clients/{file}"), ts.path().join(file)).expect("copied");
    }
    check(
        "openapi-typescript",
        Command::new(tools.join("openapi-typescript")).current_dir(ts.path()).args([
            "openapi.json",
            "--output",
            "schema.d.ts",
        ]),
    );
    check(
        "tsc (strict) over the flow and the generated types",
        Command::new(tools.join("tsc")).current_dir(ts.path()).args(["-p", "tsconfig.json", "--outDir", "out"]),
    );
    check(
        "the TypeScript client runs the loop",
        Command::new("node").current_dir(ts.path()).arg("out/flow.js").arg(&server.base),
    );
}
