//! An activity's roster: who signed up in which order, who got a place and
//! who waits (候补); a cancellation hands the place to the first who waits;
//! attendance is one check-in and one check-out.

use serde::{Deserialize, Serialize};

use crate::instant::Micros;
use crate::text::Bilingual;

crate::code_enum! {
    /// Where a sign-up stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum SignupState {
        Confirmed => "confirmed", "已报名";
        Waiting => "waiting", "候补";
        Cancelled => "cancelled", "已取消";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的报名状态“{s}”"), format!("unknown sign-up state '{s}'"))
    }
}

impl SignupState {
    /// How people say it, in English.
    pub fn label_en(self) -> &'static str {
        match self {
            SignupState::Confirmed => "signed up",
            SignupState::Waiting => "waiting list",
            SignupState::Cancelled => "cancelled",
        }
    }
}

/// Where a new sign-up goes when `confirmed` places of `capacity` are taken.
pub fn place_signup(confirmed: i64, capacity: i64) -> SignupState {
    if confirmed < capacity { SignupState::Confirmed } else { SignupState::Waiting }
}

/// Why attendance cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceError {
    NotConfirmed,
    AlreadyCheckedIn,
    NotCheckedIn,
    AlreadyCheckedOut,
}

impl AttendanceError {
    pub fn message(self) -> Bilingual {
        match self {
            AttendanceError::NotConfirmed => {
                Bilingual::new("您没有本活动的确认名额，不能签到", "you hold no confirmed place in this activity")
            }
            AttendanceError::AlreadyCheckedIn => {
                Bilingual::new("您已签到，不能重复签到", "you have already checked in")
            }
            AttendanceError::NotCheckedIn => Bilingual::new("请先签到再签退", "check in before checking out"),
            AttendanceError::AlreadyCheckedOut => Bilingual::new("您已签退", "you have already checked out"),
        }
    }

    /// May `state` with these times check in?
    pub fn check_in(state: SignupState, checked_in: Option<Micros>) -> Result<(), AttendanceError> {
        if state != SignupState::Confirmed {
            return Err(AttendanceError::NotConfirmed);
        }
        if checked_in.is_some() {
            return Err(AttendanceError::AlreadyCheckedIn);
        }
        Ok(())
    }

    /// May `state` with these times check out?
    pub fn check_out(
        state: SignupState,
        checked_in: Option<Micros>,
        checked_out: Option<Micros>,
    ) -> Result<(), AttendanceError> {
        if state != SignupState::Confirmed {
            return Err(AttendanceError::NotConfirmed);
        }
        if checked_in.is_none() {
            return Err(AttendanceError::NotCheckedIn);
        }
        if checked_out.is_some() {
            return Err(AttendanceError::AlreadyCheckedOut);
        }
        Ok(())
    }
}

/// Whole minutes from check-in to check-out, never negative.
pub fn minutes_between(from: Micros, to: Micros) -> i64 {
    (to.get().saturating_sub(from.get()) / 60_000_000).max(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A roster simulated: sign-ups in order, cancellations promoting the
    /// first who waits, as the store does it.
    fn simulate(capacity: i64, ops: &[(bool, usize)]) -> Vec<SignupState> {
        let mut roster: Vec<SignupState> = Vec::new();
        for (signup, who) in ops {
            if *signup || roster.is_empty() {
                let confirmed = roster.iter().filter(|s| **s == SignupState::Confirmed).count() as i64;
                roster.push(place_signup(confirmed, capacity));
            } else {
                let i = who % roster.len();
                let was = roster[i];
                if was == SignupState::Cancelled {
                    continue;
                }
                roster[i] = SignupState::Cancelled;
                if was == SignupState::Confirmed
                    && let Some(w) = roster.iter_mut().find(|s| **s == SignupState::Waiting)
                {
                    *w = SignupState::Confirmed;
                }
            }
        }
        roster
    }

    #[test]
    fn beyond_capacity_waits_and_a_cancellation_promotes_the_first_who_waits() {
        let r = simulate(2, &[(true, 0), (true, 0), (true, 0), (true, 0)]);
        assert_eq!(r, [SignupState::Confirmed, SignupState::Confirmed, SignupState::Waiting, SignupState::Waiting]);
        let r = simulate(2, &[(true, 0), (true, 0), (true, 0), (true, 0), (false, 1)]);
        assert_eq!(r, [SignupState::Confirmed, SignupState::Cancelled, SignupState::Confirmed, SignupState::Waiting]);
    }

    proptest! {
        #[test]
        fn never_more_confirmed_than_capacity_and_no_one_waits_beside_a_free_place(
            capacity in 1i64..6,
            ops in proptest::collection::vec((any::<bool>(), 0usize..20), 0..40),
        ) {
            let r = simulate(capacity, &ops);
            let confirmed = r.iter().filter(|s| **s == SignupState::Confirmed).count() as i64;
            let waiting = r.iter().filter(|s| **s == SignupState::Waiting).count();
            prop_assert!(confirmed <= capacity);
            prop_assert!(waiting == 0 || confirmed == capacity);
        }
    }

    #[test]
    fn no_double_check_in_and_no_check_out_before_check_in() {
        let t = Some(Micros::new(1));
        assert_eq!(AttendanceError::check_in(SignupState::Confirmed, None), Ok(()));
        assert_eq!(AttendanceError::check_in(SignupState::Confirmed, t), Err(AttendanceError::AlreadyCheckedIn));
        assert_eq!(AttendanceError::check_in(SignupState::Waiting, None), Err(AttendanceError::NotConfirmed));
        assert_eq!(AttendanceError::check_out(SignupState::Confirmed, None, None), Err(AttendanceError::NotCheckedIn));
        assert_eq!(AttendanceError::check_out(SignupState::Confirmed, t, t), Err(AttendanceError::AlreadyCheckedOut));
        assert_eq!(AttendanceError::check_out(SignupState::Confirmed, t, None), Ok(()));
        assert_eq!(minutes_between(Micros::new(0), Micros::new(90 * 60_000_000 + 5)), 90);
        assert_eq!(minutes_between(Micros::new(10), Micros::new(0)), 0);
    }
}
