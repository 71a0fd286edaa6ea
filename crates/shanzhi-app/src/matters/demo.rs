//! Demo matters: a few thousand reports across the demo grid, in every state
//! of the lifecycle, with plausible Chinese texts, so that a new user sees a
//! living system. Built in memory through the real state machine (every
//! timeline replays) and written in one batch. Deterministic for a seed.

use std::collections::HashMap;

use geo::InteriorPoint;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use shanzhi_domain::category::Severity;
use shanzhi_domain::matter::{LngLat, Reporter};
use shanzhi_domain::{
    ActingRole, Assignee, Category, Channel, Command, DepartmentCode, DivisionLevel, DutyLevel, DutyList, GridKind,
    Level, Matter, MatterEvent, MatterId, MatterState, Micros, Phone, Rating, Role, Stage, Status, Timing,
};
use shanzhi_store::GridQuery;

use crate::access::Operator;
use crate::grids::today;
use crate::{App, AppResult, NoProgress, Progress};

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林",
];

const DETAILS: [&str; 12] = [
    "影响居民出行，请尽快处理。",
    "已持续好几天，周边居民反映强烈。",
    "晚上尤其明显，存在安全隐患。",
    "拍了照片，希望相关部门来看看。",
    "之前反映过一次，还没有解决。",
    "老人小孩经过很不方便。",
    "雨天更严重，麻烦安排人员处理。",
    "希望社区协调解决。",
    "现场情况比较紧急。",
    "附近商户也有意见。",
    "请尽快派人核实。",
    "谢谢！",
];

const RESPONSES: [&str; 6] = [
    "已安排人员到场处置，问题已解决。",
    "已联系责任单位整改完毕，现场恢复正常。",
    "经现场核实已处理，后续将加强巡查。",
    "已清理完毕，并对当事人进行了劝导。",
    "已维修完成，经测试运行正常。",
    "已协调双方达成一致意见。",
];

/// Target states, in per-mille.
const STATES: [(MatterState, u32); 11] = [
    (MatterState::Reported, 50),
    (MatterState::Filed, 50),
    (MatterState::Dispatched, 80),
    (MatterState::InProgress, 150),
    (MatterState::Parked, 20),
    (MatterState::Responded, 80),
    (MatterState::Closed, 200),
    (MatterState::Rated, 300),
    (MatterState::Rejected, 30),
    (MatterState::Merged, 20),
    (MatterState::Voided, 20),
];

/// How a repeat reads: another caller's words for the same problem.
const REPEATS: [&str; 4] = [
    "{place}的{what}问题还是没人管，{detail}",
    "又看到{place}附近{what}，{detail}",
    "{place}一带{what}，麻烦处理一下。",
    "反映{place}{what}，{detail}",
];

/// The matter made just before, for a repeat of it.
#[derive(Debug, Clone)]
struct Made {
    id: MatterId,
    grid: usize,
    leaf: usize,
    reported_at: Micros,
    repeat: bool,
    /// Where its number is: its row in the batch being built, or the
    /// number itself once the batch was written.
    at: Result<usize, String>,
}

/// Number the rows, then mark each repeat with its original's number.
fn link_repeats(rows: &mut [(Matter, Vec<MatterEvent>)], links: &mut Vec<(usize, Result<usize, String>)>) {
    for (repeat, original) in links.drain(..) {
        let number = match original {
            Ok(i) => rows.get(i).map(|(m, _)| m.number.clone()),
            Err(n) => Some(n),
        };
        if let Some((m, _)) = rows.get_mut(repeat) {
            m.duplicate_of = number;
        }
    }
}

struct Builder<'a> {
    matter: Matter,
    events: Vec<MatterEvent>,
    /// Events never lie in the future.
    now: Micros,
    rng: &'a mut Pcg64Mcg,
    timing: &'a Timing,
    category: &'a Category,
}

