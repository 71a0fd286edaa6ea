//! The timelines of many matters at once (the record export, the figures,
//! the kept parts' refresh): the entries of a chunk of matters joined into one
//! text by the database (`string_agg` of `concat_ws`, in SQLite since 3.44
//! and in PostgreSQL), split again here. A row handed over from SQLite's connection
//! thread to the caller costs more than the row itself; one row per chunk
//! instead of one per entry took the record export of 60,000 matters from
//! 10.6 s to 4.4 s (with SQLite's larger row buffer; `benches/figures.rs`).
//!
//! Cells are joined by U+001F and entries by U+001E, which no cell holds:
//! bodies are JSON (control characters escaped), the rest codes, names,
//! numbers and hashes. A text that does not split into whole entries (a cell
//! that held one after all) is read again entry by entry.

use shanzhi_domain::{MatterEvent, MatterId};
use shanzhi_store::StoreResult;
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{Pool, QueryBuilder};

use super::rows::{EVENT_CELLS, EVENT_COLUMNS, EventRow};
use crate::fragments::push_list;
use crate::map_err;

const CELL: char = '\u{1f}';
const ENTRY: char = '\u{1e}';

#[derive(SqlRow)]
struct JoinedRow {
    joined: Option<String>,
}

/// The entries of these matters (at most a chunk of them: their ids are
/// bound), in no particular order: the caller puts each matter's in order
/// (an ordered aggregate would sort them once more in the database).
#[sql_bounds]
pub(super) async fn events_of<DB>(pool: &Pool<DB>, ids: &[MatterId]) -> StoreResult<Vec<(String, MatterEvent)>> {
    // Each cell as text, NULL as empty (no state, stage or deadline is empty).
    let cells: Vec<String> = EVENT_COLUMNS
        .split(", ")
        .map(|c| match c {
            "seq" | "at" => format!("CAST({c} AS TEXT)"),
            "deadline_at" => format!("COALESCE(CAST({c} AS TEXT), '')"),
            "from_state" | "stage" => format!("COALESCE({c}, '')"),
            c => c.to_owned(),
        })
        .collect();
    // One call joins an entry's cells: a chain of `||` made a new string per
    // cell (on SQLite, an allocation under its memory mutex each), which was
    // most of the database thread's work in the export.
    let entry = format!("concat_ws('{CELL}', {})", cells.join(", "));
    let mut q = QueryBuilder::<DB>::new(format!(
        "SELECT string_agg({entry}, '{ENTRY}') AS joined FROM matter_events WHERE matter_id IN "
    ));
    push_list(&mut q, ids.iter().map(|id| id.as_str().to_owned()));
    let row = q.build_query_as::<JoinedRow>().fetch_one(pool).await.map_err(map_err)?;
    let Some(joined) = row.joined else { return Ok(Vec::new()) };
    match split(&joined) {
        Some(rows) => rows.into_iter().map(|r| Ok((r.matter_id.clone(), MatterEvent::try_from(r)?))).collect(),
        None => one_by_one(pool, ids).await,
    }
}

/// The entries of the joined text; `None` if it does not split into whole entries.
fn split(joined: &str) -> Option<Vec<EventRow>> {
    joined
        .split(ENTRY)
        .map(|entry| {
            let cells: Vec<&str> = entry.split(CELL).collect();
            let cells: [&str; EVENT_CELLS] = cells.try_into().ok()?;
            EventRow::of_cells(cells)
        })
        .collect()
}

/// The same entries read a row at a time.
#[sql_bounds]
async fn one_by_one<DB>(pool: &Pool<DB>, ids: &[MatterId]) -> StoreResult<Vec<(String, MatterEvent)>> {
    let mut q = QueryBuilder::<DB>::new(format!("SELECT {EVENT_COLUMNS} FROM matter_events WHERE matter_id IN "));
    push_list(&mut q, ids.iter().map(|id| id.as_str().to_owned()));
    let rows = q.build_query_as::<EventRow>().fetch_all(pool).await.map_err(map_err)?;
    rows.into_iter().map(|r| Ok((r.matter_id.clone(), MatterEvent::try_from(r)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, seq: i64, body: &str, stage: &str, deadline: &str) -> String {
        let cells = [
            id,
            &seq.to_string(),
            "1000",
            "u1",
            "dispatcher",
            "accept",
            body,
            "",
            "filed",
            "",
            "p",
            "h",
            stage,
            deadline,
        ];
        cells.join(&CELL.to_string())
    }

    #[test]
    fn joined_entries_split_into_rows_and_a_stray_separator_is_noticed() {
        assert_eq!(EVENT_COLUMNS.split(", ").count(), EVENT_CELLS, "a cell per column");
        let joined =
            [entry("m1", 1, "{}", "", ""), entry("m1", 2, "{\"a\":1}", "dispatch", "2000")].join(&ENTRY.to_string());
        let rows = split(&joined).expect("whole entries");
        assert_eq!(rows.len(), 2);
        let second = MatterEvent::try_from(rows.into_iter().nth(1).expect("two")).expect("an entry");
        assert_eq!(
            (second.seq, second.body.as_str(), second.mark.deadline.map(|d| d.get())),
            (2, "{\"a\":1}", Some(2000))
        );
        assert!(second.from_state.is_none() && second.mark.stage.is_some());
        // A cell holding a separator: read again row by row, never misread.
        for stray in [CELL, ENTRY] {
            let body = format!("{{\"note\":\"a{stray}b\"}}");
            assert!(split(&entry("m1", 1, &body, "", "")).is_none(), "{stray:?}");
        }
        assert!(split(&entry("m1", 1, "{}", "", "soon")).is_none(), "a deadline that is no number");
    }
}
