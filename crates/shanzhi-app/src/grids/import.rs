//! `shanzhi import grids FILE.geojson`: check the whole file against itself
//! and the stored grid, then write it as one re-cut.
//!
//! The file is the new grid of every community it names: each stored grid of
//! those communities that the file does not list ends on the effective day,
//! except the community's master grid when the file brings none (re-cutting
//! general and micro-grids inside an unchanged community boundary is the
//! common case). Features identical to the stored version are left alone, so
//! importing the same file twice changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, DivisionCode, GridCode, GridKind};
use shanzhi_geo::features::{FeatureProblem, GridFeature, parse_grid_collection};
use shanzhi_geo::topology::{self, Gap, StoredGrid, Tolerance};
use shanzhi_store::{GridChangeSet, GridQuery, GridRecord, StoreError};

use crate::access::Operator;
use crate::refusal::{self, ProblemLine};
use crate::{AppError, AppResult, Progress};

#[derive(Debug, Clone)]
pub struct GridImportOptions {
    /// The day the imported grid comes into force.
    pub effective: Date,
    pub tolerance: Tolerance,
    /// Who imports, for the audit log.
    pub actor: String,
}

impl GridImportOptions {
    pub fn from(effective: Date) -> Self {
        GridImportOptions { effective, tolerance: Tolerance::default(), actor: "system".to_owned() }
    }
}

/// Why a grid file was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridImportRejection {
    pub problems: Vec<FeatureProblem>,
}

impl GridImportRejection {
    pub fn summary(&self) -> Bilingual {
        refusal::summary("网格文件", "the grid file", self.problems.len())
    }
}

impl fmt::Display for GridImportRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = self.problems.iter().map(|p| ProblemLine {
            place: match p.number {
                0 => "文件 (file)".to_owned(),
                n => format!("第 {n} 个要素 (feature {n})"),
            },
            code: p.code.as_deref(),
            message: &p.message,
        });
        refusal::write(f, &self.summary(), problems, 0)
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct GridImportReport {
    pub effective: Date,
    pub features: usize,
    pub by_kind: BTreeMap<GridKind, usize>,
    pub communities: usize,
    /// Versions that began (new or changed grids).
    pub opened: u64,
    /// Versions that ended (changed or retired grids).
    pub closed: u64,
    pub unchanged: usize,
    /// Parents that their children do not cover completely (reported, not refused).
    pub gaps: Vec<Gap>,
    pub revision: i64,
}

impl fmt::Display for GridImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<String> = self.by_kind.iter().map(|(k, n)| format!("{}{n}", k.label_zh())).collect();
        writeln!(
            f,
            "导入网格 {} 个（{}），涉及 {} 个社区，自 {} 起生效：新启用 {}，结束 {}，未变 {}",
            self.features,
            kinds.join("，"),
            self.communities,
            self.effective,
            self.opened,
            self.closed,
            self.unchanged
        )?;
        write!(
            f,
            "imported {} grids in {} communities, in force from {}: {} versions opened, {} closed, {} unchanged",
            self.features, self.communities, self.effective, self.opened, self.closed, self.unchanged
        )?;
        if !self.gaps.is_empty() {
            write!(f, "\n未被下级网格覆盖的区域 (gaps) {} 处:", self.gaps.len())?;
            for g in self.gaps.iter().take(20) {
                write!(f, "\n  {}: {:.0} 平方米 / m² ({:.2}%)", g.parent, g.uncovered_m2, g.uncovered_share * 100.0)?;
            }
            if self.gaps.len() > 20 {
                write!(f, "\n  …… 另有 {} 处 (and {} more)", self.gaps.len() - 20, self.gaps.len() - 20)?;
            }
        }
        Ok(())
    }
}

fn rejected(problems: Vec<FeatureProblem>) -> AppError {
    AppError::GridImportRejected(GridImportRejection { problems })
}