impl Builder<'_> {
    /// Give a command some minutes after the last one; false if it does not fit.
    fn push(&mut self, actor: &str, role: Role, command: Command) -> bool {
        let at = self.matter.updated_at.plus_seconds(self.rng.random_range(10..600) * 60).min(self.now);
        let Ok((next, mut event)) = self.matter.apply(&command, at, actor, ActingRole::Role(role), Vec::new()) else {
            return false;
        };
        let urgent = self.category.severity == Severity::Urgent;
        let clock = self.timing.after(
            self.matter.clock.as_ref(),
            &command,
            &self.matter.status,
            &next.status,
            &self.category.limits,
            urgent,
            at.timestamp(),
        );
        self.matter = next.timed(clock, &mut event);
        self.events.push(event);
        true
    }
}

/// What demo matters to make.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub count: usize,
    pub seed: u64,
    /// Only matters still waiting on someone (for load tests of the sweep).
    pub open_only: bool,
    /// Reported over this many hours before now.
    pub spread_hours: i64,
    /// Only in the grids of this division (a district's workbench under load).
    pub within: Option<shanzhi_domain::DivisionCode>,
}

impl App {
    /// Give rows whose `number` holds their prefix real numbers, taken from
    /// the store's counters (so they follow whatever is stored already).
    async fn number_rows(&self, rows: &mut [(Matter, Vec<MatterEvent>)]) -> AppResult<()> {
        let mut counts: HashMap<String, i64> = HashMap::new();
        for (m, _) in rows.iter() {
            *counts.entry(m.number.clone()).or_default() += 1;
        }
        let mut next: HashMap<String, i64> = HashMap::new();
        for (prefix, n) in counts {
            let first = self.store.reserve_numbers(&prefix, n).await?;
            next.insert(prefix, first);
        }
        for (m, _) in rows.iter_mut() {
            let seq = next.get_mut(&m.number).expect("counted");
            m.number = format!("{}-{:06}", m.number, *seq);
            *seq += 1;
        }
        Ok(())
    }
}

/// Rows written per transaction: bounded memory for millions of matters.
const FLUSH_ROWS: usize = 2000;

