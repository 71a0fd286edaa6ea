//! The schema of one engine, normalised to what both engines can say, and the
//! comparison of two of them. Nothing here touches a database: the unit tests
//! (tests.rs) drift a schema on purpose and check that every kind of drift is
//! reported.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod sql;
#[cfg(test)]
mod tests;

pub use sql::*;

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
