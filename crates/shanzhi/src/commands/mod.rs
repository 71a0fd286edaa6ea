pub mod accounts;
pub mod backup;
pub mod grid;
pub mod import;
pub mod migrate;
pub mod people;
pub mod serve;
pub mod timing;
