//! Random timelines: the naive figures of their export equal the API's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::figures::FigureQuery;
use shanzhi_app::matters::{IntakeRequest, SelfHandleRequest};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_domain::{CommandKind, DivisionCode, Line, Matter, MatterId, Micros, Role};
use shanzhi_testkit::{TestApp, community_grid};

use super::export::{export, export_within, parse_export};
use super::naive::compare;
use super::replay::check_replay;
use crate::at;

/// Three communities: two towns of 锦江区 and one of 青羊区, each a master
/// grid and two general grids, with their staff.
const COMMUNITIES: [(&str, f64); 3] = [("510104022006", 104.07), ("510104017001", 104.09), ("510105002002", 104.11)];
const DEPARTMENTS: [(&str, &str); 3] =
    [("510104-chengguan", "锦江区城管局"), ("510104-shuiwu", "锦江区水务局"), ("510105-chengguan", "青羊区城管局")];

fn general_grids() -> Vec<String> {
    COMMUNITIES.iter().flat_map(|(c, _)| [format!("{c}001"), format!("{c}002")]).collect()
}

pub(super) fn grid_workers() -> BTreeMap<String, Vec<String>> {
    general_grids().into_iter().map(|g| (g.clone(), vec![format!("gw_{g}")])).collect()
}

fn handler(department: &str) -> String {
    format!("dh_{}", department.replace('-', "_"))
}

#[derive(Debug, Clone)]
struct Step {
    /// Minutes the clock moves first.
    minutes: i64,
    /// Or the clock moves to the matter's deadline, when it is ahead: an
    /// entry exactly at the deadline is still in time.
    exact: bool,
    /// The matter acted on: the previous step's again, or this one.
    stay: bool,
    matter: usize,
    /// Which of the fitting commands (or a sweep).
    pick: usize,
    /// The command's arguments and who gives it.
    alt: usize,
}

fn arb_step() -> impl Strategy<Value = Step> {
    let minutes = prop_oneof![6 => 0i64..20, 3 => 20i64..180, 1 => 180i64..2000];
    let exact = proptest::bool::weighted(0.15);
    (minutes, exact, any::<bool>(), 0usize..64, 0usize..1000, 0usize..1000)
        .prop_map(|(minutes, exact, stay, matter, pick, alt)| Step { minutes, exact, stay, matter, pick, alt })
}

/// The loop's next step (the one a unit works towards), then side flows,
/// then what ends a matter early: a pick among the commands that fit, most
/// often forward so that timelines get far.
fn choose(allowed: &[CommandKind], pick: usize) -> Option<CommandKind> {
    use CommandKind as K;
    const FORWARD: [CommandKind; 12] = [
        K::Accept,
        K::Dispatch,
        K::Sign,
        K::Respond,
        K::Verify,
        K::Rate,
        K::Reopen,
        K::Resume,
        K::ApproveExtension,
        K::DenyExtension,
        K::ApprovePark,
        K::DenyPark,
    ];
    const SIDE: [CommandKind; 5] = [K::Extend, K::Park, K::Return, K::Escalate, K::Supervise];
    const END: [CommandKind; 3] = [K::Reject, K::Void, K::Merge];
    let among = |list: &[CommandKind]| {
        let fitting: Vec<CommandKind> = list.iter().copied().filter(|k| allowed.contains(k)).collect();
        (!fitting.is_empty()).then(|| fitting[(pick / 100) % fitting.len()])
    };
    let forward = FORWARD.iter().copied().find(|k| allowed.contains(k)).map(|k| match (k, pick % 3) {
        (K::ApproveExtension, 0) => K::DenyExtension,
        (K::ApprovePark, 0) => K::DenyPark,
        (k, _) => k,
    });
    match pick % 100 {
        0..4 => among(&END).or(forward),
        4..30 => among(&SIDE).or(forward),
        _ => forward.or_else(|| among(&SIDE)).or_else(|| among(&END)),
    }
}

struct World {
    t: TestApp,
    clock: Arc<ManualClock>,
    actors: HashMap<String, Actor>,
    /// Matter ids by index, once reported.
    ids: Vec<Option<String>>,
    /// The matter of the last step.
    last: usize,
}

