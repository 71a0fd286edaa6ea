//! Reading timelines as record-export rows, a batch of matters at a time
//! (bounded memory however many matters a city has).

use shanzhi_domain::indicators::{TimelineRow, rows_of};
use shanzhi_domain::{DivisionCode, Line, Matter, MatterId, Micros};
use shanzhi_store::{MatterQuery, MatterScope, Store};

use crate::AppResult;
use crate::access::Scoped;

/// Matters per read.
pub(crate) const BATCH: usize = 500;

/// A keyset walk through a matter query, `query.limit` matters at a time,
/// newest first: the one way the figures and the exports page the store.
#[derive(Debug)]
pub(crate) struct MatterPages {
    query: MatterQuery,
    done: bool,
}

impl MatterPages {
    pub(crate) fn new(query: MatterQuery) -> Self {
        MatterPages { query, done: false }
    }

    /// The query, for counting what the walk will read.
    pub(crate) fn query(&self) -> &MatterQuery {
        &self.query
    }

    /// The next page; `None` at the end.
    pub(crate) async fn next(&mut self, store: &dyn Store) -> AppResult<Option<Vec<Matter>>> {
        if self.done {
            return Ok(None);
        }
        let matters = store.matters(&self.query).await?;
        // A short page is the last: no second read to learn there is none.
        if matters.len() < self.query.limit {
            self.done = true;
        }
        let Some(last) = matters.last() else { return Ok(None) };
        self.query.after = Some((last.reported_at, last.id.clone()));
        Ok(Some(matters))
    }
}

/// The matters in the caller's scope reported before `before`, newest
/// first, with their entries before `before`.
#[derive(Debug)]
pub(crate) struct TimelineReader {
    pages: MatterPages,
    before: Micros,
}

impl Scoped<'_> {
    /// Only matters that may still count on or after `active_since` (open
    /// now, or with an entry since) when it is given.
    pub(crate) fn timeline_reader(
        &self,
        within: Option<DivisionCode>,
        line: Option<Line>,
        before: Micros,
        active_since: Option<Micros>,
    ) -> TimelineReader {
        // Figures and the record are of the units in scope: a caller's own
        // reports elsewhere (which lists show them) count there, not here.
        let scope = MatterScope { reporter: None, ..self.matter_scope() };
        let query =
            MatterQuery { scope, within, line, to: Some(before), active_since, limit: BATCH, ..MatterQuery::default() };
        TimelineReader { pages: MatterPages::new(query), before }
    }
}

impl TimelineReader {
    /// The next batch: each matter's rows in timeline order; `None` at the end.
    pub(crate) async fn next_batch(&mut self, s: &Scoped<'_>) -> AppResult<Option<Vec<Vec<TimelineRow>>>> {
        let Some(matters) = self.pages.next(&*s.app.store).await? else { return Ok(None) };
        let ids: Vec<MatterId> = matters.iter().map(|m| m.id.clone()).collect();
        let mut events = s.app.store.matter_events_of(&ids).await?.into_iter().peekable();
        let mut out = Vec::with_capacity(matters.len());
        for m in &matters {
            let mut own = Vec::new();
            while let Some((_, e)) = events.next_if(|(id, _)| id == &m.id) {
                if e.at < self.before {
                    own.push(e);
                }
            }
            out.push(rows_of(m, &own));
        }
        Ok(Some(out))
    }
}
