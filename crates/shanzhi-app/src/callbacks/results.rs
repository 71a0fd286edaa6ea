//! Results back to 12345 (`GET /exports/hotline-results`, `shanzhi export
//! hotline-results`): one row per closure of an imported hotline order, in
//! the hotline's columns, after a cursor that only grows (the closing
//! entry's index in the transparency log). Reading from the last cursor
//! given gives every result once; the same cursor gives the same rows.

use shanzhi_domain::callback::results::{HotlineResult, RESULT_COLUMNS, hotline_result};
use shanzhi_domain::{Assignee, MatterId, Role};

use crate::access::Scoped;
use crate::figures::{csv_line, small_xlsx};
use crate::{AppError, AppResult};

/// Rows one call gives at most (the next call continues from the cursor).
pub const MAX_RESULTS: usize = 1_000;

/// One page of results and where the next begins.
#[derive(Debug, Clone)]
pub struct HotlineResults {
    pub rows: Vec<HotlineResult>,
    /// Give as `after` next time (the cursor given, when nothing is new).
    pub next_cursor: i64,
}

impl HotlineResults {
    /// CSV (RFC 4180, a header row, CRLF as the sheet exports).
    pub fn csv(&self) -> String {
        let mut out = String::new();
        csv_line(&mut out, RESULT_COLUMNS.iter().copied());
        for r in &self.rows {
            let cells = r.cells();
            csv_line(&mut out, cells.iter().map(String::as_str));
        }
        out
    }

    /// An XLSX workbook of the same rows.
    pub async fn xlsx(&self) -> AppResult<std::fs::File> {
        let headers = RESULT_COLUMNS.iter().map(|h| (*h).to_owned()).collect();
        let widths = vec![22.0, 10.0, 48.0, 26.0, 20.0, 10.0];
        let rows = self.rows.iter().map(|r| r.cells().to_vec()).collect();
        small_xlsx("办理结果", headers, widths, rows).await
    }
}

/// The cursor as given (`after`): a whole number ≥ 0.
pub fn parse_cursor(text: &str) -> AppResult<i64> {
    text.trim().parse::<i64>().ok().filter(|c| *c >= 0 && text.len() <= 19).ok_or_else(|| {
        AppError::bad_request(
            "invalid_cursor",
            format!("after 应为上次返回的游标（非负整数），而不是“{}”", text.chars().take(40).collect::<String>()),
            "after must be the cursor returned last time (a whole number ≥ 0)",
        )
    })
}

impl Scoped<'_> {
    /// The results after `after`, within the caller's divisions (a
    /// dispatcher's or an administrator's), at most `limit`.
    pub async fn hotline_results(&self, after: i64, limit: usize) -> AppResult<HotlineResults> {
        let within = self.callback_divisions(&[Role::Dispatcher, Role::Admin])?;
        let limit = limit.clamp(1, MAX_RESULTS);
        let closures = self.app.store.hotline_closures(after, within.as_deref(), limit).await?;
        let ids: Vec<MatterId> = closures.iter().filter_map(|c| MatterId::parse(&c.matter_id).ok()).collect();
        let matters = self.app.store.matters_by_ids(&ids).await?;
        let events = self.app.store.matter_events_of(&ids).await?;
        let dictionary = self.app.dictionary().await?;
        let communities: Vec<_> = matters.iter().map(|m| m.grid.community()).collect();
        let community_names = self.app.division_names(&communities).await?;
        let mut rows = Vec::with_capacity(closures.len());
        for c in &closures {
            let Some(m) = matters.iter().find(|m| m.id.as_str() == c.matter_id) else { continue };
            let timeline: Vec<_> =
                events.iter().filter(|(id, _)| id.as_str() == c.matter_id).map(|(_, e)| e.clone()).collect();
            // The unit that held it at the closure: replayed up to it.
            let unit = match assignee_at(m, &timeline, c.close_seq) {
                Some(Assignee::Department(d)) => {
                    dictionary.department_name(d.as_str()).map_or_else(|| d.to_string(), str::to_owned)
                }
                _ => {
                    let community = m.grid.community();
                    community_names.get(&community).cloned().unwrap_or_else(|| community.to_string())
                }
            };
            if let Some(r) = hotline_result(c.cursor, &c.external_ref, &timeline, c.close_seq, unit) {
                rows.push(r);
            }
        }
        let next_cursor = closures.last().map_or(after, |c| c.cursor);
        Ok(HotlineResults { rows, next_cursor })
    }
}

/// Who the matter was assigned to just after entry `seq`.
fn assignee_at(m: &shanzhi_domain::Matter, events: &[shanzhi_domain::MatterEvent], seq: i64) -> Option<Assignee> {
    let level = events.first().map(|e| shanzhi_domain::matter::report_level(&e.body))?;
    let commands: Vec<_> = events.iter().skip(1).filter(|e| e.seq <= seq).filter_map(|e| e.command()).collect();
    shanzhi_domain::Status::replay(level, commands.iter())
        .ok()
        .and_then(|s| s.assignee)
        .or_else(|| m.status.assignee.clone())
}
