//! Reading a migrated store's schema back from the engine's live catalogue,
//! into the normalised [`Schema`]: SQLite from `sqlite_master` and its
//! `pragma_*` table functions, PostgreSQL from `information_schema` and
//! `pg_catalog`, restricted to the store's schema.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{PgPool, SqlitePool};

use super::model::{
    Column, Family, ForeignKey, Index, Schema, Table, Token, normalise_expr, normalise_tokens, tokenize,
};

/// Tables that are not part of the compared schema, with the reason; on
/// SQLite also its own `sqlite_*` tables (`sqlite_sequence`, `sqlite_stat1` …).
pub const IGNORED_TABLES: &[(&str, &str)] = &[(
    "_sqlx_migrations",
    "sqlx's migration bookkeeping: created by sqlx itself, with each engine's own types, not by our migrations",
)];

fn ignored(table: &str) -> bool {
    IGNORED_TABLES.iter().any(|(name, _)| *name == table)
}

/// The SQLite type family of a declared column type (exact names only: an
/// unknown declaration is reported as itself, never guessed).
pub fn sqlite_family(declared: &str) -> Family {
    let upper = declared.trim().to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or_default().trim();
    match base {
        "INTEGER" | "INT" | "BIGINT" | "INT8" => Family::Integer,
        "TEXT" | "VARCHAR" | "CHARACTER VARYING" => Family::Text,
        "REAL" | "DOUBLE" | "DOUBLE PRECISION" => Family::Real,
        "BLOB" => Family::Blob,
        "BOOLEAN" | "BOOL" => Family::Boolean,
        _ => Family::Other(format!("SQLite {declared:?}")),
    }
}

/// The family of a PostgreSQL `information_schema.columns.data_type`. SQLite's
/// INTEGER and REAL are 64-bit: PostgreSQL's 32-bit `integer` and `real` (and
/// `smallint`) are not the same family, they would overflow or round where
/// SQLite does not.
pub fn postgres_family(data_type: &str) -> Family {
    match data_type {
        "bigint" => Family::Integer,
        "text" | "character varying" => Family::Text,
        "double precision" => Family::Real,
        "bytea" => Family::Blob,
        "boolean" => Family::Boolean,
        "timestamp with time zone" => Family::Timestamp,
        "integer" => Family::Other("integer (32-bit)".to_owned()),
        "smallint" => Family::Other("smallint (16-bit)".to_owned()),
        "real" => Family::Other("real (32-bit)".to_owned()),
        other => Family::Other(format!("PostgreSQL {other}")),
    }
}

/// The `CHECK` constraints written in a `CREATE TABLE` statement (as SQLite
/// keeps it, with columns added later spliced in).
pub fn count_checks(create_table: &str) -> usize {
    tokenize(create_table).iter().filter(|t| matches!(t, Token::Word(w) if w == "check")).count()
}

/// The normalised predicate of a `CREATE INDEX … WHERE …` statement.
pub fn index_predicate(create_index: &str) -> Option<String> {
    let tokens = tokenize(create_index);
    let mut depth = 0i32;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct(p) if p == "(" => depth += 1,
            Token::Punct(p) if p == ")" => depth -= 1,
            Token::Word(w) if w == "where" && depth == 0 => return Some(normalise_tokens(&tokens[i + 1..])),
            _ => {}
        }
    }
    None
}

type SqliteObject = (String, String, Option<String>);

