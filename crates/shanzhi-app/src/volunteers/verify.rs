//! `audit verify` for 公益积分: every resident's points ledger replayed
//! (numbers, links, hashes, balances recomputed and never negative).

use serde::Serialize;
use shanzhi_domain::volunteer::replay_points;

use crate::{App, AppResult};

/// What the check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PointsCheck {
    pub ledgers: u64,
    pub entries: u64,
    /// (zh, en) for each break found.
    pub problems: Vec<(String, String)>,
}

pub async fn verify_points(app: &App) -> AppResult<PointsCheck> {
    let mut out = PointsCheck::default();
    for user in app.store.points_users(10_000_000).await? {
        let entries = app.store.points(&user, 100_000_000).await?;
        out.ledgers += 1;
        out.entries += entries.len() as u64;
        if let Err((seq, why)) = replay_points(&user, &entries) {
            out.problems.push((
                format!("居民 {user} 的积分台账第 {seq} 条：{}", why.zh),
                format!("the points ledger of resident {user}, entry {seq}: {}", why.en),
            ));
        }
    }
    Ok(out)
}
