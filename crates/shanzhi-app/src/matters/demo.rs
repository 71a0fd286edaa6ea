//! Demo matters: a few thousand reports across the demo grid, in every state
//! of the lifecycle, with plausible Chinese texts, so that a new user sees a
//! living system. Built in memory through the real state machine (every
//! timeline replays) and written in one batch. Deterministic for a seed.

use std::collections::HashMap;

use geo::InteriorPoint;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use shanzhi_domain::category::Severity;
use shanzhi_domain::{
    Assignee, Category, Command, DepartmentCode, DivisionLevel, DutyLevel, DutyList, GridKind, Level, MatterState,
    Rating, Stage, StageClock, Status, Timing,
};
use shanzhi_store::{GridQuery, MATTER_GENESIS, MatterEvent, MatterRecord, matter_event_hash};

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

struct Builder<'a> {
    id: String,
    status: Status,
    events: Vec<MatterEvent>,
    at: i64,
    /// Events never lie in the future.
    now: i64,
    rng: &'a mut Pcg64Mcg,
    timing: &'a Timing,
    category: &'a Category,
    clock: Option<StageClock>,
}

impl Builder<'_> {
    fn push(&mut self, actor: &str, role: &str, command: Command) -> bool {
        let Ok(next) = self.status.apply(&command) else { return false };
        self.at = (self.at + self.rng.random_range(10..600) * 60_000_000).min(self.now);
        let at = jiff::Timestamp::from_microsecond(self.at).unwrap_or_default();
        let urgent = self.category.severity == Severity::Urgent;
        self.clock =
            self.timing.after(self.clock.as_ref(), &command, &self.status, &next, &self.category.limits, urgent, at);
        let prev = self.events.last().map_or(MATTER_GENESIS.to_owned(), |e| e.hash.clone());
        let mut e = MatterEvent {
            seq: self.events.len() as i64 + 1,
            at: self.at,
            actor: actor.to_owned(),
            role: role.to_owned(),
            command: command.name().to_owned(),
            body: serde_json::to_string(&command).expect("serialises"),
            from_state: Some(self.status.state),
            to_state: next.state,
            attachments: Vec::new(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = matter_event_hash(&self.id, &prev, &e);
        self.events.push(e);
        self.status = next;
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
    async fn number_rows(&self, rows: &mut [(MatterRecord, Vec<MatterEvent>)]) -> AppResult<()> {
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

impl App {
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
        let mut rows: Vec<(MatterRecord, Vec<MatterEvent>)> = Vec::with_capacity(FLUSH_ROWS.min(count));
        let mut written = 0;
        let mut last_id: Option<String> = None;
        for i in 0..count {
            if rows.len() >= FLUSH_ROWS {
                self.number_rows(&mut rows).await?;
                self.store.insert_matters_bulk(&rows).await?;
                written += rows.len();
                progress.advance(rows.len() as u64);
                rows.clear();
            }
            let grid = &grids[rng.random_range(0..grids.len())];
            let (category, version) = leaves[rng.random_range(0..leaves.len())];
            let point = grid.geometry.interior_point().map(|p| (p.x(), p.y()));
            let channel = match rng.random_range(0..10) {
                0..=3 => "resident",
                4..=6 => "grid_worker",
                7..=8 => "hotline",
                _ => "wechat",
            };
            let level = match channel {
                "grid_worker" => Level::Grid,
                "hotline" => Level::Town,
                _ => Level::Community,
            };
            let reported_at = now - rng.random_range(60..options.spread_hours.max(2) * 60) * 60_000_000;
            let id = uuid::Uuid::now_v7().to_string();
            let community = grid.info.community();
            // "…第1网格第5微网格" reads as its general grid, "…第1网格".
            let place = match grid.info.name.strip_suffix("微网格").and_then(|n| n.rfind('第').map(|i| &n[..i])) {
                Some(general) => general.to_owned(),
                None => grid.info.name.clone(),
            };
            let description = format!("{place}附近{}，{}", category.name, DETAILS[rng.random_range(0..DETAILS.len())]);
            let report = serde_json::json!({
                "channel": channel, "category": category.code, "category_version": version, "grid": grid.info.code,
                "description": description, "lng": point.map(|p| p.0), "lat": point.map(|p| p.1), "level": level,
            });
            let mut first = MatterEvent {
                seq: 1,
                at: reported_at,
                actor: if channel == "grid_worker" { "demo_grid".to_owned() } else { "resident".to_owned() },
                role: if channel == "grid_worker" { "grid_worker".to_owned() } else { "resident".to_owned() },
                command: "report".to_owned(),
                body: report.to_string(),
                from_state: None,
                to_state: MatterState::Reported,
                attachments: Vec::new(),
                prev_hash: MATTER_GENESIS.to_owned(),
                hash: String::new(),
            };
            first.hash = matter_event_hash(&id, MATTER_GENESIS, &first);
            let reported = jiff::Timestamp::from_microsecond(reported_at).unwrap_or_default();
            let urgent = category.severity == Severity::Urgent;
            let mut b = Builder {
                id: id.clone(),
                status: Status::reported(level),
                events: vec![first],
                at: reported_at,
                now,
                rng: &mut rng,
                timing: &timing,
                category,
                clock: timing.start(Stage::Accept, &category.limits, urgent, reported),
            };
            let target = {
                let mut roll = b.rng.random_range(0..1000);
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
            // Where the duty list sends it: the community if it may take it, else the district's department.
            let district = community.ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
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
                ("demo_community", "community_worker")
            } else {
                ("demo_dept", "dept_handler")
            };
            let reason = "经核实不属实".to_owned();
            match target {
                MatterState::Reported => {}
                MatterState::Rejected => {
                    b.push(
                        "demo_dispatcher",
                        "dispatcher",
                        Command::Reject { reason: "重复上报或不属于受理范围".into() },
                    );
                }
                MatterState::Voided => {
                    b.push("demo_dispatcher", "dispatcher", Command::Void { reason });
                }
                MatterState::Merged => {
                    // Into the matter made just before: demo duplicates are neighbours in time.
                    let into = last_id.clone().unwrap_or_default();
                    if !into.is_empty() {
                        b.push("demo_dispatcher", "dispatcher", Command::Merge { into });
                    }
                }
                _ => {
                    b.push("demo_dispatcher", "dispatcher", Command::Accept);
                    if b.rng.random_bool(0.1) {
                        b.push(
                            "demo_community",
                            "community_worker",
                            Command::Escalate { reason: "需要街道协调（吹哨）".into() },
                        );
                    }
                    if target != MatterState::Filed {
                        b.push("demo_dispatcher", "dispatcher", Command::Dispatch { to: to.clone() });
                        if b.rng.random_bool(0.08) {
                            b.push(handler.0, handler.1, Command::Return { reason: "不属于本单位职责".into() });
                            b.push("demo_dispatcher", "dispatcher", Command::Dispatch { to: to.clone() });
                        }
                    }
                    if !matches!(target, MatterState::Filed | MatterState::Dispatched) {
                        b.push(handler.0, handler.1, Command::Sign);
                        if b.rng.random_bool(0.1) {
                            b.push(handler.0, handler.1, Command::Extend { hours: 48, reason: "需采购配件".into() });
                            b.push("demo_dispatcher", "dispatcher", Command::ApproveExtension);
                        }
                        if b.rng.random_bool(0.1) {
                            b.push(
                                "demo_supervisor",
                                "supervisor",
                                Command::Supervise { note: "请加快处置进度".into(), overdue: None },
                            );
                        }
                    }
                    if target == MatterState::Parked {
                        b.push(handler.0, handler.1, Command::Park { reason: "需纳入年度改造计划".into() });
                        b.push("demo_dispatcher", "dispatcher", Command::ApprovePark);
                    }
                    if matches!(target, MatterState::Responded | MatterState::Closed | MatterState::Rated) {
                        let text = RESPONSES[b.rng.random_range(0..RESPONSES.len())].to_owned();
                        b.push(handler.0, handler.1, Command::Respond { text: text.clone() });
                        if b.rng.random_bool(0.1) {
                            b.push(
                                "demo_grid",
                                "grid_worker",
                                Command::Verify { passed: false, note: "现场仍未整改到位".into() },
                            );
                            b.push(handler.0, handler.1, Command::Respond { text });
                        }
                    }
                    if matches!(target, MatterState::Closed | MatterState::Rated) {
                        b.push(
                            "demo_grid",
                            "grid_worker",
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
                        b.push("resident", "resident", Command::Rate { rating, reason });
                    }
                }
            }
            let (status, events, last_at, clock) = (b.status, b.events, b.at, b.clock);
            let district6 = district.as_ref().map_or("510100".to_owned(), |d| d.significant().to_owned());
            let day = jiff::Timestamp::from_microsecond(reported_at)
                .map(|t| {
                    t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                        .date()
                        .strftime("%Y%m%d")
                        .to_string()
                })
                .unwrap_or_default();
            // Numbered at the flush, from the store's counters.
            let prefix = format!("{district6}-{day}");
            let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
            let record = MatterRecord {
                number: prefix,
                channel: channel.to_owned(),
                category: category.code.clone(),
                category_version: *version,
                line: serde_json::to_value(category.line)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                severity: serde_json::to_value(category.severity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                description,
                address: Some(grid.info.name.clone()),
                lng: point.map(|p| p.0),
                lat: point.map(|p| p.1),
                grid: grid.info.code.clone(),
                general_grid: if grid.info.kind == GridKind::General {
                    Some(grid.info.code.clone())
                } else {
                    grid.info.parent.clone()
                },
                reporter_user_id: None,
                reporter_name: Some(format!("{surname}{}", if i % 2 == 0 { "先生" } else { "女士" })),
                reporter_phone: Some(format!(
                    "13{}{:08}",
                    rng.random_range(5..10),
                    rng.random_range(0..100_000_000u32)
                )),
                external_ref: (channel == "hotline").then(|| format!("DEMO-12345-{}", &id[id.len() - 12..])),
                duplicate_of: None,
                clock,
                event_count: events.len() as i64,
                last_hash: events.last().map(|e| e.hash.clone()).unwrap_or_default(),
                status,
                reported_at,
                updated_at: last_at,
                id,
                reporter_key_hash: None,
                request_hash: None,
            };
            last_id = Some(record.id.clone());
            rows.push((record, events));
        }
        if !rows.is_empty() {
            self.number_rows(&mut rows).await?;
            self.store.insert_matters_bulk(&rows).await?;
            written += rows.len();
        }
        progress.finish();
        Ok(written)
    }
}
