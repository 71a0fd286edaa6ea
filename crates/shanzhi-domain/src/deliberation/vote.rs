//! Votes of a council meeting or a residents' poll: who may vote (members
//! present, once each), and the tally under the rule in force — a quorum of
//! the members, and a simple or two-thirds majority of those present or of
//! all members. Integer arithmetic only: a tally is never off by rounding.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

crate::code_enum! {
    /// A member's vote.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Choice {
        For => "for", "赞成";
        Against => "against", "反对";
        Abstain => "abstain", "弃权";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("表决意见应为赞成、反对或弃权，而不是“{s}”"), format!("a vote is for, against or abstain, not '{s}'"))
    }
}

crate::code_enum! {
    /// A share that must be reached.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Threshold {
        /// 过半数: more than half.
        MoreThanHalf => "more_than_half", "过半数";
        /// 三分之二以上: at least two thirds.
        TwoThirds => "two_thirds", "三分之二以上";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的表决比例“{s}”"), format!("unknown threshold '{s}'"))
    }
}

impl Threshold {
    /// Does `part` of `whole` reach the threshold? Nothing of nothing does not.
    pub fn reached(self, part: u32, whole: u32) -> bool {
        let (part, whole) = (u64::from(part), u64::from(whole));
        whole > 0
            && match self {
                Threshold::MoreThanHalf => 2 * part > whole,
                Threshold::TwoThirds => 3 * part >= 2 * whole,
            }
    }
}

crate::code_enum! {
    /// What the majority is counted against.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Base {
        /// 到会人数: the members present.
        Present => "present", "到会成员";
        /// 应到人数: all members.
        Members => "members", "全体成员";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的计票基数“{s}”"), format!("unknown base '{s}'"))
    }
}

/// The rule a vote is decided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteRule {
    /// Share of the members who must be present; `None`: no quorum (a poll).
    pub quorum: Option<Threshold>,
    pub majority: Threshold,
    pub base: Base,
}

impl VoteRule {
    /// A council's usual rule: more than half of the members present, and
    /// more than half of those present for.
    pub const COUNCIL: VoteRule =
        VoteRule { quorum: Some(Threshold::MoreThanHalf), majority: Threshold::MoreThanHalf, base: Base::Present };
    /// For weighty matters (a large sum, a change of rules).
    pub const WEIGHTY: VoteRule =
        VoteRule { quorum: Some(Threshold::TwoThirds), majority: Threshold::TwoThirds, base: Base::Present };
    /// A residents' poll: no quorum, more than half of the votes cast for.
    pub const POLL: VoteRule = VoteRule { quorum: None, majority: Threshold::MoreThanHalf, base: Base::Present };
}

/// The votes of one decision, as recorded: who was present, and each
/// present member's vote. Built only through [`Ballots::cast`], so every
/// vote is a present member's and counted once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballots {
    members: BTreeSet<String>,
    present: BTreeSet<String>,
    votes: BTreeMap<String, Choice>,
}

impl Ballots {
    /// A meeting of `members` of whom `present` came. Someone present who
    /// is no member is refused (a guest may speak, not vote).
    pub fn open(members: BTreeSet<String>, present: BTreeSet<String>) -> Result<Self, Bilingual> {
        if let Some(outsider) = present.iter().find(|p| !members.contains(*p)) {
            return Err(Bilingual::new(
                format!("“{outsider}”不是本届成员，不能计入到会人数"),
                format!("not a member of this term, so not counted present: {outsider}"),
            ));
        }
        Ok(Ballots { members, present, votes: BTreeMap::new() })
    }

    /// Record `member`'s vote: only a member who is present, and only once.
    pub fn cast(&mut self, member: &str, choice: Choice) -> Result<(), Bilingual> {
        if !self.members.contains(member) {
            return Err(Bilingual::new("只有本届成员可以表决", "only members of this term may vote"));
        }
        if !self.present.contains(member) {
            return Err(Bilingual::new("未到会的成员不能表决", "a member who is not present cannot vote"));
        }
        if self.votes.contains_key(member) {
            return Err(Bilingual::new("每位成员只能表决一次", "each member votes once"));
        }
        self.votes.insert(member.to_owned(), choice);
        Ok(())
    }

    pub fn votes(&self) -> &BTreeMap<String, Choice> {
        &self.votes
    }

