//! The on-site check-in code: six digits the organiser's page shows, that
//! change every two minutes. Each is HMAC-SHA-256 of the activity's own
//! secret (random, kept by the server, never shown) over the activity's id
//! and the time window, so it cannot be guessed from ids or times, and a
//! code of one activity means nothing for another. The window before the
//! current one is still accepted (a code read just before it changed).

use crate::instant::Micros;
use crate::mac::hmac_sha256;

/// How long a code is shown before the next one.
pub const CODE_WINDOW_SECONDS: i64 = 120;

/// The window an instant falls in.
pub fn window(at: Micros) -> i64 {
    at.get().div_euclid(CODE_WINDOW_SECONDS * 1_000_000)
}

/// The code of `activity` in `window`, six digits.
pub fn checkin_code(secret: &str, activity: &str, window: i64) -> String {
    let mut message = b"shanzhi/checkin/v1\n".to_vec();
    message.extend_from_slice(&(activity.len() as u64).to_le_bytes());
    message.extend_from_slice(activity.as_bytes());
    message.extend_from_slice(&window.to_le_bytes());
    let mac = hmac_sha256(secret.as_bytes(), &[&message]);
    let n = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 1_000_000;
    format!("{n:06}")
}

/// Is `typed` the code of `activity` now, or of the window just before?
pub fn code_accepted(secret: &str, activity: &str, now: Micros, typed: &str) -> bool {
    let typed = typed.trim();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let w = window(now);
    [w, w - 1].iter().any(|w| {
        let code = checkin_code(secret, activity, *w);
        // Compared without an early exit.
        code.bytes().zip(typed.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_current_and_the_previous_window_pass_older_ones_and_other_activities_do_not() {
        let now = Micros::new(1_800_000_000_000_000);
        let w = window(now);
        let code = checkin_code("s3cret", "a1", w);
        assert!(code_accepted("s3cret", "a1", now, &code));
        assert!(code_accepted("s3cret", "a1", now, &format!(" {code} ")));
        let prev = checkin_code("s3cret", "a1", w - 1);
        assert!(code_accepted("s3cret", "a1", now, &prev));
        let old = checkin_code("s3cret", "a1", w - 2);
        assert!(old == code || old == prev || !code_accepted("s3cret", "a1", now, &old), "expired code refused");
        let later = now.plus_seconds(2 * CODE_WINDOW_SECONDS);
        assert!(!code_accepted("s3cret", "a1", later, &code) || code == checkin_code("s3cret", "a1", window(later)));
        assert!(!code_accepted("s3cret", "a1", now, "12345"));
        assert!(!code_accepted("s3cret", "a1", now, "abcdef"));
    }

    proptest! {
        #[test]
        fn a_code_of_another_activity_or_secret_is_refused_save_by_chance(
            w in 0i64..10_000_000, a in "[a-f0-9]{8}", b in "[a-f0-9]{8}",
        ) {
            prop_assume!(a != b);
            let now = Micros::new(w * CODE_WINDOW_SECONDS * 1_000_000);
            let theirs = checkin_code("k", &b, w);
            let ours = [checkin_code("k", &a, w), checkin_code("k", &a, w - 1)];
            // Six digits collide one time in a million: only then may it pass.
            prop_assert_eq!(code_accepted("k", &a, now, &theirs), ours.contains(&theirs));
            let other_secret = checkin_code("other", &a, w);
            prop_assert_eq!(code_accepted("k", &a, now, &other_secret), ours.contains(&other_secret));
        }
    }
}
