//! The figures of a grid worker's work (issue #20), beside the matters'
//! figures and in the same `{numerator, denominator, value}` form, each
//! counted from exported records alone: tasks (`GET /api/v1/tasks`: deadline,
//! completion), patrol check-ins (`GET /api/v1/patrols`: time, grid) and the
//! record export's `report` rows (channel, grid). Units: a community, a
//! general grid (a micro-grid counts for its general grid), or a grid worker
//! (credited with the grids assigned to them on the last day counted, as the
//! matters' figures credit them).

use std::collections::BTreeSet;

use super::{Definition, Figure, Measure, Tally, TimelineRow};
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::matter::{Channel, EventKind};

pub const TASK_ON_TIME_RATE: &str = "task_on_time_rate";
pub const PATROL_COVERAGE: &str = "patrol_coverage";
pub const PROACTIVE_DISCOVERY: &str = "proactive_discovery";

/// The published definitions of the grid-work figures.
pub fn definitions() -> [Definition; 3] {
    [
        Definition {
            key: TASK_ON_TIME_RATE,
            measure: Measure::Rate,
            name_zh: "任务按时完成率",
            name_en: "Tasks completed on time",
            numerator: "tasks due in P (deadline in [start, as_of)) with completed_at at or before the deadline",
            denominator: "tasks due in P (deadline in [start, as_of))",
            attribution: "each grid the task was given to and the grid of each worker it was given to by name; \
                          their communities; those grids' workers and the workers named",
        },
        Definition {
            key: PATROL_COVERAGE,
            measure: Measure::Rate,
            name_zh: "巡查覆盖率",
            name_en: "Patrol coverage of grids",
            numerator: "grids with at least one patrol check-in in [start, as_of) (a micro-grid's counts for its \
                        general grid); for a worker, check-ins of their own",
            denominator: "general grids in the unit (a worker: the grids assigned to them)",
            attribution: "the grid; its community; the grid's workers",
        },
        Definition {
            key: PROACTIVE_DISCOVERY,
            measure: Measure::Rate,
            name_zh: "主动发现率（网格员）",
            name_en: "Proactive discovery by grid workers",
            numerator: "report rows in P with channel grid_worker in the unit's grids",
            denominator: "report rows in P in the unit's grids, any channel",
            attribution: "the matter's general grid (worker_grid); its community; that grid's workers",
        },
    ]
}

/// A task as the tasks' listing exports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFact {
    pub deadline: Micros,
    pub completed_at: Option<Micros>,
}

/// Tasks due in `[start, min(end, as_of))`, and those completed by their
/// deadline.
pub fn task_on_time<'a>(tasks: impl IntoIterator<Item = &'a TaskFact>, start: Micros, as_of: Micros) -> Figure {
    let mut t = Tally::default();
    for f in tasks {
        if f.deadline >= start && f.deadline < as_of {
            t.denominator += 1.0;
            if f.completed_at.is_some_and(|c| c <= f.deadline) {
                t.numerator += 1.0;
            }
        }
    }
    t.into()
}

/// Of `grids`, those among `visited` (general grids with a check-in in the
/// period).
pub fn patrol_coverage(grids: &BTreeSet<GridCode>, visited: &BTreeSet<GridCode>) -> Figure {
    Tally { numerator: grids.intersection(visited).count() as f64, denominator: grids.len() as f64 }.into()
}

/// `report` rows in `[start, as_of)` of matters in `grids` (by the general
/// grid that looks after them): by the grid-worker channel over all.
pub fn proactive_discovery<'a>(
    rows: impl IntoIterator<Item = &'a TimelineRow>,
    grids: &BTreeSet<GridCode>,
    start: Micros,
    as_of: Micros,
) -> Figure {
    let mut t = Tally::default();
    for r in rows {
        if r.command == EventKind::Report && r.at >= start && r.at < as_of && grids.contains(&r.places.worker_grid) {
            t.denominator += 1.0;
            if r.channel == Channel::GridWorker {
                t.numerator += 1.0;
            }
        }
    }
    t.into()
}
