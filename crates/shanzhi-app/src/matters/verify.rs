//! `shanzhi audit verify` for matters: every timeline's hash chain, and that
//! replaying its commands reproduces the stored status.

use serde::Serialize;
use shanzhi_store::{MatterQuery, MatterScope};

use crate::{App, AppResult};

/// A matter whose record does not add up.
#[derive(Debug, Clone, Serialize)]
pub struct MatterVerification {
    pub matters: usize,
    pub events: usize,
    /// (matter number, what is wrong).
    pub broken: Vec<(String, String)>,
}

pub async fn verify_matter_chains(app: &App) -> AppResult<MatterVerification> {
    let mut out = MatterVerification { matters: 0, events: 0, broken: Vec::new() };
    let mut query = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        limit: 500,
        ..MatterQuery::default()
    };
    loop {
        let page = app.store.matters(&query).await?;
        let Some(last) = page.last() else { break };
        query.after = Some((last.reported_at, last.id.clone()));
        for m in &page {
            out.matters += 1;
            let events = app.store.matter_events(&m.id).await?;
            out.events += events.len();
            if let Err(problem) = m.verify(&events) {
                out.broken.push((m.number.clone(), problem.to_string()));
            }
        }
    }
    Ok(out)
}
