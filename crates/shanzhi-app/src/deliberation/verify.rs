//! `audit verify` for deliberation: every vote's (and secret ballot's) hash
//! recomputed along the one chain of votes, and every community's fund ledger replayed (hashes,
//! links, and the books never negative). A vote or a ledger entry changed
//! in the database after it was written is named.

use serde::Serialize;
use shanzhi_domain::deliberation::ledger;
use shanzhi_domain::deliberation::{VOTE_GENESIS, ballot_hash, vote_hash};

use crate::{App, AppResult};

/// What the check found: counts, and one line per break.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliberationCheck {
    pub votes: u64,
    pub ledgers: u64,
    pub entries: u64,
    /// (zh, en) for each break found.
    pub problems: Vec<(String, String)>,
}

const PAGE: usize = 10_000;

pub async fn verify_deliberation(app: &App) -> AppResult<DeliberationCheck> {
    let mut out = DeliberationCheck::default();
    let mut prev = VOTE_GENESIS.to_owned();
    let mut after = 0i64;
    loop {
        let page = app.store.vote_chain(after, PAGE).await?;
        for v in &page {
            out.votes += 1;
            if v.seq != after + 1 || v.prev_hash != prev {
                out.problems.push((
                    format!("表决记录第 {} 条之前有记录缺失或被改写", v.seq),
                    format!("votes before vote {} are missing or were rewritten", v.seq),
                ));
            }
            // A secret ballot (no voter kept) is hashed without voter and time.
            let hash = if v.user_id.is_empty() {
                ballot_hash(&v.prev_hash, v.seq, &v.meeting_id, v.choice)
            } else {
                vote_hash(&v.prev_hash, v.seq, v.at, &v.meeting_id, &v.user_id, v.choice)
            };
            if hash != v.hash {
                out.problems.push((
                    format!("表决记录第 {} 条（会议 {}）在记录后被改动", v.seq, v.meeting_id),
                    format!("vote {} (meeting {}) was changed after it was cast", v.seq, v.meeting_id),
                ));
            }
            prev = v.hash.clone();
            after = v.seq;
        }
        if page.len() < PAGE {
            break;
        }
    }
    for community in app.store.ledger_communities().await? {
        let entries = app.store.ledger(&community).await?;
        out.ledgers += 1;
        out.entries += entries.len() as u64;
        if let Err((seq, why)) = ledger::verify(&entries) {
            out.problems.push((
                format!("社区 {community} 的资金台账第 {seq} 条：{}", why.zh),
                format!("the fund ledger of community {community}, entry {seq}: {}", why.en),
            ));
        }
    }
    Ok(out)
}
