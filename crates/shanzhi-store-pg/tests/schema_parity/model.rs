//! The schema of one engine, normalised to what both engines can say, and the
//! comparison of two of them. Nothing here touches a database: the unit tests
//! below drift a schema on purpose and check that every kind of drift is
//! reported.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What one engine's catalogue says, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// `SQLite` or `PostgreSQL`, for the messages.
    pub engine: &'static str,
    pub tables: BTreeMap<String, Table>,
    /// Views, triggers and sequences, by kind and name (`view NAME`): neither
    /// migration set has any, so any one is a difference.
    pub other_objects: BTreeSet<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    /// In key order; empty if none.
    pub primary_key: Vec<String>,
    /// `UNIQUE` constraints (of a column or the table), by column list.
    pub unique_constraints: BTreeSet<Vec<String>>,
    /// Indexes made by `CREATE [UNIQUE] INDEX`, by name (later migrations
    /// drop and re-create them by name, so the name is part of the schema).
    pub indexes: BTreeMap<String, Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// `CHECK` constraints: counted, as their text is written differently by
    /// each engine's deparser (`IN (…)` becomes `= ANY (ARRAY[…])`).
    pub checks: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub family: Family,
    pub nullable: bool,
    /// The default expression, normalised by [`normalise_expr`].
    pub default: Option<String>,
}

/// A column's type, as the family both engines store it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    /// 64-bit: SQLite `INTEGER`, PostgreSQL `bigint`.
    Integer,
    /// SQLite `TEXT`/`VARCHAR`, PostgreSQL `text`/`character varying`.
    Text,
    /// 64-bit float: SQLite `REAL`, PostgreSQL `double precision`.
    Real,
    /// SQLite `BLOB`, PostgreSQL `bytea`.
    Blob,
    /// As stored: declared `BOOLEAN` (SQLite keeps an integer) / `boolean`.
    Boolean,
    /// PostgreSQL `timestamp with time zone` (SQLite has none).
    Timestamp,
    /// Anything else, named by the engine (never equal to the other engine's).
    Other(String),
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Integer => "integer (64-bit)",
            Family::Text => "text",
            Family::Real => "real (64-bit)",
            Family::Blob => "blob",
            Family::Boolean => "boolean",
            Family::Timestamp => "timestamp with time zone",
            Family::Other(name) => name,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub unique: bool,
    /// Key columns in order (`name`, `name desc`, `<expression>`).
    pub columns: Vec<String>,
    /// A partial index's predicate, normalised by [`normalise_expr`].
    pub predicate: Option<String>,
    /// The access method (SQLite has only `btree`).
    pub method: String,
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unique {
            f.write_str("UNIQUE ")?;
        }
        write!(f, "({})", self.columns.join(", "))?;
        if self.method != "btree" {
            write!(f, " USING {}", self.method)?;
        }
        if let Some(predicate) = &self.predicate {
            write!(f, " WHERE {predicate}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// `no action`, `restrict`, `cascade`, `set null`, `set default`.
    pub on_update: String,
    pub on_delete: String,
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}) → {}({})", self.columns.join(", "), self.ref_table, self.ref_columns.join(", "))?;
        if self.on_update != "no action" {
            write!(f, " ON UPDATE {}", self.on_update)?;
        }
        if self.on_delete != "no action" {
            write!(f, " ON DELETE {}", self.on_delete)?;
        }
        Ok(())
    }
}

/// A column whose type (and so default) differs between the engines by
/// design. It excuses exactly the pair of families named, nothing else: its
/// nullability is still compared, and if either side changes the exception
/// no longer matches and is reported.
#[derive(Debug, Clone)]
pub struct Allowance {
    pub table: &'static str,
    pub column: &'static str,
    /// The family on SQLite, as displayed (`text`).
    pub sqlite: &'static str,
    /// The family on PostgreSQL, as displayed (`timestamp with time zone`).
    pub postgres: &'static str,
    pub reason: &'static str,
}

