//! The figures kept ready: stale matters' parts recomputed from their whole
//! record (shanzhi_domain::indicators::parts) and summed by the store. The
//! sweep's leader keeps them fresh; a figure query refreshes what is left,
//! or — when too much is stale (a store just migrated) or the caller's
//! scope is not a set of divisions — reads the timelines as before. Both
//! ways give the same figures; the tests hold them to it. By grid workers
//! the store sums by the grid that held the matter, and each grid's sums go
//! to its workers on the last day counted, as the timelines' reading does.

use std::collections::HashMap;

use shanzhi_domain::indicators::parts::parts_of;
use shanzhi_domain::indicators::{Tallies, Tally, UnitKind, rows_of};
use shanzhi_domain::{GridCode, Matter, MatterEvent, MatterId, Micros};
use shanzhi_store::PartQuery;

use super::FigureQuery;
use crate::access::Scoped;
use crate::{App, AppResult};

/// Matters recomputed per store round trip.
const BATCH: usize = 500;
/// Most stale matters a figure query refreshes before it reads timelines instead.
const QUERY_REFRESH: usize = 5_000;

impl App {
    /// Recompute the parts of up to `limit` stale matters; how many are
    /// still stale afterwards.
    pub async fn refresh_figure_parts(&self, limit: usize) -> AppResult<u64> {
        let mut done = 0;
        while done < limit {
            let stale = self.store.stale_figure_matters(BATCH.min(limit - done)).await?;
            if stale.is_empty() {
                break;
            }
            let ids: Vec<MatterId> = stale.iter().map(|(id, _)| id.clone()).collect();
            let matters = self.store.matters_by_ids(&ids).await?;
            let mut events: HashMap<MatterId, Vec<MatterEvent>> = HashMap::new();
            for (id, e) in self.store.matter_events_of(&ids).await? {
                events.entry(id).or_default().push(e);
            }
            let mut by_id: HashMap<MatterId, _> = matters.into_iter().map(|m| (m.id.clone(), m)).collect();
            let mut out = Vec::with_capacity(stale.len());
            for (id, marked) in &stale {
                let timeline = events.remove(id).unwrap_or_default();
                // Fresh up to what was read: an entry added since leaves it stale.
                let seen = timeline.last().map_or(*marked, |e| e.seq);
                let parts = by_id.remove(id).and_then(|m| parts_of(&rows_of(&m, &timeline)));
                out.push((id.clone(), seen, parts));
            }
            self.store.put_figure_parts(&out).await?;
            done += stale.len();
        }
        Ok(self.store.count_stale_figure_matters().await?)
    }

    /// Keep the parts of matters just written with their whole timelines (a
    /// bulk load): what the refresh would make of them, without reading
    /// them back.
    pub(crate) async fn keep_parts_of(&self, written: &[(Matter, Vec<MatterEvent>)]) -> AppResult<()> {
        let out: Vec<_> = written
            .iter()
            .map(|(m, timeline)| (m.id.clone(), m.event_count, parts_of(&rows_of(m, timeline))))
            .collect();
        self.store.put_figure_parts(&out).await?;
        Ok(())
    }
}

impl Scoped<'_> {
    /// The tallies of `q` from the kept parts, when they can answer it.
    pub(super) async fn kept_tallies(
        &self,
        q: &FigureQuery,
        start: Micros,
        end: Micros,
        as_of: Micros,
        k: f64,
    ) -> AppResult<Option<Tallies>> {
        // As the timelines are read: the units in scope, not the caller's own reports.
        let scope = self.matter_scope();
        let plain_divisions = scope.grids.is_empty()
            && scope.departments.is_empty()
            && !scope.public
            && (scope.everything || !scope.divisions.is_empty());
        if !plain_divisions {
            return Ok(None);
        }
        if self.app.refresh_figure_parts(QUERY_REFRESH).await? > 0 {
            return Ok(None);
        }
        let divisions = if scope.everything { Vec::new() } else { scope.divisions };
        let pq = PartQuery { by: q.by, start, end, as_of, line: q.line, within: q.within.clone(), scope: divisions };
        let workers = self.grid_workers(q, as_of).await?;
        let mut tallies = Tallies::default();
        let sums = self.app.store.sum_figure_parts(&pq).await?;
        // A unit's keys come together: one look-up of the unit for them all.
        for group in sums.chunk_by(|a, b| a.unit == b.unit) {
            let unit = &group[0].unit;
            let units = match q.by {
                UnitKind::Worker => {
                    GridCode::parse(unit).ok().and_then(|g| workers.get(&g).cloned()).unwrap_or_default()
                }
                _ => vec![unit.clone()],
            };
            for unit in units {
                let figures = tallies.0.entry(unit).or_default();
                for s in group {
                    let t = figures.entry(s.key).or_insert_with(Tally::default);
                    t.numerator += s.numerator + k * s.numerator_k;
                    t.denominator += s.denominator;
                }
            }
        }
        Ok(Some(tallies))
    }
}
