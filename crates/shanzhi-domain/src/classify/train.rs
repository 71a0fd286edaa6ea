//! Training: a vocabulary of the n-grams that occur in at least two texts
//! (the most frequent first, bounded), smoothed IDF, then multinomial
//! logistic regression by stochastic gradient descent with L2 decay, the
//! examples shuffled each epoch by a seeded generator (optionally the
//! weights averaged over the epochs of the second half): the same file and
//! options give the same model, bit for bit.

use std::collections::{BTreeSet, HashMap};

use super::features::{DEFAULT_N, MAX_N, Sparse, fold, ngram_counts, vectorise};
use super::{FORMAT, MAX_LABEL_CHARS, MAX_LABELS, MAX_WEIGHTS, Model};
use crate::text::Bilingual;

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
    /// The longest n-gram (1–[`MAX_N`]).
    pub max_n: usize,
    /// Average the weights over the epochs of the second half (smoother
    /// than the last step's weights).
    pub average: bool,
    /// Most n-grams kept (fewer when there are many labels: the weights stay
    /// under [`MAX_WEIGHTS`]).
    pub max_features: usize,
    /// N-grams found in fewer texts are dropped.
    pub min_df: u32,
    /// L2 penalty per example.
    pub l2: f32,
    /// The first epoch's step; later epochs take smaller ones.
    pub learning_rate: f32,
    /// Below this confidence the model suggests nothing.
    pub threshold: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 20,
            seed: 17,
            max_n: DEFAULT_N,
            average: false,
            max_features: 1_000_000,
            min_df: 2,
            l2: 1e-6,
            learning_rate: 2.0,
            threshold: 0.4,
        }
    }
}

/// Examples needed, and labels.
pub const MIN_EXAMPLES: usize = 2;

/// A small deterministic generator (SplitMix64) for the shuffle.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            xs.swap(i, j);
        }
    }
}

/// The labels, checked: two at least, each 1–100 characters.
fn label_set(examples: &[(String, String)]) -> Result<Vec<String>, Bilingual> {
    let labels: BTreeSet<&str> = examples.iter().map(|(_, l)| l.as_str()).collect();
    if examples.len() < MIN_EXAMPLES || labels.len() < 2 {
        return Err(Bilingual::new(
            "训练至少需要两类、两条带标签的文本",
            "training needs labelled texts of at least two labels",
        ));
    }
    if labels.len() > MAX_LABELS {
        return Err(Bilingual::new(
            format!("类别过多：最多 {MAX_LABELS} 类，此处 {} 类", labels.len()),
            format!("too many labels: at most {MAX_LABELS}, found {}", labels.len()),
        ));
    }
    if let Some(l) = labels.iter().find(|l| l.trim().is_empty() || l.chars().count() > MAX_LABEL_CHARS) {
        return Err(Bilingual::new(
            format!("类别名应为 1–{MAX_LABEL_CHARS} 个字符：“{}”", l.chars().take(20).collect::<String>()),
            format!("a label needs 1–{MAX_LABEL_CHARS} characters: '{}'", l.chars().take(20).collect::<String>()),
        ));
    }
    Ok(labels.into_iter().map(str::to_owned).collect())
}

/// Train a model on (text, label) pairs.
pub fn train(examples: &[(String, String)], options: &TrainOptions) -> Result<Model, Bilingual> {
    let labels = label_set(examples)?;
    let k = labels.len();
    let max_n = options.max_n.clamp(1, MAX_N);
    let label_index: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();

    // Vocabulary by document frequency.
    let mut df: HashMap<String, u32> = HashMap::new();
    for (text, _) in examples {
        for g in ngram_counts(&fold(text), max_n).into_keys() {
            *df.entry(g).or_default() += 1;
        }
    }
    let min_df = if examples.len() < 20 { 1 } else { options.min_df.max(1) };
    let mut kept: Vec<(String, u32)> = df.into_iter().filter(|(_, n)| *n >= min_df).collect();
    kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kept.truncate(options.max_features.min(MAX_WEIGHTS / k).max(1));
    kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let n = examples.len() as f32;
    let idf: Vec<f32> = kept.iter().map(|(_, d)| ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0).collect();
    let vocab: Vec<String> = kept.into_iter().map(|(g, _)| g).collect();
    let index: HashMap<String, u32> = vocab.iter().enumerate().map(|(i, g)| (g.clone(), i as u32)).collect();

    let data: Vec<(Sparse, usize)> = examples
        .iter()
        .filter_map(|(t, l)| Some((vectorise(t, max_n, &index, &idf), *label_index.get(l.as_str())?)))
        .collect();

    // W = scale · v, so that the L2 decay of every weight is one multiplication.
    let mut v = vec![0.0f32; vocab.len() * k];
    let mut bias = vec![0.0f32; k];
    let mut scale = 1.0f32;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = SplitMix(options.seed);
    let mut probs = vec![0.0f32; k];
    let lr0 = options.learning_rate;
    // Sums of the weights at the end of each averaged epoch.
    let average_from = if options.average { options.epochs / 2 } else { options.epochs.saturating_sub(1) };
    let mut sum = vec![0.0f32; vocab.len() * k];
    let mut sum_bias = vec![0.0f32; k];
    let mut summed = 0u32;
    for epoch in 0..options.epochs {
        rng.shuffle(&mut order);
        let lr = lr0 / (1.0 + epoch as f32 * 0.25);
        for &i in &order {
            let (x, y) = &data[i];
            for (c, p) in probs.iter_mut().enumerate() {
                *p = bias[c] + scale * x.iter().map(|(j, xv)| v[*j as usize * k + c] * xv).sum::<f32>();
            }
            softmax(&mut probs);
            scale *= 1.0 - lr * options.l2;
            for (c, p) in probs.iter().enumerate() {
                let g = p - if c == *y { 1.0 } else { 0.0 };
                if g.abs() < 1e-7 {
                    continue;
                }
                let step = lr * g;
                bias[c] -= step * 0.1;
                for (j, xv) in x {
                    v[*j as usize * k + c] -= step * xv / scale;
                }
            }
            if scale < 1e-3 {
                v.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
        }
        if epoch >= average_from {
            sum.iter_mut().zip(&v).for_each(|(s, w)| *s += w * scale);
            sum_bias.iter_mut().zip(&bias).for_each(|(s, b)| *s += b);
            summed += 1;
        }
    }
    let n = summed.max(1) as f32;
    sum.iter_mut().for_each(|w| *w /= n);
    sum_bias.iter_mut().for_each(|b| *b /= n);
    let (v, bias) = (sum, sum_bias);
    Ok(Model {
        format: FORMAT,
        max_n,
        labels,
        vocab,
        idf,
        weights: v,
        bias,
        threshold: options.threshold,
        examples: examples.len(),
    })
}

/// Probabilities from scores, in place (stable for large scores).
pub(super) fn softmax(xs: &mut [f32]) {
    let max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in xs.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    if sum > 0.0 {
        xs.iter_mut().for_each(|x| *x /= sum);
    }
}
