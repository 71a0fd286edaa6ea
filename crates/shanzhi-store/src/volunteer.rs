//! Volunteers and 公益积分 storage (migration 0023): profiles, organisations
//! and their members, activities and their rosters, each resident's points
//! ledger, rewards and redemptions. The rules (who may, where a sign-up
//! goes, whether a balance allows an entry) are the domain's and the
//! application's; the store applies each change in one transaction with
//! what it depends on, and refuses (`Constraint`) when the state it was
//! decided on has moved: a ledger entry that does not follow the last one,
//! a reward out of stock, a code already confirmed, a check-in twice.

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::volunteer::{PointsEntry, SignupState};

use crate::StoreResult;

/// A resident's volunteer profile (`skills`: a JSON list of skill codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    pub user_id: String,
    pub skills: String,
    pub skill_note: String,
    pub availability: String,
    /// Shown on the community leaderboard (a resident may opt out).
    pub on_board: bool,
    pub joined_at: Micros,
    pub updated_at: Micros,
}

/// An organisation: 社会组织, 志愿队 or 商家, of one community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    pub id: String,
    pub community: String,
    pub name: String,
    pub kind: String,
    pub created_at: Micros,
    pub created_by: String,
}

/// An activity as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRecord {
    pub id: String,
    pub community: String,
    pub org_id: Option<String>,
    pub title: String,
    pub description: String,
    pub place: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub starts_at: Micros,
    pub ends_at: Micros,
    pub capacity: i64,
    pub points: i64,
    /// Key of the rotating check-in code; never shown.
    pub code_secret: String,
    pub created_by: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

/// One person on an activity's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct SignupRecord {
    pub activity_id: String,
    pub user_id: String,
    /// The person's display name (read with the roster).
    pub name: String,
    /// Order of signing up (a re-sign-up after cancelling goes to the end).
    pub seq: i64,
    pub state: SignupState,
    pub signed_at: Micros,
    pub checked_in_at: Option<Micros>,
    pub check_in_lng: Option<f64>,
    pub check_in_lat: Option<f64>,
    pub checked_out_at: Option<Micros>,
    pub minutes: Option<i64>,
}

/// A reward of the catalogue (`org_id` None: the community's committee offers it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRecord {
    pub id: String,
    pub community: String,
    pub org_id: Option<String>,
    pub name: String,
    pub description: String,
    pub price: i64,
    pub stock: i64,
    pub created_by: String,
    pub created_at: Micros,
}

/// A redemption: the code is kept only as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionRecord {
    pub id: String,
    pub item_id: String,
    pub user_id: String,
    pub code_hash: String,
    /// The code's last characters, to tell one's redemptions apart.
    pub code_hint: String,
    pub price: i64,
    pub at: Micros,
    pub confirmed_at: Option<Micros>,
    pub confirmed_by: Option<String>,
}

/// A line of a community's leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardLine {
    pub user_id: String,
    pub name: String,
    pub points: i64,
}

#[async_trait]
pub trait VolunteerStore: Send + Sync {
    /// Create or replace a resident's profile (`joined_at` kept from the first).
    async fn put_profile(&self, profile: &ProfileRecord) -> StoreResult<()>;
    async fn profile(&self, user: &str) -> StoreResult<Option<ProfileRecord>>;

    /// `Constraint` if the community already has an organisation of that name.
    async fn create_org(&self, org: &OrgRecord) -> StoreResult<()>;
    async fn org(&self, id: &str) -> StoreResult<Option<OrgRecord>>;
    /// A community's organisations, by name (at most `limit`).
    async fn orgs(&self, community: &str, limit: usize) -> StoreResult<Vec<OrgRecord>>;
    /// Add a member (again: nothing changes).
    async fn add_org_member(&self, org: &str, user: &str, at: Micros) -> StoreResult<()>;
    /// The organisations `user` is a member of.
    async fn orgs_of_user(&self, user: &str) -> StoreResult<Vec<OrgRecord>>;

