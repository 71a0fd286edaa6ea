//! 职能部门: the registry of departments at city, district and town level,
//! and their members (people assigned with the department as scope).

use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, CodeSystem, DepartmentCode, DivisionCode, DivisionLevel, Place, Role};
use shanzhi_store::{AuditEntry, DepartmentRecord};

use super::{Scoped, refuse};
use crate::access::Operator;
use crate::grids::today;
use crate::{AppError, AppResult};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentView {
    pub code: DepartmentCode,
    pub name: String,
    pub level: DivisionLevel,
    pub division: DivisionCode,
    /// Members (usernames), when the caller may see people there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

impl DepartmentView {
    fn new(d: &DepartmentRecord, members: Option<Vec<String>>) -> Self {
        DepartmentView {
            level: d.code.level(),
            division: d.code.division(),
            code: d.code.clone(),
            name: d.name.clone(),
            members,
        }
    }
}

/// The departments whose grassroots duties the platform coordinates (city
/// level), with the key used in codes (`510100-chengguan`).
const CITY_DEPARTMENTS: [(&str, &str); 32] = [
    ("chengguan", "城市管理委员会"),
    ("zhujian", "住房和城乡建设局"),
    ("shengtai", "生态环境局"),
    ("gongan", "公安局"),
    ("jiaotong", "交通运输局"),
    ("shuiwu", "水务局"),
    ("shichang", "市场监督管理局"),
    ("weijian", "卫生健康委员会"),
    ("minzheng", "民政局"),
    ("yingji", "应急管理局"),
    ("jiaoyu", "教育局"),
    ("renshe", "人力资源和社会保障局"),
    ("guihua", "规划和自然资源局"),
    ("nongye", "农业农村局"),
    ("wenlv", "文化广电旅游局"),
    ("shangwu", "商务局"),
    ("sifa", "司法局"),
    ("tuiyi", "退役军人事务局"),
    ("yibao", "医疗保障局"),
    ("xinfang", "信访局"),
    ("gongyuan", "公园城市建设和城市更新局"),
    ("fagai", "发展和改革委员会"),
    ("jingxin", "经济和信息化局"),
    ("caizheng", "财政局"),
    ("tongji", "统计局"),
    ("tiyu", "体育局"),
    ("xiaofang", "消防救援支队"),
    ("gongjijin", "住房公积金管理中心"),
    ("gongxin", "通信管理办公室"),
    ("dianli", "国网成都供电公司"),
    ("ranqi", "成都燃气集团"),
    ("zilaishui", "成都市自来水有限责任公司"),
];

/// The district-level counterparts most matters reach (in every district).
const DISTRICT_DEPARTMENTS: [(&str, &str); 10] = [
    ("chengguan", "城市管理局"),
    ("zhujian", "住房和城乡建设局"),
    ("shengtai", "生态环境局"),
    ("gongan", "公安分局"),
    ("jiaotong", "交通运输局"),
    ("shuiwu", "水务局"),
    ("shichang", "市场监督管理局"),
    ("weijian", "卫生健康局"),
    ("minzheng", "民政局"),
    ("yingji", "应急管理局"),
];

/// The demo's registry: 32 city departments and 10 in each district.
pub fn demo_departments(districts: &[(DivisionCode, String)]) -> Vec<DepartmentRecord> {
    let mut out: Vec<DepartmentRecord> = CITY_DEPARTMENTS
        .iter()
        .map(|(key, name)| DepartmentRecord {
            code: DepartmentCode::parse(&format!("510100-{key}")).expect("valid code"),
            name: format!("成都市{name}"),
        })
        .collect();
    for (district, district_name) in districts {
        for (key, name) in DISTRICT_DEPARTMENTS {
            out.push(DepartmentRecord {
                code: DepartmentCode::parse(&format!("{}-{key}", district.significant())).expect("valid code"),
                name: format!("{district_name}{name}"),
            });
        }
    }
    out
}

impl Operator<'_> {
    /// Add departments as the operator (the demo, the command line); existing
    /// codes are left alone.
    pub async fn ensure_departments(&self, departments: &[DepartmentRecord], actor: &str) -> AppResult<usize> {
        let mut added = 0;
        for d in departments {
            if self.store.department(&d.code).await?.is_some() {
                continue;
            }
            let after = serde_json::json!({ "code": d.code, "name": d.name }).to_string();
            let audit = AuditEntry::new(actor, "department.create", &format!("department:{}", d.code)).after(after);
            self.store.create_department(d, &audit).await?;
            added += 1;
        }
        self.invalidate_dictionary();
        Ok(added)
    }
}

