//! Rows of the volunteer tables and their records.

use shanzhi_domain::volunteer::{PointsEntry, PointsKind, SignupState};
use shanzhi_store::{
    ActivityRecord, BoardLine, OrgRecord, ProfileRecord, RedemptionRecord, RewardRecord, SignupRecord, StoreError,
    StoreResult,
};
use shanzhi_store_sql_macros::SqlRow;

pub(super) const ACTIVITY_COLUMNS: &str = "id, community_code, org_id, title, description, place, lng, lat, starts_at, \
     ends_at, capacity, points, code_secret, created_by, created_at, updated_at";
pub(super) const SIGNUP_SELECT: &str = "SELECT s.activity_id, s.user_id, u.display_name, s.seq, s.state, s.signed_at, \
     s.checked_in_at, s.check_in_lng, s.check_in_lat, s.checked_out_at, s.minutes \
     FROM activity_signups s JOIN users u ON u.id = s.user_id WHERE ";
pub(super) const POINTS_COLUMNS: &str = "seq, at, kind, amount, balance, community_code, reference, prev_hash, hash";
pub(super) const REWARD_COLUMNS: &str =
    "id, community_code, org_id, name, description, price, stock, created_by, created_at";
pub(super) const REDEMPTION_COLUMNS: &str =
    "id, item_id, user_id, code_hash, code_hint, price, at, confirmed_at, confirmed_by";

#[derive(SqlRow)]
pub(super) struct ProfileRow {
    user_id: String,
    skills: String,
    skill_note: String,
    availability: String,
    on_board: i64,
    joined_at: i64,
    updated_at: i64,
}

impl From<ProfileRow> for ProfileRecord {
    fn from(r: ProfileRow) -> ProfileRecord {
        ProfileRecord {
            user_id: r.user_id,
            skills: r.skills,
            skill_note: r.skill_note,
            availability: r.availability,
            on_board: r.on_board != 0,
            joined_at: r.joined_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

#[derive(SqlRow)]
pub(super) struct OrgRow {
    id: String,
    community_code: String,
    name: String,
    kind: String,
    created_at: i64,
    created_by: String,
}

impl From<OrgRow> for OrgRecord {
    fn from(r: OrgRow) -> OrgRecord {
        OrgRecord {
            id: r.id,
            community: r.community_code,
            name: r.name,
            kind: r.kind,
            created_at: r.created_at.into(),
            created_by: r.created_by,
        }
    }
}

#[derive(SqlRow)]
pub(super) struct ActivityRow {
    id: String,
    community_code: String,
    org_id: Option<String>,
    title: String,
    description: String,
    place: String,
    lng: Option<f64>,
    lat: Option<f64>,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    points: i64,
    code_secret: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

impl From<ActivityRow> for ActivityRecord {
    fn from(r: ActivityRow) -> ActivityRecord {
        ActivityRecord {
            id: r.id,
            community: r.community_code,
            org_id: r.org_id,
            title: r.title,
            description: r.description,
            place: r.place,
            lng: r.lng,
            lat: r.lat,
            starts_at: r.starts_at.into(),
            ends_at: r.ends_at.into(),
            capacity: r.capacity,
            points: r.points,
            code_secret: r.code_secret,
            created_by: r.created_by,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

#[derive(SqlRow)]
pub(super) struct SignupRow {
    activity_id: String,
    user_id: String,
    display_name: String,
    seq: i64,
    state: String,
    signed_at: i64,
    checked_in_at: Option<i64>,
    check_in_lng: Option<f64>,
    check_in_lat: Option<f64>,
    checked_out_at: Option<i64>,
    minutes: Option<i64>,
}

impl TryFrom<SignupRow> for SignupRecord {
    type Error = StoreError;
    fn try_from(r: SignupRow) -> StoreResult<SignupRecord> {
        Ok(SignupRecord {
            activity_id: r.activity_id,
            user_id: r.user_id,
            name: r.display_name,
            seq: r.seq,
            state: r.state.parse::<SignupState>().map_err(|e| StoreError::Corrupt(e.en))?,
            signed_at: r.signed_at.into(),
            checked_in_at: r.checked_in_at.map(Into::into),
            check_in_lng: r.check_in_lng,
            check_in_lat: r.check_in_lat,
            checked_out_at: r.checked_out_at.map(Into::into),
            minutes: r.minutes,
        })
    }
}

#[derive(SqlRow)]
pub(super) struct PointsRow {
    seq: i64,
    at: i64,
    kind: String,
    amount: i64,
    balance: i64,
    community_code: String,
    reference: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<PointsRow> for PointsEntry {
    type Error = StoreError;
    fn try_from(r: PointsRow) -> StoreResult<PointsEntry> {
        Ok(PointsEntry {
            seq: r.seq,
            at: r.at.into(),
            kind: r.kind.parse::<PointsKind>().map_err(|e| StoreError::Corrupt(e.en))?,
            amount: r.amount,
            balance: r.balance,
            community: r.community_code,
            reference: r.reference,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[derive(SqlRow)]
pub(super) struct BoardRow {
    user_id: String,
    display_name: String,
    total: i64,
}

impl From<BoardRow> for BoardLine {
    fn from(r: BoardRow) -> BoardLine {
        BoardLine { user_id: r.user_id, name: r.display_name, points: r.total }
    }
}

#[derive(SqlRow)]
pub(super) struct RewardRow {
    id: String,
    community_code: String,
    org_id: Option<String>,
    name: String,
    description: String,
    price: i64,
    stock: i64,
    created_by: String,
    created_at: i64,
}

impl From<RewardRow> for RewardRecord {
    fn from(r: RewardRow) -> RewardRecord {
        RewardRecord {
            id: r.id,
            community: r.community_code,
            org_id: r.org_id,
            name: r.name,
            description: r.description,
            price: r.price,
            stock: r.stock,
            created_by: r.created_by,
            created_at: r.created_at.into(),
        }
    }
}

#[derive(SqlRow)]
pub(super) struct RedemptionRow {
    id: String,
    item_id: String,
    user_id: String,
    code_hash: String,
    code_hint: String,
    price: i64,
    at: i64,
    confirmed_at: Option<i64>,
    confirmed_by: Option<String>,
}

impl From<RedemptionRow> for RedemptionRecord {
    fn from(r: RedemptionRow) -> RedemptionRecord {
        RedemptionRecord {
            id: r.id,
            item_id: r.item_id,
            user_id: r.user_id,
            code_hash: r.code_hash,
            code_hint: r.code_hint,
            price: r.price,
            at: r.at.into(),
            confirmed_at: r.confirmed_at.map(Into::into),
            confirmed_by: r.confirmed_by,
        }
    }
}
