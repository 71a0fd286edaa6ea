//! 公益积分: a resident's account (balance, the year's totals, the ledger),
//! the catalogue of rewards, redemption with a one-time code that the shop
//! confirms, and a community's leaderboard of the year.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shanzhi_domain::Micros;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::volunteer::{MAX_PRICE, OrgKind, PointsKind, append_points, bounded, plain_text};
use shanzhi_store::{RedemptionRecord, RewardRecord};

use super::{LIST_LIMIT, bad, conflict, id_ok, iso, refused};
use crate::access::Scoped;
use crate::deliberation::community_code;
use crate::{AppError, AppResult};

/// Most entries an account shows (the latest).
const LEDGER_SHOWN: usize = 200;
/// Characters of a redemption code: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 10;

/// An entry of a resident's ledger.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsLine {
    pub seq: i64,
    pub at: String,
    pub kind: PointsKind,
    /// 获得, 兑换, 过期.
    pub kind_name: String,
    pub amount: i64,
    pub balance: i64,
    pub reference: String,
}

/// A resident's points.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsAccount {
    pub balance: i64,
    pub year: i16,
    pub earned_this_year: i64,
    pub redeemed_this_year: i64,
    /// The latest entries, newest first.
    pub entries: Vec<PointsLine>,
}

/// A reward of the catalogue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardItem {
    pub id: String,
    pub community: String,
    /// Who offers it: a shop's name, or 社区居民委员会.
    pub offered_by: String,
    pub name: String,
    pub description: String,
    pub price: i64,
    pub stock: i64,
}

/// A new reward.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RewardItemForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub price: i64,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100000))]
    pub stock: i64,
    /// The shop that offers it (none: the committee).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub org_id: Option<String>,
}

/// A redemption as its resident sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardRedemption {
    pub id: String,
    pub item_name: String,
    pub price: i64,
    pub at: String,
    /// The code to show at the shop: only in the answer that issues it
    /// (kept nowhere but as its hash).
    pub code: Option<String>,
    /// The code's last characters.
    pub code_hint: String,
    pub confirmed: bool,
    pub confirmed_at: Option<String>,
}

/// What the shop sees when it confirms a code.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmedRedemption {
    pub item_name: String,
    pub price: i64,
    /// The resident's name.
    pub resident: String,
    pub confirmed_at: String,
}

/// A line of the leaderboard.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderboardLine {
    pub rank: usize,
    pub name: String,
    pub points: i64,
}

fn code_hash(code: &str) -> String {
    Sha256::digest(format!("shanzhi/redemption/v1\n{code}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_code() -> AppResult<String> {
    let mut bytes = [0u8; CODE_LEN];
    getrandom::fill(&mut bytes).map_err(|_| AppError::internal("random source"))?;
    // 256 is not a multiple of 31: the bias (under 1 %) costs a fraction of a bit.
    Ok(bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])).collect())
}

fn year_bounds(year: i16) -> (Micros, Micros) {
    let start = |y: i16| {
        jiff::civil::date(y, 1, 1)
            .at(0, 0, 0, 0)
            .to_zoned_datetime(shanzhi_domain::calendar::china())
            .map(|z| Micros::from_timestamp(z.timestamp()))
            .unwrap_or(Micros::ZERO)
    };
    (start(year), start(year.saturating_add(1)))
}

