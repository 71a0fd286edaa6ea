//! 一套机制统筹 (issue 14), the acceptance tests that read the record export:
//!
//! - on random timelines (matters reported by residents, grid workers and the
//!   hotline, then random commands that fit, given by the roles that may give
//!   them, with a hand-moved clock so that deadlines are met and missed across
//!   a month's end), a second, deliberately naive implementation written here
//!   from the definitions in the issue — reading nothing but the CSV rows —
//!   gets every numerator and denominator `Scoped::indicators` answers (from
//!   the kept parts, by grid workers too), for every unit type and three
//!   periods (`random`, `naive`);
//! - the export replays to each matter's stored state (demo matters, and the
//!   random timelines above; `replay`).
//!
//! Both run on the backend chosen by SHANZHI_TEST_BACKEND.

mod export;
mod naive;
mod random;
mod replay;