impl Operator<'_> {
    /// Import a GeoJSON FeatureCollection of grids (see `shanzhi_geo::features`).
    pub async fn import_grids(
        &self,
        text: &str,
        options: GridImportOptions,
        progress: &dyn Progress,
    ) -> AppResult<GridImportReport> {
        progress.stage("解析 GeoJSON (parsing)", 0);
        let features = parse_grid_collection(text).map_err(rejected)?;
        self.import_grid_features(features, options, progress).await
    }

    /// Check and write parsed grid features (from a file or the generator).
    pub async fn import_grid_features(
        &self,
        features: Vec<GridFeature>,
        options: GridImportOptions,
        progress: &dyn Progress,
    ) -> AppResult<GridImportReport> {
        let effective = options.effective;
        // Communities must exist (NBS codes: the grid code's first 12 digits).
        let communities: BTreeSet<DivisionCode> = features.iter().map(|f| f.info.community()).collect();
        let communities: Vec<DivisionCode> = communities.into_iter().collect();
        let known: HashSet<DivisionCode> =
            self.store.divisions(CodeSystem::Nbs2023, &communities).await?.into_iter().map(|d| d.code).collect();
        let unknown: Vec<FeatureProblem> = features
            .iter()
            .filter(|f| !known.contains(&f.info.community()))
            .map(|f| {
                let c = f.info.community();
                FeatureProblem::new(
                    f.number,
                    Some(f.info.code.as_str()),
                    Bilingual::new(
                        format!("社区 {c} 不存在（网格编码前 12 位应为已导入的社区代码）"),
                        format!(
                            "unknown community {c} (the first 12 digits of a grid code must be an imported community)"
                        ),
                    ),
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(rejected(unknown));
        }

        // The stored grid around the file: these communities' current grids,
        // and the master grids of their towns (siblings of the file's masters).
        let mut query = GridQuery::as_of(effective);
        query.communities = communities.clone();
        let current: Vec<GridRecord> =
            if communities.is_empty() { Vec::new() } else { self.store.grids(&query).await? };
        let with_master: HashSet<DivisionCode> =
            features.iter().filter(|f| f.info.kind == GridKind::Master).map(|f| f.info.community()).collect();
        let in_file: HashSet<&DivisionCode> = communities.iter().collect();
        let mut context: Vec<StoredGrid> = current
            .iter()
            .filter(|r| r.info.kind == GridKind::Master && !with_master.contains(&r.info.community()))
            .map(|r| StoredGrid { info: r.info.clone(), geometry: r.geometry.clone() })
            .collect();
        let towns: BTreeSet<DivisionCode> = communities.iter().filter_map(DivisionCode::parent).collect();
        for town in towns {
            let mut q = GridQuery::as_of(effective);
            q.within = Some(town);
            q.kind = Some(GridKind::Master);
            for r in self.store.grids(&q).await? {
                if !in_file.contains(&r.info.community()) {
                    context.push(StoredGrid { info: r.info, geometry: r.geometry });
                }
            }
        }

        progress.stage("校验拓扑 (checking topology)", features.len() as u64);
        let tolerance = options.tolerance;
        let (features, report) = tokio::task::spawn_blocking(move || {
            let report = topology::check(&features, &context, tolerance);
            (features, report)
        })
        .await
        .map_err(|e| AppError::Store(StoreError::Database(format!("topology check failed: {e}"))))?;
        progress.advance(features.len() as u64);
        if !report.problems.is_empty() {
            progress.finish();
            return Err(rejected(report.problems));
        }

        // What changes: new or different grids open a version; stored grids
        // of these communities that the file drops are retired.
        let stored: HashMap<&GridCode, &GridRecord> = current.iter().map(|r| (&r.info.code, r)).collect();
        let listed: HashSet<&GridCode> = features.iter().map(|f| &f.info.code).collect();
        let mut insert = Vec::new();
        let mut unchanged = 0;
        let mut by_kind = BTreeMap::new();
        for f in &features {
            *by_kind.entry(f.info.kind).or_insert(0) += 1;
            match stored.get(&f.info.code) {
                Some(r) if r.info == f.info && r.geometry == f.geometry => unchanged += 1,
                _ => insert.push((f.info.clone(), f.geometry.clone())),
            }
        }
        let retire: Vec<GridCode> = current
            .iter()
            .filter(|r| !listed.contains(&r.info.code))
            // A master grid stays unless the file brings a new one.
            .filter(|r| r.info.kind != GridKind::Master || with_master.contains(&r.info.community()))
            .map(|r| r.info.code.clone())
            .collect();
        let mut counts = shanzhi_store::GridWriteCounts::default();
        if insert.is_empty() && retire.is_empty() {
            counts.revision = self.store.grid_revision().await?;
        } else {
            progress.stage("写入 (writing)", insert.len() as u64);
            let summary = serde_json::json!({
                "effective": effective.to_string(),
                "communities": communities.len(),
                "opened": insert.len(),
                "retired": retire.len(),
                "unchanged": unchanged,
            });
            let audit =
                shanzhi_store::AuditEntry::new(&options.actor, "grids.import", "grids").after(summary.to_string());
            counts =
                self.store.apply_grid_changes(&GridChangeSet { effective, retire, insert }, &audit).await.map_err(
                    |e| match e {
                        StoreError::Constraint(m) => AppError::invalid(
                            "grid_version_conflict",
                            Bilingual::new(
                                format!("无法在 {effective} 启用新版本：{m}"),
                                format!("cannot open versions on {effective}: {m}"),
                            ),
                        ),
                        other => other.into(),
                    },
                )?;
        }
        progress.finish();
        self.refresh_grid_index().await?;
        tracing::info!(features = features.len(), opened = counts.opened, closed = counts.closed, "grids imported");
        Ok(GridImportReport {
            effective,
            features: features.len(),
            by_kind,
            communities: communities.len(),
            opened: counts.opened,
            closed: counts.closed,
            unchanged,
            gaps: report.gaps,
            revision: counts.revision,
        })
    }
}
