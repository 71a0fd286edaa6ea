//! The export, read as plain strings.

use jiff::Timestamp;
use shanzhi_app::access::Actor;
use shanzhi_domain::{DivisionCode, Micros};
use shanzhi_testkit::TestApp;

/// The columns the issue fixes, in its order, then those added at the end
/// since (`contacted`: issue 18's call-backs): the file's header line.
const HEADER: &str = concat!(
    "number,matter_id,seq,at,command,actor_role,from_state,to_state,category,line,channel,",
    "district,town,community,grid,holder_kind,holder_code,stage,deadline_at,rating,passed,contacted",
);

/// One CSV row, as text (times parsed).
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) number: String,
    pub(super) seq: i64,
    pub(super) at: Timestamp,
    pub(super) command: String,
    pub(super) from_state: String,
    pub(super) to_state: String,
    pub(super) category: String,
    pub(super) line: String,
    pub(super) channel: String,
    pub(super) district: String,
    pub(super) town: String,
    pub(super) community: String,
    pub(super) grid: String,
    pub(super) holder_kind: String,
    pub(super) holder_code: String,
    pub(super) stage: String,
    pub(super) deadline_at: Option<Timestamp>,
    pub(super) rating: String,
    pub(super) passed: String,
}

impl Row {
    pub(super) fn holder(&self) -> Option<(&str, &str)> {
        (!self.holder_kind.is_empty()).then_some((self.holder_kind.as_str(), self.holder_code.as_str()))
    }
}

fn beijing(text: &str) -> Timestamp {
    assert!(text.ends_with("+08:00"), "times are written in China's offset: {text}");
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The export's matters (by id, in file order), each with its rows in seq order.
pub(super) fn parse_export(text: &str) -> Vec<(String, Vec<Row>)> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<&str> = reader.headers().expect("a header").iter().collect();
    assert_eq!(header.join(","), HEADER, "the columns the issue fixes, in its order");
    let mut out: Vec<(String, Vec<Row>)> = Vec::new();
    for record in reader.records() {
        let r = record.expect("a CSV record");
        let c = |i: usize| r.get(i).expect("every column").to_owned();
        let id = c(1);
        let row = Row {
            number: c(0),
            seq: c(2).parse().expect("seq"),
            at: beijing(&c(3)),
            command: c(4),
            from_state: c(6),
            to_state: c(7),
            category: c(8),
            line: c(9),
            channel: c(10),
            district: c(11),
            town: c(12),
            community: c(13),
            grid: c(14),
            holder_kind: c(15),
            holder_code: c(16),
            stage: c(17),
            deadline_at: Some(c(18)).filter(|d| !d.is_empty()).map(|d| beijing(&d)),
            rating: c(19),
            passed: c(20),
        };
        match out.last_mut() {
            Some((last, rows)) if *last == id => rows.push(row),
            _ => {
                assert!(out.iter().all(|(m, _)| *m != id), "a matter's rows are together");
                out.push((id, vec![row]));
            }
        }
    }
    for (id, rows) in &out {
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let expected: Vec<i64> = (1..=rows.len() as i64).collect();
        assert_eq!(seqs, expected, "{id}: entries 1, 2, … in order");
    }
    out
}

/// The export `[from, to)` (default: everything until now) as `actor` (default: the operator).
pub(super) async fn export(t: &TestApp, actor: Option<&Actor>, from: Option<Micros>, to: Option<Micros>) -> String {
    export_within(t, actor, from, to, None).await
}

pub(super) async fn export_within(
    t: &TestApp,
    actor: Option<&Actor>,
    from: Option<Micros>,
    to: Option<Micros>,
    within: Option<DivisionCode>,
) -> String {
    let scoped = match actor {
        Some(a) => t.app().scoped(a.clone()),
        None => t.operator().scoped("test"),
    };
    let mut e = scoped.timeline_export(from, to, within).expect("export");
    let mut text = String::new();
    while let Some(chunk) = e.next_chunk().await.expect("chunk") {
        text.push_str(&chunk);
    }
    text
}
