//! Search text: the fold that indexed text and queries share, and the grams
//! an index keeps of folded text.
//!
//! The fold works character by character, so a query that is a part of a
//! text stays a part of it once both are folded: full-width forms become
//! their ASCII twins (`Ａ` → `a`, `１` → `1`, the ideographic space → space),
//! letters lose their case, traditional characters become simplified (`區`
//! → `区`, one to one, from a shipped table), and control characters
//! (newlines, tabs) become spaces.
//!
//! Grams: every two adjacent characters of a folded field, and every four
//! adjacent ASCII letters or digits (numbers such as `510104-20261128-000123`
//! are made of the few digit pairs, which every matter has). A text holding
//! a query holds all of the query's grams, so looking up the grams finds
//! every match; the candidates are then checked for the folded query itself.

mod t2s;

use std::collections::BTreeSet;

/// What separates the fields of a folded search text: never produced by
/// [`fold`], so no match runs from one field into the next.
pub const FIELD_SEPARATOR: char = '\u{1F}';

/// The shortest folded query the grams can answer; shorter ones are checked
/// row by row.
pub const MIN_GRAM_QUERY: usize = 2;

/// Fold one character (it may become several: some capitals lower to two).
fn fold_char(c: char, out: &mut String) {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        c if c.is_control() => ' ',
        c => c,
    };
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let c = match t2s::T2S.binary_search_by_key(&c, |(t, _)| *t) {
        Ok(i) => t2s::T2S[i].1,
        Err(_) => c,
    };
    out.extend(c.to_lowercase());
}

/// The folded form of `text`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// The folded search text of a record's fields, in order, separated by
/// [`FIELD_SEPARATOR`] (an absent field is empty).
pub fn search_text<'a>(fields: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(FIELD_SEPARATOR);
        }
        out.push_str(&fold(field.unwrap_or_default()));
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The grams of folded text (fields split at [`FIELD_SEPARATOR`]), each once.
pub fn grams(folded: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for field in folded.split(FIELD_SEPARATOR) {
        let chars: Vec<char> = field.chars().collect();
        for pair in chars.windows(2) {
            out.insert(pair.iter().collect());
        }
        for four in chars.windows(4) {
            if four.iter().all(|c| is_word_char(*c)) {
                out.insert(four.iter().collect());
            }
        }
    }
    out
}

/// A query, folded, with the grams that every match holds (none for a query
/// shorter than [`MIN_GRAM_QUERY`] characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub folded: String,
    pub grams: Vec<String>,
}

impl SearchQuery {
    pub fn new(text: &str) -> Self {
        // A query never holds the separator (the fold turns it into a space).
        let folded = fold(text);
        let grams =
            if folded.chars().count() >= MIN_GRAM_QUERY { grams(&folded).into_iter().collect() } else { Vec::new() };
        SearchQuery { folded, grams }
    }

    /// Does this folded search text hold the query?
    pub fn matches(&self, search_text: &str) -> bool {
        search_text.split(FIELD_SEPARATOR).any(|field| field.contains(&self.folded))
    }
}

/// `text` in pieces, each marked if it is (part of) a match of the query,
/// for showing matches: the pieces joined are `text`. A query that is empty
/// once folded marks nothing.
pub fn highlight(text: &str, query: &str) -> Vec<(String, bool)> {
    let needle = fold(query.trim());
    // Where each character's fold starts in the folded text.
    let mut folded = String::with_capacity(text.len());
    let mut starts = Vec::new();
    for c in text.chars() {
        starts.push(folded.len());
        fold_char(c, &mut folded);
    }
    let mut marked = vec![false; starts.len()];
    if !needle.is_empty() {
        for (at, _) in folded.match_indices(&needle) {
            // The characters whose folds overlap [at, at + needle).
            let first = starts.partition_point(|s| *s <= at).saturating_sub(1);
            let last = starts.partition_point(|s| *s < at + needle.len());
            marked[first..last].iter_mut().for_each(|m| *m = true);
        }
    }
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for (c, mark) in text.chars().zip(marked) {
        match pieces.last_mut() {
            Some((piece, m)) if *m == mark => piece.push(c),
            _ => pieces.push((c.to_string(), mark)),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn width_case_and_script_fold_alike() {
        assert_eq!(fold("Ａ市ＡＢＣ１２３"), "a市abc123");
        assert_eq!(fold("A市"), fold("Ａ市"));
        assert_eq!(fold("錦江區　總府路"), "锦江区 总府路");
        assert_eq!(fold("第一行\n第二行\t"), "第一行 第二行 ");
        assert!(!fold("a\u{1F}b").contains(FIELD_SEPARATOR));
    }

    #[test]
    fn the_table_is_sorted_and_maps_to_simplified() {
        assert!(t2s::T2S.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(t2s::T2S.iter().all(|(t, s)| t != s && t2s::T2S.binary_search_by_key(s, |(t, _)| *t).is_err()));
    }

    #[test]
    fn numbers_have_long_grams_and_fields_do_not_run_together() {
        let text = search_text([Some("噪音扰民"), None, Some("510104-20261128-000123")]);
        let g = grams(&text);
        assert!(g.contains("噪音") && g.contains("0123") && g.contains("1128"));
        assert!(!g.iter().any(|x| x.contains(FIELD_SEPARATOR)));
        let q = SearchQuery::new("民5");
        assert!(!q.matches(&text), "a match across two fields");
        assert!(SearchQuery::new("００１２３").matches(&text));
        assert!(SearchQuery::new("噪").grams.is_empty());
    }

    #[test]
    fn matches_are_marked_in_the_text_as_written() {
        let pieces = highlight("Ａ市總府路燈不亮，總府路", "总府路");
        assert_eq!(
            pieces,
            [
                ("Ａ市".to_owned(), false),
                ("總府路".to_owned(), true),
                ("燈不亮，".to_owned(), false),
                ("總府路".to_owned(), true)
            ]
        );
        assert_eq!(highlight("a市", "Ａ市"), [("a市".to_owned(), true)]);
        assert_eq!(highlight("井盖", " "), [("井盖".to_owned(), false)]);
    }

    proptest! {
        /// A part of a text is a part of it folded, and its grams are the
        /// text's: the index never misses a match.
        #[test]
        fn the_fold_keeps_parts_and_grams(text in "[a-zA-Zａ-ｚＡ-Ｚ0-9０-９ 　区區市噪音總总府路\\-]{0,30}", start in 0usize..30, len in 2usize..8) {
            let chars: Vec<char> = text.chars().collect();
            let start = start.min(chars.len());
            let end = (start + len).min(chars.len());
            let part: String = chars[start..end].iter().collect();
            let q = SearchQuery::new(&part);
            let t = search_text([Some(text.as_str())]);
            prop_assert!(q.matches(&t));
            let all = grams(&t);
            prop_assert!(q.grams.iter().all(|g| all.contains(g)));
        }
    }
}
