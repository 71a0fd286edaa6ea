//! `/admin/categories/{code}` (or `new`): one category as a form, field by
//! field (name, parent, kind, line, severity, each stage's time limit, the
//! conditions, the standard, keywords), each save a new version; and the
//! duty list's row form. A refused form comes back with its input and the
//! error beside the field.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use shanzhi_app::AppError;
use shanzhi_app::access::CityDesk;
use shanzhi_domain::calendar::LimitUnit;
use shanzhi_domain::category::Severity;
use shanzhi_domain::category::{CategoryKind, Limit, TimeLimits};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Category, CategoryCode, DutyItem, DutyLevel, DutyList, Line};

use super::kept::{Failed, Kept};
use crate::AppState;
use crate::ui::form::FormData;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// The stages a category times, with their labels.
pub const STAGES: [(&str, &str, &str); 6] = [
    ("accept", "受理", "Accept"),
    ("dispatch", "派遣", "Dispatch"),
    ("sign", "签收", "Sign"),
    ("handle", "处置", "Handle"),
    ("verify", "核查", "Verify"),
    ("urgent", "紧急件（每个环节）", "Urgent (every stage)"),
];

#[derive(Template)]
#[template(path = "admin_category.html")]
struct CategoryPage {
    tr: Tr,
    nav: Nav,
    error: Option<String>,
    kept: Kept,
    /// The category's code, or `None` for a new one.
    code: Option<String>,
    version: i64,
    /// The form's values: the stored version's, or what was sent.
    v: CategoryForm,
    /// Other categories, for the parent (code, name).
    parents: Vec<(String, String)>,
}

/// A category as the form's fields.
#[derive(Debug, Default)]
struct CategoryForm {
    code: String,
    name: String,
    parent: String,
    kind: String,
    line: String,
    severity: String,
    /// (stage, amount, unit) per stage of [`STAGES`].
    limits: Vec<(&'static str, String, String)>,
    filing_condition: String,
    closing_condition: String,
    standard: String,
    keywords: String,
    /// 自行处置 allowed (a checkbox).
    self_handle: bool,
}

fn unit_code(unit: LimitUnit) -> &'static str {
    match unit {
        LimitUnit::Hours => "hours",
        LimitUnit::WorkingHours => "working_hours",
        LimitUnit::WorkingDays => "working_days",
    }
}

impl CategoryForm {
    fn of(c: &Category) -> Self {
        let l = &c.limits;
        let limits = [l.accept, l.dispatch, l.sign, l.handle, l.verify, l.urgent];
        CategoryForm {
            code: c.code.to_string(),
            name: c.name.clone(),
            parent: c.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
            kind: serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            line: c.line.as_str().to_owned(),
            severity: c.severity.as_str().to_owned(),
            limits: STAGES
                .iter()
                .zip(limits)
                .map(|((s, ..), l)| match l {
                    Some(l) => (*s, l.amount.to_string(), unit_code(l.unit).to_owned()),
                    None => (*s, String::new(), "working_hours".to_owned()),
                })
                .collect(),
            filing_condition: c.filing_condition.clone(),
            closing_condition: c.closing_condition.clone(),
            standard: c.standard.clone(),
            keywords: c.keywords.join("、"),
            self_handle: c.self_handle,
        }
    }

    fn sent(form: &FormData) -> Self {
        let f = |k: &str| form.field(k);
        CategoryForm {
            code: f("code"),
            name: f("name"),
            parent: f("parent"),
            kind: f("kind"),
            line: f("line"),
            severity: f("severity"),
            limits: STAGES.iter().map(|(s, ..)| (*s, f(&format!("{s}_amount")), f(&format!("{s}_unit")))).collect(),
            filing_condition: f("filing_condition"),
            closing_condition: f("closing_condition"),
            standard: f("standard"),
            keywords: f("keywords"),
            self_handle: !f("self_handle").is_empty(),
        }
    }

    /// Whether `field` holds `value` (for a select).
    fn sel(&self, field: &str, value: &str) -> bool {
        match field {
            "parent" => self.parent == value,
            "kind" => self.kind == value,
            "line" => self.line == value,
            "severity" => self.severity == value,
            _ => false,
        }
    }

    /// Whether `stage` has `unit` (for the select).
    fn unit_is(&self, stage: &str, unit: &str) -> bool {
        self.limits.iter().any(|(s, _, u)| *s == stage && u == unit)
    }
}

