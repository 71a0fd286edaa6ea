//! Measures of a classifier on labelled texts: accuracy, each label's
//! precision, recall and F1 with its support, their unweighted mean
//! (macro-F1, over every label that is either true or predicted somewhere),
//! and the share of texts left without a suggestion.

use std::collections::BTreeMap;

use serde::Serialize;

/// One label's line of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassRow {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Texts whose true label this is.
    pub support: usize,
}

/// The measures of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub examples: usize,
    /// Top-1 accuracy: the most likely label, whatever its confidence.
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Share of texts under the threshold (or with no known n-gram).
    pub without_suggestion: f64,
    /// Accuracy over the texts that got a suggestion.
    pub accuracy_suggested: f64,
    /// The accuracy of always answering the most frequent true label.
    pub majority_baseline: f64,
    pub classes: Vec<ClassRow>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Measure predictions against the truth: `(true label, top-1 label or None
/// for a text the model knows nothing of, suggested)`.
pub fn evaluate(results: &[(String, Option<String>, bool)]) -> Evaluation {
    // label → (true positives, predicted, support)
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut correct = 0;
    let (mut suggested, mut suggested_correct) = (0, 0);
    for (truth, predicted, shown) in results {
        counts.entry(truth).or_default().2 += 1;
        if let Some(p) = predicted {
            counts.entry(p).or_default().1 += 1;
            if p == truth {
                counts.entry(truth).or_default().0 += 1;
                correct += 1;
            }
        }
        if *shown {
            suggested += 1;
            suggested_correct += usize::from(predicted.as_ref() == Some(truth));
        }
    }
    let classes: Vec<ClassRow> = counts
        .iter()
        .map(|(label, (tp, predicted, support))| {
            let precision = ratio(*tp, *predicted);
            let recall = ratio(*tp, *support);
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassRow { label: (*label).to_owned(), precision, recall, f1, support: *support }
        })
        .collect();
    let n = results.len();
    let majority = counts.values().map(|c| c.2).max().unwrap_or(0);
    Evaluation {
        examples: n,
        accuracy: ratio(correct, n),
        macro_f1: if classes.is_empty() {
            0.0
        } else {
            classes.iter().map(|c| c.f1).sum::<f64>() / classes.len() as f64
        },
        without_suggestion: ratio(n - suggested, n),
        accuracy_suggested: ratio(suggested_correct, suggested),
        majority_baseline: ratio(majority, n),
        classes,
    }
}