impl World {
    async fn new(now: Timestamp, matters: usize) -> World {
        let clock = Arc::new(ManualClock::new(now));
        let mut features = Vec::new();
        for (c, x) in COMMUNITIES {
            features.extend(community_grid(c, x, 30.65));
        }
        let mut accounts: Vec<(String, Role, Option<String>)> = vec![
            ("res".into(), Role::Resident, None),
            ("sup".into(), Role::Supervisor, Some("5101".into())),
            ("disp_510104".into(), Role::Dispatcher, Some("510104".into())),
            ("disp_510105".into(), Role::Dispatcher, Some("510105".into())),
        ];
        for (c, _) in COMMUNITIES {
            accounts.push((format!("cw_{c}"), Role::CommunityWorker, Some(c.to_owned())));
        }
        for g in general_grids() {
            accounts.push((format!("gw_{g}"), Role::GridWorker, Some(g)));
        }
        for (d, _) in DEPARTMENTS {
            accounts.push((handler(d), Role::DeptHandler, Some(d.to_owned())));
        }
        let mut b = TestApp::new().with_clock(clock.clone()).with_features(features).with_categories();
        for (d, name) in DEPARTMENTS {
            b = b.with_department(d, name);
        }
        let refs: Vec<(&str, Role, Option<&str>)> =
            accounts.iter().map(|(u, r, s)| (u.as_str(), *r, s.as_deref())).collect();
        let t = b.with_accounts(&refs).start().await;
        let mut actors = HashMap::new();
        for (u, _, _) in &accounts {
            actors.insert(u.clone(), t.actor(u).await);
        }
        World { t, clock, actors, ids: vec![None; matters], last: 0 }
    }

    async fn report(&mut self, i: usize, alt: usize) {
        let (community, x) = COMMUNITIES[i % 3];
        let half = (i / 3) % 2;
        let grid = format!("{community}00{}", half + 1);
        let district = &community[..6];
        let (who, channel) = match alt % 3 {
            0 => ("res".to_owned(), "resident"),
            1 => (format!("gw_{grid}"), "grid_worker"),
            _ => (format!("disp_{district}"), "hotline"),
        };
        // 0401 路面塌陷 runs on clock hours (and is on both lines); 0110 on
        // working time; a grid worker handles 0507 乱堆物堆料 on the spot.
        let category = match (alt / 3) % 6 {
            0 | 3 => "0401",
            5 if channel == "grid_worker" => "0507",
            _ => "0110",
        };
        let r = IntakeRequest {
            category: category.to_owned(),
            lng: Some(x + 0.002 + 0.005 * half as f64),
            lat: Some(30.655),
            description: format!("第 {i} 件：路面破损，请尽快处理"),
            channel: Some(channel.to_owned()),
            ..IntakeRequest::default()
        };
        let scoped = self.t.app().scoped(self.actors[&who].clone());
        if category == "0507" {
            const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
            let after = SelfHandleRequest {
                report: r,
                text: "已清理".to_owned(),
                after_photos: vec![PNG.to_vec()],
                ..Default::default()
            };
            let m = scoped.self_handle(after).await.unwrap_or_else(|e| panic!("{who} handles on the spot: {e:?}"));
            self.ids[i] = Some(m.id);
            return;
        }
        let answer = scoped.intake(r).await;
        let answer = answer.unwrap_or_else(|e| panic!("{who} reports through {channel}: {e:?}"));
        self.ids[i] = Some(answer.matter.id);
    }

    async fn stored(&self, id: &str) -> Matter {
        let id = MatterId::parse(id).expect("id");
        self.t.store().matter(&id).await.expect("read").expect("stored")
    }

    /// Another open matter of the same community, still reported or filed.
    async fn merge_target(&self, i: usize) -> Option<String> {
        for (j, id) in self.ids.iter().enumerate() {
            let Some(id) = id else { continue };
            if j != i && j % 3 == i % 3 && !self.stored(id).await.status.state.is_final() {
                return Some(id.clone());
            }
        }
        None
    }

    /// The matter a step acts on.
    fn target(&self, s: &Step) -> usize {
        if s.stay { self.last } else { s.matter % self.ids.len() }
    }

    /// The deadline the matter's clock runs to now, if it runs.
    async fn deadline(&self, i: usize) -> Option<Timestamp> {
        let id = self.ids[i].as_ref()?;
        self.stored(id).await.deadline_at().map(|d| d.timestamp())
    }

