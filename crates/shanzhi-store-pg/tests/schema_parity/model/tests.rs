//! Each kind of drift, made on purpose, is reported.

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
        diffs[0].starts_with("parents.updated_at: type text on SQLite, integer (64-bit) on PostgreSQL; the by-design")
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
    assert_one(drifted(|s| items(s).unique_constraints.clear()), "items: UNIQUE constraint (number) only on SQLite");
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
