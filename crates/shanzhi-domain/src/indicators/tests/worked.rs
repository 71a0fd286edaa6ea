//! The hand-worked fixture: twenty matters of November 2026 covering every
//! side flow, with every figure worked out by hand from the definitions in
//! docs/indicators.md (the working is in the comments of each matter).
//!
//! Places: district A = 锦江 510104 (community 510104022006, grid GA =
//! 510104022006001, worker `wa`), district B = 青羊 510105 (community
//! 510105002002, town 510105002, grid GB = 510105002002001, worker `wb`).
//! Departments D1 = 510104-chengguan, D2 = 510105-shuiwu.

use super::super::record::{Holder, Places, TimelineRow};
use crate::division::DivisionCode;
use crate::grid::GridCode;
use crate::instant::Micros;
use crate::matter::{ActingRole, Channel, CommandKind, EventKind, MatterState, Rating};
use crate::people::DepartmentCode;
use crate::timing::Stage;
use crate::{CategoryCode, Line};

/// An instant in China's time: `(month, day, hour)`.
pub(super) fn at(month: i8, day: i8, hour: i8) -> Micros {
    let d = jiff::civil::date(2026, month, day).at(hour, 0, 0, 0);
    Micros::from(d.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).expect("time").timestamp())
}

pub(super) fn nov(day: i8, hour: i8) -> Micros {
    at(11, day, hour)
}

pub(super) fn oct(day: i8, hour: i8) -> Micros {
    at(10, day, hour)
}

pub(super) fn dec(day: i8, hour: i8) -> Micros {
    at(12, day, hour)
}

pub(super) fn places(district: char) -> Places {
    let (d, t, c, g) = if district == 'A' {
        ("510104", "510104022", "510104022006", "510104022006001")
    } else {
        ("510105", "510105002", "510105002002", "510105002002001")
    };
    let div = |s: &str| DivisionCode::parse(s).expect("code");
    let grid = GridCode::parse(g).expect("grid");
    Places { district: div(d), town: div(t), community: div(c), grid: grid.clone(), worker_grid: grid }
}

pub(super) fn holder(code: &str, p: &Places) -> Option<Holder> {
    let dept = |c: &str| Some(Holder::Department(DepartmentCode::parse(c).expect("dept")));
    match code {
        "D1" => dept("510104-chengguan"),
        "D2" => dept("510105-shuiwu"),
        "c" => Some(Holder::Division(p.community.clone())),
        "t" => Some(Holder::Division(p.town.clone())),
        "d" => Some(Holder::Division(p.district.clone())),
        "G" => Some(Holder::Grid(p.worker_grid.clone())),
        "" => None,
        other => panic!("holder {other}"),
    }
}