impl Operator<'_> {
    /// Create `count` demo matters across the current grid (seeded).
    pub async fn generate_demo_matters(&self, count: usize, seed: u64) -> AppResult<usize> {
        let options = DemoOptions { count, seed, open_only: false, spread_hours: 60 * 24, within: None };
        self.generate_demo_matters_with(&options, &NoProgress).await
    }

    /// Create demo matters as `options` say, reporting progress.
    pub async fn generate_demo_matters_with(&self, options: &DemoOptions, progress: &dyn Progress) -> AppResult<usize> {
        let (count, seed) = (options.count, options.seed);
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let grids: Vec<_> = self
            .store
            .grids(&GridQuery::as_of(today()))
            .await?
            .into_iter()
            .filter(|g| matches!(g.info.kind, GridKind::Micro | GridKind::General))
            .filter(|g| {
                options.within.as_ref().is_none_or(|w| {
                    let c = g.info.community();
                    *w == c || w.is_ancestor_of(&c)
                })
            })
            .collect();
        if grids.is_empty() {
            return Ok(0);
        }
        let categories: Vec<(Category, i64)> = self.store.categories().await?;
        let parents: Vec<_> = categories.iter().filter_map(|(c, _)| c.parent.clone()).collect();
        let leaves: Vec<&(Category, i64)> = categories.iter().filter(|(c, _)| !parents.contains(&c.code)).collect();
        let duties: HashMap<(String, DutyLevel), shanzhi_domain::DutyItem> = self
            .store
            .duties(None)
            .await?
            .into_iter()
            .map(|d| ((d.category.as_str().to_owned(), d.level), d))
            .collect();
        let district_keys = [
            "chengguan",
            "zhujian",
            "shengtai",
            "gongan",
            "jiaotong",
            "shuiwu",
            "shichang",
            "weijian",
            "minzheng",
            "yingji",
        ];
        let now = self.now_micros();
        let timing = self.timing();
        progress.stage("演示事件 (demo matters)", count as u64);
        let mut rows: Vec<(Matter, Vec<MatterEvent>)> = Vec::with_capacity(FLUSH_ROWS.min(count));
        let mut written = 0;
        let mut last: Option<Made> = None;
        let mut links: Vec<(usize, Result<usize, String>)> = Vec::new();
        for i in 0..count {
            if rows.len() >= FLUSH_ROWS {
                self.number_rows(&mut rows).await?;
                link_repeats(&mut rows, &mut links);
                if let Some(l) = last.as_mut() {
                    l.at = Err(rows.last().map(|(m, _)| m.number.clone()).unwrap_or_default());
                }
                self.store.insert_matters_bulk(&rows).await?;
                self.keep_parts_of(&rows).await?;
                written += rows.len();
                progress.advance(rows.len() as u64);
                rows.clear();
            }
            let target = {
                let mut roll = rng.random_range(0..1000);
                STATES
                    .iter()
                    .find(|(_, w)| {
                        if roll < *w {
                            true
                        } else {
                            roll -= w;
                            false
                        }
                    })
                    .map_or(MatterState::Rated, |s| s.0)
            };
            let target = if options.open_only && !target.is_open() { MatterState::InProgress } else { target };
            // Every merged matter is a deliberate repeat (重复件) of the matter
            // made just before — the same grid and category, a few metres
            // away, other words, up to two days later — marked with its
            // original's number (`duplicate_of`): a labelled set for
            // measuring the duplicate rule. Two in three are merged into it,
            // the others wait at intake, flagged (可能重复). A repeat of a
            // repeat would blur the labels, so that one is voided instead.
            let original = last.take().filter(|l| target == MatterState::Merged && !l.repeat);
            let target = match (target, &original) {
                (MatterState::Merged, None) => MatterState::Voided,
                (MatterState::Merged, Some(_)) if rng.random_range(0..3) == 0 => MatterState::Reported,
                _ => target,
            };
            if let Some(o) = &original {
                links.push((rows.len(), o.at.clone()));
            }
            let drawn = (rng.random_range(0..grids.len()), rng.random_range(0..leaves.len()));
            let (grid_at, leaf_at) = original.as_ref().map_or(drawn, |o| (o.grid, o.leaf));
            let grid = &grids[grid_at];
            let (category, version) = leaves[leaf_at];
            let point = grid.geometry.interior_point().map(|p| match &original {
                Some(_) => LngLat {
                    lng: p.x() + rng.random_range(-0.0003..0.0003),
                    lat: p.y() + rng.random_range(-0.0003..0.0003),
                },
                None => LngLat { lng: p.x(), lat: p.y() },
            });
            let channel = match rng.random_range(0..10) {
                0..=3 => Channel::Resident,
                4..=6 => Channel::GridWorker,
                7..=8 => Channel::Hotline,
                _ => Channel::Wechat,
            };
            let level = match channel {
                Channel::GridWorker => Level::Grid,
                Channel::Hotline => Level::Town,
                _ => Level::Community,
            };
            let reported_at = match &original {
                Some(o) => o.reported_at.plus_seconds(rng.random_range(10..48 * 60) * 60).min(now),
                None => now.plus_seconds(-rng.random_range(60..options.spread_hours.max(2) * 60) * 60),
            };
            let id = MatterId::new();
            let community = grid.info.community();
            // "…第1网格第5微网格" reads as its general grid, "…第1网格".
            let place = match grid.info.name.strip_suffix("微网格").and_then(|n| n.rfind('第').map(|i| &n[..i])) {
                Some(general) => general.to_owned(),
                None => grid.info.name.clone(),
            };
            let detail = DETAILS[rng.random_range(0..DETAILS.len())];
            let description = match &original {
                // A second caller says it their own way.
                Some(_) => REPEATS[rng.random_range(0..REPEATS.len())]
                    .replace("{place}", &place)
                    .replace("{what}", &category.name)
                    .replace("{detail}", detail),
                None => format!("{place}附近{}，{detail}", category.name),
            };
            let report = serde_json::json!({
                "channel": channel, "category": category.code, "category_version": version, "grid": grid.info.code,
                "description": description, "lng": point.map(|p| p.lng), "lat": point.map(|p| p.lat), "level": level,
            });
            let district = community.ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
            let district6 = district.as_ref().map_or("510100".to_owned(), |d| d.significant().to_owned());
            let day = reported_at
                .timestamp()
                .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .date()
                .strftime("%Y%m%d")
                .to_string();
            let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
            let phone = format!("13{}{:08}", rng.random_range(5..10), rng.random_range(0..100_000_000u32));
            let urgent = category.severity == Severity::Urgent;
            let mut matter = Matter {
                // Numbered at the flush, from the store's counters.
                number: format!("{district6}-{day}"),
                channel,
                category: category.code.clone(),
                category_version: *version,
                line: category.line,
                severity: category.severity,
                description,
                address: Some(grid.info.name.clone()),
                location: point,
                grid: grid.info.code.clone(),
                general_grid: if grid.info.kind == GridKind::General {
                    Some(grid.info.code.clone())
                } else {
                    grid.info.parent.clone()
                },
                reporter: Reporter {
                    user_id: None,
                    name: Some(format!("{surname}{}", if i % 2 == 0 { "先生" } else { "女士" })),
                    phone: Phone::parse(&phone).ok(),
                },
                external_ref: (channel == Channel::Hotline)
                    .then(|| format!("DEMO-12345-{}", &id.as_str()[id.as_str().len() - 12..])),
                duplicate_of: None,
                status: Status::reported(level),
                reported_at,
                updated_at: reported_at,
                clock: timing.start(Stage::Accept, &category.limits, urgent, reported_at.timestamp()),
                event_count: 1,
                last_hash: String::new(),
                reporter_key_hash: None,
                request_hash: None,
                id,
            };
            let (actor, role) = if channel == Channel::GridWorker {
                ("demo_grid", ActingRole::Role(Role::GridWorker))
            } else {
                ("resident", ActingRole::Role(Role::Resident))
            };
            let first = matter.report_entry(actor, role, report.to_string(), Vec::new());
            matter.last_hash = first.hash.clone();
            let mut b = Builder { matter, events: vec![first], now, rng: &mut rng, timing: &timing, category };
            // Where the duty list sends it: the community if it may take it, else the district's department.
            let to = match duties.get(&(category.code.as_str().to_owned(), DutyLevel::Community)) {
                Some(d) if matches!(d.list, DutyList::Lawful | DutyList::Assist) && b.rng.random_bool(0.4) => {
                    Assignee::Community
                }
                _ => {
                    let key = duties
                        .get(&(category.code.as_str().to_owned(), DutyLevel::Town))
                        .and_then(|d| d.lead.clone())
                        .unwrap_or_else(|| "chengguan".to_owned());
                    let code = match (&district, district_keys.contains(&key.as_str())) {
                        (Some(d), true) => format!("{}-{key}", d.significant()),
                        _ => format!("510100-{key}"),
                    };
                    Assignee::Department(DepartmentCode::parse(&code).expect("demo department code"))
                }
            };
            let handler = if to == Assignee::Community {
                ("demo_community", Role::CommunityWorker)
            } else {
                ("demo_dept", Role::DeptHandler)
            };
            let reason = "经核实不属实".to_owned();
            match target {
                MatterState::Reported => {}
                MatterState::Rejected => {
                    b.push(
                        "demo_dispatcher",
                        Role::Dispatcher,
                        Command::Reject { reason: "重复上报或不属于受理范围".into() },
                    );
                }
                MatterState::Voided => {
                    b.push("demo_dispatcher", Role::Dispatcher, Command::Void { reason });
                }
                MatterState::Merged => {
                    if let Some(o) = &original {
                        b.push("demo_dispatcher", Role::Dispatcher, Command::Merge { into: o.id.to_string() });
                    }
                }
                _ => {
                    b.push("demo_dispatcher", Role::Dispatcher, Command::Accept);
                    if b.rng.random_bool(0.1) {
                        b.push(
                            "demo_community",
                            Role::CommunityWorker,
                            Command::Escalate { reason: "需要街道协调（吹哨）".into() },
                        );
                    }
                    if target != MatterState::Filed {
                        b.push("demo_dispatcher", Role::Dispatcher, Command::Dispatch { to: to.clone() });
                        if b.rng.random_bool(0.08) {
                            b.push(handler.0, handler.1, Command::Return { reason: "不属于本单位职责".into() });
                            b.push("demo_dispatcher", Role::Dispatcher, Command::Dispatch { to: to.clone() });
                        }
                    }
                    if !matches!(target, MatterState::Filed | MatterState::Dispatched) {
                        b.push(handler.0, handler.1, Command::Sign);
                        if b.rng.random_bool(0.1) {
                            b.push(handler.0, handler.1, Command::Extend { hours: 48, reason: "需采购配件".into() });
                            b.push("demo_dispatcher", Role::Dispatcher, Command::ApproveExtension);
                        }
                        if b.rng.random_bool(0.1) {
                            b.push(
                                "demo_supervisor",
                                Role::Supervisor,
                                Command::Supervise { note: "请加快处置进度".into(), overdue: None },
                            );
                        }
                    }
                    if target == MatterState::Parked {
                        b.push(handler.0, handler.1, Command::Park { reason: "需纳入年度改造计划".into() });
                        b.push("demo_dispatcher", Role::Dispatcher, Command::ApprovePark);
                    }
                    if matches!(target, MatterState::Responded | MatterState::Closed | MatterState::Rated) {
                        let text = RESPONSES[b.rng.random_range(0..RESPONSES.len())].to_owned();
                        b.push(handler.0, handler.1, Command::Respond { text: text.clone() });
                        if b.rng.random_bool(0.1) {
                            b.push(
                                "demo_grid",
                                Role::GridWorker,
                                Command::Verify { passed: false, note: "现场仍未整改到位".into() },
                            );
                            b.push(handler.0, handler.1, Command::Respond { text });
                        }
                    }
                    if matches!(target, MatterState::Closed | MatterState::Rated) {
                        b.push(
                            "demo_grid",
                            Role::GridWorker,
                            Command::Verify { passed: true, note: "现场核查合格".into() },
                        );
                    }
                    if target == MatterState::Rated {
                        let rating = match b.rng.random_range(0..10) {
                            0..=6 => Rating::Satisfied,
                            7..=8 => Rating::BasicallySatisfied,
                            _ => Rating::Unsatisfied,
                        };
                        let reason = (rating == Rating::Unsatisfied).then(|| "处理不彻底，问题反复出现".to_owned());
                        b.push("resident", Role::Resident, Command::Rate { rating, reason });
                    }
                }
            }
            let (record, events) = (b.matter, b.events);
            last = Some(Made {
                id: record.id.clone(),
                grid: grid_at,
                leaf: leaf_at,
                reported_at: record.reported_at,
                repeat: original.is_some(),
                at: Ok(rows.len()),
            });
            rows.push((record, events));
        }
        if !rows.is_empty() {
            self.number_rows(&mut rows).await?;
            link_repeats(&mut rows, &mut links);
            self.store.insert_matters_bulk(&rows).await?;
            self.keep_parts_of(&rows).await?;
            written += rows.len();
        }
        progress.finish();
        Ok(written)
    }
}
