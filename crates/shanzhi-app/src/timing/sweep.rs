//! The sweep: every matter whose clock has reached its next alarm gets its
//! colour moved on, and an overdue one gets one automatic supervision (督办)
//! on its timeline, counted against the unit that held it. The work is
//! proportional to the clocks that change (an index on `next_alarm_at`), not
//! to the open matters.
//!
//! Safe to run twice, or on two servers at once: every write is conditional on
//! the matter's event count as read, so a matter is supervised at most once
//! per deadline whoever sweeps. The lease only keeps servers from doing the
//! same work twice.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Serialize;
use shanzhi_domain::calendar::china;
use shanzhi_domain::matter::ClockMark;
use shanzhi_domain::matter::Overdue;
use shanzhi_domain::{ActingRole, Matter, MatterEvent, MatterId, Micros};
use shanzhi_domain::{Command, Warning};
use shanzhi_store::{LeaseRecord, SweepUpdate};

use crate::access::Scoped;
use crate::matters::HolderNames;
use crate::{App, AppResult};

/// The lease row the sweepers share.
pub const SWEEP_LEASE: &str = "sweep";
/// Matters written per transaction (SQLite holds its one writer that long).
const BATCH: usize = 2000;
/// Due matters taken per round, sorted by id and written batch by batch.
const ROUND: usize = 100_000;
const SYSTEM_ACTOR: &str = "system:sweep";

/// What one sweep did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweepReport {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub at: Option<Timestamp>,
    /// Matters whose clock had reached an alarm.
    pub examined: usize,
    pub yellow: usize,
    pub orange: usize,
    pub red: usize,
    /// Automatic supervisions entered.
    pub supervised: usize,
    /// Left alone because they changed while the sweep ran.
    pub skipped: usize,
    /// What it did to the tasks (任务).
    pub tasks: crate::tasks::TaskSweepReport,
    pub elapsed_ms: u64,
}

/// How a server takes part in sweeping.
#[derive(Debug, Clone)]
pub struct SweeperConfig {
    /// This server's name in the lease row.
    pub holder: String,
    pub interval: Duration,
    /// A lease not renewed for this long passes to another server.
    pub lease_ttl: Duration,
    /// When the daily digest goes out on working days (minutes after
    /// midnight, China time); none: no digest.
    pub digest_minute: Option<u16>,
}

impl SweeperConfig {
    fn ttl_micros(&self) -> i64 {
        i64::try_from(self.lease_ttl.as_micros()).unwrap_or(i64::MAX)
    }

    /// How often a server that does not hold the lease tries to take it: a
    /// dead holder is replaced at most a sixth of the lease after expiry.
    fn standby_poll(&self) -> Duration {
        (self.lease_ttl / 6).max(Duration::from_millis(200)).min(self.interval)
    }
}

/// The sweep as a supervisor sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweeperStatus {
    pub lease: Option<LeaseView>,
    pub lease_expired: bool,
    /// The last sweep this server ran.
    pub last_here: Option<SweepReport>,
}

/// Who holds the sweep's lease, and until when.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaseView {
    pub name: String,
    pub holder: String,
    pub acquired_at: Micros,
    pub renewed_at: Micros,
    pub expires_at: Micros,
}

impl From<LeaseRecord> for LeaseView {
    fn from(l: LeaseRecord) -> Self {
        LeaseView {
            name: l.name,
            holder: l.holder,
            acquired_at: l.acquired_at,
            renewed_at: l.renewed_at,
            expires_at: l.expires_at,
        }
    }
}

/// The automatic supervision of an overdue matter: the matter after it
/// and the timeline entry (by the system), if the command still fits. The
/// note names the unit (`held_by`); the record keeps its code.
fn supervision(m: &Matter, now: Timestamp, held_by: Option<String>) -> Option<(Matter, MatterEvent)> {
    let clock = m.clock.as_ref()?;
    let deadline = clock.deadline?;
    let unit = m.status.holder();
    let local = deadline.to_zoned_datetime(china()).strftime("%Y-%m-%d %H:%M").to_string();
    let command = Command::Supervise {
        note: format!(
            "逾期自动督办：{}环节时限（{}）已于 {local} 届满，责任单位 {}",
            clock.stage.label_zh(),
            clock.limit.label_zh(),
            held_by.as_deref().unwrap_or(&unit)
        ),
        overdue: Some(Overdue { stage: clock.stage, deadline, unit }),
    };
    m.apply(&command, Micros::from(now), SYSTEM_ACTOR, ActingRole::System, Vec::new()).ok()
}

