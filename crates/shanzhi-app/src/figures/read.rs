//! Reading timelines as record-export rows, a batch of matters at a time
//! (bounded memory however many matters a city has).

use std::sync::Arc;

use shanzhi_domain::indicators::{TimelineRow, rows_of};
use shanzhi_domain::{DivisionCode, Line, Matter, MatterEvent, MatterId, Micros};
use shanzhi_store::{MatterQuery, MatterScope, Store, StoreError};
use tokio::task::JoinHandle;

use crate::access::Scoped;
use crate::{AppError, AppResult};

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

/// One page of matters with their timelines, as the store gave them.
type Page = (Vec<Matter>, Vec<(MatterId, MatterEvent)>);

/// A read of the next page running beside the caller's work on this one:
/// the walk comes back with it, to go on from where it stopped.
type Prefetch = JoinHandle<AppResult<(MatterPages, Option<Page>)>>;

/// The matters in the caller's scope reported before `before`, newest
/// first, with their entries before `before`. While the caller turns one
/// page into rows, the next is read (the store's worker and the caller's
/// thread each busy, not taking turns): the export's rate nearly doubles.
#[derive(Debug)]
pub(crate) struct TimelineReader {
    store: Arc<dyn Store>,
    /// The walk, when no read of it is running.
    pages: Option<MatterPages>,
    next: Option<Prefetch>,
    before: Micros,
}

impl Drop for TimelineReader {
    /// An export given up (the client went away) stops reading.
    fn drop(&mut self) {
        if let Some(next) = self.next.take() {
            next.abort();
        }
    }
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
        TimelineReader { store: self.app.store.clone(), pages: Some(MatterPages::new(query)), next: None, before }
    }
}

/// Read the walk's next page and its timelines.
async fn read_page(store: Arc<dyn Store>, mut pages: MatterPages) -> AppResult<(MatterPages, Option<Page>)> {
    let Some(matters) = pages.next(&*store).await? else { return Ok((pages, None)) };
    let ids: Vec<MatterId> = matters.iter().map(|m| m.id.clone()).collect();
    let events = store.matter_events_of(&ids).await?;
    Ok((pages, Some((matters, events))))
}

impl TimelineReader {
    fn start_read(&mut self) {
        if let Some(pages) = self.pages.take() {
            self.next = Some(tokio::spawn(read_page(self.store.clone(), pages)));
        }
    }

    /// The next batch: each matter's rows in timeline order; `None` at the end.
    pub(crate) async fn next_batch(&mut self) -> AppResult<Option<Vec<Vec<TimelineRow>>>> {
        let Some(page) = self.next_timelines().await? else { return Ok(None) };
        Ok(Some(page.iter().map(|(m, own)| rows_of(m, own)).collect()))
    }

    /// The next batch as each matter with its entries before `before`, in
    /// timeline order; `None` at the end.
    pub(crate) async fn next_timelines(&mut self) -> AppResult<Option<Vec<(Matter, Vec<MatterEvent>)>>> {
        if self.next.is_none() {
            self.start_read();
        }
        let Some(next) = self.next.take() else { return Ok(None) };
        // A read that panicked is a fault of the store's (the only work in it).
        let (pages, page) =
            next.await.map_err(|e| AppError::Store(StoreError::Database(format!("timeline read: {e}"))))??;
        let Some((matters, events)) = page else { return Ok(None) };
        self.pages = Some(pages);
        self.start_read();
        let mut events = events.into_iter().peekable();
        let mut out = Vec::with_capacity(matters.len());
        for m in matters {
            let mut own = Vec::new();
            while let Some((_, e)) = events.next_if(|(id, _)| id == &m.id) {
                if e.at < self.before {
                    own.push(e);
                }
            }
            out.push((m, own));
        }
        Ok(Some(out))
    }
}
