//! The platform's own dispatch model (智能分拨), learned from its closed
//! matters: their final category from their description, and the unit that
//! handled them for each category in each community. Trained on demand
//! (`shanzhi classify retrain`), kept as one JSON file in the data
//! directory, written whole (a new file renamed over the old), and read
//! again by every server when it changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use shanzhi_domain::classify::{MAX_MODEL_BYTES, Model, Predictor, TrainOptions, train};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Assignee, DivisionCode, DivisionLevel, GridCode, MatterState, Micros};
use shanzhi_store::{MatterQuery, MatterScope};

use crate::access::Operator;
use crate::figures::read::MatterPages;
use crate::{App, AppError, AppResult};

/// The model file's name in the data directory.
pub const MODEL_FILE: &str = "dispatch-model.json";
const FORMAT: u32 = 1;
/// Unit counts a model file may hold.
const MAX_UNIT_ROWS: usize = 2_000_000;
/// Closed matters of a category in a place before their units say anything.
pub const MIN_UNIT_SUPPORT: u32 = 3;

/// How often a unit handled a category's closed matters in a community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCount {
    pub category: String,
    pub community: String,
    pub unit: Assignee,
    pub count: u32,
}

/// The model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchModel {
    pub format: u32,
    pub trained_at: Micros,
    /// Closed matters it learned from.
    pub matters: usize,
    /// Text → category code; none when the matters had fewer than two categories.
    pub categories: Option<Model>,
    pub units: Vec<UnitCount>,
}

/// A unit the history suggests, and on what basis.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedUnit {
    pub unit: Assignee,
    /// Its share of the closed matters counted (0–1).
    pub share: f64,
    /// How many closed matters were counted, and where (本社区, 本区, 全市).
    pub support: u32,
    pub place: &'static str,
}

impl DispatchModel {
    /// Read a model file, bounded and checked.
    pub fn from_json(bytes: &[u8]) -> Result<DispatchModel, Bilingual> {
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(Bilingual::new("分拨模型文件过大", "the dispatch model file is too large"));
        }
        let m: DispatchModel = serde_json::from_slice(bytes).map_err(|e| {
            Bilingual::new(format!("分拨模型文件无效（{e}）"), format!("invalid dispatch model file ({e})"))
        })?;
        if m.format != FORMAT || m.units.len() > MAX_UNIT_ROWS {
            return Err(Bilingual::new("分拨模型文件版本或大小不符", "dispatch model of another format or too large"));
        }
        if let Some(c) = &m.categories {
            // The inner model's own checks.
            Model::from_json(&c.to_json())?;
        }
        Ok(m)
    }
}

/// A loaded model, ready to answer.
#[derive(Debug)]
pub struct Dispatcher {
    pub trained_at: Micros,
    pub matters: usize,
    pub categories: Option<Predictor>,
    /// (category, division code) → units with counts, most first; a
    /// community's, its district's and the city's (the empty code).
    units: HashMap<(String, String), Vec<(Assignee, u32)>>,
}

fn district_of(community: &str) -> Option<String> {
    let code = DivisionCode::parse(community).ok()?;
    let d = code.ancestors().into_iter().find(|a| a.level() == DivisionLevel::District)?;
    Some(d.as_str().to_owned())
}

impl Dispatcher {
    pub fn new(model: DispatchModel) -> Self {
        let mut sums: HashMap<(String, String), HashMap<Assignee, u32>> = HashMap::new();
        for u in &model.units {
            let mut places = vec![u.community.clone(), String::new()];
            places.extend(district_of(&u.community));
            for place in places {
                *sums.entry((u.category.clone(), place)).or_default().entry(u.unit.clone()).or_default() += u.count;
            }
        }
        let units = sums
            .into_iter()
            .map(|(k, v)| {
                let mut v: Vec<(Assignee, u32)> = v.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (k, v)
            })
            .collect();
        Dispatcher {
            trained_at: model.trained_at,
            matters: model.matters,
            categories: model.categories.map(Model::predictor),
            units,
        }
    }

    /// The unit that most often handled this category's closed matters in
    /// the grid's community, else its district, else the city, where at
    /// least [`MIN_UNIT_SUPPORT`] were closed; with its share.
    pub fn unit_for(&self, category: &str, grid: &GridCode) -> Option<LearnedUnit> {
        let community = grid.community().as_str().to_owned();
        let district = district_of(&community);
        let places = [(Some(community), "本社区"), (district, "本区"), (Some(String::new()), "全市")];
        places.into_iter().find_map(|(code, place)| {
            let counts = self.units.get(&(category.to_owned(), code?))?;
            let support: u32 = counts.iter().map(|c| c.1).sum();
            let (unit, top) = counts.first()?;
            (support >= MIN_UNIT_SUPPORT).then(|| LearnedUnit {
                unit: unit.clone(),
                share: f64::from(*top) / f64::from(support),
                support,
                place,
            })
        })
    }
}

