//! Hot spots (未诉先办): many reports of one kind of problem at one place in a
//! short time. Reports are grouped by community and category, then
//! gathered around the first report of each group that is close enough in
//! place (and, for a generic category such as a hotline's 反映, in words);
//! groups of a few reports or more are hot spots, ranked by size, growth and
//! severity. Pure and bounded: the caller reads a bounded
//! list of reports.

use std::collections::HashMap;

use crate::instant::Micros;
use crate::similar::{Sighting, bigrams, dice};

/// One report as clustering reads it.
#[derive(Debug, Clone)]
pub struct Report {
    pub sighting: Sighting,
    /// Urgent (a severe category or marked so).
    pub urgent: bool,
    /// A category that says little of the problem (a hotline's 反映 or
    /// 求助): its reports are gathered by their words only.
    pub generic: bool,
}

/// When reports are gathered into one hot spot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterRule {
    /// How far from the hot spot's first report.
    pub metres: f64,
    /// How alike in words to the first report (character bigrams, Dice),
    /// for a generic category.
    pub text: f64,
    /// How many reports make a hot spot.
    pub min_size: usize,
    /// Growth compares the last `recent_days` before the end with as many
    /// days before them.
    pub recent_days: i64,
}

impl ClusterRule {
    pub const DEFAULT: ClusterRule = ClusterRule { metres: 500.0, text: 0.35, min_size: 3, recent_days: 7 };
}

/// A hot spot: the indices of its reports (into the list given), oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub members: Vec<usize>,
    pub first: Micros,
    pub last: Micros,
    /// Reports in the last `recent_days` before the end, and in as many days before.
    pub recent: usize,
    pub before: usize,
    pub urgent: usize,
}

const DAY: i64 = 86_400_000_000;

impl Cluster {
    pub fn size(&self) -> usize {
        self.members.len()
    }

    /// Days from the first report to the last, counting both (at least 1).
    pub fn days(&self) -> i64 {
        (self.last.get() - self.first.get()).max(0) / DAY + 1
    }

    /// Reports in the recent days less those in as many days before.
    pub fn growth(&self) -> i64 {
        self.recent as i64 - self.before as i64
    }

    /// The rank: size, plus growth, with urgent reports counting double.
    pub fn score(&self) -> f64 {
        (self.size() + self.urgent) as f64 + self.growth().max(0) as f64 * 0.5
    }
}

/// A hot spot in the making: its first report and all of its reports.
type Group = (usize, Vec<usize>);

/// The hot spots among `reports`, highest score first (ties: larger, then
/// earlier). `end` is the end of the period read (for growth).
pub fn clusters(reports: &[Report], rule: &ClusterRule, end: Micros) -> Vec<Cluster> {
    // Oldest first, so that each hot spot starts at its first report.
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by_key(|&i| reports[i].sighting.at);
    let grams: Vec<_> = reports.iter().map(|r| bigrams(&r.sighting.text)).collect();
    // Open groups by (community, category).
    let mut groups: HashMap<(String, String), Vec<Group>> = HashMap::new();
    for i in order {
        let s = &reports[i].sighting;
        let key = (s.grid.community().as_str().to_owned(), s.category.as_str().to_owned());
        let open = groups.entry(key).or_default();
        let home = open.iter_mut().find(|(seed, _)| {
            let first = &reports[*seed].sighting;
            first.near(s, rule.metres) && (!reports[i].generic || dice(&grams[*seed], &grams[i]) >= rule.text)
        });
        match home {
            Some((_, members)) => members.push(i),
            None => open.push((i, vec![i])),
        }
    }
    let recent_from = end.plus_seconds(-rule.recent_days * 86_400);
    let before_from = recent_from.plus_seconds(-rule.recent_days * 86_400);
    let mut out: Vec<Cluster> = groups
        .into_values()
        .flatten()
        .filter(|(_, members)| members.len() >= rule.min_size)
        .map(|(_, members)| {
            let at = |i: &usize| reports[*i].sighting.at;
            Cluster {
                first: members.first().map(at).unwrap_or_default(),
                last: members.last().map(at).unwrap_or_default(),
                recent: members.iter().filter(|i| at(i) >= recent_from && at(i) < end).count(),
                before: members.iter().filter(|i| at(i) >= before_from && at(i) < recent_from).count(),
                urgent: members.iter().filter(|i| reports[**i].urgent).count(),
                members,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score().total_cmp(&a.score()).then(b.size().cmp(&a.size())).then(a.first.cmp(&b.first)));
    out
}

/// Texts read for the common words of a hot spot, and characters of each.
const WORD_TEXTS: usize = 2_000;
const WORD_CHARS: usize = 80;

/// In how many of these texts each run of `len` characters occurs
/// (letters and digits only).
fn runs(texts: &[&str], len: usize) -> HashMap<String, usize> {
    let mut df: HashMap<String, usize> = HashMap::new();
    for t in texts.iter().take(WORD_TEXTS) {
        let chars: Vec<char> = t.chars().take(WORD_CHARS).filter(|c| c.is_alphanumeric()).collect();
        let mut seen: Vec<String> = chars.windows(len).map(|w| w.iter().collect()).collect();
        seen.sort();
        seen.dedup();
        for w in seen {
            *df.entry(w).or_default() += 1;
        }
    }
    df
}

/// A hot spot's topic in its reporters' words: the run of 2–4 characters
/// that at least half of its texts contain and that sets them most apart
/// from `all` the texts read (the share among its texts less the share
/// among all; the longer of equals). `None` if there is none.
pub fn common_words(texts: &[&str], all: &[&str]) -> Option<String> {
    let n = texts.len().min(WORD_TEXTS);
    let needed = n.div_ceil(2).max(2);
    let total = all.len().clamp(1, WORD_TEXTS) as f64;
    let mut best: Option<(f64, usize, String)> = None;
    for len in 2..=4 {
        let everywhere = runs(all, len);
        for (w, df) in runs(texts, len) {
            if df < needed {
                continue;
            }
            let score = df as f64 / n as f64 - everywhere.get(&w).copied().unwrap_or(0) as f64 / total;
            let better = best.as_ref().is_none_or(|(s, l, b)| {
                score > *s + 1e-9 || ((score - *s).abs() <= 1e-9 && (len > *l || (len == *l && w < *b)))
            });
            if better {
                best = Some((score, len, w));
            }
        }
    }
    best.map(|(_, _, w)| w)
}

#[cfg(test)]
mod tests;
