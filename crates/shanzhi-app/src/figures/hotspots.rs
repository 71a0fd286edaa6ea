//! 未诉先办: hot spots — many reports of one kind of problem at one place in
//! a short time — among the matters of a period in the caller's scope,
//! ranked by size, growth and severity and named as officials say them
//! ("总府路社区 7 天 12 件 噪音扰民"). The month's top ones per district are the
//! 每月一题.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use shanzhi_domain::category::{CategoryKind, Severity};
use shanzhi_domain::hotspot::{ClusterRule, Report, clusters, common_words};
use shanzhi_domain::indicators::{Period, day_range};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, DivisionLevel, Matter, MatterState, Micros, Scope};
use shanzhi_store::{MatterQuery, MatterScope};

use super::read::{BATCH, MatterPages};
use crate::access::{Scoped, Via};
use crate::grids::today;
use crate::matters::{MatterView, iso, sighting_of};
use crate::{AppError, AppResult};

/// Matters read for one answer at most (the newest, when there are more).
pub const MAX_READ: usize = 20_000;
/// Hot spots in one answer at most.
pub const MAX_HOTSPOTS: usize = 100;
/// Days read when no period is given.
pub const RECENT_DAYS: i64 = 30;

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct HotspotQuery {
    /// A day, week, month …; none: the last [`RECENT_DAYS`] days.
    pub period: Option<Period>,
    /// Or days from–to, both included (at most a year; not with `period`).
    pub days: Option<(jiff::civil::Date, jiff::civil::Date)>,
    /// Only under this division (within the caller's scope).
    pub within: Option<DivisionCode>,
    /// How many, best first (at most [`MAX_HOTSPOTS`]).
    pub limit: usize,
}

/// One hot spot.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hotspot {
    /// 总府路社区 7 天 12 件 噪音扰民
    pub label: String,
    pub label_en: String,
    pub community: String,
    pub community_name: String,
    pub district: String,
    pub district_name: String,
    /// What it is about: the category's name, or for a vague category (a
    /// hotline's 反映类诉求) the words its reports share.
    pub topic: String,
    pub category: String,
    pub category_name: String,
    pub size: usize,
    /// Days from the first report to the last, both counted.
    pub days: i64,
    /// Reports in the last 7 days of the period less those in the 7 before.
    pub growth: i64,
    pub urgent: usize,
    /// Still open (someone has to act).
    pub open: usize,
    pub score: f64,
    pub first_reported: String,
    pub last_reported: String,
    /// The matters, oldest first.
    pub numbers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotspotAnswer {
    pub from: String,
    pub to: String,
    /// Matters read.
    pub read: usize,
    /// More matters than [`MAX_READ`] in the period: the newest were read.
    pub truncated: bool,
    pub hotspots: Vec<Hotspot>,
}

/// 每月一题: a district's top hot spots of a month, with their matters.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictTopics {
    pub district: String,
    pub district_name: String,
    pub topics: Vec<(Hotspot, Vec<MatterView>)>,
}

fn outside(within: &DivisionCode) -> AppError {
    AppError::Forbidden(Bilingual::new(
        format!("区划 {within} 不在您的管辖范围内"),
        format!("division {within} is outside your scope"),
    ))
}