/// Every difference between the SQLite and PostgreSQL schemas, one readable
/// line each (empty: equivalent).
pub fn compare(sqlite: &Schema, postgres: &Schema, allowances: &[Allowance]) -> Vec<String> {
    let (a, b) = (sqlite.engine, postgres.engine);
    let mut report = Report { a, b, allowances, out: Vec::new() };
    for name in union(sqlite.tables.keys(), postgres.tables.keys()) {
        match (sqlite.tables.get(name), postgres.tables.get(name)) {
            (Some(t), None) => report.out.push(format!("table {name}: only on {a} (columns {})", column_names(t))),
            (None, Some(t)) => report.out.push(format!("table {name}: only on {b} (columns {})", column_names(t))),
            (Some(x), Some(y)) => report.tables(name, x, y),
            (None, None) => unreachable!("a name of the union"),
        }
    }
    for object in sqlite.other_objects.symmetric_difference(&postgres.other_objects) {
        let side = if sqlite.other_objects.contains(object) { a } else { b };
        report.out.push(format!("{object}: only on {side}"));
    }
    // A column on one side only is reported above; one on neither is a stale entry.
    for allowance in allowances {
        let found = |s: &Schema| {
            s.tables.get(allowance.table).is_some_and(|t| t.columns.iter().any(|c| c.name == allowance.column))
        };
        if !found(sqlite) && !found(postgres) {
            report.out.push(format!(
                "{}.{}: listed as a by-design difference but on neither side (remove it from the list)",
                allowance.table, allowance.column
            ));
        }
    }
    report.out
}

/// One comparison under way: the engines' names as the report says them,
/// the by-design differences, and the lines found so far.
struct Report<'a> {
    a: &'a str,
    b: &'a str,
    allowances: &'a [Allowance],
    out: Vec<String>,
}

impl Report<'_> {
    fn tables(&mut self, table: &str, x: &Table, y: &Table) {
        let (a, b) = (self.a, self.b);
        let by_name = |t: &Table| t.columns.iter().map(|c| (c.name.clone(), c.clone())).collect::<BTreeMap<_, _>>();
        let (xs, ys) = (by_name(x), by_name(y));
        for name in union(xs.keys(), ys.keys()) {
            match (xs.get(name), ys.get(name)) {
                (Some(c), None) => self.out.push(format!("{table}.{name}: column only on {a} ({})", describe(c))),
                (None, Some(c)) => self.out.push(format!("{table}.{name}: column only on {b} ({})", describe(c))),
                (Some(cx), Some(cy)) => self.columns(table, cx, cy),
                (None, None) => unreachable!("a name of the union"),
            }
        }
        if xs.len() == ys.len()
            && xs.keys().eq(ys.keys())
            && x.columns.iter().map(|c| &c.name).ne(y.columns.iter().map(|c| &c.name))
        {
            self.out.push(format!("{table}: column order ({}) on {a}, ({}) on {b}", column_names(x), column_names(y)));
        }
        if x.primary_key != y.primary_key {
            self.out.push(format!(
                "{table}: primary key {} on {a}, {} on {b}",
                key(&x.primary_key),
                key(&y.primary_key)
            ));
        }
        for columns in x.unique_constraints.symmetric_difference(&y.unique_constraints) {
            let side = if x.unique_constraints.contains(columns) { a } else { b };
            self.out.push(format!("{table}: UNIQUE constraint ({}) only on {side}", columns.join(", ")));
        }
        for name in union(x.indexes.keys(), y.indexes.keys()) {
            match (x.indexes.get(name), y.indexes.get(name)) {
                (Some(i), None) => self.out.push(format!("{table}: index {name} only on {a}: {i}")),
                (None, Some(i)) => self.out.push(format!("{table}: index {name} only on {b}: {i}")),
                (Some(i), Some(j)) if i != j => {
                    self.out.push(format!("{table}: index {name} is {i} on {a}, {j} on {b}"))
                }
                _ => {}
            }
        }
        for fk in x.foreign_keys.symmetric_difference(&y.foreign_keys) {
            let side = if x.foreign_keys.contains(fk) { a } else { b };
            self.out.push(format!("{table}: foreign key {fk} only on {side}"));
        }
        if x.checks != y.checks {
            self.out.push(format!("{table}: {} CHECK constraints on {a}, {} on {b}", x.checks, y.checks));
        }
    }

    fn columns(&mut self, table: &str, x: &Column, y: &Column) {
        let (a, b) = (self.a, self.b);
        let name = &x.name;
        match self.allowances.iter().find(|al| al.table == table && al.column == name.as_str()) {
            Some(al) if x.family.to_string() == al.sqlite && y.family.to_string() == al.postgres => {}
            Some(al) => self.out.push(format!(
                "{table}.{name}: type {} on {a}, {} on {b}; the by-design difference listed for it is {} / {} ({})",
                x.family, y.family, al.sqlite, al.postgres, al.reason
            )),
            None => {
                if x.family != y.family {
                    self.out.push(format!("{table}.{name}: type {} on {a}, {} on {b}", x.family, y.family));
                }
                if x.default != y.default {
                    self.out.push(format!("{table}.{name}: default {} on {a}, {} on {b}", default(x), default(y)));
                }
            }
        }
        if x.nullable != y.nullable {
            self.out.push(format!("{table}.{name}: {} on {a}, {} on {b}", null(x), null(y)));
        }
    }
}

