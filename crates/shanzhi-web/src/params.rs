//! Query parameters as types: a filter struct deserialises straight into
//! codes, comma lists and instants (`#[serde(deserialize_with = …)]`), and a
//! bad value still answers with its own error code (`invalid_state`,
//! `invalid_time` …) rather than a generic one: the code travels through
//! serde's error text between two markers and [`coded_error`] reads it back.

use serde::de::{Deserialize, Deserializer};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{
    CategoryCode, Channel, DepartmentCode, DivisionCode, GridCode, GridKind, Line, MatterState, Micros, Warning,
};

/// Longest comma list: every list names a few of its values, and a long one
/// is refused before anything is parsed.
const MAX_LIST_ITEMS: usize = 100;
const MARK: char = '\u{1e}';

/// A type a parameter parses into, with the error code of a bad value.
pub trait Param: Sized + PartialEq {
    const CODE: &'static str;
    fn parse(text: &str) -> Result<Self, Bilingual>;
}

macro_rules! from_str_params {
    ($($t:ty => $code:literal),* $(,)?) => {$(
        impl Param for $t {
            const CODE: &'static str = $code;
            fn parse(text: &str) -> Result<Self, Bilingual> {
                text.parse()
            }
        }
    )*};
}

from_str_params! {
    MatterState => "invalid_state",
    Warning => "invalid_warning",
    CategoryCode => "invalid_category",
    Line => "invalid_line",
    Channel => "invalid_channel",
    GridKind => "invalid_grid_kind",
}

impl Param for DepartmentCode {
    const CODE: &'static str = "invalid_department";
    fn parse(text: &str) -> Result<Self, Bilingual> {
        DepartmentCode::parse(text)
    }
}

impl Param for DivisionCode {
    const CODE: &'static str = "invalid_division_code";
    fn parse(text: &str) -> Result<Self, Bilingual> {
        DivisionCode::parse(text).map_err(|e| e.message(text))
    }
}

impl Param for jiff::civil::Date {
    const CODE: &'static str = "invalid_date";
    fn parse(text: &str) -> Result<Self, Bilingual> {
        shanzhi_domain::indicators::parse_day(text)
    }
}

impl Param for GridCode {
    const CODE: &'static str = "invalid_grid_code";
    fn parse(text: &str) -> Result<Self, Bilingual> {
        GridCode::parse(text)
    }
}

/// The codes [`coded_error`] gives back (an error code is a `&'static str`).
const CODES: &[&str] = &[
    "invalid_state",
    "invalid_warning",
    "invalid_category",
    "invalid_line",
    "invalid_channel",
    "invalid_grid_kind",
    "invalid_department",
    "invalid_division_code",
    "invalid_grid_code",
    "invalid_time",
    "too_many_values",
    "invalid_period",
    "invalid_unit_kind",
    "invalid_indicator",
    "invalid_date",
];

fn coded<E: serde::de::Error>(code: &'static str, message: &Bilingual) -> E {
    E::custom(format!("{MARK}{code}{MARK}{}{MARK}{}{MARK}", message.zh, message.en))
}

/// The code and message a parameter's deserialiser put into serde's error
/// text, if it was one of ours.
pub fn coded_error(text: &str) -> Option<(&'static str, Bilingual)> {
    let mut parts = text.split(MARK).skip(1);
    let code = parts.next()?;
    let (zh, en) = (parts.next()?, parts.next()?);
    let code = CODES.iter().find(|c| **c == code)?;
    Some((code, Bilingual::new(zh, en)))
}

/// An optional value; empty means absent.
pub fn optional<'de, D: Deserializer<'de>, T: Param>(d: D) -> Result<Option<T>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    T::parse(text).map(Some).map_err(|m| coded(T::CODE, &m))
}

/// A value that must be given.
pub fn required<'de, D: Deserializer<'de>, T: Param>(d: D) -> Result<T, D::Error> {
    let text = String::deserialize(d)?;
    T::parse(text.trim()).map_err(|m| coded(T::CODE, &m))
}

/// A comma-separated list, each value parsed, repeats dropped.
pub fn comma_list<'de, D: Deserializer<'de>, T: Param>(d: D) -> Result<Vec<T>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (i, item) in text.split(',').map(str::trim).filter(|t| !t.is_empty()).enumerate() {
        if i >= MAX_LIST_ITEMS {
            let m = Bilingual::new(
                format!("一个参数最多 {MAX_LIST_ITEMS} 个取值"),
                format!("at most {MAX_LIST_ITEMS} values in one parameter"),
            );
            return Err(coded("too_many_values", &m));
        }
        let v = T::parse(item).map_err(|m| coded(T::CODE, &m))?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// A day (midnight in China) or an RFC 3339 instant; empty means absent.
pub fn day_or_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Micros>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let china = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let day = text.parse::<jiff::civil::Date>().ok().and_then(|d| d.to_zoned_datetime(china).ok());
    match (day, text.parse::<jiff::Timestamp>()) {
        (Some(z), _) => Ok(Some(Micros::from(z.timestamp()))),
        (None, Ok(t)) => Ok(Some(Micros::from(t))),
        (None, Err(_)) => Err(coded(
            "invalid_time",
            &Bilingual::new(
                format!("时间“{text}”应为日期（2026-11-01）或 RFC 3339 时间"),
                format!("time '{text}' must be a date (2026-11-01) or an RFC 3339 instant"),
            ),
        )),
    }
}

/// An RFC 3339 instant (`2026-11-01T00:00:00+08:00`); empty means absent.
pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Micros>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<jiff::Timestamp>().map(|t| Some(Micros::from(t))).map_err(|_| {
        coded(
            "invalid_time",
            &Bilingual::new(
                format!("时间“{text}”应为 RFC 3339 格式，如 2026-11-01T00:00:00+08:00"),
                format!("time '{text}' must be RFC 3339, e.g. 2026-11-01T00:00:00+08:00"),
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Q {
        #[serde(default, deserialize_with = "comma_list")]
        state: Vec<MatterState>,
        #[serde(default, deserialize_with = "optional")]
        within: Option<DivisionCode>,
        #[serde(default, deserialize_with = "instant")]
        from: Option<Micros>,
    }

    fn parse(query: &str) -> Result<Q, String> {
        serde_urlencoded::from_str::<Q>(query).map_err(|e| e.to_string())
    }

    #[test]
    fn values_parse_into_types_and_errors_keep_their_code() {
        let q = parse("state=filed,reported,filed&within=510104&from=2026-11-01T00:00:00%2B08:00").expect("good");
        assert_eq!(q.state, [MatterState::Filed, MatterState::Reported], "repeats dropped");
        assert_eq!(q.within.map(|d| d.to_string()), Some("510104000000".to_owned()), "codes are kept in full");
        assert!(q.from.is_some());
        let empty = parse("state=&within=&from=").expect("empty is absent");
        assert!(empty.state.is_empty() && empty.within.is_none() && empty.from.is_none());
        for (query, code) in [
            ("state=lost", "invalid_state"),
            ("within=5101x", "invalid_division_code"),
            ("from=yesterday", "invalid_time"),
        ] {
            let text = parse(query).expect_err(query);
            let (got, message) = coded_error(&text).unwrap_or_else(|| panic!("{query}: {text}"));
            assert_eq!(got, code);
            assert!(!message.zh.is_empty() && !message.en.is_empty());
        }
        let many = vec!["filed"; 101].join(",");
        let text = parse(&format!("state={many}")).expect_err("too many");
        assert_eq!(coded_error(&text).map(|(c, _)| c), Some("too_many_values"));
        assert_eq!(coded_error("plain serde text"), None);
    }
}
