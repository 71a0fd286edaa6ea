//! The use cases end to end, on the backend chosen by SHANZHI_TEST_BACKEND:
//! one test binary, one module per area, every fixture from
//! `shanzhi_testkit::TestApp`.

mod access;
mod demo;
mod divisions;
mod figures;
mod grids;
mod kept_figures;
mod matters;
mod rankings;
mod timing;
