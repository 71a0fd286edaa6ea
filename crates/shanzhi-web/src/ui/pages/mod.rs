//! One file per page.

pub mod account;
pub mod activity;
pub mod admin;
pub mod callbacks;
pub mod case_edit;
pub mod cases;
pub mod community;
pub mod deliberation;
pub mod desk;
pub mod grid;
pub mod home;
pub mod inbox;
pub mod login;
pub mod map;
pub mod matter;
pub mod patrol;
pub mod proposal;
pub mod rankings;
pub mod register;
pub mod register_edit;
pub mod register_map;
pub mod report;
pub mod supervise;
pub mod task_new;
pub mod tasks;
pub mod tiles;
pub mod track;
pub mod visits;
pub mod volunteer;

use askama::Template;
use shanzhi_app::matters::MatterView;

use super::Tr;
use super::session::Nav;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub nav: Nav,
    pub status: u16,
    pub message: String,
}

/// One matter in a list.
#[derive(Debug, Clone)]
pub struct Row {
    pub number: String,
    pub category: String,
    pub description: String,
    pub state: String,
    pub warning: String,
    pub deadline: String,
    pub reported: String,
    /// Returned by a department at least once.
    pub returned: bool,
    /// Supervised (督办) at least once, by hand or for being overdue.
    pub supervised: bool,
    pub escalated: bool,
    /// A likely repeat (可能重复) of the matter with this number.
    pub duplicate_of: Option<String>,
    /// Merging (合并) fits the state now.
    pub mergeable: bool,
    /// The description in pieces, the words searched for marked.
    pub pieces: Vec<Piece>,
}

/// A piece of a text shown, marked where it matches a search.
#[derive(Debug, Clone)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

impl Row {
    pub fn from_view(v: &MatterView) -> Row {
        let description: String = v.description.chars().take(40).collect();
        let description = if v.description.chars().count() > 40 { format!("{description}…") } else { description };
        Row {
            number: v.number.clone(),
            category: v.category_name.clone(),
            pieces: vec![Piece { text: description.clone(), hit: false }],
            description,
            state: v.state.as_str().to_owned(),
            warning: v.time_limit.as_ref().map_or("none", |t| t.warning.as_str()).to_owned(),
            deadline: v.deadline_at.as_deref().map(local).unwrap_or_default(),
            reported: local(&v.reported_at),
            returned: v.returns > 0,
            supervised: v.supervisions > 0,
            escalated: v.escalations > 0,
            duplicate_of: v.duplicate_of.clone(),
            mergeable: v.allowed_commands.contains(&shanzhi_domain::CommandKind::Merge),
        }
    }

    /// Mark the words of a search in the description (folded alike: `Ａ市`
    /// marks `A市`).
    pub fn mark(&mut self, query: &str) {
        self.pieces = shanzhi_domain::search::highlight(&self.description, query)
            .into_iter()
            .map(|(text, hit)| Piece { text, hit })
            .collect();
    }
}

/// A holding unit as the sweep records it (`department:<code>`,
/// `community`, `level:town`, `verifier`), by name: `department` gives a
/// department's name by its code, `community` is the community's.
pub fn unit_name(tr: Tr, unit: &str, department: impl Fn(&str) -> Option<String>, community: &str) -> String {
    match unit.split_once(':') {
        Some(("department", code)) => department(code).unwrap_or_else(|| code.to_owned()),
        Some(("level", level)) => match shanzhi_domain::Level::ALL.into_iter().find(|l| l.as_str() == level) {
            Some(l) => format!("{}{}", tr.level(l), tr.t("（受理派遣）", " (intake)")),
            None => level.to_owned(),
        },
        _ if unit == "community" => community.to_owned(),
        _ if unit == "verifier" => tr.t("网格员（核查）", "Grid worker (verification)").to_owned(),
        _ => unit.to_owned(),
    }
}

/// An instant as Chengdu reads it: `11-28 10:30`.
pub fn local(iso: &str) -> String {
    iso.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%m-%d %H:%M").to_string()
        })
        .unwrap_or_default()
}