/// A file's modification time and size: when either changes, it is read again.
type Stamp = (Option<SystemTime>, u64);

/// The loaded model and the file it came from, read again when the file changes.
#[derive(Debug, Default)]
pub(crate) struct DispatchHolder {
    pub(crate) path: Option<PathBuf>,
    loaded: RwLock<Option<(Stamp, Option<Arc<Dispatcher>>)>>,
}

impl DispatchHolder {
    pub(crate) fn at(path: PathBuf) -> Self {
        DispatchHolder { path: Some(path), loaded: RwLock::default() }
    }

    /// The current model, or `None` when none is trained (or the file is
    /// unreadable: then the keyword rules and the duty list answer).
    pub(crate) fn get(&self) -> Option<Arc<Dispatcher>> {
        let path = self.path.as_deref()?;
        let meta = std::fs::metadata(path).ok()?;
        let stamp: Stamp = (meta.modified().ok(), meta.len());
        if let Ok(guard) = self.loaded.read()
            && let Some((seen, model)) = guard.as_ref()
            && *seen == stamp
        {
            return model.clone();
        }
        let model = load(path).map_err(|e| tracing::warn!(path = %path.display(), "dispatch model not used: {e}")).ok();
        let model = model.map(|m| Arc::new(Dispatcher::new(m)));
        if let Ok(mut guard) = self.loaded.write() {
            *guard = Some((stamp, model.clone()));
        }
        model
    }
}

fn load(path: &Path) -> Result<DispatchModel, Bilingual> {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
    if len > MAX_MODEL_BYTES as u64 {
        return Err(Bilingual::new("分拨模型文件过大", "the dispatch model file is too large"));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Bilingual::new(format!("无法读取：{e}"), format!("unreadable: {e}")))?;
    DispatchModel::from_json(&bytes)
}

/// What a retraining learned.
#[derive(Debug, Clone, Serialize)]
pub struct RetrainReport {
    pub matters: usize,
    pub categories: usize,
    pub units: usize,
    pub path: PathBuf,
}

impl App {
    /// The loaded dispatch model (none trained: `None`).
    pub fn dispatcher(&self) -> Option<Arc<Dispatcher>> {
        self.dispatch.get()
    }
}

impl Operator<'_> {
    /// Learn from every closed matter (closed or rated; hotline request
    /// kinds are no subject, so they teach the units but not the
    /// categories) and write the model file whole.
    pub async fn retrain_dispatch(&self) -> AppResult<RetrainReport> {
        let app = self.app;
        let Some(path) = app.dispatch.path.clone() else {
            return Err(AppError::invalid(
                "no_model_path",
                Bilingual::new("未配置分拨模型的位置", "no place is configured for the dispatch model"),
            ));
        };
        let dictionary = app.dictionary().await?;
        let query = MatterQuery {
            scope: MatterScope { everything: true, ..MatterScope::default() },
            states: vec![MatterState::Closed, MatterState::Rated],
            limit: crate::figures::read::BATCH,
            ..MatterQuery::default()
        };
        let mut pages = MatterPages::new(query);
        let mut examples = Vec::new();
        let mut counts: HashMap<(String, String, Assignee), u32> = HashMap::new();
        let mut matters = 0;
        while let Some(page) = pages.next(&*app.store).await? {
            for m in page {
                matters += 1;
                let code = m.category.as_str().to_owned();
                let subject = dictionary
                    .category(&m.category)
                    .is_some_and(|(c, _)| c.kind != shanzhi_domain::category::CategoryKind::Hotline);
                if subject {
                    examples.push((m.description.clone(), code.clone()));
                }
                if let Some(unit) = m.status.assignee.clone() {
                    *counts.entry((code, m.grid.community().as_str().to_owned(), unit)).or_default() += 1;
                }
            }
        }
        let categories = train(&examples, &TrainOptions::default()).ok();
        let mut units: Vec<UnitCount> = counts
            .into_iter()
            .map(|((category, community, unit), count)| UnitCount { category, community, unit, count })
            .collect();
        units.sort_by(|a, b| (&a.category, &a.community, b.count).cmp(&(&b.category, &b.community, a.count)));
        let model = DispatchModel { format: FORMAT, trained_at: app.now_micros(), matters, categories, units };
        let report = RetrainReport {
            matters,
            categories: model.categories.as_ref().map_or(0, |c| c.labels.len()),
            units: model.units.len(),
            path: path.clone(),
        };
        write_whole(&path, &serde_json::to_vec(&model).unwrap_or_default())?;
        Ok(report)
    }
}

/// Write a file so that a reader sees the old one or the new one, never half.
fn write_whole(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let fail =
        |e: std::io::Error| AppError::internal(format!("cannot write the dispatch model {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
