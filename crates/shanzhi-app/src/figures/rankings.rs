//! 口碑榜: a month's ranking of one unit type within a division, computed
//! from the indicators (shanzhi_domain::ranking), or — once a supervisor
//! published it — the frozen publication, hash-chained and in the
//! transparency log. Schemes are versioned by the month they start.
//!
//! Who may do what: every staff member reads rankings (computed ones within
//! their scope, as the indicators are; a publication as published);
//! a supervisor whose scope covers the ranking's division, a city or a
//! district, publishes it; a city-wide supervisor or administrator saves a
//! scheme (schemes hold for the whole platform).

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::indicators::{Key, Period, UnitKind};
use shanzhi_domain::ranking::{RankingBody, RankingRow, RankingScheme, UnitInput, in_force, rank};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, DivisionLevel, Role, Scope};
use shanzhi_store::{NewRanking, PublishedRanking, StoreError};

use super::sheet::{SheetFormat, csv_line, small_xlsx};
use super::{FigureQuery, city};
use crate::access::{Scoped, Via};
use crate::grids::today;
use crate::{AppError, AppResult};

/// What a ranking question asks.
#[derive(Debug, Clone)]
pub struct RankingQuery {
    /// A month.
    pub period: Period,
    pub by: UnitKind,
    /// The division ranked within (default: the city).
    pub within: Option<DivisionCode>,
}

/// A ranking as answered: computed, or the frozen publication.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingAnswer {
    pub period: String,
    pub by: UnitKind,
    /// The division ranked within (12-digit code) and its name.
    pub scope: String,
    pub scope_name: String,
    pub scheme: RankingScheme,
    pub rows: Vec<RankingRow>,
    /// The month the changes compare with, and whether its ranking was
    /// published (else the changes compare with it as computed).
    pub previous_period: String,
    pub previous_published: bool,
    pub published: bool,
    /// Publication only: when and by whom (RFC 3339, +08:00).
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    /// Publication only: its number in the chain, its hash and the one before.
    pub seq: Option<i64>,
    pub hash: Option<String>,
    pub prev_hash: Option<String>,
    /// Publication only: its leaf's index in the transparency log.
    pub log_index: Option<u64>,
}

/// The schemes: what is in force this month per unit type, and every saved version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemeList {
    pub in_force: Vec<RankingScheme>,
    pub versions: Vec<SavedScheme>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedScheme {
    pub scheme: RankingScheme,
    pub saved_at: String,
    pub saved_by: String,
}

/// A finished ranking file.
#[derive(Debug)]
pub enum RankingFile {
    Csv(String),
    Xlsx(std::fs::File),
}

fn scope_of(within: &Option<DivisionCode>) -> DivisionCode {
    within.clone().unwrap_or_else(city)
}

fn frozen_corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Store(StoreError::corrupt(format!("a published ranking does not read back: {e}")))
}

