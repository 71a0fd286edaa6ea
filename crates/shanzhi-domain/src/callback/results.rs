//! Results back to 12345: one row per closure (or rejection) of an imported
//! hotline order, in the hotline's own columns, names not codes
//! (docs/callbacks.md). The rows are ordered by a cursor that only grows
//! (the closing entry's place in the transparency log), so a caller that
//! keeps the last cursor reads every result once.

use crate::indicators::record::export_time;
use crate::instant::Micros;
use crate::matter::{Command, MatterEvent, MatterState, Rating};

/// The export's columns, in order (the hotline's format).
pub const RESULT_COLUMNS: [&str; 6] = ["工单编号", "办理结果", "回复内容", "办结时间", "承办单位", "满意度"];

/// One result as the hotline takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineResult {
    /// Where the next read continues after this row.
    pub cursor: i64,
    /// The hotline's 工单编号.
    pub order: String,
    /// 办理结果: 已办结 or 不予受理.
    pub outcome: &'static str,
    /// 回复内容: the handler's result, or the reason for the rejection.
    pub reply: String,
    /// 办结时间.
    pub closed_at: Micros,
    /// 承办单位 (a name).
    pub unit: String,
    /// 满意度: the latest call-back answer or rating after the closure.
    pub satisfaction: Option<Rating>,
}

/// 满意 / 基本满意 / 不满意.
pub fn rating_zh(r: Rating) -> &'static str {
    match r {
        Rating::Satisfied => "满意",
        Rating::BasicallySatisfied => "基本满意",
        Rating::Unsatisfied => "不满意",
    }
}

/// The result of the closing entry `close_seq` of a matter whose timeline
/// is `events` (oldest first); `None` when that entry is no closure.
pub fn hotline_result(
    cursor: i64,
    order: &str,
    events: &[MatterEvent],
    close_seq: i64,
    unit: String,
) -> Option<HotlineResult> {
    let close = events.iter().find(|e| e.seq == close_seq)?;
    let before = events.iter().filter(|e| e.seq <= close_seq).rev();
    let (outcome, reply) = match close.to_state {
        MatterState::Closed => {
            let reply = before
                .filter_map(MatterEvent::command)
                .find_map(|c| match c {
                    Command::Respond { text } | Command::SelfHandle { text } => Some(text),
                    _ => None,
                })
                .unwrap_or_default();
            ("已办结", reply)
        }
        MatterState::Rejected => {
            let reason = match close.command() {
                Some(Command::Reject { reason }) => reason,
                _ => String::new(),
            };
            ("不予受理", reason)
        }
        _ => return None,
    };
    let satisfaction =
        events.iter().filter(|e| e.seq > close_seq).filter_map(MatterEvent::command).fold(None, |found, c| match c {
            Command::Rate { rating, .. } => Some(rating),
            Command::Callback { answers: Some(a), .. } => Some(a.satisfaction),
            // A reopening starts over: the next closure brings its own row.
            Command::Reopen { .. } => None,
            _ => found,
        });
    Some(HotlineResult { cursor, order: order.to_owned(), outcome, reply, closed_at: close.at, unit, satisfaction })
}

impl HotlineResult {
    /// The cells, in [`RESULT_COLUMNS`] order (办结时间 RFC 3339, `+08:00`).
    pub fn cells(&self) -> [String; 6] {
        [
            self.order.clone(),
            self.outcome.to_owned(),
            self.reply.clone(),
            export_time(self.closed_at),
            self.unit.clone(),
            self.satisfaction.map(rating_zh).unwrap_or_default().to_owned(),
        ]
    }
}
