//! Smart dispatch (智能分拨): a linear text classifier over character n-grams
//! (one to three characters by default, up to five, sublinear TF-IDF, unit length), trained as
//! multinomial logistic regression. It gives each label a probability; the
//! best one is suggested with its confidence and the n-grams that weighed
//! most for it, or nothing when the confidence is under the model's
//! threshold. The model is plain JSON, checked and bounded when read.

mod features;
pub mod metrics;
mod train;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;
pub use features::{DEFAULT_N, MAX_N, MAX_TEXT_CHARS, fold};
pub use metrics::{ClassRow, Evaluation, evaluate};
pub use train::{TrainOptions, train};

/// The model file's format version: 2 says how long its n-grams are
/// (`max_n`); a format-1 file (n-grams of one to three characters, no
/// `max_n`) still loads.
pub const FORMAT: u32 = 2;
/// A model file larger than this is refused before it is parsed.
pub const MAX_MODEL_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_LABELS: usize = 2000;
pub const MAX_LABEL_CHARS: usize = 100;
/// Weights (n-grams × labels) a model may hold.
pub const MAX_WEIGHTS: usize = 3_000_000;
/// N-grams shown as the reason of a suggestion.
pub const TOP_WORDS: usize = 3;

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    /// The longest n-gram (1–[`MAX_N`]); 3 in a format-1 file.
    #[serde(default = "format1_n")]
    pub max_n: usize,
    /// The labels, sorted.
    pub labels: Vec<String>,
    /// The n-grams, sorted; the feature index is the position.
    pub vocab: Vec<String>,
    pub idf: Vec<f32>,
    /// `weights[feature * labels.len() + label]`.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    /// Below this confidence nothing is suggested.
    pub threshold: f32,
    /// Examples it was trained on.
    pub examples: usize,
}

/// What the model says about one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The most likely label, whatever its confidence.
    pub label: String,
    /// Its probability (0–1).
    pub confidence: f32,
    /// The n-grams of the text that weighed most for it, strongest first.
    pub words: Vec<String>,
    /// False when the confidence is under the threshold: no suggestion.
    pub suggested: bool,
}

fn format1_n() -> usize {
    features::FORMAT1_N
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
    let zh: String = zh.into();
    let en: String = en.into();
    Bilingual::new(format!("模型文件无效：{zh}"), format!("invalid model file: {en}"))
}

impl Model {
    /// Read a model file, refusing one that is too large, malformed or
    /// inconsistent.
    pub fn from_json(bytes: &[u8]) -> Result<Model, Bilingual> {
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(invalid(
                format!("超过 {} MiB", MAX_MODEL_BYTES >> 20),
                format!("larger than {} MiB", MAX_MODEL_BYTES >> 20),
            ));
        }
        let model: Model = serde_json::from_slice(bytes)
            .map_err(|e| invalid(format!("不是分类模型（{e}）"), format!("not a classifier model ({e})")))?;
        model.validate()?;
        Ok(model)
    }

    /// The model as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn validate(&self) -> Result<(), Bilingual> {
        let k = self.labels.len();
        if !(1..=FORMAT).contains(&self.format) {
            return Err(invalid(
                format!(
                    "格式版本 {} 不受支持（本版本读取 1–{FORMAT}），请用 shanzhi classify train 重新训练",
                    self.format
                ),
                format!("format {} unsupported (this version reads 1–{FORMAT}); train it again", self.format),
            ));
        }
        if !(1..=MAX_N).contains(&self.max_n) || (self.format == 1 && self.max_n != features::FORMAT1_N) {
            return Err(invalid(
                format!("字符片段长度 {} 无效（应为 1–{MAX_N}）", self.max_n),
                format!("n-gram length {} invalid (1–{MAX_N})", self.max_n),
            ));
        }
        if !(2..=MAX_LABELS).contains(&k)
            || self.labels.iter().any(|l| l.trim().is_empty() || l.chars().count() > MAX_LABEL_CHARS)
            || self.labels.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(invalid("类别缺失、重复或过长", "labels missing, repeated or too long"));
        }
        let fits = self.vocab.len().checked_mul(k).is_some_and(|n| n <= MAX_WEIGHTS && n == self.weights.len());
        if !fits || self.idf.len() != self.vocab.len() || self.bias.len() != k {
            return Err(invalid("权重数目与词表、类别不符", "weights do not match the vocabulary and labels"));
        }
        if self.vocab.iter().any(|g| g.is_empty() || g.chars().count() > self.max_n)
            || self.vocab.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(invalid("词表无效", "bad vocabulary"));
        }
        let finite = |xs: &[f32]| xs.iter().all(|x| x.is_finite());
        if !finite(&self.weights) || !finite(&self.idf) || !finite(&self.bias) || !(0.0..=1.0).contains(&self.threshold)
        {
            return Err(invalid("数值无效", "numbers out of range"));
        }
        Ok(())
    }

    /// A predictor over this model (the n-gram index built once).
    pub fn predictor(self) -> Predictor {
        let index = self.vocab.iter().enumerate().map(|(i, g)| (g.clone(), i as u32)).collect();
        Predictor { model: self, index }
    }
}

/// A model with its n-gram index, ready to answer.
#[derive(Debug)]
pub struct Predictor {
    model: Model,
    index: HashMap<String, u32>,
}

impl Predictor {
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The labels most likely for a text, best first (at most `n`), each with
    /// its reasons; empty for a text with no known n-gram.
    pub fn ranked(&self, text: &str, n: usize) -> Vec<Prediction> {
        let m = &self.model;
        let k = m.labels.len();
        let x = features::vectorise(text, m.max_n, &self.index, &m.idf);
        if x.is_empty() {
            return Vec::new();
        }
        let mut p: Vec<f32> = (0..k)
            .map(|c| m.bias[c] + x.iter().map(|(j, v)| m.weights[*j as usize * k + c] * v).sum::<f32>())
            .collect();
        train::softmax(&mut p);
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|a, b| p[*b].total_cmp(&p[*a]).then(a.cmp(b)));
        order
            .into_iter()
            .take(n)
            .map(|c| Prediction {
                label: m.labels[c].clone(),
                confidence: p[c],
                words: self.reasons(&x, c),
                suggested: p[c] >= m.threshold,
            })
            .collect()
    }

    /// The most likely label; `None` for a text with no known n-gram.
    pub fn predict(&self, text: &str) -> Option<Prediction> {
        self.ranked(text, 1).into_iter().next()
    }

    /// What pushed label `c` above the others: each n-gram's weight for it
    /// less the n-gram's mean weight, times its value; the strongest few,
    /// none inside another.
    fn reasons(&self, x: &features::Sparse, c: usize) -> Vec<String> {
        let m = &self.model;
        let k = m.labels.len();
        let mut parts: Vec<(f32, &str)> = x
            .iter()
            .map(|(j, v)| {
                let row = &m.weights[*j as usize * k..(*j as usize + 1) * k];
                let mean = row.iter().sum::<f32>() / k as f32;
                ((row[c] - mean) * v, m.vocab[*j as usize].as_str())
            })
            .filter(|(s, g)| *s > 0.0 && g.chars().any(char::is_alphanumeric))
            .collect();
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut words: Vec<String> = Vec::new();
        for (_, g) in parts {
            if words.len() >= TOP_WORDS {
                break;
            }
            let g = g.trim();
            if !words.iter().any(|w| w.contains(g) || g.contains(w.as_str())) {
                words.push(g.to_owned());
            }
        }
        words
    }
}

#[cfg(test)]
mod tests;
