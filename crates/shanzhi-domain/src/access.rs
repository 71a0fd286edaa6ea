//! 一支队伍: roles, scopes and what each role may do where.
//!
//! A person holds grants: a role with a scope and a term. A grant allows an
//! action on a place when the role's permission table has the action and the
//! scope covers the place. Everything else is denied: there is no implicit
//! access, and a role added later starts with none (see [`Role::allows`]).

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::division::{DivisionCode, DivisionLevel};
use crate::grid::GridCode;
use crate::people::DepartmentCode;
use crate::text::Bilingual;

crate::code_enum! {
    /// The roles of DESIGN.md §1.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        Resident => "resident", "居民";
        GridWorker => "grid_worker", "网格员";
        CommunityWorker => "community_worker", "社区工作者";
        Dispatcher => "dispatcher", "调度员";
        DeptHandler => "dept_handler", "部门处置人员";
        Supervisor => "supervisor", "督办";
        Admin => "admin", "系统管理员";
    }
    from_str(s: s.trim()) -> Bilingual {
        {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            Bilingual::new(
                format!("未知角色“{s}”，应为 {}", all.join("、")),
                format!("unknown role '{s}', expected one of {}", all.join(", ")),
            )
        }
    }
}

/// What a grant may be asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See people (staff) and their assignments, contact details masked.
    ViewPeople,
    /// See unmasked phone numbers (each view is recorded).
    ViewContact,
    /// Create accounts, add and end assignments.
    ManagePeople,
    /// Create and change departments.
    ManageDepartments,
    /// See the roster of a community or town.
    ViewRoster,
    /// Start and end one's own patrols and post check-ins.
    Patrol,
    /// See patrols and patrol coverage.
    ViewPatrols,
    /// Read the admin audit log.
    ViewAudit,
    /// Edit the category dictionary and the duty lists (platform-wide).
    ManageDictionary,
    /// Edit the working-day calendar, working hours and warning thresholds.
    ManageCalendar,
    /// Write case-library articles (善治成都) for places in scope.
    EditCases,
    /// Review case-library articles: return, publish, withdraw (the city's
    /// reviewers; the application also wants a city-wide scope).
    ReviewCases,
    /// See the grid's register (buildings, households, residents, shops,
    /// facilities; contact masked) and who is marked for care (reason masked).
    ViewRegister,
    /// Add and change register records and care marks.
    EditRegister,
    /// Import a register file for places in scope.
    ImportRegister,
    /// See a care mark's reason and notes (sensitive: each view is recorded).
    ViewCare,
    /// Give tasks (任务) to workers and grids in scope and follow them.
    AssignTasks,
    /// Work on the tasks given to oneself or one's grid: mark sites.
    DoTasks,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::ViewPeople,
        Action::ViewContact,
        Action::ManagePeople,
        Action::ManageDepartments,
        Action::ViewRoster,
        Action::Patrol,
        Action::ViewPatrols,
        Action::ViewAudit,
        Action::ManageDictionary,
        Action::ManageCalendar,
        Action::EditCases,
        Action::ReviewCases,
        Action::ViewRegister,
        Action::EditRegister,
        Action::ImportRegister,
        Action::ViewCare,
        Action::AssignTasks,
        Action::DoTasks,
    ];

    /// Reads are refused as "not found" (nothing leaks); writes as "forbidden".
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Action::ViewPeople
                | Action::ViewContact
                | Action::ViewRoster
                | Action::ViewPatrols
                | Action::ViewAudit
                | Action::ViewRegister
                | Action::ViewCare
        )
    }
}

/// Which kind of scope a role's grants take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// No scope: the person's own records only.
    Own,
    /// A division subtree, at or below the given level.
    Division { finest: DivisionLevel, coarsest: DivisionLevel },
    /// A grid and the grids under it.
    Grid,
    /// A department.
    Department,
}

