//! `shanzhi grid generate`: Chengdu's grid, generated deterministically inside
//! the real district boundaries from the real towns and communities (see
//! `shanzhi_geo::generate`), then checked and written like an imported file.

use std::collections::HashSet;

use geojson::JsonObject;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, DivisionCode};
use shanzhi_geo::features::{self, GridFeature};
use shanzhi_geo::generate::{GenerateOptions, MicroScope, chengdu, generate};

use super::{GridImportOptions, GridImportReport};
use crate::access::Operator;
use crate::demo::CHENGDU_DIVISIONS_CSV;
use crate::divisions::parse_division_csv;
use crate::{AppError, AppResult, Progress};

/// Which districts get micro-grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicroChoice {
    All,
    /// The five central districts (锦江, 青羊, 金牛, 武侯, 成华).
    Central,
    None,
}

#[derive(Debug, Clone)]
pub struct GenerateRequest {
    pub seed: u64,
    /// 1.0: Chengdu's scale (≈14,000 general, ≈126,000 micro-grids).
    pub scale: f64,
    /// Only these districts (empty: all twenty).
    pub districts: Vec<DivisionCode>,
    pub micro: MicroChoice,
}

impl GenerateRequest {
    /// The demo: the whole city with communities and general grids at full
    /// scale, micro-grids in the five central districts.
    pub fn demo() -> Self {
        GenerateRequest { seed: 1, scale: 1.0, districts: Vec::new(), micro: MicroChoice::Central }
    }
}

/// Generate the grid features (no store needed).
pub fn generate_grid_features(request: &GenerateRequest) -> AppResult<Vec<GridFeature>> {
    if !(request.scale > 0.0 && request.scale <= 10.0) {
        return Err(AppError::invalid(
            "invalid_scale",
            Bilingual::new(
                "规模应在 0 到 10 之间（1 为成都实际规模）",
                "scale must be within 0..10 (1 = Chengdu's scale)",
            ),
        ));
    }
    let divisions = parse_division_csv(CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023)
        .expect("the shipped Chengdu list is valid");
    let mut districts = chengdu::districts(divisions.iter().map(|d| (&d.code, d.name.as_str())));
    if !request.districts.is_empty() {
        let wanted: HashSet<&DivisionCode> = request.districts.iter().collect();
        let unknown: Vec<String> =
            wanted.iter().filter(|w| !districts.iter().any(|d| &&d.code == *w)).map(|w| w.to_string()).collect();
        if !unknown.is_empty() {
            return Err(AppError::invalid(
                "unknown_district",
                Bilingual::new(
                    format!("不是成都的区(市)县：{}", unknown.join("、")),
                    format!("not a district of Chengdu: {}", unknown.join(", ")),
                ),
            ));
        }
        districts.retain(|d| wanted.contains(&d.code));
    }
    let all: usize = chengdu::districts(divisions.iter().map(|d| (&d.code, d.name.as_str())))
        .iter()
        .flat_map(|d| &d.towns)
        .map(|t| t.communities.len())
        .sum();
    let here: usize = districts.iter().flat_map(|d| &d.towns).map(|t| t.communities.len()).sum();
    // Targets shrink with the share of communities generated.
    let share = here as f64 / all.max(1) as f64;
    let full = GenerateOptions::full(request.seed);
    let options = GenerateOptions {
        seed: request.seed,
        general_target: ((full.general_target as f64) * request.scale * share).round().max(1.0) as usize,
        micro_target: ((full.micro_target as f64) * request.scale * share).round().max(1.0) as usize,
        micro: match request.micro {
            MicroChoice::All => MicroScope::All,
            MicroChoice::None => MicroScope::None,
            MicroChoice::Central => MicroScope::Districts(
                chengdu::CENTRAL_DISTRICTS.iter().map(|c| DivisionCode::parse(c).expect("code")).collect(),
            ),
        },
    };
    let generated = generate(&districts, &options);
    Ok(generated
        .grids
        .into_iter()
        .enumerate()
        .map(|(i, g)| GridFeature { number: i + 1, info: g.info, geometry: g.geometry })
        .collect())
}

/// A FeatureCollection in the import format, for `--out`.
pub fn grid_collection_json(grids: &[GridFeature]) -> String {
    let features = grids
        .iter()
        .map(|g| {
            let mut p = JsonObject::new();
            p.insert("code".into(), g.info.code.as_str().into());
            p.insert("kind".into(), g.info.kind.as_str().into());
            p.insert("name".into(), g.info.name.clone().into());
            if let Some(parent) = &g.info.parent {
                p.insert("parent_code".into(), parent.as_str().into());
            }
            if let Some(h) = g.info.households {
                p.insert("households".into(), h.into());
            }
            features::feature(&g.geometry, p)
        })
        .collect();
    features::collection(features).to_string()
}

impl Operator<'_> {
    /// Generate and import (checked like a file).
    pub async fn generate_grids(
        &self,
        request: &GenerateRequest,
        options: GridImportOptions,
        progress: &dyn Progress,
    ) -> AppResult<GridImportReport> {
        let chengdu = DivisionCode::parse("5101").expect("code");
        let have = self.store.count_divisions(CodeSystem::Nbs2023, Some(&chengdu)).await?;
        if have.get(&shanzhi_domain::DivisionLevel::Community).copied().unwrap_or(0) == 0 {
            return Err(AppError::invalid(
                "divisions_missing",
                Bilingual::new(
                    "数据库中没有成都的社区：请先导入区划（shanzhi import divisions data/chengdu/chengdu_divisions_nbs2023.csv）或以 --demo 启动",
                    "the store has no Chengdu communities: import divisions first (shanzhi import divisions data/chengdu/chengdu_divisions_nbs2023.csv) or start with --demo",
                ),
            ));
        }
        progress.stage("生成网格 (generating)", 0);
        let request = request.clone();
        let features = tokio::task::spawn_blocking(move || generate_grid_features(&request))
            .await
            .map_err(|e| AppError::Store(shanzhi_store::StoreError::Database(format!("generator failed: {e}"))))??;
        self.import_grid_features(features, options, progress).await
    }
}