/// One entry: when, the command (`verify+` passed, `verify-` failed,
/// `rate:s|b|u`), the state after, the holder after, the stage clock after.
pub(super) type Entry<'a> = (Micros, &'a str, &'a str, &'a str, Option<(&'a str, Micros)>);

pub(super) fn matter(n: u32, district: char, channel: Channel, line: Line, entries: &[Entry<'_>]) -> Vec<TimelineRow> {
    let p = places(district);
    entries
        .iter()
        .enumerate()
        .map(|(i, (when, command, to, held, clock))| {
            let (kind, passed, rating) = match *command {
                "report" => (EventKind::Report, None, None),
                "verify+" => (EventKind::Command(CommandKind::Verify), Some(true), None),
                "verify-" => (EventKind::Command(CommandKind::Verify), Some(false), None),
                "rate:s" => (EventKind::Command(CommandKind::Rate), None, Some(Rating::Satisfied)),
                "rate:b" => (EventKind::Command(CommandKind::Rate), None, Some(Rating::BasicallySatisfied)),
                "rate:u" => (EventKind::Command(CommandKind::Rate), None, Some(Rating::Unsatisfied)),
                c => (EventKind::Command(c.parse().expect("command")), None, None),
            };
            TimelineRow {
                number: format!("M{n}"),
                matter_id: format!("m{n}"),
                seq: i as i64 + 1,
                at: *when,
                command: kind,
                actor_role: ActingRole::System,
                from_state: None,
                to_state: to.parse::<MatterState>().expect("state"),
                category: CategoryCode::parse("0110").expect("category"),
                line,
                channel,
                places: p.clone(),
                holder: holder(held, &p),
                stage: clock.map(|(s, _)| s.parse::<Stage>().expect("stage")),
                deadline_at: clock.map(|(_, d)| d),
                rating,
                passed,
                contacted: None,
            }
        })
        .collect()
}

/// The twenty matters.
pub(super) fn fixture() -> Vec<Vec<TimelineRow>> {
    use Channel::{GridWorker, Hotline, Resident};
    use Line::{Development as Dev, Safety};
    vec![
        // M1: everything on time, rated satisfied.
        matter(
            1,
            'A',
            Resident,
            Dev,
            &[
                (nov(1, 9), "report", "reported", "c", Some(("accept", nov(1, 12)))),
                (nov(1, 10), "accept", "filed", "c", Some(("dispatch", nov(1, 14)))),
                (nov(1, 11), "dispatch", "dispatched", "D1", Some(("sign", nov(1, 15)))),
                (nov(1, 12), "sign", "in_progress", "D1", Some(("handle", nov(3, 12)))),
                (nov(2, 12), "respond", "responded", "G", Some(("verify", nov(3, 12)))),
                (nov(2, 15), "verify+", "closed", "", None),
                (nov(3, 9), "rate:s", "rated", "", None),
            ],
        ),
        // M2: reported by the grid worker (held by the grid); signed late
        // (missed at 2日13时), handled late (missed at 4日15时), rework after
        // a failed verification, then handled and verified on time; 基本满意.
        matter(
            2,
            'A',
            GridWorker,
            Dev,
            &[
                (nov(2, 9), "report", "reported", "G", Some(("accept", nov(2, 12)))),
                (nov(2, 10), "accept", "filed", "G", Some(("dispatch", nov(2, 14)))),
                (nov(2, 11), "dispatch", "dispatched", "D1", Some(("sign", nov(2, 13)))),
                (nov(2, 15), "sign", "in_progress", "D1", Some(("handle", nov(4, 15)))),
                (nov(5, 9), "respond", "responded", "G", Some(("verify", nov(6, 9)))),
                (nov(5, 12), "verify-", "in_progress", "D1", Some(("handle", nov(7, 12)))),
                (nov(6, 10), "respond", "responded", "G", Some(("verify", nov(7, 10)))),
                (nov(6, 11), "verify+", "closed", "", None),
                (nov(7, 9), "rate:b", "rated", "", None),
            ],
        ),
        // M3: parked for six days: one handle run, paused, met.
        matter(
            3,
            'A',
            Resident,
            Dev,
            &[
                (nov(3, 9), "report", "reported", "c", Some(("accept", nov(3, 12)))),
                (nov(3, 10), "accept", "filed", "c", Some(("dispatch", nov(3, 14)))),
                (nov(3, 11), "dispatch", "dispatched", "D1", Some(("sign", nov(3, 15)))),
                (nov(3, 14), "sign", "in_progress", "D1", Some(("handle", nov(5, 14)))),
                (nov(4, 9), "park", "in_progress", "D1", Some(("handle", nov(5, 14)))),
                (nov(4, 10), "approve_park", "parked", "D1", None),
                (nov(10, 9), "resume", "in_progress", "D1", Some(("handle", nov(11, 19)))),
                (nov(11, 10), "respond", "responded", "G", Some(("verify", nov(12, 10)))),
                (nov(11, 12), "verify+", "closed", "", None),
            ],
        ),
        // M4: an extension keeps the handle run in time; rated 不满意,
        // reopened, signed in time, handled late (missed 11日13时), 满意.
        matter(
            4,
            'A',
            Resident,
            Dev,
            &[
                (nov(4, 9), "report", "reported", "c", Some(("accept", nov(4, 12)))),
                (nov(4, 10), "accept", "filed", "c", Some(("dispatch", nov(4, 14)))),
                (nov(4, 11), "dispatch", "dispatched", "D1", Some(("sign", nov(4, 15)))),
                (nov(4, 12), "sign", "in_progress", "D1", Some(("handle", nov(6, 12)))),
                (nov(5, 9), "extend", "in_progress", "D1", Some(("handle", nov(6, 12)))),
                (nov(5, 10), "approve_extension", "in_progress", "D1", Some(("handle", nov(8, 12)))),
                (nov(7, 15), "respond", "responded", "G", Some(("verify", nov(8, 15)))),
                (nov(8, 9), "verify+", "closed", "", None),
                (nov(9, 9), "rate:u", "rated", "", None),
                (nov(9, 10), "reopen", "dispatched", "D1", Some(("sign", nov(9, 14)))),
                (nov(9, 13), "sign", "in_progress", "D1", Some(("handle", nov(11, 13)))),
                (nov(12, 9), "respond", "responded", "G", Some(("verify", nov(13, 9)))),
                (nov(12, 10), "verify+", "closed", "", None),
                (nov(13, 9), "rate:s", "rated", "", None),
            ],
        ),
        // M5: reported in October; its accept run is missed on 1日12时 (in
        // November); signed in time; the handle run is missed at 3日20时.
        matter(
            5,
            'A',
            Resident,
            Dev,
            &[
                (oct(31, 20), "report", "reported", "c", Some(("accept", nov(1, 12)))),
                (nov(1, 14), "accept", "filed", "c", Some(("dispatch", nov(1, 18)))),
                (nov(1, 17), "dispatch", "dispatched", "D1", Some(("sign", nov(1, 21)))),
                (nov(1, 20), "sign", "in_progress", "D1", Some(("handle", nov(3, 20)))),
            ],
        ),
        // M6: missed in October (not November's), supervised in November.
        matter(
            6,
            'A',
            Resident,
            Dev,
            &[
                (oct(10, 9), "report", "reported", "c", Some(("accept", oct(10, 12)))),
                (oct(10, 10), "accept", "filed", "c", Some(("dispatch", oct(10, 14)))),
                (oct(10, 11), "dispatch", "dispatched", "D1", Some(("sign", oct(10, 15)))),
                (oct(10, 12), "sign", "in_progress", "D1", Some(("handle", oct(12, 12)))),
                (nov(2, 9), "supervise", "in_progress", "D1", Some(("handle", oct(12, 12)))),
            ],
        ),
        // M7: rejected.
        matter(
            7,
            'B',
            Resident,
            Dev,
            &[
                (nov(5, 9), "report", "reported", "c", Some(("accept", nov(5, 12)))),
                (nov(5, 10), "reject", "rejected", "", None),
            ],
        ),
        // M8: a hotline order at the town, escalated to the district (one
        // dispatch run), returned before the sign deadline (a met sign run),
        // signed late the second time, verified late (the grid's miss).
        matter(
            8,
            'B',
            Hotline,
            Dev,
            &[
                (nov(6, 9), "report", "reported", "t", Some(("accept", nov(6, 12)))),
                (nov(6, 10), "accept", "filed", "t", Some(("dispatch", nov(6, 14)))),
                (nov(6, 13), "escalate", "filed", "d", Some(("dispatch", nov(6, 18)))),
                (nov(6, 17), "dispatch", "dispatched", "D2", Some(("sign", nov(6, 21)))),
                (nov(6, 20), "return", "filed", "d", Some(("dispatch", nov(7, 10)))),
                (nov(7, 9), "dispatch", "dispatched", "D2", Some(("sign", nov(7, 13)))),
                (nov(7, 14), "sign", "in_progress", "D2", Some(("handle", nov(9, 14)))),
                (nov(8, 10), "respond", "responded", "G", Some(("verify", nov(9, 10)))),
                (nov(9, 12), "verify+", "closed", "", None),
                (nov(10, 9), "rate:s", "rated", "", None),
            ],
        ),
        // M9: merged into another report.
        matter(
            9,
            'B',
            Resident,
            Dev,
            &[
                (nov(7, 9), "report", "reported", "c", Some(("accept", nov(7, 12)))),
                (nov(7, 11), "merge", "merged", "", None),
            ],
        ),
        // M10: a grid worker's report voided after its accept deadline: the
        // grid's missed run.
        matter(
            10,
            'B',
            GridWorker,
            Dev,
            &[
                (nov(8, 9), "report", "reported", "G", Some(("accept", nov(8, 12)))),
                (nov(8, 13), "void", "voided", "", None),
            ],
        ),
        // M11: still being handled at the end of the month (undecided).
        matter(
            11,
            'B',
            Resident,
            Dev,
            &[
                (nov(28, 9), "report", "reported", "c", Some(("accept", nov(28, 12)))),
                (nov(28, 10), "accept", "filed", "c", Some(("dispatch", nov(28, 14)))),
                (nov(28, 11), "dispatch", "dispatched", "D2", Some(("sign", nov(28, 15)))),
                (nov(28, 12), "sign", "in_progress", "D2", Some(("handle", dec(2, 12)))),
            ],
        ),
        // M12: signed only in December: in November's view, missed at 29日15时.
        matter(
            12,
            'B',
            Resident,
            Dev,
            &[
                (nov(29, 9), "report", "reported", "c", Some(("accept", nov(29, 12)))),
                (nov(29, 10), "accept", "filed", "c", Some(("dispatch", nov(29, 14)))),
                (nov(29, 11), "dispatch", "dispatched", "D2", Some(("sign", nov(29, 15)))),
                (dec(2, 9), "sign", "in_progress", "D2", Some(("handle", dec(4, 9)))),
            ],
        ),
        // M13: 综治 (safety line): filed, never dispatched (missed 10日15时).
        matter(
            13,
            'A',
            Resident,
            Safety,
            &[
                (nov(10, 9), "report", "reported", "c", Some(("accept", nov(10, 12)))),
                (nov(10, 11), "accept", "filed", "c", Some(("dispatch", nov(10, 15)))),
            ],
        ),
        // M14: every step exactly at its deadline: all in time.
        matter(
            14,
            'A',
            Resident,
            Dev,
            &[
                (nov(12, 9), "report", "reported", "c", Some(("accept", nov(12, 12)))),
                (nov(12, 12), "accept", "filed", "c", Some(("dispatch", nov(12, 14)))),
                (nov(12, 14), "dispatch", "dispatched", "D1", Some(("sign", nov(12, 16)))),
                (nov(12, 16), "sign", "in_progress", "D1", Some(("handle", nov(13, 16)))),
                (nov(13, 16), "respond", "responded", "G", Some(("verify", nov(14, 16)))),
                (nov(14, 16), "verify+", "closed", "", None),
            ],
        ),
        // M15: reported in October, handled and verified in November.
        matter(
            15,
            'A',
            Resident,
            Dev,
            &[
                (oct(30, 9), "report", "reported", "c", Some(("accept", oct(30, 12)))),
                (oct(30, 10), "accept", "filed", "c", Some(("dispatch", oct(30, 14)))),
                (oct(30, 11), "dispatch", "dispatched", "D1", Some(("sign", oct(30, 15)))),
                (oct(30, 12), "sign", "in_progress", "D1", Some(("handle", nov(2, 12)))),
                (nov(1, 10), "respond", "responded", "G", Some(("verify", nov(2, 10)))),
                (nov(1, 15), "verify+", "closed", "", None),
            ],
        ),
        // M16: handled late (missed 15日12时), supervised while overdue,
        // verification fails, rework on time.
        matter(
            16,
            'B',
            Resident,
            Dev,
            &[
                (nov(14, 9), "report", "reported", "c", Some(("accept", nov(14, 12)))),
                (nov(14, 10), "accept", "filed", "c", Some(("dispatch", nov(14, 14)))),
                (nov(14, 11), "dispatch", "dispatched", "D2", Some(("sign", nov(14, 15)))),
                (nov(14, 12), "sign", "in_progress", "D2", Some(("handle", nov(15, 12)))),
                (nov(16, 9), "supervise", "in_progress", "D2", Some(("handle", nov(15, 12)))),
                (nov(17, 9), "respond", "responded", "G", Some(("verify", nov(18, 9)))),
                (nov(17, 15), "verify-", "in_progress", "D2", Some(("handle", nov(19, 15)))),
                (nov(19, 10), "respond", "responded", "G", Some(("verify", nov(20, 10)))),
                (nov(19, 11), "verify+", "closed", "", None),
            ],
        ),
        // M17: handled by the community itself (no department).
        matter(
            17,
            'B',
            Resident,
            Dev,
            &[
                (nov(15, 9), "report", "reported", "c", Some(("accept", nov(15, 12)))),
                (nov(15, 10), "accept", "filed", "c", Some(("dispatch", nov(15, 14)))),
                (nov(15, 11), "dispatch", "dispatched", "c", Some(("sign", nov(15, 15)))),
                (nov(15, 13), "sign", "in_progress", "c", Some(("handle", nov(16, 13)))),
                (nov(16, 9), "respond", "responded", "G", Some(("verify", nov(17, 9)))),
                (nov(16, 12), "verify+", "closed", "", None),
                (nov(17, 9), "rate:s", "rated", "", None),
            ],
        ),
        // M18: a grid worker's report accepted late (the grid's miss), still
        // being handled in December.
        matter(
            18,
            'A',
            GridWorker,
            Dev,
            &[
                (nov(20, 9), "report", "reported", "G", Some(("accept", nov(20, 12)))),
                (nov(20, 15), "accept", "filed", "G", Some(("dispatch", nov(20, 18)))),
                (nov(20, 17), "dispatch", "dispatched", "D1", Some(("sign", nov(20, 21)))),
                (nov(20, 20), "sign", "in_progress", "D1", Some(("handle", dec(5, 20)))),
            ],
        ),
        // M19: on time, 基本满意.
        matter(
            19,
            'B',
            Resident,
            Dev,
            &[
                (nov(22, 9), "report", "reported", "c", Some(("accept", nov(22, 12)))),
                (nov(22, 10), "accept", "filed", "c", Some(("dispatch", nov(22, 14)))),
                (nov(22, 11), "dispatch", "dispatched", "D2", Some(("sign", nov(22, 15)))),
                (nov(22, 12), "sign", "in_progress", "D2", Some(("handle", nov(24, 12)))),
                (nov(23, 9), "respond", "responded", "G", Some(("verify", nov(24, 9)))),
                (nov(23, 10), "verify+", "closed", "", None),
                (nov(24, 9), "rate:b", "rated", "", None),
            ],
        ),
        // M20: on time, 不满意, reopened, signed again on time, still in hand.
        matter(
            20,
            'A',
            Resident,
            Dev,
            &[
                (nov(24, 9), "report", "reported", "c", Some(("accept", nov(24, 12)))),
                (nov(24, 10), "accept", "filed", "c", Some(("dispatch", nov(24, 14)))),
                (nov(24, 11), "dispatch", "dispatched", "D1", Some(("sign", nov(24, 15)))),
                (nov(24, 12), "sign", "in_progress", "D1", Some(("handle", nov(26, 12)))),
                (nov(25, 9), "respond", "responded", "G", Some(("verify", nov(26, 9)))),
                (nov(25, 10), "verify+", "closed", "", None),
                (nov(25, 15), "rate:u", "rated", "", None),
                (nov(26, 9), "reopen", "dispatched", "D1", Some(("sign", nov(26, 13)))),
                (nov(26, 10), "sign", "in_progress", "D1", Some(("handle", dec(3, 10)))),
            ],
        ),
    ]
}
