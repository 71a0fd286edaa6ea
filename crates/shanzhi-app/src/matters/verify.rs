//! `shanzhi audit verify` for matters: every timeline's hash chain, and that
//! replaying its commands reproduces the stored status.

use serde::Serialize;
use shanzhi_domain::{Command, Level, Status};
use shanzhi_store::{MatterQuery, MatterScope, check_chain};

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
            let mut problem =
                check_chain(&m.id, &events).err().map(|i| format!("timeline entry {i} was changed, removed or moved"));
            let mut commands = Vec::new();
            let mut level = Level::Community;
            for (i, e) in events.iter().enumerate() {
                if problem.is_some() {
                    break;
                }
                if i == 0 {
                    level = first_level(&e.body);
                } else {
                    match serde_json::from_str::<Command>(&e.body) {
                        Ok(c) => commands.push(c),
                        Err(_) => problem = Some(format!("timeline entry {} cannot be read", i + 1)),
                    }
                }
            }
            if problem.is_none() {
                let last = events.last().map(|e| e.hash.as_str()).unwrap_or_default();
                if last != m.last_hash || events.len() as i64 != m.event_count {
                    problem = Some("the stored matter does not end where its timeline ends".to_owned());
                } else {
                    match Status::replay(level, &commands) {
                        Ok(s) if s == m.status => {}
                        Ok(_) => problem = Some("replaying the timeline gives another status".to_owned()),
                        Err(_) => problem = Some("the timeline holds a command that does not fit".to_owned()),
                    }
                }
            }
            if let Some(p) = problem {
                out.broken.push((m.number.clone(), p));
            }
        }
    }
    Ok(out)
}

/// The level a matter started at, as its report recorded it.
pub(crate) fn first_level(report: &str) -> Level {
    serde_json::from_str::<serde_json::Value>(report)
        .ok()
        .and_then(|v| v.get("level").cloned())
        .and_then(|l| serde_json::from_value(l).ok())
        .unwrap_or(Level::Community)
}
