//! The search index of matters (migration 0016): each matter's searchable
//! fields folded into `matters.search_text`, and its grams in `matter_grams`
//! under the matter's `search_doc`, written in the transaction that writes
//! the matter (a matter's text never changes after it is written).
//!
//! A search (`q=`) is always checked on the folded text (`search_text LIKE`):
//! that alone is exact. The grams only choose which rows to check: when one
//! of the query's grams is rare, the matters holding it (and the next rarest)
//! are read through `matter_grams` instead of walking every matter of the
//! scope; a common word walks the list's own time index, where a page of
//! matches comes quickly. Queries of one character have no gram and are
//! always checked row by row within the other filters.

use shanzhi_domain::Matter;
use shanzhi_domain::search::{self, SearchQuery};
use shanzhi_store::{Created, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use super::write::take_counter;
use crate::map_err;

/// The fewest postings a gram may have and still be called common.
const MIN_COMMON: i64 = 8;
/// Grams of a query whose postings are counted (a long query has many; the
/// long ones and those beyond ASCII are the likely rare ones).
const COUNTED_GRAMS: usize = 8;
/// Grams a candidate must hold (the rarest drives, the others are probed).
const PROBED_GRAMS: usize = 4;
/// Matters indexed per transaction when the store indexes older ones.
const BACKFILL_BATCH: i64 = 2_000;

/// What a search reads matters through: the rarest of the query's grams
/// first, then the next rarest.
#[derive(Debug, Clone)]
pub(crate) struct Postings(Vec<String>);

/// Why a plan is made: a list wants a page (a common word walks the list's
/// index), a count reads every match (the postings are never more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Page,
    Count,
}

/// The folded search text of a matter: description, address, number and the
/// hotline's order number (what a reporter and a dispatcher have in hand).
pub(crate) fn matter_search_text(m: &Matter) -> String {
    fields_text(&m.description, m.address.as_deref(), &m.number, m.external_ref.as_deref())
}

fn fields_text(description: &str, address: Option<&str>, number: &str, external_ref: Option<&str>) -> String {
    search::search_text([Some(description), address, Some(number), external_ref])
}

