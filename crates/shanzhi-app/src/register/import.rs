//! Importing a street's register from a CSV or XLSX file (first sheet), one
//! row per person, organisation or facility. Columns by their Chinese
//! headers (docs/register.md): 类别 (居民/单位/商户/设施, default 居民),
//! 楼栋地址, 楼栋类型, 经度, 纬度, 网格编码, 单元, 房号, 户主, 姓名 (a name
//! for 单位/商户/设施), 身份证号, 性别, 出生年份, 联系电话, 人口类型.
//!
//! Buildings are placed by the first row that names their address (its
//! point, else its grid code); households by their building. The whole file
//! is checked first; a file with a bad row is refused whole, every problem
//! with its line number, and nothing is written. A caller imports only for
//! places in their scope (a community worker their community, a street's
//! dispatcher the street).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, DivisionCode, DivisionLevel};
use shanzhi_store::{RegisterQuery, RegisterRecord};

use super::draft::{Checked, GridsByCode, RegisterDraft};
use super::place_of;
use crate::access::Scoped;
use crate::divisions::{ImportRejection, RowProblem};
use crate::grids::{GridFilter, today};
use crate::table::{TableLimits, read_table, require_columns};
use crate::{AppError, AppResult};

/// A street's register: 30,000 people fit with room to spare.
pub const REGISTER_LIMITS: TableLimits = TableLimits {
    max_bytes: 24 * 1024 * 1024,
    max_rows: 100_000,
    max_columns: 32,
    max_cell_chars: 200,
    max_zip_entries: 200,
    max_unzipped_entry: 160 * 1024 * 1024,
    max_unzipped_total: 192 * 1024 * 1024,
};

/// Problems listed before the rest are only counted.
const LISTED_PROBLEMS: usize = 100;

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterImportReport {
    pub rows: usize,
    pub buildings: usize,
    pub households: usize,
    pub residents: usize,
    pub organisations: usize,
    pub facilities: usize,
    /// Buildings and households already registered, reused.
    pub reused: usize,
}

impl std::fmt::Display for RegisterImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RegisterImportReport { rows, buildings, households, residents, organisations, facilities, reused } = self;
        write!(
            f,
            "导入 {rows} 行：楼栋 {buildings}，住户 {households}，居民 {residents}，单位和商户 {organisations}，\
             公共设施 {facilities}，沿用已有 {reused} (imported {rows} rows: {buildings} buildings, {households} \
             households, {residents} residents, {organisations} organisations, {facilities} facilities, {reused} reused)"
        )
    }
}

const CATEGORIES: [(&str, RegisterKind); 4] = [
    ("居民", RegisterKind::Resident),
    ("单位", RegisterKind::Organisation),
    ("商户", RegisterKind::Organisation),
    ("设施", RegisterKind::Facility),
];

fn file_problem(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::ImportRejected(ImportRejection {
        problems: vec![RowProblem { line: None, code: None, message: Bilingual::new(zh, en) }],
        more: 0,
    })
}

/// The records being built, keyed as the file names them.
#[derive(Default)]
struct Batch {
    records: Vec<RegisterRecord>,
    /// Address → building id.
    buildings: HashMap<String, String>,
    /// (building id, household name) → household id.
    households: HashMap<(String, String), String>,
    /// Record id → index in `records`, for new records, or the stored record.
    known: HashMap<String, RegisterRecord>,
    hashes: HashMap<String, u64>,
    /// Records read from the store, and those of them this file used.
    stored: HashSet<String>,
    used: HashSet<String>,
    report: RegisterImportReport,
}

