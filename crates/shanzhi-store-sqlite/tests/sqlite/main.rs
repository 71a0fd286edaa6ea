//! The SQLite store: the shared storage contract, and its backups. One test
//! binary, one module each.

mod backup;
mod contract;
mod search;
