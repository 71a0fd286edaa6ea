//! The desk's filters: read from the page's query string with the JSON
//! API's own parser (`ListQuery`), so a filter means the same on the page,
//! in `/api/v1/matters` and in the export; kept in every link (tabs, chips,
//! paging, export); offered as selects by name.

use shanzhi_app::grids::GridFilter;
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Channel, CodeSystem, DivisionLevel, Line, Phone, Scope, Warning};

use crate::AppState;
use crate::extract::query_from_str;
use crate::routes::matters::ListQuery;
use crate::ui::{Tr, Viewer};

/// Keys of the page itself; every other key is a filter as the API reads it.
const PAGE_KEYS: [&str; 4] = ["tab", "page", "cursor", "state"];
/// Filters the form has a field for; others given in the address (`department`,
/// the page size `limit` …) ride along as hidden fields so a new search keeps
/// them.
const FORM_KEYS: [&str; 9] = ["q", "within", "grid", "category", "channel", "line", "warning", "from", "to"];
/// The most options a select lists (a city-wide scope has thousands of
/// communities; the select then offers the first level below it).
const MAX_OPTIONS: usize = 300;

/// What the query string asked for.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub tab: Option<String>,
    /// 1-based, for "第 x 页" (the cursor does the paging).
    pub page: u32,
    pub cursor: Option<String>,
    /// The filters, parsed (states and page size are the tab's).
    pub filter: MatterFilter,
    /// The filters as given, for the form to show them again.
    pub chosen: Chosen,
    /// The filters' `key=value` pairs, encoded, for links.
    pub pairs: Vec<(String, String)>,
    /// Why the filters could not be read.
    pub error: Option<Bilingual>,
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct Chosen {
    pub q: String,
    pub within: String,
    pub grid: String,
    pub category: String,
    pub channel: String,
    pub line: String,
    pub warning: String,
    /// Reported on or after this day, and on or before that one.
    pub from: String,
    pub to: String,
}

impl Wanted {
    pub fn read(raw: Option<&str>) -> Wanted {
        let all: Vec<(String, String)> =
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect();
        let first = |key: &str| all.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned());
        let pairs: Vec<(String, String)> = all
            .iter()
            .filter(|(k, v)| !v.trim().is_empty() && !PAGE_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.trim().to_owned()))
            .collect();
        let chosen = Chosen {
            q: first("q").unwrap_or_default(),
            within: first("within").unwrap_or_default(),
            grid: first("grid").unwrap_or_default(),
            category: first("category").unwrap_or_default(),
            channel: first("channel").unwrap_or_default(),
            line: first("line").unwrap_or_default(),
            warning: first("warning").unwrap_or_default(),
            from: first("from").unwrap_or_default(),
            to: first("to").unwrap_or_default(),
        };
        let (mut filter, error) = match query_from_str::<ListQuery>(&encode(&api_pairs(&pairs))) {
            Ok(q) => (q.filter(), None),
            Err(e) => (MatterFilter::default(), Some(e.message)),
        };
        // A whole mobile number in the search box is the reporter's phone
        // (the app decides who may search by one); anything else is words.
        let typed = filter.text.as_deref().filter(|t| t.chars().all(|c| "0123456789 -+".contains(c)));
        if let Some(p) = typed.and_then(|t| Phone::parse(t).ok()) {
            filter.phone = Some(p);
            filter.text = None;
        }
        Wanted {
            tab: first("tab"),
            page: first("page").and_then(|p| p.parse().ok()).unwrap_or(1).clamp(1, 100_000),
            cursor: first("cursor").filter(|c| !c.is_empty()),
            filter,
            chosen,
            pairs,
            error,
        }
    }

    /// The filters for the export: all of them but the page size.
    pub fn export_query(&self) -> String {
        let kept: Vec<_> = self.pairs.iter().filter(|(k, _)| k != "limit").cloned().collect();
        encode(&api_pairs(&kept))
    }

    /// The filters for a link, without `skip`.
    pub fn query_without(&self, skip: &str) -> String {
        let kept: Vec<_> = self.pairs.iter().filter(|(k, _)| k != skip).cloned().collect();
        encode(&kept)
    }

    /// The filters the form has no field for.
    pub fn hidden(&self) -> Vec<(String, String)> {
        self.pairs.iter().filter(|(k, _)| !FORM_KEYS.contains(&k.as_str())).cloned().collect()
    }
}

