//! One register record as typed into a form or read from an import row,
//! checked into what the store keeps. The same check serves both.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use shanzhi_domain::register::{Gender, IdNumber, RegisterKind, ResidentStatus};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, GridCode, Micros, Phone};
use shanzhi_geo::Crs;
use shanzhi_store::{GridRecord, RegisterRecord};

use super::seal::CareKeys;
use crate::{App, AppError, AppResult};

/// Longest name or address, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest category text.
pub const MAX_CATEGORY_CHARS: usize = 32;

/// A record as entered. `name` is the address of a building, the unit and
/// room of a household (`1单元101`), a person's name, an organisation's or
/// facility's name.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterDraft {
    pub kind: RegisterKind,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// A household's building, a resident's household.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub parent_id: Option<String>,
    /// The grid (15 digits), when there is no point.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{15}$"))]
    pub grid: Option<String>,
    /// WGS-84 longitude and latitude (GCJ-02 with `crs`).
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub lng: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: Option<f64>,
    pub crs: Option<Crs>,
    /// A building's use, an organisation's kind (单位/商户), a facility's kind.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub category: Option<String>,
    /// An organisation's or facility's address.
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub address: Option<String>,
    /// A resident's 身份证号: checked, hashed for de-duplication, never stored.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{17}[0-9X]$"))]
    pub id_number: Option<String>,
    /// 男/女 (read from the ID number when given).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(男|女|male|female)$"))]
    pub gender: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1890, maximum = 2100))]
    pub birth_year: Option<i16>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^1[3-9][0-9]{9}$"))]
    pub phone: Option<String>,
    /// 户籍/常住/流动/空挂.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(户籍|常住|流动|空挂|registered|permanent|floating|nominal)$"))]
    pub status: Option<String>,
    /// A resident who heads their household.
    pub head: Option<bool>,
    /// The version read, for an edit.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: Option<i64>,
}

impl RegisterDraft {
    /// A draft of `kind` named `name`, nothing else given.
    pub fn new(kind: RegisterKind, name: &str) -> RegisterDraft {
        RegisterDraft {
            kind,
            name: name.to_owned(),
            parent_id: None,
            grid: None,
            lng: None,
            lat: None,
            crs: None,
            category: None,
            address: None,
            id_number: None,
            gender: None,
            birth_year: None,
            phone: None,
            status: None,
            head: None,
            version: None,
        }
    }
}

/// What a draft becomes once checked.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub kind: RegisterKind,
    pub name: String,
    pub parent_id: Option<String>,
    pub fields: Map<String, Value>,
    pub id_hash: Option<String>,
}

fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn limited(what: &str, s: &str, max: usize) -> Result<String, Bilingual> {
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(Bilingual::new(
            format!("{what}过长（最多 {max} 个字）或含控制字符"),
            format!("{what}: at most {max} characters, no control characters"),
        ));
    }
    Ok(s.to_owned())
}

impl RegisterDraft {
    pub(crate) fn check(&self, keys: &CareKeys) -> Result<Checked, Bilingual> {
        let name = text(&Some(self.name.clone())).map(str::to_owned).unwrap_or_default();
        if name.is_empty() {
            return Err(Bilingual::new(
                "缺少名称（地址、房号或姓名）",
                "a name (address, room or person's name) is missing",
            ));
        }
        let name = limited("名称", &name, MAX_NAME_CHARS)?;
        let mut fields = Map::new();
        if let (Some(x), Some(y)) = (self.lng, self.lat) {
            fields.insert("lng".into(), json!(x));
            fields.insert("lat".into(), json!(y));
        }
        if let Some(c) = text(&self.category) {
            fields.insert("category".into(), json!(limited("类别", c, MAX_CATEGORY_CHARS)?));
        }
        if let Some(a) = text(&self.address) {
            fields.insert("address".into(), json!(limited("地址", a, MAX_NAME_CHARS)?));
        }
        if let Some(p) = text(&self.phone) {
            fields.insert("phone".into(), json!(Phone::parse(p)?.reveal()));
        }
        let mut id_hash = None;
        match self.kind {
            RegisterKind::Household if self.parent_id.is_none() => {
                return Err(Bilingual::new("住户应属于一个楼栋", "a household belongs to a building"));
            }
            RegisterKind::Resident => {
                let mut gender = text(&self.gender).map(Gender::parse_label).transpose()?;
                let mut birth_year = self.birth_year;
                if let Some(n) = text(&self.id_number) {
                    let id = IdNumber::parse(n)?;
                    gender = gender.or(Some(id.gender()));
                    birth_year = birth_year.or(Some(id.birth_year()));
                    id_hash = Some(keys.id_hash(id.reveal()));
                }
                if let Some(y) = birth_year
                    && !(1890..=2100).contains(&y)
                {
                    return Err(Bilingual::new("出生年份应在 1890–2100 之间", "a birth year lies within 1890–2100"));
                }
                let status = match text(&self.status) {
                    Some(s) => ResidentStatus::parse_label(s)?,
                    None => ResidentStatus::Registered,
                };
                fields.insert("status".into(), json!(status.as_str()));
                if let Some(g) = gender {
                    fields.insert("gender".into(), json!(g.as_str()));
                }
                if let Some(y) = birth_year {
                    fields.insert("birth_year".into(), json!(y));
                }
                if self.head == Some(true) {
                    fields.insert("head".into(), json!(true));
                }
            }
            _ => {}
        }
        if let Some(p) = &self.parent_id
            && p.len() > 64
        {
            return Err(Bilingual::new("上级记录编号过长", "the parent id is too long"));
        }
        Ok(Checked { kind: self.kind, name, parent_id: self.parent_id.clone(), fields, id_hash })
    }
}

