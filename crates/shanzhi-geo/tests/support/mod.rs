//! Chengdu inputs for tests and benchmarks, read from the shipped NBS list.

use shanzhi_domain::DivisionCode;
use shanzhi_geo::generate::{DistrictInput, chengdu};

const NBS_CSV: &str = include_str!("../../../../data/chengdu/chengdu_divisions_nbs2023.csv");

/// Districts whose code is in `only` (all when empty).
pub fn chengdu_districts(only: &[&str]) -> Vec<DistrictInput> {
    let mut reader = csv::Reader::from_reader(NBS_CSV.as_bytes());
    let rows: Vec<(DivisionCode, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (DivisionCode::parse(&r[1]).expect("code"), r[2].to_owned())
        })
        .collect();
    chengdu::districts(rows.iter().map(|(c, n)| (c, n.as_str())))
        .into_iter()
        .filter(|d| only.is_empty() || only.iter().any(|o| d.code.significant() == *o))
        .collect()
}