impl Scoped<'_> {
    /// Import the register file `bytes` (named `name`: `.xlsx` or CSV) for
    /// the street `street`.
    pub async fn import_register(
        &self,
        bytes: &[u8],
        name: &str,
        street: &DivisionCode,
    ) -> AppResult<RegisterImportReport> {
        if street.level() != DivisionLevel::Town {
            return Err(AppError::bad_request(
                "not_a_street",
                format!("{street} 不是街道（乡镇）编码"),
                format!("{street} is not a street (town) code"),
            ));
        }
        if !self.actor.can_somewhere(Action::ImportRegister) {
            return Err(crate::access::refuse(Action::ImportRegister));
        }
        let rows = read_table(bytes, name, &REGISTER_LIMITS).map_err(AppError::ImportRejected)?;
        let Some((header, body)) = rows.split_first() else {
            return Err(file_problem("文件为空", "the file is empty"));
        };
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        require_columns(header, &["楼栋地址", "姓名"]).map_err(AppError::ImportRejected)?;
        self.app.refresh_grid_index().await?;
        let grids: GridsByCode = self
            .app
            .grids(&GridFilter { as_of: Some(today()), within: Some(street.clone()), ..GridFilter::default() })
            .await?
            .into_iter()
            .map(|g| (g.info.code.clone(), g))
            .collect();
        let mut batch = Batch::default();
        for kind in [RegisterKind::Building, RegisterKind::Household] {
            let query = RegisterQuery {
                within: Some(street.clone()),
                kind: Some(kind),
                limit: REGISTER_LIMITS.max_rows,
                ..Default::default()
            };
            for r in self.app.store.register_records(&query).await? {
                match kind {
                    RegisterKind::Building => batch.buildings.insert(r.name.clone(), r.id.clone()),
                    _ => {
                        batch.households.insert((r.parent_id.clone().unwrap_or_default(), r.name.clone()), r.id.clone())
                    }
                };
                batch.stored.insert(r.id.clone());
                batch.known.insert(r.id.clone(), r);
            }
        }
        let keys = self.app.register_settings().keys.clone();
        let now = self.app.now_micros();
        let by = self.actor.name().to_owned();
        let mut problems: Vec<RowProblem> = Vec::new();
        let (lower, upper) = street.descendant_bounds();
        for (i, row) in body.iter().enumerate() {
            let line = i as u64 + 2;
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let get =
                |name: &str| col(name).and_then(|i| row.get(i)).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
            let mut fail =
                |m: Bilingual| problems.push(RowProblem { line: Some(line), code: get("姓名"), message: m });
            batch.report.rows += 1;
            let kind = match get("类别") {
                None => RegisterKind::Resident,
                Some(c) => match CATEGORIES.iter().find(|(k, _)| *k == c) {
                    Some((_, kind)) => *kind,
                    None => {
                        fail(Bilingual::new(
                            format!("类别“{c}”应为 居民、单位、商户 或 设施"),
                            format!("category '{c}' must be 居民, 单位, 商户 or 设施"),
                        ));
                        continue;
                    }
                },
            };
            let number = |name: &str| get(name).map(|v| v.parse::<f64>());
            let (lng, lat) = match (number("经度"), number("纬度")) {
                (Some(Ok(x)), Some(Ok(y))) => (Some(x), Some(y)),
                (None, None) => (None, None),
                _ => {
                    fail(Bilingual::new("经纬度应为数字", "longitude and latitude must be numbers"));
                    continue;
                }
            };
            let Some(address) = get("楼栋地址") else {
                fail(Bilingual::new("缺少楼栋地址", "the building address is missing"));
                continue;
            };
            // The building: known, or new from this row.
            let building_id = match batch.buildings.get(&address).cloned() {
                Some(id) => {
                    batch.reuse(&id);
                    id
                }
                None => {
                    let mut draft = RegisterDraft::new(RegisterKind::Building, &address);
                    (draft.lng, draft.lat, draft.grid, draft.category) = (lng, lat, get("网格编码"), get("楼栋类型"));
                    let checked = match draft.check(&keys) {
                        Ok(c) => c,
                        Err(m) => {
                            fail(m);
                            continue;
                        }
                    };
                    let (community, grid) = match self.app.place_by(&draft, None, &grids) {
                        Ok(p) => p,
                        Err(m) => {
                            fail(m);
                            continue;
                        }
                    };
                    if community.as_str() < lower.as_str() || community.as_str() > upper.as_str() {
                        fail(Bilingual::new(
                            format!("此楼栋不在街道 {street} 内"),
                            format!("this building is not in street {street}"),
                        ));
                        continue;
                    }
                    if !self.actor.can(Action::ImportRegister, &place_of(&community, grid.as_ref())) {
                        fail(Bilingual::new("此楼栋不在您的管辖范围内", "this building is outside your scope"));
                        continue;
                    }
                    let id = uuid::Uuid::now_v7().to_string();
                    batch.push(checked.into_record(id.clone(), community, grid, &by, now));
                    batch.buildings.insert(address.clone(), id.clone());
                    batch.report.buildings += 1;
                    id
                }
            };
            let Some(building) = batch.known.get(&building_id).cloned() else { continue };
            let name = get("姓名").unwrap_or_default();
            let parent = if kind == RegisterKind::Resident {
                let Some(room) = get("房号") else {
                    fail(Bilingual::new("缺少房号", "the room is missing"));
                    continue;
                };
                let household = match get("单元") {
                    Some(u) => format!("{u}单元{room}"),
                    None => room,
                };
                let key = (building_id.clone(), household.clone());
                match batch.households.get(&key) {
                    Some(id) => {
                        let id = id.clone();
                        batch.reuse(&id);
                        batch.known.get(&id).cloned()
                    }
                    None => {
                        let draft = RegisterDraft {
                            parent_id: Some(building_id.clone()),
                            ..RegisterDraft::new(RegisterKind::Household, &household)
                        };
                        match draft.check(&keys) {
                            Ok(c) => {
                                let id = uuid::Uuid::now_v7().to_string();
                                batch.push(c.into_record(
                                    id.clone(),
                                    building.community.clone(),
                                    building.grid.clone(),
                                    &by,
                                    now,
                                ));
                                batch.households.insert(key, id.clone());
                                batch.report.households += 1;
                                batch.known.get(&id).cloned()
                            }
                            Err(m) => {
                                fail(m);
                                continue;
                            }
                        }
                    }
                }
            } else {
                Some(building.clone())
            };
            let Some(parent) = parent else { continue };
            let mut draft = RegisterDraft { parent_id: Some(parent.id.clone()), ..RegisterDraft::new(kind, &name) };
            draft.id_number = get("身份证号");
            draft.gender = get("性别");
            draft.phone = get("联系电话");
            draft.status = get("人口类型");
            draft.head = get("户主").map(|h| h == "是");
            draft.category = if kind == RegisterKind::Resident { None } else { get("类别") };
            draft.address = if kind == RegisterKind::Resident { None } else { Some(address.clone()) };
            match get("出生年份").map(|y| y.parse::<i16>()) {
                Some(Ok(y)) => draft.birth_year = Some(y),
                Some(Err(_)) => {
                    fail(Bilingual::new("出生年份应为四位数字", "the birth year must be four digits"));
                    continue;
                }
                None => {}
            }
            let checked: Checked = match draft.check(&keys) {
                Ok(c) => c,
                Err(m) => {
                    fail(m);
                    continue;
                }
            };
            if let Some(h) = &checked.id_hash {
                if let Some(first) = batch.hashes.get(h) {
                    fail(Bilingual::new(
                        format!("身份证号与第 {first} 行重复"),
                        format!("the ID number repeats line {first}"),
                    ));
                    continue;
                }
                batch.hashes.insert(h.clone(), line);
            }
            let record = checked.into_record(
                uuid::Uuid::now_v7().to_string(),
                parent.community.clone(),
                parent.grid.clone(),
                &by,
                now,
            );
            match kind {
                RegisterKind::Resident => batch.report.residents += 1,
                RegisterKind::Organisation => batch.report.organisations += 1,
                _ => batch.report.facilities += 1,
            }
            batch.push(record);
        }
        // ID numbers registered before.
        let hashes: Vec<String> = batch.hashes.keys().cloned().collect();
        let registered: HashSet<String> = self.app.store.registered_id_hashes(&hashes).await?.into_iter().collect();
        for (h, line) in &batch.hashes {
            if registered.contains(h) {
                problems.push(RowProblem {
                    line: Some(*line),
                    code: None,
                    message: Bilingual::new("此身份证号已登记", "this ID number is already registered"),
                });
            }
        }
        if batch.report.rows == 0 && problems.is_empty() {
            return Err(file_problem("文件没有数据行", "the file has no data rows"));
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            let more = problems.len().saturating_sub(LISTED_PROBLEMS);
            problems.truncate(LISTED_PROBLEMS);
            return Err(AppError::ImportRejected(ImportRejection { problems, more }));
        }
        let audit = self.audit("register.import", &format!("division:{street}"));
        self.app.store.add_register_records(&batch.records, &audit).await?;
        Ok(batch.report)
    }
}

impl Batch {
    /// Count a stored record the first time this file uses it.
    fn reuse(&mut self, id: &str) {
        if self.stored.contains(id) && self.used.insert(id.to_owned()) {
            self.report.reused += 1;
        }
    }

    fn push(&mut self, r: RegisterRecord) {
        self.known.insert(r.id.clone(), r.clone());
        self.records.push(r);
    }
}
