//! Likely repeats (重复件) at intake and import. A new report is compared with
//! the open matters around it — the same community, close by, of the same
//! category family, within [`DuplicateRule::DEFAULT`]'s hours *either way*
//! (a hotline file is not in date order) — and with words in common. The
//! earliest is the original: the new report points to an earlier one, and
//! later ones are re-pointed to the new report when it is earlier than what
//! they point to.

use std::collections::HashMap;

use shanzhi_domain::similar::{DuplicateRule, Sighting, a_is_original};
use shanzhi_domain::{CategoryCode, Matter, MatterState, Micros};
use shanzhi_store::{MatterQuery, MatterScope};

use super::cache::Dictionary;
use crate::AppResult;
use crate::access::Scoped;

/// Matters read around a report: enough for a busy corner, bounded.
const AROUND: usize = 50;

/// What a report's neighbourhood holds: the original it repeats (the
/// earliest match), and the matters reported after it that repeat it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Repeats {
    pub(crate) original: Option<Matter>,
    pub(crate) later: Vec<Matter>,
}

impl Repeats {
    /// The numbers to show: the original first, then the later ones.
    pub(crate) fn numbers(&self) -> Vec<String> {
        self.original.iter().chain(&self.later).map(|m| m.number.clone()).collect()
    }
}

/// The category's major class (its parent), if it has one.
pub(crate) fn family_of(dictionary: &Dictionary, code: &CategoryCode) -> Option<CategoryCode> {
    dictionary.category(code).and_then(|(c, _)| c.parent.clone())
}

/// What the duplicate rule reads of a matter.
pub(crate) fn sighting_of(dictionary: &Dictionary, m: &Matter) -> Sighting {
    Sighting {
        category: m.category.clone(),
        family: family_of(dictionary, &m.category),
        grid: m.grid.clone(),
        point: m.location,
        at: m.reported_at,
        text: m.description.clone(),
    }
}

impl Scoped<'_> {
    /// The open matters that `s` (not yet stored) repeats or is repeated by.
    pub(crate) async fn repeats_of(&self, s: &Sighting) -> AppResult<Repeats> {
        let dictionary = self.app.dictionary().await?;
        let family = s.family.clone().unwrap_or_else(|| s.category.clone());
        let categories: Vec<CategoryCode> = dictionary
            .categories
            .iter()
            .map(|(c, _)| c)
            .filter(|c| c.code == s.category || c.code == family || c.parent.as_ref() == Some(&family))
            .map(|c| c.code.clone())
            .collect();
        let rule = DuplicateRule::DEFAULT;
        let (from, to) = rule.window(s.at);
        let mut query = MatterQuery {
            scope: MatterScope { everything: true, ..MatterScope::default() },
            states: MatterState::open(),
            categories,
            from: Some(from),
            to: Some(to.plus_seconds(1)),
            limit: AROUND,
            ..MatterQuery::default()
        };
        match s.point {
            Some(p) => {
                // About 150 m each way: the cells around the point, then the box.
                let d = 0.0015 * (rule.metres / 150.0).max(1.0);
                query.near = Some((p.lng, p.lat));
                query.bbox = Some([p.lng - d, p.lat - d, p.lng + d, p.lat + d]);
            }
            None => query.grid = Some(s.grid.clone()),
        }
        let mut found: Vec<(Matter, f64)> = self
            .app
            .store
            .matters(&query)
            .await?
            .into_iter()
            .filter_map(|m| rule.score(s, &sighting_of(&dictionary, &m)).map(|score| (m, score)))
            .collect();
        found.sort_by_key(|(m, _)| (m.reported_at, m.number.clone()));
        let mut repeats = Repeats::default();
        for (m, _) in found {
            if m.reported_at <= s.at {
                repeats.original.get_or_insert(m);
            } else {
                repeats.later.push(m);
            }
        }
        Ok(repeats)
    }

    /// After `new` is stored: point the `later` matters that repeat it to
    /// it, unless what they point to is earlier still.
    pub(crate) async fn repoint_later(&self, new: &Matter, later: &[Matter]) -> AppResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut numbers = Vec::new();
        let mut times: HashMap<String, Option<Matter>> = HashMap::new();
        for m in later {
            if m.id == new.id || m.duplicate_of.as_deref() == Some(new.number.as_str()) {
                continue;
            }
            let keep = match &m.duplicate_of {
                None => false,
                Some(current) => {
                    if !times.contains_key(current) {
                        times.insert(current.clone(), self.app.store.matter_by_number(current).await?);
                    }
                    times.get(current).and_then(Option::as_ref).is_some_and(|o| {
                        o.status.state.is_open()
                            && a_is_original(o.reported_at, &o.number, new.reported_at, &new.number)
                    })
                }
            };
            if !keep {
                ids.push(m.id.clone());
                numbers.push(m.number.clone());
            }
        }
        self.app.store.mark_duplicates(&ids, &new.number).await?;
        Ok(numbers)
    }
}

/// Within one batch (an import): for each matter that repeats an earlier
/// one of the batch, (its index, the earliest such one's index). Compared
/// within a community and the rule's window only, so a large file costs
/// little more than its busiest corner.
pub(crate) fn repeats_within(dictionary: &Dictionary, matters: &[Matter]) -> Vec<(usize, usize)> {
    let rule = DuplicateRule::DEFAULT;
    let sightings: Vec<Sighting> = matters.iter().map(|m| sighting_of(dictionary, m)).collect();
    let mut by_community: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in matters.iter().enumerate() {
        by_community.entry(m.grid.community().as_str().to_owned()).or_default().push(i);
    }
    let mut out = Vec::new();
    for mut group in by_community.into_values() {
        group.sort_by_key(|&i| (matters[i].reported_at, matters[i].number.clone()));
        for (k, &j) in group.iter().enumerate() {
            let from: Micros = rule.window(matters[j].reported_at).0;
            let original = group[..k]
                .iter()
                .filter(|&&i| matters[i].reported_at >= from)
                .find(|&&i| rule.score(&sightings[i], &sightings[j]).is_some());
            if let Some(&i) = original {
                out.push((j, i));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Most repeats listed for one original.
pub const MAX_REPEATS: usize = 200;

/// One repeat of a matter, as its page lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepeatView {
    pub number: String,
    pub state: MatterState,
    pub reported_at: String,
    pub description: String,
}

impl Scoped<'_> {
    /// The repeats of a matter the caller may see — those flagged as its
    /// duplicates or merged into it — newest first, at most [`MAX_REPEATS`].
    pub async fn repeats(&self, id: &str) -> AppResult<Vec<RepeatView>> {
        let m = self.visible_matter(id).await?;
        let query = MatterQuery {
            scope: self.matter_scope(),
            repeats_of: Some(m.number.clone()),
            limit: MAX_REPEATS,
            ..MatterQuery::default()
        };
        Ok(self
            .app
            .store
            .matters(&query)
            .await?
            .into_iter()
            .map(|r| RepeatView {
                number: r.number,
                state: r.status.state,
                reported_at: super::iso(r.reported_at),
                description: r.description.chars().take(80).collect(),
            })
            .collect())
    }
}
