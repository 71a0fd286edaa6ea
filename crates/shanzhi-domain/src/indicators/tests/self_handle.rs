//! 自行处置: a grid worker reports a matter and closes it on the spot, in one
//! step. It counts as found by the worker (主动发现率), reported, closed and
//! 办结 at once; no department responded, so there is no rework to judge.

use super::super::parts::parts_of;
use super::super::record::TimelineRow;
use super::*;
use crate::matter::Channel;

fn self_handled() -> Vec<TimelineRow> {
    matter(
        30,
        'A',
        Channel::GridWorker,
        Line::Development,
        &[
            (nov(5, 9), "report", "reported", "c", Some(("accept", nov(5, 10)))),
            (nov(5, 9), "self_handle", "closed", "c", None),
            (nov(6, 9), "rate:s", "rated", "c", None),
        ],
    )
}

#[test]
fn a_self_handled_matter_is_proactive_closed_and_counted_once() {
    use Key::*;
    let params = november(dec(1, 0), UnitKind::District, None, &no_workers);
    let matters = [self_handled()];
    let t = tally(&matters, &params);
    let a = &t.0["510104"];
    let pair = |k: Key| a.get(&k).map_or((0.0, 0.0), |x| (x.numerator, x.denominator));
    assert_eq!(pair(Reported).0, 1.0);
    assert_eq!(pair(ProactiveShare), (1.0, 1.0), "found by the grid worker");
    assert_eq!(pair(Closed).0, 1.0, "closed by the self-handling");
    assert_eq!(pair(ClosureRate), (1.0, 1.0), "办结 without a verification");
    assert_eq!(pair(ReworkRate), (0.0, 0.0), "no response was judged");
    assert_eq!(pair(Overdue).0, 0.0, "closed within the accept stage");
    assert_eq!(pair(SatisfactionRate), (1.0, 1.0));
    // Before the self-handling nothing is closed.
    let early = Params { as_of: nov(5, 9), ..params };
    let t = tally(&matters, &early);
    let closure = t.0.get("510104").and_then(|a| a.get(&ClosureRate)).map_or(0.0, |x| x.numerator);
    assert_eq!(closure, 0.0, "not closed before it was handled");
    // The stored parts carry the same closure.
    let stored = parts_of(&matters[0]).expect("parts");
    let closure: f64 = stored.parts.iter().filter(|p| p.key == ClosureRate).map(|p| p.numerator).sum();
    assert_eq!(closure, 1.0);
}
