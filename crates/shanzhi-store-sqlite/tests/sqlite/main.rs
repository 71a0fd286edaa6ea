//! The SQLite store: the shared storage contract, its backups and migrations. One test
//! binary, one module each.

mod backup;
mod contract;
mod rollups;
mod search;