fn field_error(field: &'static str, zh: String, en: String) -> Failed {
    Failed {
        error: AppError::BadRequest { code: "invalid_category", message: Bilingual::new(zh, en) },
        field: Some(field),
    }
}

/// The category the form describes, checked field by field; `existing`
/// keeps what the form does not edit (the reporting questions).
fn category_from(v: &CategoryForm, existing: Option<&Category>) -> Result<Category, Failed> {
    let code = CategoryCode::parse(&v.code).map_err(|m| field_error("code", m.zh, m.en))?;
    let name = v.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(field_error("name", "分类名称应为 1–50 个字符".into(), "a name needs 1–50 characters".into()));
    }
    let parent = match v.parent.as_str() {
        "" => None,
        p => Some(CategoryCode::parse(p).map_err(|m| field_error("parent", m.zh, m.en))?),
    };
    let kind = match v.kind.as_str() {
        "event" => CategoryKind::Event,
        "hotline" => CategoryKind::Hotline,
        "governance" => CategoryKind::Governance,
        _ => return Err(field_error("kind", "请选择来源".into(), "pick a kind".into())),
    };
    let line = v.line.parse::<Line>().map_err(|m| field_error("line", m.zh, m.en))?;
    let severity = v.severity.parse::<Severity>().map_err(|m| field_error("severity", m.zh, m.en))?;
    let mut limits = [None; 6];
    for (i, (stage, amount, unit)) in v.limits.iter().enumerate() {
        if amount.is_empty() {
            continue;
        }
        let field: &'static str = STAGES.iter().find(|(s, ..)| s == stage).map(|(s, ..)| *s).unwrap_or("accept");
        let wrong = || Failed {
            error: AppError::BadRequest {
                code: "invalid_category",
                message: Bilingual::new(
                    "时限应为 1–8784 小时/工作时，或 1–366 个工作日",
                    "a time limit must be 1–8784 hours or working hours, or 1–366 working days",
                ),
            },
            field: Some(field),
        };
        let amount = amount.parse::<u32>().map_err(|_| wrong())?;
        let unit = match unit.as_str() {
            "hours" => LimitUnit::Hours,
            "working_days" => LimitUnit::WorkingDays,
            _ => LimitUnit::WorkingHours,
        };
        let limit = Limit { amount, unit };
        TimeLimits { accept: Some(limit), ..TimeLimits::default() }.validate().map_err(|_| wrong())?;
        limits[i] = Some(limit);
    }
    let [accept, dispatch, sign, handle, verify, urgent] = limits;
    let keywords: Vec<String> = v
        .keywords
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    if keywords.len() > 50 || keywords.iter().any(|k| k.chars().count() > 20) {
        return Err(field_error(
            "keywords",
            "关键词最多 50 个，每个 1–20 字".into(),
            "at most 50 keywords of 1–20 characters".into(),
        ));
    }
    for (field, text) in [("filing_condition", &v.filing_condition), ("closing_condition", &v.closing_condition)] {
        if text.chars().count() > 2000 {
            return Err(field_error(field, "条件不超过 2000 字".into(), "at most 2000 characters".into()));
        }
    }
    if v.standard.chars().count() > 200 {
        return Err(field_error("standard", "依据不超过 200 字".into(), "at most 200 characters".into()));
    }
    Ok(Category {
        code,
        name: name.to_owned(),
        parent,
        kind,
        line,
        severity,
        limits: TimeLimits { accept, dispatch, sign, handle, verify, urgent },
        filing_condition: v.filing_condition.clone(),
        closing_condition: v.closing_condition.clone(),
        standard: v.standard.clone(),
        keywords,
        attributes: existing.map(|c| c.attributes.clone()).unwrap_or_default(),
        self_handle: v.self_handle,
    })
}

/// A stage's label.
pub fn stage_label(tr: &Tr, stage: &str) -> &'static str {
    STAGES.iter().find(|(s, ..)| *s == stage).map(|(_, zh, en)| tr.t(zh, en)).unwrap_or("")
}

fn invalid_duty(zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code: "invalid_duty", message: Bilingual::new(zh, en) }
}

