//! Volunteers and 公益积分 (migration 0023). Every roster change first
//! touches the activity's row, which on PostgreSQL locks it to the end of
//! the transaction (on SQLite the write lock is taken up front), so two
//! sign-ups never both take the last place; a ledger entry is written only
//! after the last one of its resident (the primary key refuses a second
//! entry with the same number).

mod rows;

use async_trait::async_trait;
use rows::{
    ACTIVITY_COLUMNS, ActivityRow, BoardRow, OrgRow, POINTS_COLUMNS, PointsRow, ProfileRow, REDEMPTION_COLUMNS,
    REWARD_COLUMNS, RedemptionRow, RewardRow, SIGNUP_SELECT, SignupRow,
};
use shanzhi_domain::Micros;
use shanzhi_domain::volunteer::{POINTS_GENESIS, PointsEntry, SignupState, place_signup};
use shanzhi_store::{
    ActivityRecord, BoardLine, OrgRecord, ProfileRecord, RedemptionRecord, RewardRecord, SignupRecord, StoreError,
    StoreResult, VolunteerStore,
};
use shanzhi_store_sql_macros::sql_bounds;
use sqlx::{QueryBuilder, Row};

use crate::{SqlStore, map_err};

fn refused(what: impl Into<String>) -> StoreError {
    StoreError::Constraint(what.into())
}

/// Lock the activity's row (a no-op update) and read its capacity.
#[sql_bounds]
async fn lock_activity<DB>(conn: &mut DB::Connection, activity: &str) -> StoreResult<i64> {
    let mut q = QueryBuilder::<DB>::new("UPDATE activities SET updated_at = updated_at WHERE id = ");
    q.push_bind(activity.to_owned()).push(" RETURNING capacity");
    let row = q.build().fetch_optional(&mut *conn).await.map_err(map_err)?;
    let row = row.ok_or_else(|| refused(format!("no activity {activity}")))?;
    row.try_get(0usize).map_err(map_err)
}

/// Count of one state on an activity's roster.
#[sql_bounds]
async fn count_state<DB>(conn: &mut DB::Connection, activity: &str, state: SignupState) -> StoreResult<i64> {
    let mut q = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM activity_signups WHERE activity_id = ");
    q.push_bind(activity.to_owned()).push(" AND state = ").push_bind(state.as_str().to_owned());
    q.build().fetch_one(&mut *conn).await.map_err(map_err)?.try_get(0usize).map_err(map_err)
}

