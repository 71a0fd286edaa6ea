pub mod grid;
pub mod import;
pub mod migrate;
pub mod serve;
