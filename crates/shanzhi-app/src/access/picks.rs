//! Pickers for the admin pages: find a division, grid or department by a
//! part of its name (or the start of its code) among the places the
//! administrator manages people in, and turn what was typed or picked into
//! the one place it names. Nothing outside the caller's scope is offered or
//! accepted.

use std::collections::BTreeSet;

use serde::Serialize;
use shanzhi_domain::access::ScopeKind;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, CodeSystem, DivisionCode, Place, Role, Scope};
use shanzhi_store::GridQuery;

use super::{AdminDesk, Via};
use crate::grids::today;
use crate::{AppError, AppResult};

/// The most places one picker answer offers.
pub const PICK_LIMIT: usize = 20;
/// The most places one level of the tree lists.
pub const TREE_LIMIT: usize = 300;
/// The longest text a picker searches for (characters).
pub const PICK_TEXT_MAX: usize = 40;

/// What a picker looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    Division,
    Grid,
    Department,
}

impl PickKind {
    pub const ALL: [PickKind; 3] = [PickKind::Division, PickKind::Grid, PickKind::Department];

    pub fn parse(s: &str) -> Option<PickKind> {
        match s {
            "division" | "divisions" => Some(PickKind::Division),
            "grid" | "grids" => Some(PickKind::Grid),
            "department" | "departments" => Some(PickKind::Department),
            _ => None,
        }
    }

    /// The kinds of place `role`'s scope may be (none for a resident).
    pub fn for_role(role: Role) -> Vec<PickKind> {
        match role.scope_kind() {
            ScopeKind::Own => vec![],
            ScopeKind::Division { .. } => vec![PickKind::Division],
            ScopeKind::Grid => vec![PickKind::Grid],
            ScopeKind::Department => vec![PickKind::Department],
        }
    }
}

/// One place offered: its code (what a form submits), its name and where it
/// lies ("锦江区 春熙路街道"), which is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pick {
    pub kind: PickKind,
    pub code: String,
    pub name: String,
    pub context: String,
}

fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::invalid(code, Bilingual::new(zh, en))
}