fn union<'a>(x: impl Iterator<Item = &'a String>, y: impl Iterator<Item = &'a String>) -> BTreeSet<&'a String> {
    x.chain(y).collect()
}

fn column_names(t: &Table) -> String {
    t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn describe(c: &Column) -> String {
    format!("{}, {}, default {}", c.family, null(c), default(c))
}

fn null(c: &Column) -> &'static str {
    if c.nullable { "nullable" } else { "NOT NULL" }
}

fn default(c: &Column) -> &str {
    c.default.as_deref().unwrap_or("none")
}

fn key(columns: &[String]) -> String {
    if columns.is_empty() { "none".to_owned() } else { format!("({})", columns.join(", ")) }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, family: Family, nullable: bool, default: Option<&str>) -> Column {
        Column { name: name.to_owned(), family, nullable, default: default.map(normalise_expr) }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A small schema in the shape of the real one: a key, a unique, a partial
    /// index, a covering index, a foreign key, checks and a by-design column.
    fn schema(engine: &'static str, timestamp: Family, predicate: &str) -> Schema {
        let parents = Table {
            columns: vec![col("code", Family::Text, false, None), col("updated_at", timestamp, false, Some("now()"))],
            primary_key: strings(&["code"]),
            checks: 1,
            ..Table::default()
        };
        let mut indexes = BTreeMap::new();
        indexes.insert(
            "items_by_state".to_owned(),
            Index {
                unique: false,
                columns: strings(&["state", "at", "id"]),
                predicate: Some(normalise_expr(predicate)),
                method: "btree".to_owned(),
            },
        );
        indexes.insert(
            "items_by_parent".to_owned(),
            Index { unique: false, columns: strings(&["parent"]), predicate: None, method: "btree".to_owned() },
        );
        let items = Table {
            columns: vec![
                col("id", Family::Text, false, None),
                col("number", Family::Text, false, None),
                col("parent", Family::Text, true, None),
                col("state", Family::Text, false, Some("'none'")),
                col("at", Family::Integer, false, None),
                col("lng", Family::Real, true, None),
                col("data", Family::Blob, true, None),
            ],
            primary_key: strings(&["id"]),
            unique_constraints: [strings(&["number"])].into_iter().collect(),
            indexes,
            foreign_keys: [ForeignKey {
                columns: strings(&["parent"]),
                ref_table: "parents".to_owned(),
                ref_columns: strings(&["code"]),
                on_update: "no action".to_owned(),
                on_delete: "no action".to_owned(),
            }]
            .into_iter()
            .collect(),
            checks: 2,
        };
        Schema {
            engine,
            tables: [("parents".to_owned(), parents), ("items".to_owned(), items)].into_iter().collect(),
            other_objects: BTreeSet::new(),
        }
    }

    const ALLOW: &[Allowance] = &[Allowance {
        table: "parents",
        column: "updated_at",
        sqlite: "text",
        postgres: "timestamp with time zone",
        reason: "each engine's clock",
    }];

    fn pair() -> (Schema, Schema) {
        (
            schema("SQLite", Family::Text, "state <> 'none'"),
            schema("PostgreSQL", Family::Timestamp, "(state <> 'none'::text)"),
        )
    }

    fn items(s: &mut Schema) -> &mut Table {
        s.tables.get_mut("items").expect("items")
    }

    fn column<'a>(s: &'a mut Schema, name: &str) -> &'a mut Column {
        items(s).columns.iter_mut().find(|c| c.name == name).expect("column")
    }

    /// The one difference `drift` makes to the PostgreSQL side.
    fn drifted(drift: impl FnOnce(&mut Schema)) -> Vec<String> {
        let (sqlite, mut postgres) = pair();
        drift(&mut postgres);
        compare(&sqlite, &postgres, ALLOW)
    }

    #[track_caller]
    fn assert_one(diffs: Vec<String>, expected: &str) {
        assert_eq!(diffs, vec![expected.to_owned()], "the drift must be reported, and only it");
    }

    #[test]
    fn equivalent_schemas_compare_equal() {
        let (sqlite, postgres) = pair();
        assert_eq!(compare(&sqlite, &postgres, ALLOW), Vec::<String>::new());
    }

    #[test]
    fn nullability_drift_is_reported() {
        assert_one(
            drifted(|s| column(s, "number").nullable = true),
            "items.number: NOT NULL on SQLite, nullable on PostgreSQL",
        );
        // Also on a by-design column: the exception covers the type only.
        assert_one(
            drifted(|s| s.tables.get_mut("parents").expect("parents").columns[1].nullable = true),
            "parents.updated_at: NOT NULL on SQLite, nullable on PostgreSQL",
        );
    }

    #[test]
    fn type_and_default_drift_is_reported() {
        assert_one(
            drifted(|s| column(s, "at").family = Family::Other("integer (32-bit)".to_owned())),
            "items.at: type integer (64-bit) on SQLite, integer (32-bit) on PostgreSQL",
        );
        assert_one(
            drifted(|s| column(s, "state").default = Some(normalise_expr("'open'::text"))),
            "items.state: default 'none' on SQLite, 'open' on PostgreSQL",
        );
        assert_one(
            drifted(|s| column(s, "state").default = None),
            "items.state: default 'none' on SQLite, none on PostgreSQL",
        );
    }

    #[test]
    fn a_by_design_difference_excuses_only_itself() {
        // Without the allowance the timestamp column is a difference …
        let (sqlite, postgres) = pair();
        assert_eq!(
            compare(&sqlite, &postgres, &[]),
            vec!["parents.updated_at: type text on SQLite, timestamp with time zone on PostgreSQL".to_owned()]
        );
        // … and with it, a change on either side no longer matches it.
        let diffs = drifted(|s| s.tables.get_mut("parents").expect("parents").columns[1].family = Family::Integer);
        assert_eq!(diffs.len(), 1, "{diffs:?}");
        assert!(
            diffs[0]
                .starts_with("parents.updated_at: type text on SQLite, integer (64-bit) on PostgreSQL; the by-design")
        );
        // A stale entry is reported.
        let stale = [Allowance { table: "items", column: "gone", sqlite: "text", postgres: "text", reason: "" }];
        let (sqlite, postgres) = pair();
        let diffs = compare(&sqlite, &postgres, &[ALLOW[0].clone(), stale[0].clone()]);
        assert_eq!(diffs.len(), 1, "{diffs:?}");
        assert!(diffs[0].starts_with("items.gone: listed as a by-design difference but on neither side"));
    }

    #[test]
    fn missing_or_changed_indexes_are_reported() {
        assert_one(
            drifted(|s| {
                items(s).indexes.remove("items_by_parent");
            }),
            "items: index items_by_parent only on SQLite: (parent)",
        );
        assert_one(
            drifted(|s| {
                items(s).indexes.get_mut("items_by_state").expect("index").columns.pop();
            }),
            "items: index items_by_state is (state, at, id) WHERE state <> 'none' on SQLite, \
             (state, at) WHERE state <> 'none' on PostgreSQL",
        );
        assert_one(
            drifted(|s| items(s).indexes.get_mut("items_by_state").expect("index").predicate = None),
            "items: index items_by_state is (state, at, id) WHERE state <> 'none' on SQLite, \
             (state, at, id) on PostgreSQL",
        );
        assert_one(
            drifted(|s| items(s).indexes.get_mut("items_by_parent").expect("index").unique = true),
            "items: index items_by_parent is (parent) on SQLite, UNIQUE (parent) on PostgreSQL",
        );
    }

    #[test]
    fn keys_constraints_and_tables_drift_is_reported() {
        assert_one(
            drifted(|s| items(s).primary_key = strings(&["id", "number"])),
            "items: primary key (id) on SQLite, (id, number) on PostgreSQL",
        );
        assert_one(
            drifted(|s| items(s).unique_constraints.clear()),
            "items: UNIQUE constraint (number) only on SQLite",
        );
        // A changed foreign key: the one of each side is missing on the other.
        let diffs = drifted(|s| {
            let mut fks = std::mem::take(&mut items(s).foreign_keys).into_iter().collect::<Vec<_>>();
            fks[0].on_delete = "cascade".to_owned();
            items(s).foreign_keys = fks.into_iter().collect();
        });
        assert_eq!(
            diffs,
            vec![
                "items: foreign key (parent) → parents(code) ON DELETE cascade only on PostgreSQL".to_owned(),
                "items: foreign key (parent) → parents(code) only on SQLite".to_owned(),
            ]
        );
        assert_one(drifted(|s| items(s).checks = 1), "items: 2 CHECK constraints on SQLite, 1 on PostgreSQL");
        assert_one(
            drifted(|s| {
                s.tables.remove("parents");
            }),
            "table parents: only on SQLite (columns code, updated_at)",
        );
        assert_one(
            drifted(|s| items(s).columns.retain(|c| c.name != "lng")),
            "items.lng: column only on SQLite (real (64-bit), nullable, default none)",
        );
        assert_one(
            drifted(|s| items(s).columns.swap(5, 6)),
            "items: column order (id, number, parent, state, at, lng, data) on SQLite, (id, number, parent, state, at, data, lng) on PostgreSQL",
        );
        assert_one(
            drifted(|s| {
                s.other_objects.insert("trigger items_touch".to_owned());
            }),
            "trigger items_touch: only on PostgreSQL",
        );
    }

    #[test]
    fn expressions_are_normalised_loosely_but_not_blindly() {
        assert_eq!(normalise_expr("(warning <> 'none'::text)"), normalise_expr("warning <> 'none'"));
        assert_eq!(normalise_expr("((valid_to IS NULL))"), "valid_to is null");
        assert_eq!(normalise_expr("''::character varying"), "''");
        assert_eq!(normalise_expr("'NBS2023'::text"), "'NBS2023'");
        assert_eq!(normalise_expr("now()"), "now()");
        assert_eq!(normalise_expr("x  IN ('a' ,'b')"), normalise_expr("x in ('a', 'b')"));
        // Literals keep their case; operators, literals and inner grouping count.
        assert_ne!(normalise_expr("kind = 'A'"), normalise_expr("kind = 'a'"));
        assert_ne!(normalise_expr("a <> 'none'"), normalise_expr("a = 'none'"));
        assert_ne!(normalise_expr("a IS NULL"), normalise_expr("a IS NOT NULL"));
        assert_ne!(normalise_expr("(a OR b) AND c"), normalise_expr("a OR (b AND c)"));
        // Parentheses that do not wrap the whole stay.
        assert_eq!(normalise_expr("(a) OR (b)"), "(a) or (b)");
    }
}
