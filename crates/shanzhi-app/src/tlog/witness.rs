//! Witnessing (`c2sp.org/tlog-witness`): a log sends its new checkpoint with
//! a consistency proof from the size the witness saw last; the witness
//! checks the log's signature and the proof, remembers the new size and
//! answers with its cosignature (`cosignature/v1`). A Shanzhi instance can
//! be a witness (`witness_for`: the keys of the logs it accepts) and sends
//! its own checkpoints to the witnesses it is configured with.
//!
//! The request body: `old <size>\n`, one base64 proof hash per line, a blank
//! line, the signed checkpoint.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::tlog::{Hash, Note, NoteSignature, SignedCheckpoint, cosign, verify_consistency};

use crate::{App, AppError, AppResult};

/// Largest witness request read (a checkpoint and a proof of 64 hashes).
pub const MAX_WITNESS_REQUEST: usize = 16 * 1024;

/// A parsed `add-checkpoint` request.
#[derive(Debug, Clone)]
pub struct WitnessRequest {
    pub old: u64,
    pub proof: Vec<Hash>,
    pub checkpoint: SignedCheckpoint,
}

fn malformed(what: &str) -> AppError {
    AppError::bad_request(
        "witness_request_invalid",
        format!("见证请求格式无效：{what}"),
        format!("malformed witness request: {what}"),
    )
}

pub fn parse_witness_request(body: &str) -> AppResult<WitnessRequest> {
    if body.len() > MAX_WITNESS_REQUEST {
        return Err(malformed("too long"));
    }
    let (head, note) = body.split_once("\n\n").ok_or_else(|| malformed("no blank line before the checkpoint"))?;
    let mut lines = head.lines();
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n.len() == 1 || !n.starts_with('0')))
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| malformed("the first line is “old <size>”"))?;
    let proof = lines
        .map(|l| STANDARD.decode(l).ok().and_then(|h| Hash::try_from(h).ok()).ok_or_else(|| malformed("a proof line")))
        .collect::<AppResult<Vec<Hash>>>()?;
    if proof.len() > 64 {
        return Err(malformed("a proof of more than 64 hashes"));
    }
    let checkpoint = SignedCheckpoint::parse(note).map_err(|e| malformed(&e.to_string()))?;
    Ok(WitnessRequest { old, proof, checkpoint })
}

fn conflict(size: u64) -> AppError {
    AppError::Conflict {
        code: "witness_size_mismatch",
        message: Bilingual::new(
            format!("见证方上次看到的日志为 {size} 条，请附上从 {size} 条起的一致性证明"),
            format!("the witness last saw {size} leaves; send a consistency proof from {size}"),
        ),
        details: Some(serde_json::json!({ "size": size })),
    }
}

impl App {
    /// Cosign another log's checkpoint if it extends what this witness saw
    /// of that log. Answers the cosignature line.
    pub async fn witness(&self, req: &WitnessRequest) -> AppResult<String> {
        let cp = &req.checkpoint.checkpoint;
        let key = self.log.witness_for.iter().find(|k| k.name == cp.origin).ok_or_else(|| {
            AppError::not_found(
                "witness_unknown_log",
                format!("本见证方不见证日志 {}", cp.origin),
                format!("this witness does not witness {}", cp.origin),
            )
        })?;
        req.checkpoint.verify(key).map_err(|e| {
            AppError::Forbidden(Bilingual::new(
                format!("检查点签名无效：{e}"),
                format!("the checkpoint's signature does not verify: {e}"),
            ))
        })?;
        let seen = self.store.witnessed(&cp.origin).await?;
        let seen_size = seen.as_ref().map_or(0, |(s, _)| *s);
        if req.old != seen_size {
            return Err(conflict(seen_size));
        }
        if cp.size < seen_size {
            return Err(AppError::bad_request(
                "witness_rollback",
                format!("检查点的 {} 条少于此前见过的 {seen_size} 条", cp.size),
                format!("the checkpoint's {} leaves are fewer than the {seen_size} seen before", cp.size),
            ));
        }
        let old_root = match &seen {
            Some((_, note)) => {
                SignedCheckpoint::parse(note).map_err(|e| AppError::internal(e.to_string()))?.checkpoint.root
            }
            None => cp.root,
        };
        if seen.is_some() {
            verify_consistency(seen_size, cp.size, &old_root, &cp.root, &req.proof).map_err(|e| AppError::Invalid {
                code: "witness_inconsistent",
                message: Bilingual::new(
                    format!("一致性证明不成立：该日志与此前见过的 {seen_size} 条不一致（{e}）"),
                    format!(
                        "the consistency proof fails: the log does not extend the {seen_size} leaves seen before ({e})"
                    ),
                ),
            })?;
        }
        if !self
            .store
            .put_witnessed(&cp.origin, seen.as_ref().map(|(s, _)| *s), cp.size, &req.checkpoint.to_text())
            .await?
        {
            let now = self.store.witnessed(&cp.origin).await?.map_or(0, |(s, _)| s);
            return Err(conflict(now));
        }
        let signer = self.log.signer.as_ref().ok_or_else(|| {
            AppError::Unavailable(shanzhi_store::StoreError::Unavailable("this witness has no key".to_owned()))
        })?;
        let at = u64::try_from(self.now().as_second()).unwrap_or(0);
        let sig =
            cosign(signer.as_ref(), at, &req.checkpoint.note.text).map_err(|e| AppError::internal(e.to_string()))?;
        tracing::info!(origin = %cp.origin, size = cp.size, "witnessed a checkpoint");
        Ok(sig.to_line())
    }

    /// Send `signed` to the witness at `url`; its cosignature lines.
    pub(crate) async fn send_to_witness(&self, url: &str, signed: &SignedCheckpoint) -> AppResult<Vec<NoteSignature>> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| AppError::internal(e.to_string()))?;
        let mut old = 0u64;
        for _ in 0..2 {
            let proof = if old == 0 {
                Vec::new()
            } else {
                self.log_consistency(old, Some(signed.checkpoint.size)).await?.proof
            };
            let mut body = format!("old {old}\n");
            for p in &proof {
                let bytes = shanzhi_domain::tlog::hash_from_hex(p).map_err(|e| AppError::internal(e.to_string()))?;
                body.push_str(&STANDARD.encode(bytes));
                body.push('\n');
            }
            body.push('\n');
            body.push_str(&signed.to_text());
            let resp = client
                .post(url)
                .header("content-type", "text/plain; charset=utf-8")
                .body(body)
                .send()
                .await
                .map_err(|e| AppError::internal(format!("witness {url}: {e}")))?;
            let status = resp.status().as_u16();
            let text = resp.text().await.map_err(|e| AppError::internal(format!("witness {url}: {e}")))?;
            match status {
                200 => {
                    let note = Note::parse(&format!("{}\n{text}", signed.note.text))
                        .map_err(|e| AppError::internal(format!("witness {url}: {e}")))?;
                    return Ok(note.signatures);
                }
                409 => {
                    // The C2SP answer is the size as text; Shanzhi's is JSON.
                    let size = text.trim().parse::<u64>().ok().or_else(|| {
                        serde_json::from_str::<serde_json::Value>(&text).ok()?["error"]["details"]["size"].as_u64()
                    });
                    match size {
                        Some(s) if s != old && s <= signed.checkpoint.size => old = s,
                        _ => return Err(AppError::internal(format!("witness {url} answered 409: {text}"))),
                    }
                }
                _ => return Err(AppError::internal(format!("witness {url} answered {status}: {text}"))),
            }
        }
        Err(AppError::internal(format!("witness {url}: no agreement on the old size")))
    }
}
