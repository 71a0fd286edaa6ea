//! The figures kept ready are the figures recomputed from every timeline:
//! after the first demo matters, after late entries in past months, after
//! reopened matters, after a month's matters are all recomputed, and after
//! time passes deadlines with nothing written. Months and quarters are read
//! from the roll-ups (as of their end, or of now with the deadlines still
//! ahead taken away), weeks from the parts; callers scoped to a district and
//! `within` a town read the finer roll-ups that can be filtered so. Grid
//! workers (two on one grid, one on another) are credited what their grid
//! held, from the roll-ups by holder grid.

use std::sync::Arc;

use serde_json::json;
use shanzhi_app::figures::FigureQuery;
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_domain::{DivisionCode, Line, MatterState, Rating, Role};
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::TestApp;

/// 30 November 2026, 10:00 in Beijing.
fn start() -> jiff::Timestamp {
    "2026-11-30T02:00:00Z".parse().expect("instant")
}

/// How many units had something counted (any unit kind, and grid workers).
async fn same_figures(t: &TestApp, when: &str) -> (usize, usize) {
    let supervisor = t.app().scoped(t.actor("supervisor").await);
    let dispatcher = t.app().scoped(t.actor("dispatcher").await);
    let town = DivisionCode::parse("510104022").ok();
    let views = [(&supervisor, None), (&supervisor, town), (&dispatcher, None)];
    let (mut counted, mut workers_counted) = (0, 0);
    for period in ["2026-10", "2026-11", "2026-12", "2026-W48", "2026-Q4"] {
        for by in UnitKind::ALL {
            for ((who, within), line) in views.iter().flat_map(|v| [(v, None), (v, Some(Line::Safety))]) {
                let period = Period::parse(period).expect("period");
                let q = FigureQuery { period, by, within: within.clone(), line };
                let kept = serde_json::to_value(who.indicators(&q).await.expect("kept")).expect("json");
                assert_eq!(t.store().count_stale_figure_matters().await.expect("stale"), 0, "answered from parts");
                let read = serde_json::to_value(who.indicators_recomputed(&q).await.expect("read")).expect("json");
                assert_eq!(kept, read, "{when}: {period} by {by:?} {line:?} within {within:?}");
                // Reports count for places; a worker's figures are of what the grid held.
                let counts = |u: &&serde_json::Value| {
                    ["reported", "filed", "overdue"].iter().any(|k| u["figures"][k]["numerator"].as_f64() > Some(0.0))
                };
                counted += kept["units"].as_array().expect("units").iter().filter(counts).count();
                if by == UnitKind::Worker {
                    workers_counted += kept["units"].as_array().expect("units").iter().filter(counts).count();
                }
            }
        }
    }
    (counted, workers_counted)
}

#[tokio::test]
async fn kept_figures_equal_the_recomputed_ones_through_late_entries_reopens_and_time() {
    let clock = Arc::new(ManualClock::new(start()));
    let t = TestApp::new()
        .with_grid()
        .with_categories()
        .with_departments()
        .with_clock(clock.clone())
        .with_accounts(&[
            ("supervisor", Role::Supervisor, Some("51")),
            ("dispatcher", Role::Dispatcher, Some("510104")),
            ("gw_a", Role::GridWorker, Some("510104022006001")),
            ("gw_b", Role::GridWorker, Some("510104022006001")),
            ("gw_c", Role::GridWorker, Some("510104022006002")),
        ])
        .start()
        .await;
    assert!(t.operator().generate_demo_matters(120, 3).await.expect("demo") > 0);
    let (counted, workers_counted) = same_figures(&t, "first matters").await;
    assert!(counted > 0, "the figures are not all empty");
    assert!(workers_counted > 0, "the grid workers' figures are not all empty");
    assert!(t.store().count_figure_rollups().await.expect("rollups") > 0, "the parts are rolled up");

    // Late entries: matters reported weeks ago, written now.
    assert!(t.operator().generate_demo_matters(80, 4).await.expect("demo") > 0);
    same_figures(&t, "late entries").await;

    // Reopened matters: those rated unsatisfied go back to work.
    let rated = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        states: vec![MatterState::Rated],
        limit: 200,
        ..MatterQuery::default()
    };
    let unsatisfied = t.store().matters(&rated).await.expect("rated").into_iter();
    let mut reopened = 0;
    let mine = |m: &shanzhi_domain::Matter| m.grid.as_str().starts_with("510104");
    for m in unsatisfied.filter(|m| m.status.rating == Some(Rating::Unsatisfied) && mine(m)).take(5) {
        if t.command_as("dispatcher", m.id.as_str(), "reopen", json!({"reason": "居民反映仍未解决"})).await.is_ok()
        {
            reopened += 1;
        }
    }
    assert!(reopened > 0, "the demo rates some matters unsatisfied");
    same_figures(&t, "reopened").await;

    // A month recomputed: a note on every matter reported in October that
    // takes one marks it stale, and each is summed again from its whole record.
    let october = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        from: Some(Period::parse("2026-10").expect("month").bounds().0),
        to: Some(Period::parse("2026-10").expect("month").bounds().1),
        limit: 1_000,
        ..MatterQuery::default()
    };
    let mut noted = 0;
    for m in t.store().matters(&october).await.expect("october") {
        let note = t.operator().scoped("test").command(m.id.as_str(), "note", json!({"text": "复核"})).await;
        noted += usize::from(note.is_ok());
    }
    assert!(noted > 0 && t.store().count_stale_figure_matters().await.expect("stale") > 0, "{noted} noted");
    same_figures(&t, "October recomputed").await;

    // Time passes: deadlines ahead fall due with nothing written.
    clock.set(start() + jiff::SignedDuration::from_hours(24 * 12));
    same_figures(&t, "twelve days on").await;
}