impl AdminDesk<'_> {
    /// Places of `kinds` (fitting `role`, when given) whose name contains
    /// `text` or whose code begins with it, where the caller manages people;
    /// at most [`PICK_LIMIT`], by kind and code.
    pub async fn pick(&self, kinds: &[PickKind], role: Option<Role>, text: &str) -> AppResult<Vec<Pick>> {
        let text = text.trim();
        if text.chars().count() > PICK_TEXT_MAX {
            return Err(AppError::bad_request(
                "pick_text_too_long",
                format!("查找内容最多 {PICK_TEXT_MAX} 个字"),
                format!("search for at most {PICK_TEXT_MAX} characters"),
            ));
        }
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: BTreeSet<(PickKind, String, String)> = BTreeSet::new();
        for root in self.manage_roots() {
            for kind in kinds {
                for (code, name, place) in self.candidates(*kind, &root, text).await? {
                    let fits = role.is_none_or(|r| Scope::parse(&code).is_ok_and(|s| s.fits(r).is_ok()));
                    if fits && self.actor.can(Action::ManagePeople, &place) {
                        found.insert((*kind, code, name));
                    }
                }
            }
        }
        let found: Vec<_> = found.into_iter().take(PICK_LIMIT).collect();
        let mut lineage: Vec<DivisionCode> = Vec::new();
        for (_, code, _) in &found {
            lineage.extend(Self::division_of(code).map(|d| d.ancestors().into_iter().chain([d])).into_iter().flatten());
        }
        lineage.sort();
        lineage.dedup();
        let names = self.app.division_names(&lineage).await?;
        Ok(found
            .into_iter()
            .map(|(kind, code, name)| {
                let mut chain =
                    Self::division_of(&code).map(|d| d.ancestors().into_iter().chain([d]).collect::<Vec<_>>());
                // A division's context is its parents, not itself.
                if kind == PickKind::Division
                    && let Some(c) = chain.as_mut()
                {
                    c.pop();
                }
                let context = chain
                    .unwrap_or_default()
                    .iter()
                    .filter(|d| d.level() > shanzhi_domain::DivisionLevel::City)
                    .filter_map(|d| names.get(d).cloned())
                    .collect::<Vec<_>>()
                    .join(" ");
                Pick { kind, code, name, context }
            })
            .collect())
    }

    /// The one place `text` names among [`pick`](Self::pick)'s answers: its
    /// code, the whole name of exactly one place, or a part of exactly one
    /// place's name. Unknown or ambiguous text is refused with the
    /// candidates named.
    pub async fn resolve_pick(&self, kinds: &[PickKind], role: Option<Role>, text: &str) -> AppResult<Pick> {
        let text = text.trim();
        let found = self.pick(kinds, role, text).await?;
        let exact: Vec<&Pick> = found.iter().filter(|p| p.code == text || p.name == text).collect();
        let chosen: Vec<&Pick> = if exact.is_empty() { found.iter().collect() } else { exact };
        match chosen.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(bad(
                "unknown_place",
                format!("在您的管辖范围内没有找到“{text}”，请从候选中选择"),
                format!("nothing called '{text}' in your scope; pick one of the suggestions"),
            )),
            many => {
                let named: Vec<String> =
                    many.iter().take(5).map(|p| format!("{}（{}）", p.name, p.context).replace("（）", "")).collect();
                Err(bad(
                    "ambiguous_place",
                    format!("“{text}”对应多个地方：{} 等，请从候选中选择一个", named.join("、")),
                    format!("'{text}' names several places: {} …; pick one", named.join(", ")),
                ))
            }
        }
    }

    /// The department key (`chengguan`) a duty list names, from a
    /// department's name as typed or picked: every district has its own
    /// 城市管理局, and all of them share the key, so several matches of one
    /// key are not ambiguous.
    pub async fn resolve_department_key(&self, text: &str) -> AppResult<(String, String)> {
        let key_of = |p: &Pick| p.code.split_once('-').map(|(_, k)| k.to_owned()).unwrap_or_default();
        let text = text.trim();
        let found = self.pick(&[PickKind::Department], None, text).await?;
        if let Some(p) = found.iter().find(|p| p.code == text || p.name == text) {
            return Ok((key_of(p), p.name.clone()));
        }
        let mut keys: Vec<String> = found.iter().map(key_of).collect();
        keys.sort();
        keys.dedup();
        match keys.as_slice() {
            [one] => {
                let name = found.iter().find(|p| key_of(p) == *one).map(|p| p.name.clone()).unwrap_or_default();
                Ok((one.clone(), name))
            }
            _ => self.resolve_pick(&[PickKind::Department], None, text).await.map(|p| (key_of(&p), p.name)),
        }
    }

    /// One level of the tree the caller manages people in: the roots
    /// (`under` empty), a division's children, or a community's grids (at
    /// most [`TREE_LIMIT`]); each with whether it has a level below.
    /// Outside the caller's scope: not found.
    pub async fn pick_children(&self, under: Option<&str>) -> AppResult<Vec<(Pick, bool)>> {
        let Some(under) = under.filter(|u| !u.is_empty()) else {
            let roots = self.manage_roots();
            let divisions = self.app.store.divisions(CodeSystem::Nbs2023, &roots).await?;
            return Ok(divisions
                .into_iter()
                .map(|d| {
                    let pick = Pick {
                        kind: PickKind::Division,
                        code: d.code.to_string(),
                        name: d.name.as_str().to_owned(),
                        context: String::new(),
                    };
                    (pick, true)
                })
                .collect());
        };
        let not_found = || super::refuse(Action::ViewPeople);
        let code = DivisionCode::parse(under).map_err(|_| not_found())?;
        if !self.actor.can(Action::ManagePeople, &Place::Division(code.clone())) {
            return Err(not_found());
        }
        let at = |kind, code: String, name: String| Pick { kind, code, name, context: String::new() };
        if code.level() == shanzhi_domain::DivisionLevel::Community {
            let query =
                GridQuery { communities: vec![code.clone()], limit: Some(TREE_LIMIT), ..GridQuery::as_of(today()) };
            let grids = self.app.store.grids(&query).await?;
            return Ok(grids
                .into_iter()
                .map(|g| (at(PickKind::Grid, g.info.code.to_string(), g.info.name), false))
                .collect());
        }
        let children = self.app.store.child_divisions(CodeSystem::Nbs2023, Some(&code)).await?;
        Ok(children
            .into_iter()
            .take(TREE_LIMIT)
            .map(|d| (at(PickKind::Division, d.code.to_string(), d.name.as_str().to_owned()), true))
            .collect())
    }

    /// The divisions where the caller manages people today.
    fn manage_roots(&self) -> Vec<DivisionCode> {
        if self.actor.via == Via::System {
            return DivisionCode::parse("51").into_iter().collect();
        }
        let day = today();
        let mut roots: Vec<DivisionCode> = self
            .actor
            .grants
            .iter()
            .filter(|g| g.term.contains(day) && g.role.allows(Action::ManagePeople))
            .filter_map(|g| match &g.scope {
                Some(Scope::Division(d)) => Some(d.clone()),
                _ => None,
            })
            .collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Matches of one kind under one root, with the place each stands for.
    async fn candidates(
        &self,
        kind: PickKind,
        root: &DivisionCode,
        text: &str,
    ) -> AppResult<Vec<(String, String, Place)>> {
        Ok(match kind {
            PickKind::Division => self
                .app
                .store
                .find_divisions(CodeSystem::Nbs2023, root, text, PICK_LIMIT)
                .await?
                .into_iter()
                .map(|d| (d.code.to_string(), d.name.as_str().to_owned(), Place::Division(d.code)))
                .collect(),
            PickKind::Grid => {
                let query = GridQuery {
                    within: Some(root.clone()),
                    name_or_code: Some(text.to_owned()),
                    limit: Some(PICK_LIMIT),
                    ..GridQuery::as_of(today())
                };
                self.app
                    .store
                    .grids(&query)
                    .await?
                    .into_iter()
                    .map(|g| {
                        let place = Place::Grid { code: g.info.code.clone(), parent: g.info.parent.clone() };
                        (g.info.code.to_string(), g.info.name, place)
                    })
                    .collect()
            }
            PickKind::Department => self
                .app
                .store
                .departments_within(root)
                .await?
                .into_iter()
                .filter(|d| d.name.contains(text) || d.code.as_str().starts_with(text))
                .take(PICK_LIMIT)
                .map(|d| (d.code.to_string(), d.name, Place::Department(d.code)))
                .collect(),
        })
    }

    /// The division a division, grid or department code lies in.
    fn division_of(code: &str) -> Option<DivisionCode> {
        match Scope::parse(code).ok()? {
            Scope::Division(d) => Some(d),
            Scope::Grid(g) => Some(g.community()),
            Scope::Department(d) => Some(d.division()),
        }
    }
}

impl super::Scoped<'_> {
    /// A name for each department key the duty lists use: the city-level
    /// department's (成都市城市管理委员会), else the first department's of
    /// that key, so that a duty list reads by name.
    pub async fn department_key_names(&self) -> AppResult<std::collections::BTreeMap<String, String>> {
        let mut out = std::collections::BTreeMap::new();
        let mut departments = self.departments(None).await?;
        // Coarsest level first: a city department names its key.
        departments.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.code.cmp(&b.code)));
        for d in departments {
            if let Some((_, key)) = d.code.as_str().split_once('-') {
                out.entry(key.to_owned()).or_insert(d.name);
            }
        }
        Ok(out)
    }
}