/// The schema of the SQLite database behind `pool`.
pub async fn sqlite(pool: &SqlitePool) -> Schema {
    let objects: Vec<SqliteObject> = sqlx::query_as("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .fetch_all(pool)
        .await
        .expect("read sqlite_master");
    let sql_of: BTreeMap<&str, &str> =
        objects.iter().filter_map(|(_, name, sql)| Some((name.as_str(), sql.as_deref()?))).collect();
    let mut schema = Schema { engine: "SQLite", tables: BTreeMap::new(), other_objects: BTreeSet::new() };
    for (kind, name, sql) in &objects {
        match kind.as_str() {
            "table" if ignored(name) || name.starts_with("sqlite_") => {}
            "table" => {
                let table = sqlite_table(pool, name, sql.as_deref().unwrap_or_default(), &sql_of).await;
                schema.tables.insert(name.clone(), table);
            }
            // Read with their tables.
            "index" => {}
            "view" | "trigger" => {
                schema.other_objects.insert(format!("{kind} {name}"));
            }
            other => panic!("sqlite_master holds a {other} ({name}) the schema comparison does not know"),
        }
    }
    // `REFERENCES t` without columns means t's primary key.
    let keys: BTreeMap<String, Vec<String>> =
        schema.tables.iter().map(|(name, t)| (name.clone(), t.primary_key.clone())).collect();
    for table in schema.tables.values_mut() {
        table.foreign_keys = std::mem::take(&mut table.foreign_keys)
            .into_iter()
            .map(|mut fk| {
                if fk.ref_columns.iter().all(String::is_empty) {
                    fk.ref_columns = keys.get(&fk.ref_table).cloned().unwrap_or_default();
                }
                fk
            })
            .collect();
    }
    schema
}

type SqliteColumn = (String, String, i64, Option<String>, i64);
type SqliteIndex = (String, i64, String);
type SqliteIndexColumn = (i64, Option<String>, i64);
type SqliteForeignKey = (i64, String, String, Option<String>, String, String);

async fn sqlite_table(pool: &SqlitePool, table: &str, create: &str, sql_of: &BTreeMap<&str, &str>) -> Table {
    let columns: Vec<SqliteColumn> =
        sqlx::query_as("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid")
            .bind(table)
            .fetch_all(pool)
            .await
            .expect("read pragma_table_info");
    let mut primary_key: Vec<(i64, String)> =
        columns.iter().filter(|c| c.4 > 0).map(|(name, _, _, _, pk)| (*pk, name.clone())).collect();
    primary_key.sort();
    let columns = columns
        .into_iter()
        .map(|(name, declared, not_null, default, pk)| Column {
            name,
            family: sqlite_family(&declared),
            // PostgreSQL makes every primary-key column NOT NULL; SQLite, in a
            // rowid table, lets a non-INTEGER key column hold NULL unless it
            // says NOT NULL (a documented quirk it keeps for compatibility).
            // That is the engines differing, not the migrations: a key
            // column is taken as NOT NULL here. (The primary key itself is
            // compared column by column below.)
            nullable: not_null == 0 && pk == 0,
            default: default.as_deref().map(normalise_expr),
        })
        .collect();

    let mut unique_constraints = BTreeSet::new();
    let mut indexes = BTreeMap::new();
    let list: Vec<SqliteIndex> = sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")
        .bind(table)
        .fetch_all(pool)
        .await
        .expect("read pragma_index_list");
    for (name, unique, origin) in list {
        let key: Vec<SqliteIndexColumn> =
            sqlx::query_as("SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
                .bind(&name)
                .fetch_all(pool)
                .await
                .expect("read pragma_index_xinfo");
        let columns: Vec<String> = key
            .into_iter()
            .map(|(cid, column, desc)| {
                let column = match cid {
                    -2 => "<expression>".to_owned(),
                    -1 => "<rowid>".to_owned(),
                    _ => column.unwrap_or_default(),
                };
                if desc == 1 { format!("{column} desc") } else { column }
            })
            .collect();
        match origin.as_str() {
            // From the table's columns above.
            "pk" => {}
            "u" => {
                unique_constraints.insert(columns);
            }
            "c" => {
                let predicate = sql_of.get(name.as_str()).and_then(|sql| index_predicate(sql));
                indexes.insert(name, Index { unique: unique == 1, columns, predicate, method: "btree".to_owned() });
            }
            other => panic!("index {name} on {table} has an origin {other:?} the schema comparison does not know"),
        }
    }

    let rows: Vec<SqliteForeignKey> = sqlx::query_as(
        "SELECT id, \"from\", \"table\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .expect("read pragma_foreign_key_list");
    let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    for (id, from, ref_table, to, on_update, on_delete) in rows {
        let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
            columns: Vec::new(),
            ref_table,
            ref_columns: Vec::new(),
            on_update: on_update.to_lowercase(),
            on_delete: on_delete.to_lowercase(),
        });
        fk.columns.push(from);
        fk.ref_columns.push(to.unwrap_or_default());
    }

    Table {
        columns,
        primary_key: primary_key.into_iter().map(|(_, name)| name).collect(),
        unique_constraints,
        indexes,
        foreign_keys: by_id.into_values().collect(),
        checks: count_checks(create),
    }
}

const PG_TABLES: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1";

const PG_COLUMNS: &str = "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES', \
     column_default::text FROM information_schema.columns WHERE table_schema = $1 \
     ORDER BY table_name, ordinal_position";

/// Primary keys, uniques, foreign keys and checks: columns in key order.
const PG_CONSTRAINTS: &str = "SELECT t.relname::text, c.contype::text, \
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n), \
       f.relname::text, \
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n), \
       c.confupdtype::text, c.confdeltype::text \
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_class f ON f.oid = c.confrelid \
     WHERE n.nspname = $1 ORDER BY t.relname, c.conname";

/// Indexes that no constraint owns (those are read as constraints): key
/// columns in order (`<expression>` for an expression), then INCLUDE ones.
const PG_INDEXES: &str = "SELECT t.relname::text, i.relname::text, ix.indisunique, \
       ARRAY(SELECT CASE WHEN k > ix.indnkeyatts THEN 'include ' ELSE '' END \
                    || CASE WHEN ix.indkey[k - 1] = 0 THEN '<expression>' \
                            ELSE (SELECT a.attname::text FROM pg_attribute a \
                                  WHERE a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k - 1]) END \
                    || CASE WHEN k <= ix.indnkeyatts AND (ix.indoption[k - 1] & 1) = 1 THEN ' desc' ELSE '' END \
             FROM generate_series(1, ix.indnatts::int) AS k ORDER BY k), \
       pg_get_expr(ix.indpred, ix.indrelid, true), am.amname::text \
     FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam \
     WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
       WHERE c.conrelid = ix.indrelid AND c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x')) \
     ORDER BY 1, 2";

/// Views, materialized views, sequences and user triggers.
const PG_OTHER_OBJECTS: &str = "SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' \
       ELSE 'sequence ' END || c.relname::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND c.relkind IN ('v', 'm', 'S') \
     UNION ALL SELECT 'trigger ' || tg.tgname::text FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT tg.tgisinternal";

type PgColumn = (String, String, String, bool, Option<String>);
type PgConstraint = (String, String, Vec<String>, Option<String>, Vec<String>, String, String);
type PgIndex = (String, String, bool, Vec<String>, Option<String>, String);

/// The schema `schema` of the PostgreSQL database behind `pool`.
pub async fn postgres(pool: &PgPool, schema: &str) -> Schema {
    let tables: Vec<String> =
        sqlx::query_scalar(PG_TABLES).bind(schema).fetch_all(pool).await.expect("read information_schema.tables");
    let mut out = Schema { engine: "PostgreSQL", tables: BTreeMap::new(), other_objects: BTreeSet::new() };
    for name in tables.into_iter().filter(|t| !ignored(t)) {
        out.tables.insert(name, Table::default());
    }

    let columns: Vec<PgColumn> =
        sqlx::query_as(PG_COLUMNS).bind(schema).fetch_all(pool).await.expect("read information_schema.columns");
    for (table, name, data_type, nullable, default) in columns {
        if let Some(t) = out.tables.get_mut(&table) {
            let default = default.as_deref().map(normalise_expr);
            t.columns.push(Column { name, family: postgres_family(&data_type), nullable, default });
        }
    }

    let constraints: Vec<PgConstraint> =
        sqlx::query_as(PG_CONSTRAINTS).bind(schema).fetch_all(pool).await.expect("read pg_constraint");
    for (table, kind, columns, ref_table, ref_columns, on_update, on_delete) in constraints {
        let Some(t) = out.tables.get_mut(&table) else { continue };
        match kind.as_str() {
            "p" => t.primary_key = columns,
            "u" => {
                t.unique_constraints.insert(columns);
            }
            "f" => {
                t.foreign_keys.insert(ForeignKey {
                    columns,
                    ref_table: ref_table.unwrap_or_default(),
                    ref_columns,
                    on_update: fk_action(&on_update),
                    on_delete: fk_action(&on_delete),
                });
            }
            "c" => t.checks += 1,
            // NOT NULL constraints (PostgreSQL 18+) are read as columns.
            "n" => {}
            other => panic!("{table} has a constraint of kind {other:?} the schema comparison does not know"),
        }
    }

    let indexes: Vec<PgIndex> = sqlx::query_as(PG_INDEXES).bind(schema).fetch_all(pool).await.expect("read pg_index");
    for (table, name, unique, columns, predicate, method) in indexes {
        if let Some(t) = out.tables.get_mut(&table) {
            let predicate = predicate.as_deref().map(normalise_expr);
            t.indexes.insert(name, Index { unique, columns, predicate, method });
        }
    }

    let others: Vec<String> =
        sqlx::query_scalar(PG_OTHER_OBJECTS).bind(schema).fetch_all(pool).await.expect("read views and triggers");
    out.other_objects.extend(others);
    out
}

fn fk_action(code: &str) -> String {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => panic!("unknown foreign key action {other:?}"),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_families_map_only_what_is_equivalent() {
        // (SQLite's declared type, PostgreSQL's type, the same family?)
        let cases = [
            ("INTEGER", "bigint", true),
            ("TEXT", "text", true),
            ("varchar(20)", "character varying", true),
            ("REAL", "double precision", true),
            ("BLOB", "bytea", true),
            ("BOOLEAN", "boolean", true),
            ("INTEGER", "integer", false),
            ("REAL", "real", false),
            ("INTEGER", "boolean", false),
            ("TEXT", "timestamp with time zone", false),
            ("NUMERIC", "numeric", false),
            ("", "bytea", false),
        ];
        for (sqlite, postgres, same) in cases {
            assert_eq!(sqlite_family(sqlite) == postgres_family(postgres), same, "{sqlite:?} ~ {postgres:?}");
        }
    }

    #[test]
    fn checks_are_counted_outside_comments_and_literals() {
        let sql = "CREATE TABLE t (\n  a TEXT CHECK (a IN ('check', 'x')), -- a check here\n  \
                   b INTEGER check (b > 0), /* CHECK */ c TEXT, CHECK ((a IS NULL) = (b IS NULL)))";
        assert_eq!(count_checks(sql), 3);
    }

    #[test]
    fn a_partial_index_predicate_is_found_at_the_top_level() {
        let sql = "CREATE UNIQUE INDEX grids_one_current ON grids (code) WHERE valid_to IS NULL";
        assert_eq!(index_predicate(sql).as_deref(), Some("valid_to is null"));
        assert_eq!(index_predicate("CREATE INDEX i ON t (a, b)"), None);
        assert_eq!(
            index_predicate("CREATE INDEX w ON matters (warning, reported_at, id) WHERE warning <> 'none'"),
            Some(normalise_expr("(warning <> 'none'::text)"))
        );
    }
}
