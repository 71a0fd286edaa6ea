//! `/api/v1/log…`: the public key, checkpoints, proofs that verify with the
//! RFC 9162 algorithms, bad input answered with the JSON error, and one
//! Shanzhi witnessing another's checkpoints (consistency checked, cosigned).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use shanzhi_app::tlog::LogSetup;
use shanzhi_domain::tlog::{SecretKey, SignedCheckpoint, Signer, hash_from_hex, verify_consistency, verify_inclusion};
use shanzhi_store::AuditEntry;
use shanzhi_web::{HttpOptions, router};
use tower::ServiceExt;

async fn call(router: &Router, method: Method, uri: &str, body: &str) -> (StatusCode, String) {
    let request = Request::builder().method(method).uri(uri).body(Body::from(body.to_owned())).expect("request");
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `POST /api/v1/log/witness` with this body (a witness's one endpoint).
async fn to_witness(router: &Router, body: &str) -> (StatusCode, String) {
    call(router, Method::POST, "/api/v1/log/witness", body).await
}

async fn json(router: &Router, uri: &str) -> (StatusCode, Value) {
    let (status, body) = call(router, Method::GET, uri, "").await;
    (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: JSON expected, got {body}")))
}

fn hashes(v: &Value) -> Vec<[u8; 32]> {
    v.as_array().expect("array").iter().map(|h| hash_from_hex(h.as_str().expect("hex")).expect("hash")).collect()
}

fn setup(key: &SecretKey, witness_for: Vec<shanzhi_domain::tlog::VerifierKey>) -> LogSetup {
    LogSetup { signer: Some(Arc::new(key.clone())), checkpoint_dir: None, witnesses: Vec::new(), witness_for }
}

#[tokio::test]
async fn checkpoints_and_proofs_verify_and_bad_queries_are_refused() {
    let t = shanzhi_testkit::TestApp::new().start().await;
    let bare = router(t.app().clone(), HttpOptions::default());
    let (status, err) = json(&bare, "/api/v1/log/key").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["error"]["code"], "log_key_missing");
    let (status, _) = json(&bare, "/api/v1/log/checkpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no checkpoint yet");

    let key = SecretKey::from_seed("log.example/a", [1; 32]).expect("key");
    let app = t.app().clone().with_log(setup(&key, Vec::new()));
    let api = router(app.clone(), HttpOptions::default());
    for i in 0..11 {
        t.store().append_audit(&AuditEntry::new("tester", "log.api", &format!("e{i}"))).await.expect("audit");
    }
    let (status, k) = json(&api, "/api/v1/log/key").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(k["key"], key.verifier().to_text());
    let (first, _) = app.sign_checkpoint().await.expect("sign");
    for i in 0..6 {
        t.store().append_audit(&AuditEntry::new("tester", "log.api", &format!("f{i}"))).await.expect("audit");
    }
    let (second, _) = app.sign_checkpoint().await.expect("sign");
    let (status, text) = call(&api, Method::GET, "/api/v1/log/checkpoint", "").await;
    assert_eq!(status, StatusCode::OK);
    let latest = SignedCheckpoint::parse(&text).expect("a signed note");
    latest.verify(&key.verifier()).expect("signed by the published key");
    assert_eq!(latest.checkpoint, second.checkpoint);

    let size = second.checkpoint.size;
    for leaf in [0, 5, size - 1] {
        let (status, p) = json(&api, &format!("/api/v1/log/proof?leaf={leaf}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["tree_size"], size, "the latest checkpoint's tree by default");
        let leaf_hash = hash_from_hex(p["leaf_hash"].as_str().expect("hex")).expect("hash");
        verify_inclusion(leaf, size, &leaf_hash, &hashes(&p["proof"]), &second.checkpoint.root).expect("verifies");
    }
    let old = first.checkpoint.size;
    let (status, c) = json(&api, &format!("/api/v1/log/consistency?from={old}&to={size}")).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    verify_consistency(old, size, &first.checkpoint.root, &second.checkpoint.root, &hashes(&c["proof"]))
        .expect("the later checkpoint extends the earlier");

    for (uri, code) in [
        ("/api/v1/log/proof?leaf=abc", StatusCode::BAD_REQUEST),
        ("/api/v1/log/proof", StatusCode::BAD_REQUEST),
        ("/api/v1/log/proof?leaf=1&extra=2", StatusCode::BAD_REQUEST),
        (&format!("/api/v1/log/proof?leaf={size}&size={size}"), StatusCode::BAD_REQUEST),
        (&format!("/api/v1/log/proof?leaf=0&size={}", size + 100), StatusCode::BAD_REQUEST),
        ("/api/v1/log/consistency?from=99999", StatusCode::BAD_REQUEST),
        ("/api/v1/log/consistency?from=-1", StatusCode::BAD_REQUEST),
    ] {
        let (status, err) = json(&api, uri).await;
        assert_eq!(status, code, "{uri}: {err}");
        assert!(err["error"]["message"].is_string() && err["error"]["message_en"].is_string(), "{uri}: {err}");
    }
}

fn add_checkpoint(old: u64, proof: &[[u8; 32]], cp: &SignedCheckpoint) -> String {
    let mut body = format!("old {old}\n");
    for h in proof {
        body.push_str(&STANDARD.encode(h));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&cp.to_text());
    body
}

#[tokio::test]
async fn a_shanzhi_instance_witnesses_another_logs_checkpoints() {
    let log_key = SecretKey::from_seed("log.example/a", [1; 32]).expect("key");
    let witness_key = SecretKey::from_seed("witness.example/w", [2; 32]).expect("key");
    let log = shanzhi_testkit::TestApp::new().start().await;
    let log_app = log.app().clone().with_log(setup(&log_key, Vec::new()));
    let witness = shanzhi_testkit::TestApp::new().start().await;
    let witness_api =
        router(witness.app().clone().with_log(setup(&witness_key, vec![log_key.verifier()])), HttpOptions::default());
    for i in 0..5 {
        log.store().append_audit(&AuditEntry::new("tester", "w", &format!("a{i}"))).await.expect("audit");
    }
    let (first, _) = log_app.sign_checkpoint().await.expect("sign");
    let (status, line) = to_witness(&witness_api, &add_checkpoint(0, &[], &first)).await;
    assert_eq!(status, StatusCode::OK, "{line}");
    let mut note = first.note.clone();
    let cosigned =
        shanzhi_domain::tlog::Note::parse(&format!("{}\n{line}", first.note.text)).expect("a signature line");
    note.add_signature(cosigned.signatures[0].clone());
    assert!(note.cosigned_by(&witness_key.verifier()).is_ok(), "a valid cosignature/v1");

    for i in 0..7 {
        log.store().append_audit(&AuditEntry::new("tester", "w", &format!("b{i}"))).await.expect("audit");
    }
    let (second, _) = log_app.sign_checkpoint().await.expect("sign");
    // The witness saw 5 leaves: "old 0" is answered with what it holds.
    let (status, body) = to_witness(&witness_api, &add_checkpoint(0, &[], &second)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let err: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(err["error"]["details"]["size"], first.checkpoint.size);
    // A wrong proof is refused; the right one is cosigned.
    let c = log_app.log_consistency(first.checkpoint.size, Some(second.checkpoint.size)).await.expect("proof");
    let proof: Vec<[u8; 32]> = c.proof.iter().map(|h| hash_from_hex(h).expect("hash")).collect();
    let mut wrong = proof.clone();
    wrong[0][0] ^= 1;
    let (status, body) = to_witness(&witness_api, &add_checkpoint(first.checkpoint.size, &wrong, &second)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = to_witness(&witness_api, &add_checkpoint(first.checkpoint.size, &proof, &second)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A checkpoint signed by someone else under the log's name, and garbage.
    let forger = SecretKey::from_seed("log.example/a", [9; 32]).expect("key");
    let forged = SignedCheckpoint::sign(second.checkpoint.clone(), &forger).expect("sign");
    let (status, body) = to_witness(&witness_api, &add_checkpoint(second.checkpoint.size, &[], &forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for garbage in ["", "old 1\n", "old x\n\nfoo\n", "old 01\n\na\n1\nAAAA\n\n— a AAAA\n"] {
        let (status, body) = to_witness(&witness_api, garbage).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{garbage:?}: {body}");
        let err: Value = serde_json::from_str(&body).expect("json error");
        assert_eq!(err["error"]["code"], "witness_request_invalid");
    }
    let stranger = SecretKey::from_seed("other.example/log", [3; 32]).expect("key");
    let unknown = shanzhi_domain::tlog::Checkpoint { origin: "other.example/log".into(), ..second.checkpoint.clone() };
    let unknown = SignedCheckpoint::sign(unknown, &stranger).expect("sign");
    let (status, _) = to_witness(&witness_api, &add_checkpoint(0, &[], &unknown)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a log this witness does not witness");
}