impl Scoped<'_> {
    /// The schemes saved for `by` (all kinds when `None`), oldest first.
    async fn saved_schemes(&self, by: Option<UnitKind>) -> AppResult<Vec<SavedScheme>> {
        let stored = self.app.store.ranking_schemes(by.map(UnitKind::as_str)).await?;
        stored
            .into_iter()
            .map(|s| -> AppResult<SavedScheme> {
                let mut scheme: RankingScheme = serde_json::from_str(&s.body).map_err(frozen_corrupt)?;
                scheme.version = s.version;
                Ok(SavedScheme {
                    scheme,
                    saved_at: shanzhi_domain::indicators::record::export_time(s.saved_at),
                    saved_by: s.saved_by,
                })
            })
            .collect()
    }

    /// The scheme in force for `by` in `period`.
    async fn scheme_for(&self, by: UnitKind, period: Period) -> AppResult<RankingScheme> {
        let saved: Vec<RankingScheme> = self.saved_schemes(Some(by)).await?.into_iter().map(|s| s.scheme).collect();
        Ok(in_force(&saved, by, period))
    }

    /// `GET /rankings/schemes`.
    pub async fn ranking_schemes(&self) -> AppResult<SchemeList> {
        self.may_read_figures()?;
        let versions = self.saved_schemes(None).await?;
        let now = self.app.now_micros().timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date();
        let month = Period::month(now.year(), now.month()).map_err(|e| AppError::internal(e.en))?;
        let saved: Vec<RankingScheme> = versions.iter().map(|s| s.scheme.clone()).collect();
        let in_force = UnitKind::ALL.into_iter().map(|by| in_force(&saved, by, month)).collect();
        Ok(SchemeList { in_force, versions })
    }

    /// Save a new version of `scheme.by`'s scheme (validated); its version.
    pub async fn save_ranking_scheme(&self, mut scheme: RankingScheme) -> AppResult<RankingScheme> {
        self.may_read_figures()?;
        if !self.city_wide_figures() {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有全市范围的督办或系统管理员可以修改排名方案",
                "only a city-wide supervisor or administrator may change a ranking scheme",
            )));
        }
        scheme.validate().map_err(|message| AppError::invalid("invalid_scheme", message))?;
        // As a month prints (2026-1 → 2026-01).
        scheme.from = scheme.from_period().map(|p| p.to_string()).unwrap_or(scheme.from);
        scheme.version = 0;
        let body = serde_json::to_string(&scheme).map_err(|e| AppError::internal(e.to_string()))?;
        let audit = self.audit("ranking.scheme.save", scheme.by.as_str()).after(body.clone());
        let version = self
            .app
            .store
            .save_ranking_scheme(scheme.by.as_str(), &scheme.from, &body, &self.actor.name, &audit)
            .await?;
        scheme.version = version;
        Ok(scheme)
    }

    /// A supervisor (or administrator) grant over the whole city, today.
    fn city_wide_figures(&self) -> bool {
        let day = today();
        self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                g.term.contains(day)
                    && matches!(g.role, Role::Supervisor | Role::Admin)
                    && matches!(&g.scope, Some(Scope::Division(d)) if d.level() <= DivisionLevel::City)
            })
    }

    /// May the caller publish a ranking within `scope`?
    fn may_publish(&self, scope: &DivisionCode) -> AppResult<()> {
        if !matches!(scope.level(), DivisionLevel::City | DivisionLevel::District) {
            return Err(AppError::invalid(
                "invalid_scope",
                Bilingual::new(
                    "口碑榜按全市或区（市）县发布：within 应为市或区县代码",
                    "rankings are published for the city or a district: within must be a city or district code",
                ),
            ));
        }
        let day = today();
        let covers = self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                g.term.contains(day)
                    && g.role == Role::Supervisor
                    && matches!(&g.scope, Some(Scope::Division(d)) if d == scope || d.is_ancestor_of(scope))
            });
        if covers {
            Ok(())
        } else {
            Err(AppError::Forbidden(Bilingual::new(
                "只有管辖范围覆盖该区划的督办可以发布口碑榜",
                "only a supervisor whose scope covers this division may publish its ranking",
            )))
        }
    }

    /// The ranking computed now from the indicators; `previous`: the ranks to compare with.
    async fn computed_ranking(&self, q: &RankingQuery, previous: &BTreeMap<String, u32>) -> AppResult<RankingBody> {
        let scheme = self.scheme_for(q.by, q.period).await?;
        let figures =
            self.indicators(&FigureQuery { period: q.period, by: q.by, within: q.within.clone(), line: None }).await?;
        let units =
            figures.units.into_iter().map(|u| UnitInput { code: u.code, name: u.name, figures: u.figures }).collect();
        Ok(RankingBody {
            period: q.period.to_string(),
            by: q.by,
            scope: scope_of(&q.within).as_str().to_owned(),
            rows: rank(&scheme, units, previous),
            scheme,
            published_at: None,
            published_by: None,
        })
    }

    /// The publication of `q`, if any, read back from its frozen bytes.
    async fn publication(&self, q: &RankingQuery) -> AppResult<Option<(PublishedRanking, RankingBody)>> {
        let scope = scope_of(&q.within);
        let stored = self.app.store.published_ranking(&q.period.to_string(), q.by.as_str(), scope.as_str()).await?;
        stored
            .map(|p| -> AppResult<(PublishedRanking, RankingBody)> {
                let body: RankingBody = serde_json::from_str(&p.body).map_err(frozen_corrupt)?;
                Ok((p, body))
            })
            .transpose()
    }

    /// The ranks of the month before: published if it was, else computed.
    async fn previous_ranks(&self, q: &RankingQuery) -> AppResult<(BTreeMap<String, u32>, bool)> {
        let before = RankingQuery { period: q.period.previous(), ..q.clone() };
        if let Some((_, body)) = self.publication(&before).await? {
            return Ok((body.ranks(), true));
        }
        Ok((self.computed_ranking(&before, &BTreeMap::new()).await?.ranks(), false))
    }

    /// `GET /rankings`: the publication if there is one, else computed now.
    pub async fn ranking(&self, q: &RankingQuery) -> AppResult<RankingAnswer> {
        self.may_read_figures()?;
        let scope = scope_of(&q.within);
        let scope_name = self
            .app
            .division_names(std::slice::from_ref(&scope))
            .await?
            .remove(&scope)
            .unwrap_or_else(|| scope.as_str().to_owned());
        let previous_period = q.period.previous().to_string();
        let (publication, body, previous_published) = match self.publication(q).await? {
            Some((p, body)) => {
                let before = RankingQuery { period: q.period.previous(), ..q.clone() };
                (Some(p), body, self.publication(&before).await?.is_some())
            }
            None => {
                let (previous, previous_published) = self.previous_ranks(q).await?;
                (None, self.computed_ranking(q, &previous).await?, previous_published)
            }
        };
        Ok(RankingAnswer {
            period: body.period,
            by: body.by,
            scope: body.scope,
            scope_name,
            scheme: body.scheme,
            rows: body.rows,
            previous_period,
            previous_published,
            published: publication.is_some(),
            published_at: body.published_at,
            published_by: body.published_by,
            seq: publication.as_ref().map(|p| p.seq),
            hash: publication.as_ref().map(|p| p.hash.clone()),
            prev_hash: publication.as_ref().map(|p| p.prev_hash.clone()),
            log_index: publication.and_then(|p| p.log_index),
        })
    }

    /// `POST /rankings/publish`: freeze a finished month's ranking, chain it
    /// and log it. Refused for a month not yet over, and a second time.
    pub async fn publish_ranking(&self, q: &RankingQuery) -> AppResult<RankingAnswer> {
        self.may_read_figures()?;
        let scope = scope_of(&q.within);
        self.may_publish(&scope)?;
        let now = self.app.now_micros();
        if q.period.bounds().1 > now {
            return Err(AppError::Conflict {
                code: "period_not_over",
                message: Bilingual::new(
                    format!("{} 尚未结束，不能发布：月份结束后才能发布当月口碑榜", q.period),
                    format!("the month {} is not over: a month's ranking is published after it ends", q.period),
                ),
                details: None,
            });
        }
        let already = || AppError::Conflict {
            code: "already_published",
            message: Bilingual::new(
                format!("{} 的{}口碑榜已经发布，发布后不能更改", q.period, q.by.label_zh()),
                format!("the {} ranking of {} is already published and cannot change", q.by.as_str(), q.period),
            ),
            details: None,
        };
        if self.publication(q).await?.is_some() {
            return Err(already());
        }
        let (previous, _) = self.previous_ranks(q).await?;
        let mut body = self.computed_ranking(q, &previous).await?;
        body.published_at = Some(shanzhi_domain::indicators::record::export_time(now));
        body.published_by = Some(self.actor.name.clone());
        let new = NewRanking {
            period: body.period.clone(),
            unit_kind: q.by.as_str().to_owned(),
            scope: scope.as_str().to_owned(),
            body: body.canonical(),
            published_at: now,
            published_by: self.actor.name.clone(),
        };
        match self.app.store.publish_ranking(&new).await {
            Ok(_) => self.ranking(q).await,
            Err(StoreError::Constraint(_)) => Err(already()),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /exports/rankings`: the ranking as a sheet with Chinese headers.
    pub async fn ranking_file(&self, q: &RankingQuery, format: SheetFormat) -> AppResult<(RankingFile, String)> {
        let answer = self.ranking(q).await?;
        let keys: Vec<Key> = answer.scheme.weights.keys().copied().collect();
        let mut headers: Vec<String> =
            ["名次", "单位", "得分", "等级", "上期名次", "变化"].iter().map(|s| (*s).to_owned()).collect();
        headers.extend(keys.iter().map(|k| k.definition().name_zh.to_owned()));
        let rows: Vec<Vec<String>> = answer
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    r.rank.map_or_else(|| "不参与排名".to_owned(), |n| n.to_string()),
                    r.name.clone(),
                    r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    r.grade.map(|g| g.as_str().to_owned()).unwrap_or_default(),
                    r.previous_rank.map(|n| n.to_string()).unwrap_or_default(),
                    r.change_label(),
                ];
                cells.extend(keys.iter().map(|k| {
                    r.figures.get(k).and_then(|f| f.value).map(|v| format!("{:.2}%", v * 100.0)).unwrap_or_default()
                }));
                cells
            })
            .collect();
        let name = format!("口碑榜-{}-{}-{}", answer.scope_name, q.by.label_zh(), answer.period);
        match format {
            SheetFormat::Csv => {
                let mut out = String::from('\u{feff}');
                csv_line(&mut out, headers.iter().map(String::as_str));
                for r in &rows {
                    csv_line(&mut out, r.iter().map(String::as_str));
                }
                Ok((RankingFile::Csv(out), format!("{name}.csv")))
            }
            SheetFormat::Xlsx => {
                let widths: Vec<f64> =
                    headers.iter().enumerate().map(|(i, _)| if i == 1 { 24.0 } else { 12.0 }).collect();
                let file = small_xlsx("口碑榜", headers, widths, rows).await?;
                Ok((RankingFile::Xlsx(file), format!("{name}.xlsx")))
            }
        }
    }
}
