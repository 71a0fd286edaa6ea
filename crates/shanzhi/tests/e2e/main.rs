//! The real binary end to end, on the backend chosen by SHANZHI_TEST_BACKEND:
//! one test binary, one module per area. The tests that load the machine or
//! time what a server does hold [`support::heavy`] for their whole run, so
//! that no two of them overlap.

mod support;

mod backup;
mod browser;
mod classify;
mod cli;
mod deliberation;
mod email;
mod export;
mod hostile;
mod interop;
mod notify;
mod register;
mod sweep;
mod tlog;
