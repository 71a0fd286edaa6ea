//! The record export (`shanzhi export timeline`, `GET /exports/timeline`):
//! CSV, UTF-8, one row per timeline entry of every matter in scope reported
//! before `to`, produced a batch of matters at a time so that a city's year
//! streams in bounded memory. docs/timeline-export.md describes the columns.

use shanzhi_domain::indicators::record::{COLUMNS, csv_header, write_rows_csv};
use shanzhi_domain::{DivisionCode, Micros};

use super::read::TimelineReader;
use crate::AppResult;
use crate::access::Scoped;

impl Scoped<'_> {
    /// Entries before `to` (default: now) of the matters in scope reported
    /// before it; with `from`, only matters still open on `from` or with an
    /// entry since (each still with its whole timeline, so that runs begun
    /// earlier can be judged).
    pub fn timeline_export(
        &self,
        from: Option<Micros>,
        to: Option<Micros>,
        within: Option<DivisionCode>,
    ) -> AppResult<TimelineExport> {
        self.may_read_figures()?;
        let to = to.unwrap_or_else(|| self.app.now_micros());
        let reader = self.timeline_reader(within, None, to, from);
        Ok(TimelineExport::new(reader))
    }
}

/// A running export: call [`TimelineExport::next_chunk`] until it gives `None`.
#[derive(Debug)]
pub struct TimelineExport {
    reader: TimelineReader,
    header: bool,
    rows: u64,
}

impl TimelineExport {
    fn new(reader: TimelineReader) -> Self {
        TimelineExport { reader, header: true, rows: 0 }
    }

    /// The next piece of the file (the header first); `None` at the end.
    pub async fn next_chunk(&mut self) -> AppResult<Option<String>> {
        let mut out = String::new();
        if self.header {
            self.header = false;
            out.push_str(&csv_header());
        }
        match self.reader.next_timelines().await? {
            Some(batch) => {
                for (m, events) in &batch {
                    self.rows += write_rows_csv(m, events, &mut out) as u64;
                }
                Ok(Some(out))
            }
            None if out.is_empty() => Ok(None),
            None => Ok(Some(out)),
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The columns, in order.
    pub fn columns() -> &'static [&'static str] {
        &COLUMNS
    }
}
