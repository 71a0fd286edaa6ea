//! [`Micros`]: an instant as the platform stores it, microseconds since the
//! Unix epoch (UTC). Both databases compare and sort the number alike, hashes
//! cover it as eight bytes, and it converts to a [`jiff::Timestamp`] for
//! calendars and display.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = i64))]
#[serde(transparent)]
pub struct Micros(i64);

impl Micros {
    pub const ZERO: Micros = Micros(0);

    pub const fn new(micros: i64) -> Micros {
        Micros(micros)
    }

    /// Now, to the microsecond.
    pub fn now() -> Micros {
        Micros(jiff::Timestamp::now().as_microsecond())
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn from_timestamp(t: jiff::Timestamp) -> Micros {
        Micros(t.as_microsecond())
    }

    /// As a timestamp (out-of-range values, which no clock gives, are the epoch).
    pub fn timestamp(self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.0).unwrap_or_default()
    }

    /// This instant `seconds` later (earlier when negative), saturating.
    pub fn plus_seconds(self, seconds: i64) -> Micros {
        Micros(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }

    /// Whole seconds from `earlier` to this instant.
    pub fn seconds_since(self, earlier: Micros) -> i64 {
        (self.0 - earlier.0) / 1_000_000
    }
}

impl From<i64> for Micros {
    fn from(micros: i64) -> Micros {
        Micros(micros)
    }
}

impl From<jiff::Timestamp> for Micros {
    fn from(t: jiff::Timestamp) -> Micros {
        Micros::from_timestamp(t)
    }
}

/// RFC 3339 in UTC, as the API writes instants.
impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_through_timestamps_and_seconds() {
        let t: jiff::Timestamp = "2026-11-30T08:00:00.123456Z".parse().expect("time");
        let m = Micros::from(t);
        assert_eq!(m.timestamp(), t);
        assert_eq!(m.to_string(), "2026-11-30T08:00:00.123456Z");
        assert_eq!(m.plus_seconds(90).seconds_since(m), 90);
        assert_eq!(Micros::new(i64::MAX).plus_seconds(10).get(), i64::MAX, "saturates");
        assert_eq!(serde_json::to_string(&m).expect("json"), m.get().to_string());
    }
}
