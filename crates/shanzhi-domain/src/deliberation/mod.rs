//! 以事聚人、聚人成事: residents decide together. The rules of it, without
//! IO: work methods as data (the five-step method and others), council votes
//! and residents' polls with their quorum and majority, public notice on the
//! working-day calendar, and the community fund's double-entry ledger.

pub mod budget;
pub mod fund_list;
pub mod ledger;
pub mod method;
pub mod notice;
pub mod proposal;
pub mod vote;

pub use budget::{Budget, BudgetLine};
pub use fund_list::{FundLists, ListItem};
pub use ledger::{Books, Fen, FundSource, LedgerEntry, Posting};
pub use method::{Artefact, Body, Step, WorkMethod};
pub use notice::Notice;
pub use proposal::{Origin, Stage, StepReport};
pub use vote::{Ballots, Base, Choice, Tally, Threshold, VOTE_GENESIS, VoteRule, ballot_hash, vote_hash};
