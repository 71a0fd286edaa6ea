//! Text to features: the text folded (full-width letters and digits to
//! half-width, upper to lower case, runs of white space to one space), cut to
//! a bounded length, then its character n-grams of one to `max_n` characters
//! (at most [`MAX_N`]; models of format 1 used three).

use std::collections::HashMap;

/// Characters of a text that count; the rest is ignored (12345 orders are
/// shorter, and the first part of a long text says what it is about).
pub const MAX_TEXT_CHARS: usize = 4000;

/// The longest n-gram any model may use.
pub const MAX_N: usize = 5;
/// The longest n-gram of a new model by default (longer ones won on a
/// validation split but not on the held-out part, see docs/classify.md),
/// and that of a format-1 file, which did not say.
pub const DEFAULT_N: usize = 3;
pub const FORMAT1_N: usize = 3;

/// The folded text, as a vector of characters (at most [`MAX_TEXT_CHARS`]).
pub fn fold(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len().min(MAX_TEXT_CHARS));
    let mut space = true;
    for c in text.chars() {
        if out.len() >= MAX_TEXT_CHARS {
            break;
        }
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.last() == Some(&' ') {
        out.pop();
    }
    out
}

/// Every n-gram (1..=`max_n` characters, `max_n` at most [`MAX_N`]) of a
/// folded text with its count; n-grams that are only white space are left out.
pub fn ngram_counts(chars: &[char], max_n: usize) -> HashMap<String, u32> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    for n in 1..=max_n.clamp(1, MAX_N) {
        for w in chars.windows(n) {
            if w.iter().all(|c| c.is_whitespace()) {
                continue;
            }
            *counts.entry(w.iter().collect()).or_default() += 1;
        }
    }
    counts
}

/// A document as a sparse vector: (feature index, value), sorted by index,
/// sublinear TF × IDF, unit length.
pub type Sparse = Vec<(u32, f32)>;

/// The vector of a text over a vocabulary (n-grams outside it are dropped).
pub fn vectorise(text: &str, max_n: usize, index: &HashMap<String, u32>, idf: &[f32]) -> Sparse {
    let counts = ngram_counts(&fold(text), max_n);
    let mut v: Sparse = counts
        .into_iter()
        .filter_map(|(g, tf)| {
            let j = *index.get(&g)?;
            let idf = idf.get(j as usize).copied()?;
            Some((j, (1.0 + (tf as f32).ln()) * idf))
        })
        .collect();
    // Sorted before summing: the same text gives the same bits.
    v.sort_unstable_by_key(|(j, _)| *j);
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, x) in &mut v {
            *x /= norm;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_makes_full_width_and_case_alike() {
        let a: String = fold("  Ａ市　ＡＢＣ１２３\n\t路灯  ").into_iter().collect();
        assert_eq!(a, "a市 abc123 路灯");
    }

    #[test]
    fn ngrams_count_each_length_and_skip_space() {
        let c = ngram_counts(&fold("井盖 井盖"), 3);
        assert_eq!(c.get("井"), Some(&2));
        assert_eq!(c.get("井盖"), Some(&2));
        assert_eq!(c.get("盖 井"), Some(&1));
        assert!(!c.contains_key(" "));
        // 5 chars: 4 distinct unigrams (井, 盖, space skipped), bigrams 井盖 ×2, "盖 ", " 井" …
        assert_eq!(c.values().sum::<u32>(), 4 + 4 + 3);
        let four = ngram_counts(&fold("井盖 井盖"), 4);
        assert_eq!(four.get("盖 井盖"), Some(&1));
        assert_eq!(four.values().sum::<u32>(), 4 + 4 + 3 + 2);
        // Never longer than MAX_N, whatever is asked.
        assert!(ngram_counts(&fold("一二三四五六七"), 9).keys().all(|g| g.chars().count() <= MAX_N));
    }

    #[test]
    fn a_long_text_is_cut() {
        let long = "路".repeat(MAX_TEXT_CHARS * 2);
        assert_eq!(fold(&long).len(), MAX_TEXT_CHARS);
    }
}