impl Scoped<'_> {
    /// A `within` must meet the caller's own area (a grid worker's grid, a
    /// staff member's divisions); everything is within the system's.
    fn check_within(&self, within: &DivisionCode) -> AppResult<()> {
        if self.actor.via == Via::System {
            return Ok(());
        }
        let day = today();
        let meets = |d: &DivisionCode| d == within || d.is_ancestor_of(within) || within.is_ancestor_of(d);
        let ok = self.actor.grants.iter().filter(|g| g.term.contains(day)).any(|g| match &g.scope {
            Some(Scope::Division(d)) => meets(d),
            Some(Scope::Grid(grid)) => meets(&grid.community()),
            _ => false,
        });
        if ok { Ok(()) } else { Err(outside(within)) }
    }

    /// The hot spots of a period in the caller's scope, best first.
    pub async fn hotspots(&self, q: &HotspotQuery) -> AppResult<HotspotAnswer> {
        self.may_read_figures()?;
        if let Some(w) = &q.within {
            self.check_within(w)?;
        }
        let now = self.app.now_micros();
        let (from, to) = match (q.period, q.days) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_request(
                    "invalid_date_range",
                    "时段（period）与日期范围（from、to）只能给一种",
                    "give either a period or a date range (from, to), not both",
                ));
            }
            (Some(p), None) => p.bounds(),
            (None, Some((a, b))) => {
                day_range(a, b).map_err(|m| AppError::bad_request("invalid_date_range", m.zh, m.en))?
            }
            (None, None) => (now.plus_seconds(-RECENT_DAYS * 86_400), now.plus_seconds(1)),
        };
        let scope = MatterScope { reporter: None, ..self.matter_scope() };
        let query = MatterQuery {
            scope,
            within: q.within.clone(),
            from: Some(from),
            to: Some(to),
            limit: BATCH,
            ..MatterQuery::default()
        };
        let mut pages = MatterPages::new(query);
        let mut matters: Vec<Matter> = Vec::new();
        let mut truncated = false;
        while let Some(page) = pages.next(&*self.app.store).await? {
            matters.extend(
                page.into_iter().filter(|m| !matches!(m.status.state, MatterState::Rejected | MatterState::Voided)),
            );
            if matters.len() >= MAX_READ {
                truncated = true;
                matters.truncate(MAX_READ);
                break;
            }
        }
        let hotspots = self.hotspots_of(&matters, to.min(now.plus_seconds(1)), q.limit.clamp(1, MAX_HOTSPOTS)).await?;
        Ok(HotspotAnswer { from: iso(from), to: iso(to), read: matters.len(), truncated, hotspots })
    }

    /// Cluster, rank and name.
    async fn hotspots_of(&self, matters: &[Matter], end: Micros, limit: usize) -> AppResult<Vec<Hotspot>> {
        let dictionary = self.app.dictionary().await?;
        let reports: Vec<Report> = matters
            .iter()
            .map(|m| Report {
                sighting: sighting_of(&dictionary, m),
                urgent: m.severity == Severity::Urgent,
                generic: dictionary.category(&m.category).is_some_and(|(c, _)| c.kind == CategoryKind::Hotline),
            })
            .collect();
        let found: Vec<_> = clusters(&reports, &ClusterRule::DEFAULT, end).into_iter().take(limit).collect();
        let mut codes: Vec<DivisionCode> = Vec::new();
        for c in &found {
            let community = matters[c.members[0]].grid.community();
            codes.extend(community.ancestors().into_iter().filter(|a| a.level() == DivisionLevel::District));
            codes.push(community);
        }
        codes.sort();
        codes.dedup();
        let names = self.app.division_names(&codes).await?;
        let all: Vec<&str> = matters.iter().map(|m| m.description.as_str()).collect();
        let mut out = Vec::with_capacity(found.len());
        for c in found {
            let members: Vec<&Matter> = c.members.iter().map(|i| &matters[*i]).collect();
            // The most common category among its reports.
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for m in &members {
                *counts.entry(m.category.as_str()).or_default() += 1;
            }
            let top = counts.iter().max_by_key(|(_, n)| **n).map(|(c, _)| *c).unwrap_or_default();
            let category = members.iter().map(|m| &m.category).find(|c| c.as_str() == top).cloned();
            let entry = category.as_ref().and_then(|c| dictionary.category(c));
            let category_name = entry.map_or_else(|| top.to_owned(), |(c, _)| c.name.clone());
            let vague = entry.is_some_and(|(c, _)| c.kind == CategoryKind::Hotline);
            let community = members[0].grid.community();
            let district = community.ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
            let name_of = |d: &DivisionCode| names.get(d).cloned().unwrap_or_else(|| d.to_string());
            let community_name = name_of(&community).trim_end_matches("居委会").to_owned();
            // The place is in the label already: its words are no topic.
            let short = community_name.trim_end_matches("社区").trim_end_matches("村");
            let texts: Vec<String> = members.iter().map(|m| m.description.replace(short, "")).collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let topic = match vague {
                true => common_words(&texts, &all).unwrap_or_else(|| category_name.clone()),
                false => category_name.clone(),
            };
            let (size, days) = (c.size(), c.days());
            out.push(Hotspot {
                label: format!("{community_name} {days} 天 {size} 件 {topic}"),
                label_en: format!("{community_name}: {size} reports in {days} days, {topic}"),
                district: district.as_ref().map(|d| d.to_string()).unwrap_or_default(),
                district_name: district.as_ref().map(name_of).unwrap_or_default(),
                community: community.to_string(),
                community_name,
                topic,
                category: top.to_owned(),
                category_name,
                size,
                days,
                growth: c.growth(),
                urgent: c.urgent,
                open: members.iter().filter(|m| m.status.state.is_open()).count(),
                score: c.score(),
                first_reported: iso(c.first),
                last_reported: iso(c.last),
                numbers: members.iter().map(|m| m.number.clone()).collect(),
            });
        }
        Ok(out)
    }

    /// 每月一题: the top `per_district` hot spots of each district in scope
    /// for a period, with their matters (those the caller may see).
    pub async fn monthly_topics(&self, period: Period, per_district: usize) -> AppResult<Vec<DistrictTopics>> {
        let answer = self
            .hotspots(&HotspotQuery { period: Some(period), limit: MAX_HOTSPOTS, ..HotspotQuery::default() })
            .await?;
        let mut by_district: HashMap<String, DistrictTopics> = HashMap::new();
        for h in answer.hotspots {
            let d = by_district.entry(h.district.clone()).or_insert_with(|| DistrictTopics {
                district: h.district.clone(),
                district_name: h.district_name.clone(),
                topics: Vec::new(),
            });
            if d.topics.len() < per_district {
                let mut views = Vec::new();
                for n in h.numbers.iter().take(50) {
                    if let Ok(v) = self.matter(n).await {
                        views.push(v);
                    }
                }
                d.topics.push((h, views));
            }
        }
        let mut out: Vec<DistrictTopics> = by_district.into_values().collect();
        out.sort_by(|a, b| a.district.cmp(&b.district));
        Ok(out)
    }
}