/// The row a duty form is about: a category at a level.
pub fn duty_key(form: &FormData) -> Result<(CategoryCode, DutyLevel), AppError> {
    let category = CategoryCode::parse(&form.field("category"))
        .map_err(|m| AppError::BadRequest { code: "invalid_category", message: m })?;
    let level = match form.field("level").as_str() {
        "district" => DutyLevel::District,
        "town" => DutyLevel::Town,
        "community" => DutyLevel::Community,
        _ => return Err(invalid_duty("请选择层级", "pick a level")),
    };
    Ok((category, level))
}

/// A duty row as the form sends it (its departments are picked by name by
/// the caller).
pub fn duty_from(form: &FormData) -> Result<DutyItem, AppError> {
    let (category, level) = duty_key(form)?;
    let list = match form.field("list").as_str() {
        "basic" => DutyList::Basic,
        "cooperate" => DutyList::Cooperate,
        "withdrawn" => DutyList::Withdrawn,
        "lawful" => DutyList::Lawful,
        "assist" => DutyList::Assist,
        "negative" => DutyList::Negative,
        _ => return Err(invalid_duty("请选择清单", "pick a list")),
    };
    Ok(DutyItem { category, level, lead: None, co: Vec::new(), list, note: form.field("note") })
}

/// A duty list's name as people read it.
pub fn duty_list_label(tr: Tr, list: DutyList) -> &'static str {
    tr.named(list.label_zh(), || match list {
        DutyList::Basic => "Basic duty",
        DutyList::Cooperate => "Cooperating duty",
        DutyList::Withdrawn => "Taken back by the level above",
        DutyList::Lawful => "Statutory duty",
        DutyList::Assist => "Statutory assistance",
        DutyList::Negative => "Negative list",
    })
}

async fn render(state: &AppState, viewer: &Viewer, tr: Tr, code: &str, sent: Option<(&FormData, Failed)>) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let existing = match code {
        "new" => None,
        c => match scoped.category(c, None).await {
            Ok(found) => Some(found),
            Err(e) => return refusal(tr, viewer, &e),
        },
    };
    let parents = scoped
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(c, _)| c.code.as_str() != code)
        .map(|(c, _)| (c.code.to_string(), c.name))
        .collect();
    let (v, error, kept, status) = match sent {
        Some((form, failed)) => {
            let m = failed.error.message();
            let message = if tr.en { m.en } else { m.zh };
            let status = super::status(&failed.error);
            (
                CategoryForm::sent(form),
                Some(message.clone()),
                Kept::new("category", form, failed.field, message),
                status,
            )
        }
        None => {
            let v = existing.as_ref().map(|(c, _)| CategoryForm::of(c)).unwrap_or_else(|| CategoryForm {
                kind: "event".into(),
                line: "development".into(),
                severity: "normal".into(),
                limits: STAGES.iter().map(|(s, ..)| (*s, String::new(), "working_hours".to_owned())).collect(),
                ..CategoryForm::default()
            });
            (v, None, Kept::default(), axum::http::StatusCode::OK)
        }
    };
    let mut r = page(CategoryPage {
        tr,
        nav: viewer.nav(tr),
        error,
        kept,
        code: existing.as_ref().map(|(c, _)| c.code.to_string()),
        version: existing.as_ref().map(|(_, v)| *v).unwrap_or(0),
        v,
        parents,
    });
    *r.status_mut() = status;
    r
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(code): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login("/admin");
    }
    if let Err(e) = state.app.scoped(viewer.actor.clone()).desk::<CityDesk>() {
        return refusal(tr, &viewer, &e);
    }
    render(&state, &viewer, tr, &code, None).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let form = match super::signed_form(&state, &viewer, tr, request).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let saved = async {
        let desk = scoped.desk::<CityDesk>()?;
        let mut sent = CategoryForm::sent(&form);
        let existing = match code.as_str() {
            "new" => {
                if scoped.category(&sent.code, None).await.is_ok() {
                    return Err(field_error("code", "这个代码已有分类".into(), "a category has this code".into()));
                }
                None
            }
            c => {
                // The code of a stored category is not edited.
                sent.code = c.to_owned();
                Some(scoped.category(c, None).await?.0)
            }
        };
        let category = category_from(&sent, existing.as_ref())?;
        let name = category.name.clone();
        let version = desk.put_category(category).await?;
        Ok::<_, Failed>(format!("分类 {name} 第 {version} 版"))
    };
    match saved.await {
        Ok(done) => super::done_at("/admin#category", &done),
        Err(failed) => render(&state, &viewer, tr, &code, Some((&form, failed))).await,
    }
}
