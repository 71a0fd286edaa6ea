//! Per-address rate limits for what anyone may send without an account
//! (reports) and for uploads: a token bucket per client address, in this
//! process (each server counts its own; behind a load balancer the limit is
//! per server). Sign-in throttles are in the database instead (shared by
//! every server), because guessing passwords is what they must stop.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shanzhi_app::AppError;

/// One kind of limit.
#[derive(Debug)]
pub struct Limiter {
    buckets: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

/// Addresses remembered before stale buckets are dropped.
const PRUNE_AT: usize = 10_000;

impl Limiter {
    /// `per_hour` requests an hour per address, in bursts of up to as many.
    pub fn per_hour(per_hour: u32) -> Self {
        let n = NonZeroU32::new(per_hour.max(1)).expect("at least one");
        Limiter { buckets: RateLimiter::keyed(Quota::per_hour(n)), checks: AtomicU64::new(0) }
    }

    /// Count one request from `ip` (unknown addresses share one bucket).
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        let key = ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(1024) && self.buckets.len() > PRUNE_AT {
            self.buckets.retain_recent();
            self.buckets.shrink_to_fit();
        }
        self.buckets.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) }
        })
    }
}

/// The limits of one server.
#[derive(Debug)]
pub struct Throttles {
    /// Reports without an account (API, Open311 forms, the resident page).
    pub anonymous_reports: Limiter,
    /// Photo uploads, by anyone.
    pub uploads: Limiter,
    /// Sign-in codes asked for (each one a text message that costs money).
    pub sms_codes: Limiter,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_says_when_to_come_back() {
        let l = Limiter::per_hour(3);
        let ip = Some("192.0.2.1".parse().expect("ip"));
        for _ in 0..3 {
            l.check(ip).expect("within the burst");
        }
        let refused = l.check(ip).expect_err("over");
        assert!(
            matches!(refused, AppError::RateLimited { retry_after_secs } if (1..=1200).contains(&retry_after_secs))
        );
        l.check(Some("192.0.2.2".parse().expect("ip"))).expect("another address has its own bucket");
    }
}