impl Checked {
    pub(crate) fn into_record(
        self,
        id: String,
        community: DivisionCode,
        grid: Option<GridCode>,
        by: &str,
        at: Micros,
    ) -> RegisterRecord {
        let fields = Value::Object(self.fields).to_string();
        let search_text = shanzhi_domain::search::fold(&self.name);
        RegisterRecord {
            id,
            kind: self.kind,
            community,
            grid,
            parent_id: self.parent_id,
            name: self.name,
            fields,
            id_hash: self.id_hash,
            search_text,
            version: 1,
            updated_by: by.to_owned(),
            updated_at: at,
        }
    }
}

/// The stored fields as users see them: Chinese names and labels, the phone
/// number masked.
pub(crate) fn shown(fields: &str) -> Value {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(fields) else { return json!({}) };
    let mut out = Map::new();
    for (k, v) in m {
        let (label, value) = match (k.as_str(), &v) {
            ("phone", Value::String(p)) => ("联系电话", json!(Phone::parse(p).map(|p| p.masked()).unwrap_or_default())),
            ("status", Value::String(s)) => {
                ("人口类型", json!(s.parse::<ResidentStatus>().map(|s| s.label_zh()).unwrap_or("")))
            }
            ("gender", Value::String(s)) => ("性别", json!(s.parse::<Gender>().map(|g| g.label_zh()).unwrap_or(""))),
            ("birth_year", _) => ("出生年份", v),
            ("head", _) => ("户主", json!("是")),
            ("category", _) => ("类别", v),
            ("address", _) => ("地址", v),
            ("lng", _) => ("经度", v),
            ("lat", _) => ("纬度", v),
            _ => continue,
        };
        out.insert(label.to_owned(), value);
    }
    Value::Object(out)
}

/// The grids of one place as of today, by code.
pub(crate) type GridsByCode = HashMap<GridCode, GridRecord>;

fn unplaced() -> Bilingual {
    Bilingual::new(
        "无法确定所在网格：请给出经纬度、网格编码或上级记录",
        "cannot place the record: give a point, a grid code or a parent record",
    )
}

impl App {
    /// Where a draft lies: by its point on the current grid, else its grid
    /// code, else its parent's place.
    pub(crate) fn place_by(
        &self,
        draft: &RegisterDraft,
        parent: Option<&RegisterRecord>,
        grids: &GridsByCode,
    ) -> Result<(DivisionCode, Option<GridCode>), Bilingual> {
        if let (Some(x), Some(y)) = (draft.lng, draft.lat) {
            let answer = self.locate(x, y, draft.crs.unwrap_or(Crs::Wgs84)).map_err(|e| match e {
                AppError::BadRequest { message, .. } => message,
                other => Bilingual::new(other.to_string(), other.to_string()),
            })?;
            let Some(loc) = answer.location else {
                return Err(Bilingual::new("此位置不在任何网格内", "this point lies in no grid"));
            };
            let grid = loc.general_grid.or(loc.micro_grid).or(loc.master_grid).map(|c| c.code);
            let community = loc.community.code.clone();
            return Ok((community, grid));
        }
        if let Some(g) = text(&draft.grid) {
            let code = GridCode::parse(g)?;
            if !grids.contains_key(&code) {
                return Err(Bilingual::new(
                    format!("网格 {g} 不存在或不在此范围内"),
                    format!("grid {g} does not exist here"),
                ));
            }
            return Ok((code.community(), Some(code)));
        }
        match parent {
            Some(p) => Ok((p.community.clone(), p.grid.clone())),
            None => Err(unplaced()),
        }
    }

    /// [`App::place_by`] with the grids of the parent's or the given grid's
    /// community, for one record.
    pub(crate) async fn place_draft(
        &self,
        draft: &RegisterDraft,
        parent: Option<&RegisterRecord>,
    ) -> AppResult<(DivisionCode, Option<GridCode>)> {
        if let Some(p) = parent {
            let fits = matches!(
                (draft.kind, p.kind),
                (RegisterKind::Household, RegisterKind::Building)
                    | (RegisterKind::Resident, RegisterKind::Household)
                    | (RegisterKind::Organisation | RegisterKind::Facility, RegisterKind::Building)
            );
            if !fits {
                return Err(AppError::bad_request(
                    "wrong_parent",
                    "上级记录类型不符：住户属于楼栋，居民属于住户",
                    "the parent does not fit: a household belongs to a building, a resident to a household",
                ));
            }
        }
        let mut grids = GridsByCode::new();
        if let Some(g) = text(&draft.grid) {
            let code = GridCode::parse(g).map_err(|m| AppError::BadRequest { code: "invalid_grid", message: m })?;
            if let Ok(record) = self.grid(&code, crate::grids::today()).await {
                grids.insert(code, record);
            }
        }
        self.place_by(draft, parent, &grids).map_err(|m| AppError::BadRequest { code: "unplaced", message: m })
    }
}
