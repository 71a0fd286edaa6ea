//! Suggestions on a matter from the dispatch model: the categories its
//! description points to, and the unit that handled its category's closed
//! matters in its place. While no model is trained, the category's keywords
//! answer (and the duty list names the unit).

use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Assignee, Category, CategoryCode, Matter};

use crate::AppResult;
use crate::access::Scoped;
use crate::matters::{CategoryHint, Suggestion, SuggestionSource};

/// Categories offered at most.
const HINTS: usize = 3;
/// A unit from history is suggested when it handled at least this share.
const MIN_UNIT_SHARE: f64 = 0.5;

/// Categories by how many of their keywords `text` contains (the rules used
/// while no model is trained).
pub(crate) fn categories_for_text(text: &str, categories: &[(Category, i64)]) -> Vec<CategoryHint> {
    let mut scored: Vec<(usize, &Category)> = categories
        .iter()
        .map(|(c, _)| (c.keywords.iter().filter(|k| text.contains(k.as_str())).count(), c))
        .filter(|(n, _)| *n > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    scored
        .into_iter()
        .take(HINTS)
        .map(|(_, c)| CategoryHint { code: c.code.clone(), name: c.name.clone(), confidence: None, words: Vec::new() })
        .collect()
}

impl Scoped<'_> {
    /// The categories a description points to, best first: the model's
    /// (only those at or above its threshold: below it, nothing), else the
    /// keywords'.
    pub(crate) async fn category_hints(&self, text: &str) -> AppResult<Vec<CategoryHint>> {
        let dictionary = self.app.dictionary().await?;
        let model = self.app.dispatcher();
        let Some(predictor) = model.as_ref().and_then(|d| d.categories.as_ref()) else {
            return Ok(categories_for_text(text, &dictionary.categories));
        };
        Ok(predictor
            .ranked(text, HINTS)
            .into_iter()
            .filter(|p| p.suggested)
            .filter_map(|p| {
                let code = CategoryCode::parse(&p.label).ok()?;
                // Only categories that can still take matters.
                if dictionary.is_parent(&code) {
                    return None;
                }
                let (c, _) = dictionary.category(&code)?;
                Some(CategoryHint {
                    code,
                    name: c.name.clone(),
                    confidence: Some((f64::from(p.confidence) * 1000.0).round() / 1000.0),
                    words: p.words,
                })
            })
            .collect())
    }

    /// The unit that handled most of this category's closed matters in the
    /// matter's community (else district, else city), when it handled at
    /// least half of them and still exists.
    pub(crate) async fn learned_suggestion(
        &self,
        m: &Matter,
        duty: Option<&Suggestion>,
    ) -> AppResult<Option<Suggestion>> {
        let Some(model) = self.app.dispatcher() else { return Ok(None) };
        let Some(learned) = model.unit_for(m.category.as_str(), &m.grid) else { return Ok(None) };
        if learned.share < MIN_UNIT_SHARE {
            return Ok(None);
        }
        let dictionary = self.app.dictionary().await?;
        let name = match &learned.unit {
            Assignee::Community => "本社区".to_owned(),
            Assignee::Department(d) => match dictionary.department_name(d.as_str()) {
                Some(n) => n.to_owned(),
                None => return Ok(None),
            },
        };
        let percent = (learned.share * 100.0).round();
        let (place_en, place_zh) = match learned.place {
            "本社区" => ("this community", "本社区"),
            "本区" => ("this district", "本区"),
            _ => ("the city", "全市"),
        };
        Ok(Some(Suggestion {
            assignee: learned.unit.clone(),
            name,
            list: duty.and_then(|d| d.list),
            list_name: duty.and_then(|d| d.list_name),
            co_departments: duty.map(|d| d.co_departments.clone()).unwrap_or_default(),
            source: SuggestionSource::History,
            confidence: Some((learned.share * 1000.0).round() / 1000.0),
            basis: Some(Bilingual::new(
                format!("{place_zh}同类已结事项 {} 件，{percent}% 由其办理", learned.support),
                format!(
                    "it handled {percent}% of the {} closed matters of this category in {place_en}",
                    learned.support
                ),
            )),
        }))
    }
}