    /// The tally under `rule`.
    pub fn tally(&self, rule: VoteRule) -> Tally {
        let count = |c: Choice| u32::try_from(self.votes.values().filter(|v| **v == c).count()).unwrap_or(u32::MAX);
        tally(
            rule,
            u32::try_from(self.members.len()).unwrap_or(u32::MAX),
            u32::try_from(self.present.len()).unwrap_or(u32::MAX),
            [count(Choice::For), count(Choice::Against), count(Choice::Abstain)],
        )
    }
}

/// A decided count. Present members who did not vote count as not for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub members: u32,
    pub present: u32,
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
    pub quorate: bool,
    pub passed: bool,
}

/// The tally of `[for, against, abstain]` among `present` of `members`.
pub fn tally(rule: VoteRule, members: u32, present: u32, [for_, against, abstain]: [u32; 3]) -> Tally {
    let quorate = rule.quorum.is_none_or(|q| q.reached(present, members));
    let base = match rule.base {
        Base::Present => present,
        Base::Members => members,
    };
    let passed = quorate && rule.majority.reached(for_, base);
    Tally { members, present, for_, against, abstain, quorate, passed }
}

/// The hash before the first recorded vote.
pub const VOTE_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A recorded vote's hash: SHA-256 over a tag, the previous hash, the
/// vote's number and time, then the meeting, the member and the choice,
/// each length-prefixed. Changing any of them, or a vote's place in the
/// chain, changes every hash after it.
pub fn vote_hash(
    prev_hash: &str,
    seq: i64,
    at: crate::instant::Micros,
    meeting: &str,
    member: &str,
    choice: Choice,
) -> String {
    crate::audit::chain_hash(b"shanzhi/vote/v1\n", prev_hash, seq, Some(at), &[meeting, member, choice.as_str()])
}