    async fn step(&mut self, s: &Step) {
        let i = self.target(s);
        self.last = i;
        let Some(id) = self.ids[i].clone() else {
            return self.report(i, s.alt).await;
        };
        let m = self.stored(&id).await;
        let merge = self.merge_target(i).await;
        let mut allowed = m.status.allowed();
        if merge.is_none() {
            allowed.retain(|k| *k != CommandKind::Merge);
        }
        let Some(kind) = choose(&allowed, s.pick).filter(|_| !(s.pick / 100).is_multiple_of(10)) else {
            self.t.sweep().await.expect("sweep");
            return;
        };
        let (community, _) = COMMUNITIES[i % 3];
        let district = &community[..6];
        let worker_grid = m.general_grid.clone().unwrap_or_else(|| m.grid.clone()).to_string();
        let departments: Vec<&str> = DEPARTMENTS.iter().map(|d| d.0).filter(|d| d.starts_with(district)).collect();
        let reason = json!({"reason": "理由"});
        let args: Vec<Value> = match kind {
            CommandKind::Accept
            | CommandKind::Sign
            | CommandKind::ApproveExtension
            | CommandKind::ApprovePark
            | CommandKind::Resume => vec![json!({})],
            CommandKind::Dispatch => {
                let department = |d: &str| json!({"to": {"kind": "department", "code": d}});
                let chosen = match s.alt % 3 {
                    0 => json!({"to": {"kind": "community"}}),
                    n => department(departments[n % departments.len()]),
                };
                // The community may not take a category on its negative list.
                vec![chosen, department(departments[0])]
            }
            CommandKind::Respond => vec![json!({"text": "已处置"})],
            CommandKind::Verify => vec![json!({"passed": !s.alt.is_multiple_of(3), "note": "现场核查"})],
            CommandKind::Rate => vec![match s.alt % 3 {
                0 => json!({"rating": "satisfied"}),
                1 => json!({"rating": "basically_satisfied"}),
                _ => json!({"rating": "unsatisfied", "reason": "没修好"}),
            }],
            CommandKind::Extend => vec![json!({"hours": 1 + s.alt % 40, "reason": "需采购配件"})],
            CommandKind::Supervise => vec![json!({"note": "请加快办理"})],
            CommandKind::Note => vec![json!({"text": "补充说明"})],
            // Only with the report (see `report`): never a step of its own.
            CommandKind::SelfHandle => unreachable!("self_handle is not among the allowed steps"),
            // From a call-back task only (see tests/app/callbacks.rs).
            CommandKind::Callback => unreachable!("callback is not among the allowed steps"),
            CommandKind::Merge => vec![json!({"into": merge.clone().expect("a target")})],
            CommandKind::Reject
            | CommandKind::Return
            | CommandKind::Reopen
            | CommandKind::Escalate
            | CommandKind::DenyExtension
            | CommandKind::Park
            | CommandKind::DenyPark
            | CommandKind::Void => vec![reason],
        };
        let cw = format!("cw_{community}");
        let disp = format!("disp_{district}");
        let gw = format!("gw_{worker_grid}");
        let handlers: Vec<String> = departments.iter().map(|d| handler(d)).collect();
        let mut who: Vec<String> = match kind {
            CommandKind::Accept
            | CommandKind::Reject
            | CommandKind::Dispatch
            | CommandKind::Merge
            | CommandKind::Void
            | CommandKind::Escalate => vec![cw, disp],
            CommandKind::Sign
            | CommandKind::Return
            | CommandKind::Respond
            | CommandKind::Extend
            | CommandKind::Park => std::iter::once(cw).chain(handlers).collect(),
            CommandKind::ApproveExtension
            | CommandKind::DenyExtension
            | CommandKind::ApprovePark
            | CommandKind::DenyPark
            | CommandKind::Resume
            | CommandKind::Reopen => vec![disp],
            CommandKind::Verify => vec![gw, cw],
            CommandKind::Rate => vec!["res".to_owned(), disp],
            CommandKind::Supervise => vec!["sup".to_owned()],
            CommandKind::Note => vec![gw, disp],
            CommandKind::Callback => vec![disp],
            CommandKind::SelfHandle => vec![gw],
        };
        if s.alt % 2 == 1 {
            who.reverse();
        }
        for a in &args {
            // The people who may give it here, then the operator (the system) for
            // what nobody may (a rating of a grid worker's own report).
            for actor in who.iter().map(Some).chain([None]) {
                let scoped = match actor {
                    Some(u) => self.t.app().scoped(self.actors[u].clone()),
                    None => self.t.operator().scoped("test"),
                };
                match scoped.command(&id, kind.name(), a.clone()).await {
                    Ok(_) => return,
                    Err(AppError::Forbidden(_) | AppError::NotFound { .. }) => continue,
                    Err(AppError::Invalid { .. }) if kind == CommandKind::Dispatch => break,
                    Err(e) => panic!("{kind} {a} on {id} by {actor:?}: {e:?}"),
                }
            }
        }
        panic!("nobody could {kind} {id} ({:?})", m.status);
    }
}