/// The pairs as the API reads them: a day picked in the form (`2026-11-01`)
/// becomes the instant it starts in China for `from`, and the instant the
/// next day starts for `to` (the form's "to" includes its day; the API's
/// `to` is exclusive). Anything else is left for the API's parser to judge.
fn api_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let china = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    pairs
        .iter()
        .map(|(k, v)| {
            let day = (k == "from" || k == "to").then(|| v.parse::<jiff::civil::Date>().ok()).flatten();
            let day = if k == "to" { day.and_then(|d| d.tomorrow().ok()) } else { day };
            match day.and_then(|d| d.to_zoned_datetime(china.clone()).ok()) {
                Some(z) => (k.clone(), z.timestamp().to_string()),
                None => (k.clone(), v.clone()),
            }
        })
        .collect()
}

pub fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// `a` and `b` joined as query strings (either may be empty).
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}&{b}"),
    }
}

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

/// Options grouped under a heading (the categories under their major class).
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub choices: Vec<Choice>,
}

/// The selects' options, by name, for what this viewer may see.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub places: Vec<Choice>,
    /// The grids of one community: the one chosen, or the viewer's own.
    pub grids: Vec<Choice>,
    pub categories: Vec<Group>,
    pub channels: Vec<Choice>,
    pub lines: Vec<Choice>,
    pub warnings: Vec<Choice>,
}

impl Options {
    pub async fn load(state: &AppState, viewer: &Viewer, tr: Tr, w: &Wanted) -> Options {
        let mut places = Vec::new();
        // The divisions one level below each of the viewer's division scopes
        // (the communities of a 街道 dispatcher, the streets of a district's).
        for g in viewer.actor.grants() {
            let Some(Scope::Division(code)) = &g.scope else { continue };
            let Ok(children) = state.app.child_divisions(CodeSystem::Nbs2023, Some(code)).await else { continue };
            for d in children {
                if places.len() >= MAX_OPTIONS || places.iter().any(|c: &Choice| c.value == d.code.to_string()) {
                    continue;
                }
                let selected = w.filter.within.as_ref() == Some(&d.code);
                places.push(Choice {
                    value: d.code.to_string(),
                    name: super::columns::short(d.name.as_str()),
                    selected,
                });
            }
        }
        let mut categories: Vec<Group> = Vec::new();
        if let Ok(all) = state.app.scoped(viewer.actor.clone()).categories().await {
            let name_of = |code: &shanzhi_domain::CategoryCode| {
                all.iter().find(|(c, _)| &c.code == code).map_or_else(|| code.to_string(), |(c, _)| c.name.clone())
            };
            for (c, _) in all.iter().filter(|(c, _)| c.parent.is_some()) {
                let group = c.parent.as_ref().map(&name_of).unwrap_or_default();
                let selected = w.filter.categories.contains(&c.code);
                let choice = Choice { value: c.code.to_string(), name: c.name.clone(), selected };
                match categories.iter_mut().find(|g| g.name == group) {
                    Some(g) => g.choices.push(choice),
                    None => categories.push(Group { name: group, choices: vec![choice] }),
                }
            }
        }
        let channels = Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                name: channel_name(tr, *c).to_owned(),
                selected: w.filter.channel == Some(*c),
            })
            .collect();
        let warnings = [Warning::Yellow, Warning::Orange, Warning::Red]
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                name: tr.warning(c.as_str()).to_owned(),
                selected: w.filter.warnings == [*c],
            })
            .collect();
        let lines = [Line::Development, Line::Safety]
            .iter()
            .map(|l| Choice {
                value: l.as_str().to_owned(),
                name: line_name(tr, *l).to_owned(),
                selected: w.filter.line == Some(*l),
            })
            .collect();
        let grids = grid_choices(state, viewer, w).await;
        let mut o = Options { places, grids, categories, channels, lines, warnings };
        o.keep(&w.chosen);
        o
    }

    /// A value typed into the address that no option has (refused, or out
    /// of the viewer's scope) stays visible and selected, so the form shows
    /// what was asked for next to the message.
    fn keep(&mut self, chosen: &Chosen) {
        fn pick(choices: &mut Vec<Choice>, raw: &str) {
            if raw.is_empty() || choices.iter().any(|c| c.selected) {
                return;
            }
            match choices.iter_mut().find(|c| c.value == raw) {
                Some(c) => c.selected = true,
                None => choices.push(Choice { value: raw.to_owned(), name: raw.to_owned(), selected: true }),
            }
        }
        if !self.places.is_empty() {
            pick(&mut self.places, &chosen.within);
        }
        if !self.grids.is_empty() {
            pick(&mut self.grids, &chosen.grid);
        }
        pick(&mut self.channels, &chosen.channel);
        pick(&mut self.lines, &chosen.line);
        pick(&mut self.warnings, &chosen.warning);
        let picked = self.categories.iter().flat_map(|g| &g.choices).any(|c| c.selected);
        if !chosen.category.is_empty() && !picked {
            match self.categories.iter_mut().flat_map(|g| &mut g.choices).find(|c| c.value == chosen.category) {
                Some(c) => c.selected = true,
                None => {
                    let mut other = Vec::new();
                    pick(&mut other, &chosen.category);
                    self.categories.push(Group { name: "—".to_owned(), choices: other });
                }
            }
        }
    }
}

