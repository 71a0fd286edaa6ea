//! Matter filters: the caller's scope as parts (each read along its own
//! index), and the query's filters, as SQL.

use shanzhi_domain::{DivisionCode, DivisionLevel, MatterState, Warning};
use shanzhi_store::{MatterOrder, MatterQuery, MatterScope};
use shanzhi_store_sql_macros::sql_bounds;
use sqlx::QueryBuilder;

use super::search::folded_query;
use crate::fragments::{like_pattern, push_between, push_list};

/// One way a scope reaches matters; a scope is the union of its parts, and
/// lists read each part along its own time-ordered index.
#[derive(Debug, Clone)]
pub(crate) enum ScopePart {
    Division(DivisionCode),
    Grid(String),
    Department(String),
    Reporter(String),
    Public,
}

pub(crate) fn scope_parts(scope: &MatterScope) -> Vec<ScopePart> {
    let mut parts: Vec<ScopePart> = scope.divisions.iter().cloned().map(ScopePart::Division).collect();
    parts.extend(scope.grids.iter().map(|g| ScopePart::Grid(g.as_str().to_owned())));
    parts.extend(scope.departments.iter().map(|d| ScopePart::Department(d.as_str().to_owned())));
    parts.extend(scope.reporter.iter().cloned().map(ScopePart::Reporter));
    if scope.public {
        parts.push(ScopePart::Public);
    }
    parts
}

/// Matters within a division: by the column of its level, so the index of
/// that level serves it.
#[sql_bounds]
fn push_division<DB>(q: &mut QueryBuilder<DB>, d: &DivisionCode) {
    let column = match d.level() {
        DivisionLevel::City => "city_code",
        DivisionLevel::District => "district_code",
        DivisionLevel::Town => "town_code",
        DivisionLevel::Community => "community_code",
        // Province-wide lists are rare: a range, without an index of their own.
        DivisionLevel::Province => {
            let (lo, hi) = d.descendant_bounds();
            return push_between(q, "community_code", lo, hi);
        }
    };
    q.push(column).push(" = ").push_bind(d.as_str().to_owned());
}

#[sql_bounds]
fn push_part<DB>(q: &mut QueryBuilder<DB>, part: &ScopePart) {
    match part {
        ScopePart::Division(d) => push_division(q, d),
        ScopePart::Grid(g) => {
            q.push("(grid_code = ").push_bind(g.clone()).push(" OR general_grid = ").push_bind(g.clone()).push(")");
        }
        ScopePart::Department(d) => {
            q.push("assignee_code = ").push_bind(d.clone());
        }
        ScopePart::Reporter(r) => {
            q.push("reporter_user_id = ").push_bind(r.clone());
        }
        ScopePart::Public => {
            q.push("line = 'development'");
        }
    }
}

/// `WHERE` with the caller's whole scope (a disjunction of its parts; an
/// empty scope sees nothing) and the query's filters: for counts.
#[sql_bounds]
pub(crate) fn push_filters<DB>(q: &mut QueryBuilder<DB>, query: &MatterQuery) {
    q.push(" WHERE ");
    if query.scope.everything {
        q.push("1 = 1");
    } else {
        let parts = scope_parts(&query.scope);
        if parts.is_empty() {
            q.push("1 = 0");
        } else {
            q.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push("(");
                push_part(q, part);
                q.push(")");
            }
            q.push(")");
        }
    }
    push_query_filters(q, query);
}

/// `WHERE` with one part of the scope (or none: everything) and the filters:
/// for one time-ordered read of a list.
#[sql_bounds]
pub(crate) fn push_part_filters<DB>(q: &mut QueryBuilder<DB>, part: Option<&ScopePart>, query: &MatterQuery) {
    q.push(" WHERE ");
    match part {
        Some(p) => push_part(q, p),
        None => {
            q.push("1 = 1");
        }
    }
    push_query_filters(q, query);
}

