//! The use cases end to end, on the backend chosen by SHANZHI_TEST_BACKEND:
//! one test binary, one module per area, every fixture from
//! `shanzhi_testkit::TestApp`.

mod access;
mod callbacks;
mod cases;
mod classify;
mod community;
mod deliberation;
mod deliberation_polls;
mod demo;
mod digest;
mod divisions;
mod duplicates;
mod figures;
mod grid_work;
mod grids;
mod hotspots;
mod kept_figures;
mod matters;
mod notify;
mod notify_import;
mod rankings;
mod register;
mod register_map;
mod tasks;
mod timing;
mod visits;
mod volunteers;

/// Beijing time in 2026: the test worlds' clocks all start in that year.
fn at(m: i8, d: i8, h: i8, min: i8) -> jiff::Timestamp {
    jiff::civil::date(2026, m, d)
        .at(h, min, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .expect("time")
        .timestamp()
}