/// What the sweep writes for these matters at `now`. A matter seen in the
/// same state before was left by a concurrent writer's conflict: the next
/// sweep takes it.
fn sweep_updates(
    due: Vec<Matter>,
    now: Timestamp,
    seen: &mut HashSet<(MatterId, i64)>,
    report: &mut SweepReport,
    names: &HolderNames,
) -> Vec<SweepUpdate> {
    let mut updates = Vec::with_capacity(due.len());
    for m in due {
        if !seen.insert((m.id.clone(), m.event_count)) {
            continue;
        }
        let Some(mut clock) = m.clock.clone() else { continue };
        let before = clock.warning;
        let owed = clock.tick(now);
        let mut next = m.clone();
        let mut event = None;
        if owed {
            if let Some((supervised, e)) = supervision(&m, now, names.of(&m)) {
                next = supervised;
                event = Some(e);
            }
            // Owed once: a matter that cannot take it is not retried.
            clock.supervised = true;
        }
        if clock.warning != before {
            match clock.warning {
                Warning::Yellow => report.yellow += 1,
                Warning::Orange => report.orange += 1,
                Warning::Red => report.red += 1,
                Warning::None => {}
            }
        }
        next.clock = Some(clock);
        if let Some(e) = &mut event {
            // A supervision leaves the stage and its deadline as they were.
            e.mark = ClockMark::of(next.clock.as_ref());
        }
        updates.push(SweepUpdate { read_event_count: m.event_count, matter: next, event, notices: Vec::new() });
    }
    updates
}

impl App {
    /// Move every due clock on to now; supervise what became overdue.
    pub async fn sweep(&self) -> AppResult<SweepReport> {
        self.sweep_holding(None).await
    }

    /// The sweep; with `lease`, the lease is renewed between batches and the
    /// sweep stops if it was lost (another server goes on from there).
    async fn sweep_holding(&self, lease: Option<&SweeperConfig>) -> AppResult<SweepReport> {
        let started = Instant::now();
        let now = self.now();
        let mut report = SweepReport { at: Some(now), ..SweepReport::default() };
        let mut seen: HashSet<(MatterId, i64)> = HashSet::new();
        'rounds: loop {
            // A round takes the earliest alarms and writes them in id order,
            // which is the tables' own order: a backlog of overdue matters
            // then touches each page once instead of once per matter.
            let mut ids = self.store.due_matter_ids(Micros::from(now), ROUND).await?;
            let full_round = ids.len() == ROUND;
            ids.sort_unstable();
            let mut progressed = false;
            for chunk in ids.chunks(BATCH) {
                let due = self.store.matters_by_ids(chunk).await?;
                let names = self.holder_names(&due).await?;
                let colours: HashMap<MatterId, Warning> = due.iter().map(|m| (m.id.clone(), m.warning())).collect();
                let mut updates = sweep_updates(due, now, &mut seen, &mut report, &names);
                self.sweep_notices(&mut updates, &colours).await?;
                if updates.is_empty() {
                    continue;
                }
                progressed = true;
                if let Some(config) = lease
                    && !self
                        .store
                        .take_lease(SWEEP_LEASE, &config.holder, self.now_micros(), config.ttl_micros())
                        .await?
                {
                    tracing::warn!(holder = %config.holder, "sweep lease lost mid-sweep; stopping");
                    break 'rounds;
                }
                report.examined += updates.len();
                let written: HashSet<MatterId> = self.store.apply_sweep(&updates).await?.into_iter().collect();
                report.skipped += updates.len() - written.len();
                report.supervised +=
                    updates.iter().filter(|u| u.event.is_some() && written.contains(&u.matter.id)).count();
            }
            if !full_round || !progressed {
                break;
            }
        }
        // Care reasons and notes past their retention are deleted (PIPL
        // art. 19: kept no longer than needed). A failure waits for the next
        // sweep; the warnings above are not held back by it.
        match self.purge_care_reasons().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "care reasons past retention deleted"),
            Err(e) => tracing::warn!(error = %e, "care reason purge failed; retrying next sweep"),
        }
        report.tasks = self.sweep_tasks().await?;
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if report.examined > 0 {
            tracing::info!(
                examined = report.examined,
                yellow = report.yellow,
                orange = report.orange,
                red = report.red,
                supervised = report.supervised,
                skipped = report.skipped,
                elapsed_ms = report.elapsed_ms,
                "sweep"
            );
        }
        *self.last_sweep.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(report.clone());
        Ok(report)
    }

    /// Take (or renew) the sweep lease and, if held, sweep. Returns the
    /// report when this server swept.
    pub async fn sweep_if_leader(&self, config: &SweeperConfig) -> AppResult<Option<SweepReport>> {
        if !self.store.take_lease(SWEEP_LEASE, &config.holder, self.now_micros(), config.ttl_micros()).await? {
            return Ok(None);
        }
        self.sweep_holding(Some(config)).await.map(Some)
    }
}