impl super::AdminDesk<'_> {
    /// Create a department where the caller manages departments.
    pub async fn create_department(&self, code: &str, name: &str) -> AppResult<DepartmentView> {
        let code = DepartmentCode::parse(code)
            .map_err(|m| AppError::BadRequest { code: "invalid_department_code", message: m })?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::bad_request(
                "invalid_name",
                "部门名称应为 1–60 个字符",
                "a department name needs 1–60 characters",
            ));
        }
        self.app.store.division(CodeSystem::Nbs2023, &code.division()).await?.ok_or_else(|| {
            AppError::invalid(
                "unknown_division",
                Bilingual::new(
                    format!("区划 {} 不存在", code.division()),
                    format!("division {} does not exist", code.division()),
                ),
            )
        })?;
        self.require(Action::ManageDepartments, &Place::Department(code.clone()))?;
        if self.app.store.department(&code).await?.is_some() {
            return Err(AppError::invalid(
                "department_exists",
                Bilingual::new(format!("部门 {code} 已存在"), format!("department {code} exists")),
            ));
        }
        let record = DepartmentRecord { code: code.clone(), name: name.to_owned() };
        let after = serde_json::json!({ "code": code, "name": name }).to_string();
        self.app
            .store
            .create_department(&record, &self.audit("department.create", &format!("department:{code}")).after(after))
            .await?;
        self.app.invalidate_dictionary();
        Ok(DepartmentView::new(&record, None))
    }
}

impl Scoped<'_> {
    /// Departments in `within` (default: everywhere); any staff member may list them.
    pub async fn departments(&self, within: Option<&DivisionCode>) -> AppResult<Vec<DepartmentView>> {
        if !self.actor.grants.iter().any(|g| g.role.is_staff()) && self.actor.via != super::Via::System {
            return Err(refuse(Action::ViewPeople));
        }
        let root = match within {
            Some(d) => d.clone(),
            None => DivisionCode::parse("51").expect("code"),
        };
        let all = self.app.store.departments_within(&root).await?;
        Ok(all.iter().map(|d| DepartmentView::new(d, None)).collect())
    }

    /// One department with its members, if the caller may see people there.
    pub async fn department(&self, code: &str) -> AppResult<DepartmentView> {
        let not_found = || {
            AppError::not_found("department_not_found", format!("部门 {code} 不存在"), format!("no department {code}"))
        };
        let code = DepartmentCode::parse(code).map_err(|_| not_found())?;
        let record = self.app.store.department(&code).await?.ok_or_else(not_found)?;
        let place = Place::Department(code.clone());
        if !self.actor.can(Action::ViewPeople, &place) {
            return Err(not_found());
        }
        let day = today();
        let mut members = Vec::new();
        for a in self.app.store.assignments_within(&code.division(), day).await? {
            if a.role == Role::DeptHandler
                && a.scope == Some(shanzhi_domain::Scope::Department(code.clone()))
                && let Some(u) = self.app.store.user_by_id(&a.user_id).await?
            {
                members.push(u.username.to_string());
            }
        }
        members.sort();
        members.dedup();
        Ok(DepartmentView::new(&record, Some(members)))
    }
}