impl Scoped<'_> {
    fn this_year(&self) -> i16 {
        self.app.now().to_zoned_datetime(shanzhi_domain::calendar::china()).year()
    }

    /// The caller's points: balance, the year's totals and the latest entries.
    pub async fn my_points(&self) -> AppResult<PointsAccount> {
        let me = self.volunteer_id()?;
        let entries = self.app.store.points(&me, 100_000).await?;
        let year = self.this_year();
        let (from, to) = year_bounds(year);
        let in_year = |k: PointsKind| {
            entries.iter().filter(|e| e.kind == k && e.at >= from && e.at < to).map(|e| e.amount).sum::<i64>()
        };
        Ok(PointsAccount {
            balance: entries.last().map_or(0, |e| e.balance),
            year,
            earned_this_year: in_year(PointsKind::Earned),
            redeemed_this_year: in_year(PointsKind::Redeemed),
            entries: entries
                .iter()
                .rev()
                .take(LEDGER_SHOWN)
                .map(|e| PointsLine {
                    seq: e.seq,
                    at: iso(e.at),
                    kind: e.kind,
                    kind_name: e.kind.label_zh().to_owned(),
                    amount: e.amount,
                    balance: e.balance,
                    reference: e.reference.clone(),
                })
                .collect(),
        })
    }

    /// A community's leaderboard of the year, without those who opted out.
    pub async fn leaderboard(&self, community: &str) -> AppResult<Vec<LeaderboardLine>> {
        let code = community_code(community)?;
        let (from, to) = year_bounds(self.this_year());
        let lines = self.app.store.board(code.as_str(), from, to, 50).await?;
        Ok(lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| LeaderboardLine { rank: i + 1, name: l.name, points: l.points })
            .collect())
    }

    async fn item_view(&self, r: RewardRecord) -> AppResult<RewardItem> {
        let offered_by = match &r.org_id {
            Some(o) => self.app.store.org(o).await?.map(|o| o.name).unwrap_or_default(),
            None => "社区居民委员会".to_owned(),
        };
        Ok(RewardItem {
            id: r.id,
            community: r.community,
            offered_by,
            name: r.name,
            description: r.description,
            price: r.price,
            stock: r.stock,
        })
    }

    /// The catalogue: of one community, or all (public).
    pub async fn rewards(&self, community: Option<&str>) -> AppResult<Vec<RewardItem>> {
        let code = community.map(community_code).transpose()?;
        let mut out = Vec::new();
        for r in self.app.store.rewards(code.as_ref().map(|c| c.as_str()), LIST_LIMIT).await? {
            out.push(self.item_view(r).await?);
        }
        Ok(out)
    }

    /// Offer a reward in `community`: its workers, or a shop's members for their shop.
    pub async fn offer_reward(&self, community: &str, f: &RewardItemForm) -> AppResult<RewardItem> {
        let code = community_code(community)?;
        let name = plain_text(&f.name, 60, false, ("名称", "name")).map_err(|m| bad("invalid_text", m))?;
        let description = if f.description.trim().is_empty() {
            String::new()
        } else {
            plain_text(&f.description, 500, true, ("说明", "description")).map_err(|m| bad("invalid_text", m))?
        };
        bounded(f.price, 1, MAX_PRICE, ("所需积分", "price")).map_err(|m| bad("invalid_price", m))?;
        bounded(f.stock, 0, MAX_PRICE, ("库存", "stock")).map_err(|m| bad("invalid_stock", m))?;
        let org_id = match f.org_id.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(o) => {
                let org = if id_ok(o) { self.app.store.org(o).await? } else { None };
                let org = org.filter(|g| g.community == code.as_str() && g.kind == OrgKind::Shop.as_str()).ok_or_else(
                    || bad("invalid_org", Bilingual::new("本社区没有这个商家", "no such shop in this community")),
                )?;
                if !self.works_in(code.as_str()) && !self.member_of(&org.id).await? {
                    return Err(AppError::Forbidden(Bilingual::new(
                        "您不是该商家的人员",
                        "you are not one of this shop's people",
                    )));
                }
                Some(org.id)
            }
            None => {
                self.require_worker(code.as_str())?;
                None
            }
        };
        let record = RewardRecord {
            id: uuid::Uuid::now_v7().to_string(),
            community: code.as_str().to_owned(),
            org_id,
            name,
            description,
            price: f.price,
            stock: f.stock,
            created_by: self.actor.name.clone(),
            created_at: self.app.now_micros(),
        };
        self.app.store.create_reward(&record).await?;
        self.item_view(record).await
    }

    /// Redeem a reward: stock and points taken together; the code is in the answer, once.
    pub async fn redeem_reward(&self, item: &str) -> AppResult<RewardRedemption> {
        let me = self.volunteer_id()?;
        let not_found = || AppError::not_found("reward_not_found", "没有这个兑换项目", "no such reward");
        if !id_ok(item) {
            return Err(not_found());
        }
        let r = self.app.store.reward(item).await?.ok_or_else(not_found)?;
        if r.stock <= 0 {
            return Err(conflict("out_of_stock", Bilingual::new("该项目已兑完", "this reward is out of stock")));
        }
        let last = self.app.store.last_points(&me).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = self.app.now_micros();
        let entry = append_points(
            &me,
            last.as_ref(),
            now,
            PointsKind::Redeemed,
            r.price,
            &r.community,
            &format!("redemption:{id}"),
        )
        .map_err(|m| conflict("not_enough_points", m))?;
        let code = new_code()?;
        let record = RedemptionRecord {
            id,
            item_id: r.id.clone(),
            user_id: me,
            code_hash: code_hash(&code),
            code_hint: code[CODE_LEN - 3..].to_owned(),
            price: r.price,
            at: now,
            confirmed_at: None,
            confirmed_by: None,
        };
        self.app.store.redeem(&record, &entry).await.map_err(|e| {
            refused(
                e,
                "redeem_conflict",
                Bilingual::new(
                    "该项目已兑完，或积分刚有变动，请刷新后重试",
                    "out of stock, or the points just changed: reload and retry",
                ),
            )
        })?;
        Ok(RewardRedemption {
            id: record.id,
            item_name: r.name,
            price: r.price,
            at: iso(now),
            code: Some(code),
            code_hint: record.code_hint,
            confirmed: false,
            confirmed_at: None,
        })
    }

    /// The caller's redemptions, latest first (codes are not shown again).
    pub async fn my_redemptions(&self) -> AppResult<Vec<RewardRedemption>> {
        let me = self.volunteer_id()?;
        let mut out = Vec::new();
        for r in self.app.store.redemptions_of_user(&me, LIST_LIMIT).await? {
            let item_name = self.app.store.reward(&r.item_id).await?.map(|i| i.name).unwrap_or_default();
            out.push(RewardRedemption {
                id: r.id,
                item_name,
                price: r.price,
                at: iso(r.at),
                code: None,
                code_hint: r.code_hint,
                confirmed: r.confirmed_at.is_some(),
                confirmed_at: r.confirmed_at.map(iso),
            });
        }
        Ok(out)
    }

    /// A shop's people (or the community's workers) confirm a code, once.
    pub async fn confirm_redemption(&self, code: &str) -> AppResult<ConfirmedRedemption> {
        let code = code.trim().to_ascii_uppercase();
        let unknown = || {
            AppError::invalid(
                "invalid_redemption_code",
                Bilingual::new("兑换码不正确，或不是您可以核销的", "the code is wrong, or not one you may confirm"),
            )
        };
        if code.len() != CODE_LEN || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            return Err(unknown());
        }
        let r = self.app.store.redemption_by_code(&code_hash(&code)).await?.ok_or_else(unknown)?;
        let item = self.app.store.reward(&r.item_id).await?.ok_or_else(unknown)?;
        let allowed = self.works_in(&item.community)
            || match &item.org_id {
                Some(org) => self.member_of(org).await?,
                None => false,
            };
        if !allowed {
            return Err(unknown());
        }
        if r.confirmed_at.is_some() {
            return Err(conflict(
                "already_confirmed",
                Bilingual::new("此兑换码已核销过", "this code has already been confirmed"),
            ));
        }
        let now = self.app.now_micros();
        self.app.store.confirm_redemption(&r.id, &self.actor.name, now).await.map_err(|e| {
            refused(e, "already_confirmed", Bilingual::new("此兑换码已核销过", "this code has already been confirmed"))
        })?;
        let resident = self.app.store.user_by_id(&r.user_id).await?.map(|u| u.display_name).unwrap_or_default();
        Ok(ConfirmedRedemption { item_name: item.name, price: r.price, resident, confirmed_at: iso(now) })
    }
}