/// Stale matters whose figure parts the sweep's leader recomputes a round.
const FIGURE_REFRESH_PER_ROUND: usize = 50_000;

/// Sweep every `interval` while this server holds the lease (renewing it
/// each round), and try to take it more often while another holds it; reload
/// the calendar each round (another server may have edited it). Ends when
/// `shutdown` resolves, handing the lease back. The lease must outlast two
/// intervals, or the holder loses it between rounds.
pub async fn run_sweeper(app: App, config: SweeperConfig, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut leading = false;
    let mut analyzed = Instant::now();
    loop {
        if let Err(e) = app.reload_timing().await {
            tracing::warn!(error = %e, "calendar reload failed");
        }
        match app.sweep_if_leader(&config).await {
            Ok(report) => {
                if report.is_some() != leading {
                    leading = report.is_some();
                    tracing::info!(holder = %config.holder, leading, "sweep lease");
                }
            }
            Err(e) => tracing::warn!(error = %e, "sweep failed; retrying next round"),
        }
        // The leader keeps the figures' parts fresh (a bounded share a round,
        // so that a store just migrated catches up without stalling sweeps).
        if leading && let Err(e) = app.refresh_figure_parts(FIGURE_REFRESH_PER_ROUND).await {
            tracing::warn!(error = %e, "figure parts refresh failed");
        }
        // The leader writes the day's digests once their time has come.
        if leading
            && let Some(minute) = config.digest_minute
            && let Err(e) = app.write_digests(minute).await
        {
            tracing::warn!(error = %e, "daily digest failed; retrying next round");
        }
        // The leader keeps the planner's statistics fresh as matters pile up.
        if leading && analyzed.elapsed() > Duration::from_secs(3600) {
            analyzed = Instant::now();
            if let Err(e) = app.store.analyze().await {
                tracing::warn!(error = %e, "analyze failed");
            }
        }
        let pause = if leading { config.interval } else { config.standby_poll() };
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    if leading && let Err(e) = app.store.release_lease(SWEEP_LEASE, &config.holder).await {
        tracing::warn!(error = %e, "could not release the sweep lease");
    }
}

impl Scoped<'_> {
    /// Who sweeps, and what this server's last sweep did.
    pub async fn sweeper_status(&self) -> AppResult<SweeperStatus> {
        let lease = self.app.store.lease(SWEEP_LEASE).await?;
        let now = self.app.now_micros();
        Ok(SweeperStatus {
            lease_expired: lease.as_ref().is_some_and(|l| l.expires_at <= now),
            lease: lease.map(LeaseView::from),
            last_here: self.app.last_sweep.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
        })
    }
}