    async fn create_activity(&self, activity: &ActivityRecord) -> StoreResult<()>;
    /// Replace what an organiser may edit (title, description, place,
    /// times, capacity, points); a larger capacity gives places to those
    /// who wait, in order. `Constraint` if the capacity is below the
    /// confirmed sign-ups.
    async fn update_activity(&self, activity: &ActivityRecord) -> StoreResult<()>;
    async fn activity(&self, id: &str) -> StoreResult<Option<ActivityRecord>>;
    /// A community's activities that have not ended by `from`, soonest first.
    async fn activities(&self, community: &str, from: Micros, limit: usize) -> StoreResult<Vec<ActivityRecord>>;

    /// Sign `user` up: a place if fewer than the capacity are confirmed,
    /// else the waiting list. `Constraint` if already signed up.
    async fn sign_up(&self, activity: &str, user: &str, at: Micros) -> StoreResult<SignupState>;
    /// Cancel `user`'s sign-up; a freed place goes to the first who waits
    /// (their id returned). `Constraint` if not signed up or checked in.
    async fn cancel_signup(&self, activity: &str, user: &str, at: Micros) -> StoreResult<Option<String>>;
    /// The roster in order of signing up (cancelled ones included).
    async fn signups(&self, activity: &str, limit: usize) -> StoreResult<Vec<SignupRecord>>;
    async fn signup(&self, activity: &str, user: &str) -> StoreResult<Option<SignupRecord>>;
    /// A resident's sign-ups, latest first.
    async fn signups_of_user(&self, user: &str, limit: usize) -> StoreResult<Vec<SignupRecord>>;
    /// Record the check-in (and the phone's position if given); `Constraint`
    /// unless confirmed and not yet checked in.
    async fn check_in(&self, activity: &str, user: &str, at: Micros, point: Option<(f64, f64)>) -> StoreResult<()>;
    /// Record the check-out with its minutes and, in the same transaction,
    /// the points it earns (an entry of the user's ledger); `Constraint`
    /// unless checked in and not out, or if the entry does not follow.
    async fn check_out(
        &self,
        activity: &str,
        user: &str,
        at: Micros,
        minutes: i64,
        earned: Option<&PointsEntry>,
    ) -> StoreResult<()>;

    /// Append an entry to `user`'s ledger; `Constraint` if it does not
    /// follow the last entry.
    async fn append_points(&self, user: &str, entry: &PointsEntry) -> StoreResult<()>;
    /// A resident's ledger in order (at most `limit` entries).
    async fn points(&self, user: &str, limit: usize) -> StoreResult<Vec<PointsEntry>>;
    /// The last entry of a resident's ledger.
    async fn last_points(&self, user: &str) -> StoreResult<Option<PointsEntry>>;
    /// Residents who have a ledger.
    async fn points_users(&self, limit: usize) -> StoreResult<Vec<String>>;
    /// Points earned in `community` in `[from, to)` per resident, most first,
    /// leaving out those who opted out of the leaderboard.
    async fn board(&self, community: &str, from: Micros, to: Micros, limit: usize) -> StoreResult<Vec<BoardLine>>;

    async fn create_reward(&self, item: &RewardRecord) -> StoreResult<()>;
    async fn reward(&self, id: &str) -> StoreResult<Option<RewardRecord>>;
    /// Rewards (of one community, or all), by community and name.
    async fn rewards(&self, community: Option<&str>, limit: usize) -> StoreResult<Vec<RewardRecord>>;
    /// Take one from stock, debit the points (`entry`) and record the
    /// redemption, in one transaction; `Constraint` if out of stock or the
    /// entry does not follow.
    async fn redeem(&self, redemption: &RedemptionRecord, entry: &PointsEntry) -> StoreResult<()>;
    async fn redemption_by_code(&self, code_hash: &str) -> StoreResult<Option<RedemptionRecord>>;
    /// Mark it confirmed; `Constraint` if it was already.
    async fn confirm_redemption(&self, id: &str, by: &str, at: Micros) -> StoreResult<()>;
    /// A resident's redemptions, latest first.
    async fn redemptions_of_user(&self, user: &str, limit: usize) -> StoreResult<Vec<RedemptionRecord>>;
}