#[sql_bounds]
fn push_query_filters<DB>(q: &mut QueryBuilder<DB>, query: &MatterQuery) {
    if !query.states.is_empty() {
        q.push(" AND state IN ");
        push_list(q, query.states.iter().map(|st| st.as_str().to_owned()));
    }
    if !query.categories.is_empty() {
        q.push(" AND category_code IN ");
        push_list(q, query.categories.iter().map(|c| c.as_str().to_owned()));
    }
    if let Some(l) = query.line {
        q.push(" AND (line = ").push_bind(l.as_str().to_owned()).push(" OR line = 'both')");
    }
    if let Some(w) = &query.within {
        q.push(" AND ");
        push_division(q, w);
    }
    if let Some(g) = &query.grid {
        q.push(" AND (grid_code = ").push_bind(g.as_str().to_owned());
        q.push(" OR general_grid = ").push_bind(g.as_str().to_owned()).push(")");
    }
    if let Some(d) = &query.department {
        q.push(" AND assignee_code = ").push_bind(d.as_str().to_owned());
    }
    if let Some(c) = query.channel {
        q.push(" AND channel = ").push_bind(c.as_str().to_owned());
    }
    if let Some(from) = query.from {
        q.push(" AND reported_at >= ").push_bind(from.get());
    }
    if let Some(to) = query.to {
        q.push(" AND reported_at < ").push_bind(to.get());
    }
    if !query.numbers.is_empty() {
        q.push(" AND number IN ");
        push_list(q, query.numbers.iter().cloned());
    }
    if let Some(original) = &query.repeats_of {
        q.push(" AND duplicate_of = ").push_bind(original.clone());
    }
    if let Some(after) = query.updated_after {
        q.push(" AND updated_at > ").push_bind(after.get());
    }
    if let Some(since) = query.active_since {
        q.push(" AND (updated_at >= ").push_bind(since.get()).push(" OR state IN ");
        push_list(q, MatterState::open().iter().map(|st| st.as_str().to_owned()));
        q.push(")");
    }
    if let Some(t) = &query.text {
        // The words may be in the description or the address, or be (part
        // of) the matter's number or order number: what a dispatcher types
        // into one box. Always checked on the folded text; the index only
        // chooses the rows (`search::plan`).
        q.push(" AND search_text LIKE ").push_bind(like_pattern(&folded_query(t))).push(" ESCAPE '\\'");
    }
    if let Some(phone) = &query.reporter_phone {
        q.push(" AND reporter_phone = ").push_bind(phone.clone());
    }
    if let Some((x, y)) = query.near {
        q.push(" AND cell IN ");
        push_list(q, shanzhi_domain::grid::cells_around(x, y));
    }
    if !query.warnings.is_empty() {
        q.push(" AND warning IN ");
        push_list(q, query.warnings.iter().map(|w| w.as_str().to_owned()));
        // Spelled out so that SQLite may use the partial index on colours: it
        // does not infer `<> 'none'` from `IN ('yellow')`.
        if !query.warnings.contains(&Warning::None) {
            q.push(" AND warning <> 'none'");
        }
    }
    if let Some([x0, y0, x1, y1]) = query.bbox {
        q.push(" AND ");
        push_between(q, "lng", x0, x1);
        q.push(" AND ");
        push_between(q, "lat", y0, y1);
    }
    // Keyset: row-value comparison, which both engines read as an index range.
    if let Some((at, id)) = &query.after {
        let (key, cmp) = match query.order {
            MatterOrder::Newest => ("reported_at", "<"),
            MatterOrder::DueFirst => (DUE_KEY, ">"),
        };
        q.push(format!(" AND ({key}, id) {cmp} ("));
        q.push_bind(at.get()).push(", ").push_bind(id.as_str().to_owned()).push(")");
    }
}

/// The deadline as the due-first order reads it: matters without one last.
const DUE_KEY: &str = "COALESCE(deadline_at, 9223372036854775807)";

/// `ORDER BY …` of a listing in this order.
pub(crate) fn order_by(order: MatterOrder) -> String {
    match order {
        MatterOrder::Newest => " ORDER BY reported_at DESC, id DESC".to_owned(),
        MatterOrder::DueFirst => format!(" ORDER BY {DUE_KEY}, id"),
    }
}