fn figure_queries() -> Vec<FigureQuery> {
    let mut out = Vec::new();
    for period in ["2026-11", "2026-12", "2026-W49"] {
        let period = Period::parse(period).expect("period");
        for by in UnitKind::ALL {
            out.push(FigureQuery { period, by, within: None, line: None });
        }
        for line in [Line::Safety, Line::Development] {
            out.push(FigureQuery { period, by: UnitKind::District, within: None, line: Some(line) });
            out.push(FigureQuery { period, by: UnitKind::Department, within: None, line: Some(line) });
        }
    }
    out
}

async fn random_timeline(matters: usize, start: i64, steps: &[Step], tail: i64) {
    // From Thursday 2026-11-26 08:00 plus up to four days: runs cross November's end.
    let mut now = at(11, 26, 8, 0).checked_add(jiff::SignedDuration::from_mins(start)).expect("time");
    let mut w = World::new(now, matters).await;
    for s in steps {
        now = match w.deadline(w.target(s)).await {
            Some(deadline) if s.exact && deadline > now => deadline,
            _ => now.checked_add(jiff::SignedDuration::from_mins(s.minutes)).expect("time"),
        };
        w.clock.set(now);
        w.step(s).await;
    }
    // Look a while later (entries at `now` itself would not be seen yet).
    now = now.checked_add(jiff::SignedDuration::from_mins(tail)).expect("time");
    w.clock.set(now);
    let sup = w.actors["sup"].clone();
    let rows = parse_export(&export(&w.t, Some(&sup), None, None).await);
    for q in figure_queries() {
        compare(&w.t, &sup, &rows, &q, now, &format!("now {now}")).await;
    }
    // The supervisor's figures (by grid workers too) were sums of kept parts.
    assert_eq!(w.t.store().count_stale_figure_matters().await.expect("stale"), 0, "answered from kept parts");
    // Callers with a narrower scope export and count only their matters: a
    // district's dispatcher, a community worker, a department's handler.
    for who in ["disp_510105", "cw_510104017001", "dh_510104_shuiwu"] {
        let them = w.actors[who].clone();
        let theirs = parse_export(&export(&w.t, Some(&them), None, None).await);
        assert!(theirs.len() <= rows.len());
        for q in figure_queries().into_iter().filter(|q| q.line.is_none()) {
            compare(&w.t, &them, &theirs, &q, now, &format!("now {now}, as {who}")).await;
        }
    }
    // `within` narrows the export and the figures alike (a town of 锦江区 here).
    let town = DivisionCode::parse("510104017").expect("town");
    let inside = parse_export(&export_within(&w.t, Some(&sup), None, None, Some(town.clone())).await);
    assert!(inside.iter().all(|(_, r)| r[0].town == "510104017"));
    for q in figure_queries().into_iter().filter(|q| q.line.is_none()) {
        let q = FigureQuery { within: Some(town.clone()), ..q };
        compare(&w.t, &sup, &inside, &q, now, &format!("now {now}, within {town}")).await;
    }
    // What docs/timeline-export.md promises: the export `--from` a period's
    // start `--to` its end (or now) is enough to recompute that period.
    for period in ["2026-11", "2026-12", "2026-W49"] {
        let period = Period::parse(period).expect("period");
        let (start, end) = period.bounds();
        let to = end.min(Micros::from(now));
        let part = parse_export(&export(&w.t, Some(&sup), Some(start), Some(to)).await);
        for q in figure_queries().into_iter().filter(|q| q.period == period) {
            compare(&w.t, &sup, &part, &q, now, &format!("now {now}, export of {period} only")).await;
        }
    }
    check_replay(&w.t, &rows).await;
}

proptest! {
    #![proptest_config(ProptestConfig {
        // FIGURES_CASES=500 for a longer search.
        cases: std::env::var("FIGURES_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(8),
        failure_persistence: None,
        max_shrink_iters: 24,
        ..ProptestConfig::default()
    })]
    #[test]
    fn a_naive_reading_of_the_export_gives_the_apis_figures(
        matters in 4usize..11,
        start in 0i64..(4 * 24 * 60),
        steps in proptest::collection::vec(arb_step(), 60..140),
        tail in 1i64..(3 * 24 * 60),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(random_timeline(matters, start, &steps, tail));
    }
}