/// The grids of the community chosen, or else of the viewer's one community:
/// a street's or a district's grids are too many for a select (the address
/// may still name one, kept as a hidden field).
async fn grid_choices(state: &AppState, viewer: &Viewer, w: &Wanted) -> Vec<Choice> {
    let community = w.filter.within.clone().filter(|d| d.level() == DivisionLevel::Community).or_else(|| {
        let mut own = viewer.actor.grants().iter().filter_map(|g| match &g.scope {
            Some(Scope::Division(d)) if d.level() == DivisionLevel::Community => Some(d.clone()),
            _ => None,
        });
        own.next().filter(|_| own.next().is_none())
    });
    let Some(community) = community else { return Vec::new() };
    let filter = GridFilter { community: Some(community), ..GridFilter::default() };
    let Ok(grids) = state.app.grids(&filter).await else { return Vec::new() };
    grids
        .into_iter()
        .take(MAX_OPTIONS)
        .map(|g| {
            let code = g.info.code;
            let name = if g.info.name.trim().is_empty() { code.to_string() } else { g.info.name };
            Choice { selected: w.filter.grid.as_ref() == Some(&code), value: code.to_string(), name }
        })
        .collect()
}

/// A line's name in the viewer's language.
pub fn line_name(tr: Tr, l: Line) -> &'static str {
    match (tr.en, l) {
        (false, _) => l.label_zh(),
        (true, Line::Development) => "Development (social governance)",
        (true, Line::Safety) => "Safety (comprehensive governance)",
        (true, Line::Both) => "Both lines",
    }
}

/// A channel's name in the viewer's language.
pub fn channel_name(tr: Tr, c: Channel) -> &'static str {
    if !tr.en {
        return c.label_zh();
    }
    match c {
        Channel::Resident => "Resident",
        Channel::GridWorker => "Grid worker",
        Channel::Hotline => "12345 hotline",
        Channel::Open311 => "Open311",
        Channel::Api => "API",
        Channel::Wechat => "WeChat",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_like_the_api_and_page_keys_stay_out_of_links() {
        let w = Wanted::read(Some("tab=filed&q=%E8%B7%AF%E7%81%AF&within=510104022&warning=yellow&page=3&cursor=x"));
        assert_eq!(w.tab.as_deref(), Some("filed"));
        assert_eq!((w.page, w.cursor.as_deref()), (3, Some("x")));
        assert!(w.error.is_none());
        assert_eq!(w.filter.text.as_deref(), Some("路灯"));
        assert_eq!(w.filter.warnings, [Warning::Yellow]);
        assert_eq!(w.query_without("warning"), "q=%E8%B7%AF%E7%81%AF&within=510104022");
        let bad = Wanted::read(Some("within=51x&q=keep"));
        assert!(bad.error.is_some_and(|m| m.zh.contains("51x")), "the message names the bad value");
        assert_eq!((bad.chosen.within.as_str(), bad.chosen.q.as_str()), ("51x", "keep"), "the input is kept");
        let days = Wanted::read(Some("from=2026-11-01&to=2026-11-30"));
        assert!(days.error.is_none(), "{:?}", days.error);
        assert_eq!(days.filter.from.map(|t| t.to_string()).as_deref(), Some("2026-10-31T16:00:00Z"));
        assert_eq!(
            days.filter.to.map(|t| t.to_string()).as_deref(),
            Some("2026-11-30T16:00:00Z"),
            "to includes its day"
        );
        assert_eq!(days.export_query(), "from=2026-10-31T16%3A00%3A00Z&to=2026-11-30T16%3A00%3A00Z");
        assert!(Wanted::read(Some("from=yesterday")).error.is_some());
        assert_eq!(join("", "a=1"), "a=1");
        assert_eq!(join("a=1", "b=2"), "a=1&b=2");
    }
}
