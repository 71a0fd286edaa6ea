//! SQL text normalised loosely, so that each engine's rendering of the same
//! expression compares equal.

/// A token of SQL text, for the loose normalisation of expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A string literal, verbatim with its quotes.
    Literal(String),
    /// A keyword, name or number: lower-cased unless it was quoted.
    Word(String),
    /// Punctuation or an operator (`(`, `,`, `<>`, `::` …).
    Punct(String),
}

/// The tokens of `sql`, without whitespace and comments.
pub fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            // Quoted: a doubled quote stands for itself.
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            let text: String = chars[start..i.min(chars.len())].iter().collect();
            tokens.push(if c == '\'' {
                Token::Literal(text)
            } else {
                Token::Word(text.trim_matches('"').replace("\"\"", "\""))
            });
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '$')) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect::<String>().to_lowercase()));
        } else if "<>=!|&+-*/%~^:".contains(c) {
            let start = i;
            while i < chars.len() && "<>=!|&+-*/%~^:".contains(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Punct(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Punct(c.to_string()));
            i += 1;
        }
    }
    tokens
}

/// An expression (a default, a partial index's predicate) normalised loosely,
/// so that each engine's rendering of the same text compares equal: keywords
/// and names lower-cased, whitespace and comments ignored, PostgreSQL's type
/// casts (`'none'::text`) dropped, parentheses around the whole dropped.
/// Anything else that differs (an operator, a literal, a parenthesis inside)
/// still differs.
pub fn normalise_expr(expr: &str) -> String {
    normalise_tokens(&tokenize(expr))
}

pub fn normalise_tokens(tokens: &[Token]) -> String {
    let punct = |t: Option<&Token>, p: &str| matches!(t, Some(Token::Punct(q)) if q == p);
    let mut kept: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if punct(tokens.get(i), "::") {
            // The type name: one word, its continuations, a length, array brackets.
            i += 2;
            while matches!(tokens.get(i), Some(Token::Word(w))
                if ["varying", "precision", "with", "without", "time", "zone"].contains(&w.as_str()))
            {
                i += 1;
            }
            if punct(tokens.get(i), "(") && punct(tokens.get(i + 2), ")") {
                i += 3;
            }
            while punct(tokens.get(i), "[") && punct(tokens.get(i + 1), "]") {
                i += 2;
            }
        } else {
            kept.push(tokens[i].clone());
            i += 1;
        }
    }
    while kept.len() >= 2 && punct(kept.first(), "(") && matching_paren(&kept, 0) == Some(kept.len() - 1) {
        kept.pop();
        kept.remove(0);
    }
    let mut out = String::new();
    let mut prev: Option<&Token> = None;
    for token in &kept {
        // A call's parenthesis is glued to its name, a keyword's is not.
        let call = matches!(prev, Some(Token::Word(w)) if !KEYWORDS.contains(&w.as_str()));
        let glued = punct(prev, "(")
            || punct(prev, "[")
            || (punct(Some(token), "(") && call)
            || punct(Some(token), ")")
            || punct(Some(token), "[")
            || punct(Some(token), "]")
            || punct(Some(token), ",");
        if prev.is_some() && !glued {
            out.push(' ');
        }
        out.push_str(match token {
            Token::Literal(s) | Token::Word(s) | Token::Punct(s) => s,
        });
        prev = Some(token);
    }
    out
}

/// Words after which a `(` opens a group, not a call's arguments.
const KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "is", "where", "when", "then", "else", "any", "all", "exists", "between", "like"];

/// The index of the `)` that closes the `(` at `open`.
pub fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct(p) if p == "(" => depth += 1,
            Token::Punct(p) if p == ")" => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
