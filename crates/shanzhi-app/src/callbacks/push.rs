//! Results back to 12345 through a webhook: a worker reads the hotline
//! results after a stored cursor (the same rows and cursor as
//! `GET /exports/hotline-results`), `POST`s them as one signed JSON batch and
//! moves the cursor on only after a 2xx answer, from the value it read. A
//! crash or a refusal resends the same batch (same `Idempotency-Key`, same
//! rows, each with its 工单编号 and cursor), so a receiver that de-duplicates
//! sees every result once; after a success nothing is sent again.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use shanzhi_domain::callback::results::RESULT_COLUMNS;
use shanzhi_domain::notify::backoff_seconds;

use super::results::HotlineResults;
use crate::access::Actor;
use crate::notify::sign_webhook;
use crate::{App, AppError, AppResult};

/// The cursor's name in the store.
pub const RESULTS_PUSH: &str = "hotline_results";

/// Where results are pushed.
#[derive(Clone)]
pub struct ResultsPushConfig {
    pub url: String,
    pub secret: String,
    pub timeout: Duration,
    /// Results per batch (at most [`super::results::MAX_RESULTS`]).
    pub batch: usize,
    /// Pause between rounds when nothing was new.
    pub interval: Duration,
}

impl std::fmt::Debug for ResultsPushConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("ResultsPushConfig").field("url", &self.url).field("batch", &self.batch).finish_non_exhaustive()
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PushRound {
    /// Nothing after the cursor.
    Idle,
    /// `rows` results accepted; the cursor moved to `cursor`.
    Sent { rows: usize, cursor: i64 },
    /// Accepted, but another server had moved the cursor meanwhile.
    Overtaken,
}

/// The batch's JSON: `{"from", "next_cursor", "results": [{"工单编号", …, "cursor"}]}`.
fn batch_body(from: i64, page: &HotlineResults) -> String {
    let results: Vec<serde_json::Value> = page
        .rows
        .iter()
        .map(|r| {
            let mut row: serde_json::Map<String, serde_json::Value> = RESULT_COLUMNS
                .iter()
                .zip(r.cells())
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v)))
                .collect();
            row.insert("cursor".to_owned(), r.cursor.into());
            serde_json::Value::Object(row)
        })
        .collect();
    serde_json::json!({"from": from, "next_cursor": page.next_cursor, "results": results}).to_string()
}

impl App {
    /// One round: the results after the stored cursor, pushed as one batch.
    /// `Err` when the receiver refused or could not be reached (the cursor
    /// stays; the same batch goes again next time).
    pub async fn push_results_once(
        &self,
        config: &ResultsPushConfig,
        client: &reqwest::Client,
    ) -> AppResult<PushRound> {
        let from = self.store.push_cursor(RESULTS_PUSH).await?;
        let system = self.scoped(Actor::system("results-webhook"));
        let page = system.hotline_results(from, config.batch).await?;
        if page.next_cursor == from {
            return Ok(PushRound::Idle);
        }
        if !page.rows.is_empty() {
            let body = batch_body(from, &page);
            let signature = sign_webhook(config.secret.as_bytes(), jiff::Timestamp::now().as_second(), body.as_bytes());
            let failed = |e: String| AppError::internal(format!("结果推送失败 (results push failed): {e}"));
            let resp = client
                .post(&config.url)
                .timeout(config.timeout)
                .header("content-type", "application/json; charset=utf-8")
                .header("idempotency-key", format!("hotline-results:{from}-{}", page.next_cursor))
                .header("x-next-cursor", page.next_cursor.to_string())
                .header("x-shanzhi-signature", signature)
                .body(body)
                .send()
                .await
                .map_err(|e| failed(e.to_string()))?;
            if !resp.status().is_success() {
                return Err(failed(format!("HTTP {}", resp.status().as_u16())));
            }
        }
        let moved = self.store.advance_push_cursor(RESULTS_PUSH, from, page.next_cursor, self.now_micros()).await?;
        Ok(if moved {
            PushRound::Sent { rows: page.rows.len(), cursor: page.next_cursor }
        } else {
            PushRound::Overtaken
        })
    }
}

/// Push until `shutdown` resolves: at once again after a batch, `interval`
/// when idle, and after a failure a backoff of 30 s doubling to an hour.
pub async fn run_results_push(app: App, config: ResultsPushConfig, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let client = reqwest::Client::new();
    let mut failures = 0_i64;
    loop {
        let pause = match app.push_results_once(&config, &client).await {
            Ok(PushRound::Sent { rows, cursor }) => {
                failures = 0;
                tracing::info!(rows, cursor, "hotline results pushed");
                Duration::ZERO
            }
            Ok(PushRound::Overtaken) => Duration::ZERO,
            Ok(PushRound::Idle) => {
                failures = 0;
                config.interval
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "hotline results push failed; retrying");
                Duration::from_secs(u64::try_from(backoff_seconds(failures)).unwrap_or(3600))
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
}