/// Give free places to those who wait, first come first; the promoted ids.
#[sql_bounds]
async fn promote<DB>(conn: &mut DB::Connection, activity: &str, capacity: i64) -> StoreResult<Vec<String>> {
    let confirmed = count_state::<DB>(conn, activity, SignupState::Confirmed).await?;
    let free = (capacity - confirmed).max(0);
    if free == 0 {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<DB>::new("SELECT user_id FROM activity_signups WHERE activity_id = ");
    q.push_bind(activity.to_owned()).push(" AND state = 'waiting' ORDER BY seq LIMIT ").push_bind(free);
    let rows = q.build().fetch_all(&mut *conn).await.map_err(map_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let user: String = r.try_get(0usize).map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("UPDATE activity_signups SET state = 'confirmed' WHERE activity_id = ");
        q.push_bind(activity.to_owned()).push(" AND user_id = ").push_bind(user.clone());
        q.build().execute(&mut *conn).await.map_err(map_err)?;
        out.push(user);
    }
    Ok(out)
}

/// Append `e` to `user`'s ledger in the caller's transaction, refusing an
/// entry that does not follow the last one.
#[sql_bounds]
async fn insert_points<DB>(conn: &mut DB::Connection, user: &str, e: &PointsEntry) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new("SELECT seq, hash FROM points_ledger WHERE user_id = ");
    q.push_bind(user.to_owned()).push(" ORDER BY seq DESC LIMIT 1");
    let last = match q.build().fetch_optional(&mut *conn).await.map_err(map_err)? {
        Some(r) => (r.try_get::<i64, _>(0usize).map_err(map_err)?, r.try_get::<String, _>(1usize).map_err(map_err)?),
        None => (0, POINTS_GENESIS.to_owned()),
    };
    if e.seq != last.0 + 1 || e.prev_hash != last.1 {
        return Err(refused(format!(
            "points entry {} of {user} does not follow entry {} (the ledger moved on: read it again)",
            e.seq, last.0
        )));
    }
    let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO points_ledger (user_id, {POINTS_COLUMNS}) "));
    q.push_values([e], |mut v, e| {
        v.push_bind(user.to_owned())
            .push_bind(e.seq)
            .push_bind(e.at.get())
            .push_bind(e.kind.as_str().to_owned())
            .push_bind(e.amount)
            .push_bind(e.balance)
            .push_bind(e.community.clone())
            .push_bind(e.reference.clone())
            .push_bind(e.prev_hash.clone())
            .push_bind(e.hash.clone());
    });
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

/// Run an update of one row (by its key); did it change it?
#[sql_bounds]
async fn changed_one<DB>(conn: &mut DB::Connection, q: &mut QueryBuilder<DB>) -> StoreResult<bool> {
    q.push(" RETURNING 1");
    Ok(q.build().fetch_optional(&mut *conn).await.map_err(map_err)?.is_some())
}

/// A list's bound as bound in SQL (lists that people read stop at 100,000).
fn limit(n: usize) -> i64 {
    i64::try_from(n.min(100_000)).unwrap_or(100_000)
}

/// A bound as given (`audit verify` reads whole ledgers).
fn whole(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[sql_bounds]
#[async_trait]
impl<DB> VolunteerStore for SqlStore<DB> {
    async fn put_profile(&self, p: &ProfileRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO volunteer_profiles (user_id, skills, skill_note, availability, on_board, joined_at, \
             updated_at) ",
        );
        q.push_values([p], |mut v, p| {
            v.push_bind(p.user_id.clone())
                .push_bind(p.skills.clone())
                .push_bind(p.skill_note.clone())
                .push_bind(p.availability.clone())
                .push_bind(i64::from(p.on_board))
                .push_bind(p.joined_at.get())
                .push_bind(p.updated_at.get());
        });
        q.push(
            " ON CONFLICT (user_id) DO UPDATE SET skills = excluded.skills, skill_note = excluded.skill_note, \
             availability = excluded.availability, on_board = excluded.on_board, updated_at = excluded.updated_at",
        );
        let _writer = self.writer().await;
        self.execute(&mut q).await
    }

    async fn profile(&self, user: &str) -> StoreResult<Option<ProfileRecord>> {
        self.fetch_by_key::<ProfileRow, _>(
            "SELECT user_id, skills, skill_note, availability, on_board, joined_at, updated_at \
             FROM volunteer_profiles WHERE user_id = ",
            user,
        )
        .await
    }

    async fn create_org(&self, o: &OrgRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO volunteer_orgs (id, community_code, name, kind, created_at, created_by) ",
        );
        q.push_values([o], |mut v, o| {
            v.push_bind(o.id.clone())
                .push_bind(o.community.clone())
                .push_bind(o.name.clone())
                .push_bind(o.kind.clone())
                .push_bind(o.created_at.get())
                .push_bind(o.created_by.clone());
        });
        let _writer = self.writer().await;
        self.execute(&mut q).await
    }

    async fn org(&self, id: &str) -> StoreResult<Option<OrgRecord>> {
        self.fetch_by_key::<OrgRow, _>(
            "SELECT id, community_code, name, kind, created_at, created_by FROM volunteer_orgs WHERE id = ",
            id,
        )
        .await
    }

    async fn orgs(&self, community: &str, n: usize) -> StoreResult<Vec<OrgRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT id, community_code, name, kind, created_at, created_by FROM volunteer_orgs WHERE community_code = ",
        );
        q.push_bind(community.to_owned()).push(" ORDER BY name, id LIMIT ").push_bind(limit(n));
        self.fetch_records::<OrgRow, _>(&mut q).await
    }

    async fn add_org_member(&self, org: &str, user: &str, at: Micros) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO volunteer_org_members (org_id, user_id, added_at) ");
        q.push_values([()], |mut v, ()| {
            v.push_bind(org.to_owned()).push_bind(user.to_owned()).push_bind(at.get());
        });
        q.push(" ON CONFLICT (org_id, user_id) DO NOTHING");
        let _writer = self.writer().await;
        self.execute(&mut q).await
    }

    async fn orgs_of_user(&self, user: &str) -> StoreResult<Vec<OrgRecord>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT o.id, o.community_code, o.name, o.kind, o.created_at, o.created_by FROM volunteer_orgs o \
             JOIN volunteer_org_members m ON m.org_id = o.id WHERE m.user_id = ",
        );
        q.push_bind(user.to_owned()).push(" ORDER BY o.name, o.id LIMIT 1000");
        self.fetch_records::<OrgRow, _>(&mut q).await
    }

    async fn create_activity(&self, a: &ActivityRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO activities ({ACTIVITY_COLUMNS}) "));
        q.push_values([a], |mut v, a| {
            v.push_bind(a.id.clone())
                .push_bind(a.community.clone())
                .push_bind(a.org_id.clone())
                .push_bind(a.title.clone())
                .push_bind(a.description.clone())
                .push_bind(a.place.clone())
                .push_bind(a.lng)
                .push_bind(a.lat)
                .push_bind(a.starts_at.get())
                .push_bind(a.ends_at.get())
                .push_bind(a.capacity)
                .push_bind(a.points)
                .push_bind(a.code_secret.clone())
                .push_bind(a.created_by.clone())
                .push_bind(a.created_at.get())
                .push_bind(a.updated_at.get());
        });
        let _writer = self.writer().await;
        self.execute(&mut q).await
    }

    async fn update_activity(&self, a: &ActivityRecord) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        lock_activity::<DB>(&mut tx, &a.id).await?;
        if count_state::<DB>(&mut tx, &a.id, SignupState::Confirmed).await? > a.capacity {
            return Err(refused("the capacity is below the confirmed sign-ups"));
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE activities SET title = ");
        q.push_bind(a.title.clone()).push(", description = ").push_bind(a.description.clone());
        q.push(", place = ").push_bind(a.place.clone()).push(", lng = ").push_bind(a.lng);
        q.push(", lat = ").push_bind(a.lat).push(", starts_at = ").push_bind(a.starts_at.get());
        q.push(", ends_at = ").push_bind(a.ends_at.get()).push(", capacity = ").push_bind(a.capacity);
        q.push(", points = ").push_bind(a.points).push(", updated_at = ").push_bind(a.updated_at.get());
        q.push(" WHERE id = ").push_bind(a.id.clone());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        promote::<DB>(&mut tx, &a.id, a.capacity).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn activity(&self, id: &str) -> StoreResult<Option<ActivityRecord>> {
        self.fetch_by_key::<ActivityRow, _>(format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = "), id).await
    }

    async fn activities(&self, community: &str, from: Micros, n: usize) -> StoreResult<Vec<ActivityRecord>> {
        let mut q =
            QueryBuilder::<DB>::new(format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE community_code = "));
        q.push_bind(community.to_owned()).push(" AND ends_at >= ").push_bind(from.get());
        q.push(" ORDER BY starts_at, id LIMIT ").push_bind(limit(n));
        self.fetch_records::<ActivityRow, _>(&mut q).await
    }

    async fn sign_up(&self, activity: &str, user: &str, at: Micros) -> StoreResult<SignupState> {
        let (_writer, mut tx) = self.begin_write().await?;
        let capacity = lock_activity::<DB>(&mut tx, activity).await?;
        let mut q = QueryBuilder::<DB>::new("SELECT state FROM activity_signups WHERE activity_id = ");
        q.push_bind(activity.to_owned()).push(" AND user_id = ").push_bind(user.to_owned());
        let existing: Option<String> = match q.build().fetch_optional(&mut *tx).await.map_err(map_err)? {
            Some(r) => Some(r.try_get(0usize).map_err(map_err)?),
            None => None,
        };
        if existing.as_deref().is_some_and(|s| s != SignupState::Cancelled.as_str()) {
            return Err(refused("already signed up"));
        }
        let confirmed = count_state::<DB>(&mut tx, activity, SignupState::Confirmed).await?;
        let state = place_signup(confirmed, capacity);
        let seq = crate::next_number::<DB>(&mut tx, "activity_signups", "seq", "activity_id", activity).await?;
        let mut q = QueryBuilder::<DB>::new("");
        if existing.is_some() {
            q.push("UPDATE activity_signups SET seq = ").push_bind(seq);
            q.push(", state = ").push_bind(state.as_str().to_owned()).push(", signed_at = ").push_bind(at.get());
            q.push(" WHERE activity_id = ").push_bind(activity.to_owned());
            q.push(" AND user_id = ").push_bind(user.to_owned());
        } else {
            q.push("INSERT INTO activity_signups (activity_id, user_id, seq, state, signed_at) ");
            q.push_values([()], |mut v, ()| {
                v.push_bind(activity.to_owned())
                    .push_bind(user.to_owned())
                    .push_bind(seq)
                    .push_bind(state.as_str().to_owned())
                    .push_bind(at.get());
            });
        }
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(state)
    }

    async fn cancel_signup(&self, activity: &str, user: &str, _at: Micros) -> StoreResult<Option<String>> {
        let (_writer, mut tx) = self.begin_write().await?;
        let capacity = lock_activity::<DB>(&mut tx, activity).await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE activity_signups SET state = 'cancelled' WHERE activity_id = ");
        q.push_bind(activity.to_owned()).push(" AND user_id = ").push_bind(user.to_owned());
        q.push(" AND state <> 'cancelled' AND checked_in_at IS NULL");
        if !changed_one::<DB>(&mut tx, &mut q).await? {
            return Err(refused("not signed up, or already checked in"));
        }
        let promoted = promote::<DB>(&mut tx, activity, capacity).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(promoted.into_iter().next())
    }

    async fn signups(&self, activity: &str, n: usize) -> StoreResult<Vec<SignupRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{SIGNUP_SELECT}s.activity_id = "));
        q.push_bind(activity.to_owned()).push(" ORDER BY s.seq LIMIT ").push_bind(limit(n));
        self.fetch_records::<SignupRow, _>(&mut q).await
    }

    async fn signup(&self, activity: &str, user: &str) -> StoreResult<Option<SignupRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{SIGNUP_SELECT}s.activity_id = "));
        q.push_bind(activity.to_owned()).push(" AND s.user_id = ").push_bind(user.to_owned());
        self.fetch_record::<SignupRow, _>(&mut q).await
    }

    async fn signups_of_user(&self, user: &str, n: usize) -> StoreResult<Vec<SignupRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{SIGNUP_SELECT}s.user_id = "));
        q.push_bind(user.to_owned()).push(" ORDER BY s.signed_at DESC LIMIT ").push_bind(limit(n));
        self.fetch_records::<SignupRow, _>(&mut q).await
    }

    async fn check_in(&self, activity: &str, user: &str, at: Micros, point: Option<(f64, f64)>) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        lock_activity::<DB>(&mut tx, activity).await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE activity_signups SET checked_in_at = ");
        q.push_bind(at.get()).push(", check_in_lng = ").push_bind(point.map(|p| p.0));
        q.push(", check_in_lat = ").push_bind(point.map(|p| p.1));
        q.push(" WHERE activity_id = ").push_bind(activity.to_owned()).push(" AND user_id = ");
        q.push_bind(user.to_owned()).push(" AND state = 'confirmed' AND checked_in_at IS NULL");
        if !changed_one::<DB>(&mut tx, &mut q).await? {
            return Err(refused("not confirmed, or already checked in"));
        }
        tx.commit().await.map_err(map_err)
    }

    async fn check_out(
        &self,
        activity: &str,
        user: &str,
        at: Micros,
        minutes: i64,
        earned: Option<&PointsEntry>,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        lock_activity::<DB>(&mut tx, activity).await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE activity_signups SET checked_out_at = ");
        q.push_bind(at.get()).push(", minutes = ").push_bind(minutes);
        q.push(" WHERE activity_id = ").push_bind(activity.to_owned()).push(" AND user_id = ");
        q.push_bind(user.to_owned());
        q.push(" AND state = 'confirmed' AND checked_in_at IS NOT NULL AND checked_out_at IS NULL");
        if !changed_one::<DB>(&mut tx, &mut q).await? {
            return Err(refused("not checked in, or already checked out"));
        }
        if let Some(e) = earned {
            insert_points::<DB>(&mut tx, user, e).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn append_points(&self, user: &str, entry: &PointsEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        insert_points::<DB>(&mut tx, user, entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn points(&self, user: &str, n: usize) -> StoreResult<Vec<PointsEntry>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {POINTS_COLUMNS} FROM points_ledger WHERE user_id = "));
        q.push_bind(user.to_owned()).push(" ORDER BY seq LIMIT ").push_bind(whole(n));
        self.fetch_records::<PointsRow, _>(&mut q).await
    }

    async fn last_points(&self, user: &str) -> StoreResult<Option<PointsEntry>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {POINTS_COLUMNS} FROM points_ledger WHERE user_id = "));
        q.push_bind(user.to_owned()).push(" ORDER BY seq DESC LIMIT 1");
        self.fetch_record::<PointsRow, _>(&mut q).await
    }

    async fn points_users(&self, n: usize) -> StoreResult<Vec<String>> {
        let mut q = QueryBuilder::<DB>::new("SELECT DISTINCT user_id FROM points_ledger ORDER BY user_id LIMIT ");
        q.push_bind(whole(n));
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(|r| r.try_get(0usize).map_err(map_err)).collect()
    }

    async fn board(&self, community: &str, from: Micros, to: Micros, n: usize) -> StoreResult<Vec<BoardLine>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT p.user_id, u.display_name, CAST(SUM(p.amount) AS BIGINT) AS total FROM points_ledger p \
             JOIN users u ON u.id = p.user_id \
             LEFT JOIN volunteer_profiles v ON v.user_id = p.user_id \
             WHERE p.kind = 'earned' AND (v.on_board IS NULL OR v.on_board = 1) AND p.community_code = ",
        );
        q.push_bind(community.to_owned()).push(" AND p.at >= ").push_bind(from.get());
        q.push(" AND p.at < ").push_bind(to.get());
        q.push(" GROUP BY p.user_id, u.display_name ORDER BY total DESC, p.user_id LIMIT ").push_bind(limit(n));
        self.fetch_records::<BoardRow, _>(&mut q).await
    }

    async fn create_reward(&self, r: &RewardRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO reward_items ({REWARD_COLUMNS}) "));
        q.push_values([r], |mut v, r| {
            v.push_bind(r.id.clone())
                .push_bind(r.community.clone())
                .push_bind(r.org_id.clone())
                .push_bind(r.name.clone())
                .push_bind(r.description.clone())
                .push_bind(r.price)
                .push_bind(r.stock)
                .push_bind(r.created_by.clone())
                .push_bind(r.created_at.get());
        });
        let _writer = self.writer().await;
        self.execute(&mut q).await
    }

    async fn reward(&self, id: &str) -> StoreResult<Option<RewardRecord>> {
        self.fetch_by_key::<RewardRow, _>(format!("SELECT {REWARD_COLUMNS} FROM reward_items WHERE id = "), id).await
    }

    async fn rewards(&self, community: Option<&str>, n: usize) -> StoreResult<Vec<RewardRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {REWARD_COLUMNS} FROM reward_items"));
        if let Some(c) = community {
            q.push(" WHERE community_code = ").push_bind(c.to_owned());
        }
        q.push(" ORDER BY community_code, name, id LIMIT ").push_bind(limit(n));
        self.fetch_records::<RewardRow, _>(&mut q).await
    }

    async fn redeem(&self, r: &RedemptionRecord, entry: &PointsEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE reward_items SET stock = stock - 1 WHERE id = ");
        q.push_bind(r.item_id.clone()).push(" AND stock > 0");
        if !changed_one::<DB>(&mut tx, &mut q).await? {
            return Err(refused("out of stock"));
        }
        insert_points::<DB>(&mut tx, &r.user_id, entry).await?;
        let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO redemptions ({REDEMPTION_COLUMNS}) "));
        q.push_values([r], |mut v, r| {
            v.push_bind(r.id.clone())
                .push_bind(r.item_id.clone())
                .push_bind(r.user_id.clone())
                .push_bind(r.code_hash.clone())
                .push_bind(r.code_hint.clone())
                .push_bind(r.price)
                .push_bind(r.at.get())
                .push_bind(r.confirmed_at.map(Micros::get))
                .push_bind(r.confirmed_by.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn redemption_by_code(&self, code_hash: &str) -> StoreResult<Option<RedemptionRecord>> {
        self.fetch_by_key::<RedemptionRow, _>(
            format!("SELECT {REDEMPTION_COLUMNS} FROM redemptions WHERE code_hash = "),
            code_hash,
        )
        .await
    }

    async fn confirm_redemption(&self, id: &str, by: &str, at: Micros) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE redemptions SET confirmed_at = ");
        q.push_bind(at.get()).push(", confirmed_by = ").push_bind(by.to_owned());
        q.push(" WHERE id = ").push_bind(id.to_owned()).push(" AND confirmed_at IS NULL");
        if !changed_one::<DB>(&mut tx, &mut q).await? {
            return Err(refused("already confirmed"));
        }
        tx.commit().await.map_err(map_err)
    }

    async fn redemptions_of_user(&self, user: &str, n: usize) -> StoreResult<Vec<RedemptionRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {REDEMPTION_COLUMNS} FROM redemptions WHERE user_id = "));
        q.push_bind(user.to_owned()).push(" ORDER BY at DESC, id LIMIT ").push_bind(limit(n));
        self.fetch_records::<RedemptionRow, _>(&mut q).await
    }
}