impl Role {
    /// The permission table: the one place that says what a role may do
    /// (within its scope).
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Resident => false,
            Role::GridWorker => matches!(action, Patrol | ViewRegister | EditRegister | ViewCare | DoTasks),
            Role::CommunityWorker => matches!(
                action,
                ViewPeople
                    | ViewContact
                    | ViewRoster
                    | ViewPatrols
                    | ViewRegister
                    | EditRegister
                    | ImportRegister
                    | ViewCare
                    | AssignTasks
            ),
            Role::Dispatcher => matches!(
                action,
                ViewPeople
                    | ViewContact
                    | ViewRoster
                    | ViewPatrols
                    | EditCases
                    | ViewRegister
                    | ImportRegister
                    | AssignTasks
            ),
            Role::DeptHandler => matches!(action, ViewPeople),
            Role::Supervisor => matches!(action, ViewPeople | ViewRoster | ViewPatrols | ViewAudit | ReviewCases),
            // Care reasons are for the grid and community who visit, not
            // for administrators (minimum necessary, PIPL art. 28).
            Role::Admin => !matches!(action, Patrol | ViewCare | DoTasks),
        }
    }

    /// The scope a grant of this role takes.
    pub fn scope_kind(self) -> ScopeKind {
        use DivisionLevel::*;
        match self {
            Role::Resident => ScopeKind::Own,
            Role::GridWorker => ScopeKind::Grid,
            Role::CommunityWorker => ScopeKind::Division { finest: Community, coarsest: Community },
            Role::Dispatcher => ScopeKind::Division { finest: Town, coarsest: District },
            Role::DeptHandler => ScopeKind::Department,
            Role::Supervisor | Role::Admin => ScopeKind::Division { finest: Town, coarsest: Province },
        }
    }

    /// Staff roles hold scopes; a resident holds none.
    pub fn is_staff(self) -> bool {
        self != Role::Resident
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Scope {
    /// A division and everything under it.
    Division(DivisionCode),
    /// A grid and the grids under it (a general grid's micro-grids).
    Grid(GridCode),
    Department(DepartmentCode),
}

impl Scope {
    /// Read a scope code as given on the command line: 15 digits are a grid,
    /// 2–12 digits a division, anything else a department code.
    pub fn parse(code: &str) -> Result<Scope, Bilingual> {
        let c = code.trim();
        if c.len() == 15 && c.bytes().all(|b| b.is_ascii_digit()) {
            return GridCode::parse(c).map(Scope::Grid);
        }
        if c.bytes().all(|b| b.is_ascii_digit()) {
            return DivisionCode::parse(c).map(Scope::Division).map_err(|e| e.message(c));
        }
        DepartmentCode::parse(c).map(Scope::Department)
    }

    pub fn kind_str(&self) -> &'static str {
        match self {
            Scope::Division(_) => "division",
            Scope::Grid(_) => "grid",
            Scope::Department(_) => "department",
        }
    }

    pub fn code_str(&self) -> &str {
        match self {
            Scope::Division(c) => c.as_str(),
            Scope::Grid(c) => c.as_str(),
            Scope::Department(c) => c.as_str(),
        }
    }

    /// Rebuild from the stored pair.
    pub fn from_parts(kind: &str, code: &str) -> Result<Scope, Bilingual> {
        match kind {
            "division" => DivisionCode::parse(code).map(Scope::Division).map_err(|e| e.message(code)),
            "grid" => GridCode::parse(code).map(Scope::Grid),
            "department" => DepartmentCode::parse(code).map(Scope::Department),
            other => Err(Bilingual::new(format!("未知范围类型 {other}"), format!("unknown scope kind {other}"))),
        }
    }

    /// The division this scope lies in (a grid's community, a department's division).
    pub fn division(&self) -> DivisionCode {
        match self {
            Scope::Division(d) => d.clone(),
            Scope::Grid(g) => g.community(),
            Scope::Department(d) => d.division(),
        }
    }

    /// Does this scope cover `place`?
    pub fn covers(&self, place: &Place) -> bool {
        match (self, place) {
            (Scope::Division(d), p) => {
                let at = p.division();
                *d == at || d.is_ancestor_of(&at)
            }
            (Scope::Grid(g), Place::Grid { code, parent }) => code == g || parent.as_ref() == Some(g),
            (Scope::Department(d), Place::Department(code)) => d == code,
            _ => false,
        }
    }

    /// Does this scope lie wholly inside `other` (for granting)?
    pub fn within(&self, other: &Scope) -> bool {
        match self {
            Scope::Division(d) => other.covers(&Place::Division(d.clone())),
            Scope::Grid(g) => other.covers(&Place::Grid { code: g.clone(), parent: None }),
            Scope::Department(d) => other.covers(&Place::Department(d.clone())),
        }
    }

    /// Is this scope of the kind `role` takes?
    pub fn fits(&self, role: Role) -> Result<(), Bilingual> {
        let ok = match (role.scope_kind(), self) {
            (ScopeKind::Division { finest, coarsest }, Scope::Division(d)) => {
                let l = d.level();
                l >= coarsest && l <= finest
            }
            (ScopeKind::Grid, Scope::Grid(_)) | (ScopeKind::Department, Scope::Department(_)) => true,
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let want = match role.scope_kind() {
            ScopeKind::Own => "无（居民只看自己的记录） / none (residents see their own records)".to_owned(),
            ScopeKind::Grid => "网格编码 / a grid code".to_owned(),
            ScopeKind::Department => "部门编码 / a department code".to_owned(),
            ScopeKind::Division { finest, coarsest } => format!(
                "{}到{}级区划代码 / a division code from {} to {} level",
                coarsest.label_zh(),
                finest.label_zh(),
                coarsest,
                finest
            ),
        };
        Err(Bilingual::new(
            format!("角色 {role} 的范围应为：{want}；收到 {}", self.code_str()),
            format!("role {role} takes {want}; got {}", self.code_str()),
        ))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind_str(), self.code_str())
    }
}