/// Index matters just written, in the caller's transaction: each gets its
/// number in the index, its folded text and its grams.
#[sql_bounds]
pub(crate) async fn index_matters<DB>(conn: &mut DB::Connection, rows: &[(String, String)]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let first = take_counter::<DB>(conn, "search:doc", count).await?;
    let docs: Vec<(i64, &String, &String)> =
        rows.iter().zip(first..).map(|((id, text), doc)| (doc, id, text)).collect();
    for chunk in docs.chunks(DB::CHUNK_ROWS / 3 + 1) {
        let mut q = QueryBuilder::<DB>::new("WITH v (id, doc, search_text) AS (");
        q.push_values(chunk, |mut v, (doc, id, text)| {
            v.push_bind((*id).clone()).push_bind(*doc).push_bind((*text).clone());
        });
        q.push(") UPDATE matters SET search_doc = v.doc, search_text = v.search_text FROM v WHERE matters.id = v.id");
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    let postings: Vec<(String, i64)> =
        docs.iter().flat_map(|(doc, _, text)| search::grams(text).into_iter().map(move |g| (g, *doc))).collect();
    for chunk in postings.chunks(DB::CHUNK_ROWS / 2 + 1) {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO matter_grams (gram, doc) ");
        q.push_values(chunk, |mut v, (gram, doc)| {
            v.push_bind(gram.clone()).push_bind(*doc);
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// Index matters written with their text.
#[sql_bounds]
pub(crate) async fn index_new<'a, DB>(
    conn: &mut DB::Connection,
    matters: impl IntoIterator<Item = &'a Matter>,
) -> StoreResult<()> {
    let rows: Vec<(String, String)> =
        matters.into_iter().map(|m| (m.id.as_str().to_owned(), matter_search_text(m))).collect();
    index_matters::<DB>(conn, &rows).await
}

/// Index the matters of these outcomes that were new (with the numbers they
/// were given). Callers index after every other counter they take and
/// before the transparency log's append, so that the counters are always
/// locked in one order (on PostgreSQL, until commit) and never deadlock.
#[sql_bounds]
pub(crate) async fn index_created<'a, DB>(
    conn: &mut DB::Connection,
    outcomes: impl IntoIterator<Item = (&'a Matter, &'a Created)>,
) -> StoreResult<()> {
    let rows: Vec<(String, String)> = outcomes
        .into_iter()
        .filter_map(|(m, created)| match created {
            Created::New { number } => {
                let numbered = Matter { number: number.clone(), ..m.clone() };
                Some((m.id.as_str().to_owned(), matter_search_text(&numbered)))
            }
            Created::Existing { .. } => None,
        })
        .collect();
    index_matters::<DB>(conn, &rows).await
}

#[derive(SqlRow)]
struct UnindexedRow {
    id: String,
    description: String,
    address: Option<String>,
    number: String,
    external_ref: Option<String>,
}

/// Index one batch of matters written before the index existed; returns how
/// many (0: none left).
#[sql_bounds]
pub(crate) async fn backfill_batch<DB>(conn: &mut DB::Connection) -> StoreResult<usize> {
    let mut q = QueryBuilder::<DB>::new(
        "SELECT id, description, address, number, external_ref FROM matters WHERE search_doc IS NULL LIMIT ",
    );
    q.push_bind(BACKFILL_BATCH);
    let found = q.build_query_as::<UnindexedRow>().fetch_all(&mut *conn).await.map_err(map_err)?;
    let rows: Vec<(String, String)> = found
        .into_iter()
        .map(|r| {
            let text = fields_text(&r.description, r.address.as_deref(), &r.number, r.external_ref.as_deref());
            (r.id, text)
        })
        .collect();
    index_matters::<DB>(conn, &rows).await?;
    Ok(rows.len())
}

#[derive(SqlRow)]
struct GramCount {
    gram: String,
    n: i64,
}

/// The grams worth counting: long ones (numbers) first, then ones with a
/// character beyond ASCII, then the rest.
fn counted(query: &SearchQuery) -> Vec<String> {
    let mut grams = query.grams.clone();
    grams.sort_by_key(|g| (std::cmp::Reverse(g.chars().count()), g.is_ascii()));
    grams.truncate(COUNTED_GRAMS);
    grams
}

#[derive(SqlRow)]
struct TopRow {
    top: Option<i64>,
}

/// How to read the matters of a search: through the postings of its rarest
/// grams, or (`None`) along the list's own index, each row checked.
///
/// Reading a page along the index checks about `limit × matters / matches`
/// rows (a common word comes soon, in any scope: the scope's matches thin out
/// as its matters do); reading the postings checks as many rows as the
/// rarest gram has. So a page reads the postings when the rarest gram has
/// fewer than √(limit × matters), and each gram is counted only up to that.
#[sql_bounds]
pub(crate) async fn plan<DB>(
    pool: &sqlx::Pool<DB>,
    text: &str,
    purpose: Purpose,
    limit: usize,
) -> StoreResult<Option<Postings>> {
    let query = SearchQuery::new(text);
    let grams = counted(&query);
    if grams.is_empty() {
        return Ok(None);
    }
    // The index numbers matters from one counter: the highest is about how many.
    let top = QueryBuilder::<DB>::new("SELECT MAX(search_doc) AS top FROM matters")
        .build_query_as::<TopRow>()
        .fetch_one(pool)
        .await
        .map_err(map_err)?
        .top
        .unwrap_or(0);
    let page = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    // f64 for the root; both factors are far below 2^52 in any store.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let common = ((page.saturating_mul(top) as f64).sqrt() as i64).max(MIN_COMMON);
    let mut q = QueryBuilder::<DB>::new("");
    for (i, g) in grams.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push("SELECT ").push_bind(g.clone());
        q.push(" AS gram, (SELECT COUNT(*) FROM (SELECT 1 FROM matter_grams WHERE gram = ");
        q.push_bind(g.clone()).push(" LIMIT ").push_bind(common).push(") t) AS n");
    }
    let mut counts: Vec<(i64, String)> = q
        .build_query_as::<GramCount>()
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(|r| (r.n, r.gram))
        .collect();
    counts.sort();
    let rare = counts.first().is_some_and(|(n, _)| *n < common);
    if purpose == Purpose::Page && !rare {
        return Ok(None);
    }
    Ok(Some(Postings(counts.into_iter().take(PROBED_GRAMS).map(|(_, g)| g).collect())))
}

/// ` FROM matters`, or the matters holding the grams of `postings`, read
/// through them (`search_hits`; the join is [`push_join`]'s).
#[sql_bounds]
pub(crate) fn push_from<DB>(q: &mut QueryBuilder<DB>, postings: Option<&Postings>) {
    let Some(Postings(grams)) = postings else {
        q.push(" FROM matters");
        return;
    };
    let Some((first, rest)) = grams.split_first() else {
        q.push(" FROM matters");
        return;
    };
    // CROSS JOIN: SQLite keeps the postings as the outer loop.
    q.push(" FROM (SELECT g0.doc FROM matter_grams g0 WHERE g0.gram = ").push_bind(first.clone());
    for (i, g) in rest.iter().enumerate() {
        let n = i + 1;
        q.push(format!(" AND EXISTS (SELECT 1 FROM matter_grams g{n} WHERE g{n}.doc = g0.doc AND g{n}.gram = "));
        q.push_bind(g.clone()).push(")");
    }
    q.push(") search_hits CROSS JOIN matters");
}

/// The join of [`push_from`]'s postings to the matters (after `WHERE …`).
#[sql_bounds]
pub(crate) fn push_join<DB>(q: &mut QueryBuilder<DB>, postings: Option<&Postings>) {
    if postings.is_some_and(|p| !p.0.is_empty()) {
        q.push(" AND matters.search_doc = search_hits.doc");
    }
}

/// The verification every search makes: the folded query within the folded
/// text (never across two fields: the query has no separator).
pub(crate) fn folded_query(text: &str) -> String {
    SearchQuery::new(text).folded
}
