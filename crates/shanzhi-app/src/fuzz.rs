//! Entry points for the fuzz targets (`crates/shanzhi-fuzz`, `fuzz/`) into
//! parsers that are private to this crate. Only built with the `fuzzing`
//! feature, so ordinary builds keep their surface; each is a thin wrapper
//! and adds no behaviour of its own.

use shanzhi_domain::Command;

use crate::AppResult;
use crate::divisions::ImportRejection;
use crate::matters::HotlineRow;

/// A 12345 hotline export (CSV or XLSX by its name or its bytes), read and
/// checked row by row as `import_hotline` does before touching the store.
pub fn parse_hotline(bytes: &[u8], name: &str) -> Result<Vec<HotlineRow>, ImportRejection> {
    crate::matters::parse_hotline(bytes, name)
}

/// The arguments of `POST /api/v1/matters/{id}/commands/{name}` (a JSON
/// object, or `null`) as the command and its attachment ids.
pub fn parse_command(name: &str, args: serde_json::Value) -> AppResult<(Command, Vec<String>)> {
    crate::matters::parse_command(name, args)
}

/// Open311 `start_date`/`end_date` as the `[from, to)` window in microseconds.
pub fn open311_window(start: Option<&str>, end: Option<&str>, now: i64) -> AppResult<(i64, i64)> {
    crate::open311::window(start, end, now.into()).map(|(from, to)| (from.get(), to.get()))
}

/// The store's query a list builds (re-exported: the web crate knows no store types).
pub use shanzhi_store::MatterQuery;

/// A matter list's filters as the store's query (the caller's scope aside).
pub fn matter_query(filter: &crate::matters::MatterFilter) -> AppResult<MatterQuery> {
    filter.query()
}

/// Open311 `page`/`page_size` as (skip, take).
pub fn open311_paging(page: Option<usize>, page_size: Option<usize>) -> AppResult<(usize, usize)> {
    crate::open311::paging(page, page_size)
}