/// What an action is about: a division, a grid (with its parent, so a
/// general grid's scope covers its micro-grids), or a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Division(DivisionCode),
    Grid { code: GridCode, parent: Option<GridCode> },
    Department(DepartmentCode),
}

impl Place {
    pub fn division(&self) -> DivisionCode {
        match self {
            Place::Division(d) => d.clone(),
            Place::Grid { code, .. } => code.community(),
            Place::Department(d) => d.division(),
        }
    }
}

/// A term of office: from `from` (inclusive) to `to` (exclusive; `None`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub to: Option<Date>,
}

impl Term {
    pub fn new(from: Date, to: Option<Date>) -> Result<Term, Bilingual> {
        if to.is_some_and(|t| t <= from) {
            return Err(Bilingual::new("任期结束日期应晚于开始日期", "a term must end after it begins"));
        }
        Ok(Term { from, to })
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|t| day < t)
    }

    pub fn overlaps(&self, other: &Term) -> bool {
        self.to.is_none_or(|t| other.from < t) && other.to.is_none_or(|t| self.from < t)
    }
}

/// A role held with a scope for a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub role: Role,
    pub scope: Option<Scope>,
    pub term: Term,
}

impl Grant {
    pub fn allows(&self, action: Action, place: &Place, day: Date) -> bool {
        self.term.contains(day) && self.role.allows(action) && self.scope.as_ref().is_some_and(|s| s.covers(place))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn division(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("code")
    }

    fn grid(s: &str) -> GridCode {
        GridCode::parse(s).expect("code")
    }

    #[test]
    fn scopes_cover_their_subtree_only() {
        let town = Scope::Division(division("510104022"));
        assert!(town.covers(&Place::Division(division("510104022006"))));
        assert!(town.covers(&Place::Grid { code: grid("510104022006003"), parent: None }));
        assert!(!town.covers(&Place::Division(division("510104021001"))));
        assert!(!town.covers(&Place::Division(division("510104"))), "not upwards");
        let general = Scope::Grid(grid("510104022006001"));
        assert!(general.covers(&Place::Grid { code: grid("510104022006001"), parent: None }));
        assert!(general.covers(&Place::Grid { code: grid("510104022006009"), parent: Some(grid("510104022006001")) }));
        assert!(!general.covers(&Place::Grid { code: grid("510104022006002"), parent: None }));
        assert!(!general.covers(&Place::Division(division("510104022006"))));
        let dept = Scope::Department(DepartmentCode::parse("510104-chengguan").expect("dept"));
        assert!(town.within(&Scope::Division(division("5101"))));
        assert!(dept.within(&Scope::Division(division("510104"))));
        assert!(!dept.within(&Scope::Division(division("510105"))));
    }

    #[test]
    fn scopes_parse_from_cli_codes_and_fit_roles() {
        assert_eq!(Scope::parse("510104022006001"), Ok(Scope::Grid(grid("510104022006001"))));
        assert_eq!(Scope::parse("5101"), Ok(Scope::Division(division("5101"))));
        assert!(matches!(Scope::parse("510104-chengguan"), Ok(Scope::Department(_))));
        assert!(Scope::parse("abc").is_err());
        assert!(Scope::Grid(grid("510104022006001")).fits(Role::GridWorker).is_ok());
        assert!(Scope::Division(division("510104022006")).fits(Role::GridWorker).is_err());
        assert!(Scope::Division(division("510104022006")).fits(Role::CommunityWorker).is_ok());
        assert!(Scope::Division(division("510104022")).fits(Role::CommunityWorker).is_err());
        assert!(Scope::Division(division("5101")).fits(Role::Admin).is_ok());
        assert!(Scope::Division(division("510104022006")).fits(Role::Admin).is_err());
    }

    #[test]
    fn terms_overlap_and_expire() {
        let a = Term::new(date(2025, 1, 1), Some(date(2026, 1, 1))).expect("term");
        let b = Term::new(date(2025, 12, 31), None).expect("term");
        let c = Term::new(date(2026, 1, 1), None).expect("term");
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c), "end is exclusive");
        assert!(Term::new(date(2025, 1, 1), Some(date(2025, 1, 1))).is_err());
        let g = Grant { role: Role::Dispatcher, scope: Some(Scope::Division(division("510104022"))), term: a };
        let place = Place::Division(division("510104022006"));
        assert!(g.allows(Action::ViewRoster, &place, date(2025, 6, 1)));
        assert!(!g.allows(Action::ViewRoster, &place, date(2026, 1, 1)), "term over");
        assert!(!g.allows(Action::ManagePeople, &place, date(2025, 6, 1)), "not the dispatcher's");
    }

    #[test]
    fn residents_are_allowed_nothing_by_scope_and_admins_do_not_patrol() {
        for a in Action::ALL {
            assert!(!Role::Resident.allows(a));
        }
        assert!(!Role::Admin.allows(Action::Patrol));
        assert!(Role::GridWorker.allows(Action::Patrol));
    }
}