/// A secret ballot's hash: as [`vote_hash`] under its own tag, without a
/// voter and without a time (either would tie the ballot to the voter's
/// record in `poll_voters`).
pub fn ballot_hash(prev_hash: &str, seq: i64, meeting: &str, choice: Choice) -> String {
    crate::audit::chain_hash(b"shanzhi/ballot/v1\n", prev_hash, seq, None, &[meeting, choice.as_str()])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn names(n: u32) -> BTreeSet<String> {
        (0..n).map(|i| format!("m{i}")).collect()
    }

    #[test]
    fn a_council_of_eleven() {
        // 11 members, 6 present: quorate (6 > 5.5); 4 of 6 for: passed.
        let t = tally(VoteRule::COUNCIL, 11, 6, [4, 1, 1]);
        assert!(t.quorate && t.passed);
        // 5 present: no quorum, whatever the votes.
        assert!(!tally(VoteRule::COUNCIL, 11, 5, [5, 0, 0]).quorate);
        // 3 of 6 for is a half, not more than half.
        assert!(!tally(VoteRule::COUNCIL, 11, 6, [3, 3, 0]).passed);
        // Two thirds of 9 present is 6.
        assert!(tally(VoteRule::WEIGHTY, 12, 9, [6, 2, 1]).passed);
        assert!(!tally(VoteRule::WEIGHTY, 12, 9, [5, 2, 2]).passed);
        // Two thirds of 12 must be present: 8.
        assert!(!tally(VoteRule::WEIGHTY, 12, 7, [7, 0, 0]).quorate);
    }

    #[test]
    fn only_members_present_vote_and_once() {
        let mut b = Ballots::open(names(5), names(3)).expect("a meeting");
        b.cast("m0", Choice::For).expect("present member");
        assert!(b.cast("m0", Choice::Against).expect_err("twice").zh.contains("一次"));
        assert!(b.cast("m4", Choice::For).expect_err("absent").zh.contains("未到会"));
        assert!(b.cast("guest", Choice::For).expect_err("no member").zh.contains("本届成员"));
        assert!(Ballots::open(names(2), names(3)).is_err(), "a present non-member");
        b.cast("m1", Choice::For).expect("vote");
        let t = b.tally(VoteRule::COUNCIL);
        assert_eq!((t.for_, t.against, t.abstain, t.quorate, t.passed), (2, 0, 0, true, true));
    }

    #[test]
    fn a_vote_hash_covers_every_field() {
        let at = crate::instant::Micros::new(1_800_000_000_000_000);
        let h = vote_hash(VOTE_GENESIS, 1, at, "m1", "u1", Choice::For);
        assert_eq!(h.len(), 64);
        assert_ne!(h, vote_hash(VOTE_GENESIS, 1, at, "m1", "u1", Choice::Against));
        assert_ne!(h, vote_hash(VOTE_GENESIS, 2, at, "m1", "u1", Choice::For));
        assert_ne!(h, vote_hash(VOTE_GENESIS, 1, at, "m1u", "1", Choice::For), "fields are delimited");
        assert_ne!(h, vote_hash(&h, 1, at, "m1", "u1", Choice::For));
        let b = ballot_hash(VOTE_GENESIS, 1, "m1", Choice::For);
        assert_ne!(b, ballot_hash(VOTE_GENESIS, 1, "m1", Choice::Against));
        assert_ne!(b, ballot_hash(VOTE_GENESIS, 2, "m1", Choice::For));
        assert_ne!(b, ballot_hash(&h, 1, "m1", Choice::For));
        assert_ne!(b, vote_hash(VOTE_GENESIS, 1, crate::instant::Micros::new(0), "m1", "", Choice::For));
    }

    fn rule() -> impl Strategy<Value = VoteRule> {
        (
            prop_oneof![Just(None), Just(Some(Threshold::MoreThanHalf)), Just(Some(Threshold::TwoThirds))],
            prop_oneof![Just(Threshold::MoreThanHalf), Just(Threshold::TwoThirds)],
            prop_oneof![Just(Base::Present), Just(Base::Members)],
        )
            .prop_map(|(quorum, majority, base)| VoteRule { quorum, majority, base })
    }

    /// Members, present, and votes that fit them.
    fn meeting() -> impl Strategy<Value = (u32, u32, [u32; 3])> {
        (1u32..200).prop_flat_map(|members| {
            (0..=members).prop_flat_map(move |present| {
                (0..=present).prop_flat_map(move |f| {
                    (0..=present - f)
                        .prop_flat_map(move |a| (0..=present - f - a).prop_map(move |x| (members, present, [f, a, x])))
                })
            })
        })
    }

    /// The rule read the slow way, with fractions as people write them.
    fn naive(rule: VoteRule, members: u32, present: u32, votes: [u32; 3]) -> bool {
        let share = |t: Threshold, part: u32, whole: u32| {
            whole > 0
                && match t {
                    Threshold::MoreThanHalf => f64::from(part) > f64::from(whole) / 2.0,
                    Threshold::TwoThirds => f64::from(part) * 3.0 >= f64::from(whole) * 2.0,
                }
        };
        let quorate = rule.quorum.is_none_or(|q| share(q, present, members));
        let base = if rule.base == Base::Present { present } else { members };
        quorate && share(rule.majority, votes[0], base)
    }

    proptest! {
        #[test]
        fn a_tally_follows_its_rule(rule in rule(), (members, present, votes) in meeting()) {
            let t = tally(rule, members, present, votes);
            prop_assert_eq!(t.passed, naive(rule, members, present, votes));
            prop_assert!(!t.passed || t.quorate, "passed without a quorum");
        }

        #[test]
        fn one_more_for_never_defeats(rule in rule(), (members, present, votes) in meeting()) {
            let before = tally(rule, members, present, votes).passed;
            let [f, a, x] = votes;
            if a > 0 {
                prop_assert!(!before || tally(rule, members, present, [f + 1, a - 1, x]).passed);
            }
            if x > 0 {
                prop_assert!(!before || tally(rule, members, present, [f + 1, a, x - 1]).passed);
            }
        }

        #[test]
        fn stricter_rules_pass_less(quorum in prop_oneof![Just(None), Just(Some(Threshold::MoreThanHalf))],
                                   (members, present, votes) in meeting()) {
            let loose = VoteRule { quorum, majority: Threshold::MoreThanHalf, base: Base::Present };
            let two_thirds = VoteRule { majority: Threshold::TwoThirds, ..loose };
            let of_members = VoteRule { base: Base::Members, ..loose };
            let passed = |r| tally(r, members, present, votes).passed;
            prop_assert!(!passed(two_thirds) || passed(loose));
            prop_assert!(!passed(of_members) || passed(loose));
        }
    }
}
