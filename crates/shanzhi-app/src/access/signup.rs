//! Residents sign up and sign in by phone (手机验证码登录): a six-digit code
//! from the operating system's random source, sent by text message, kept
//! only as a peppered SHA-256, valid for a few minutes and a few attempts,
//! used once, replaced by the next one; requests are throttled per phone (in
//! the database, shared by every server) and per address (by the web layer).
//! A first sign-in needs consent to the privacy notice and creates the
//! resident's account. Then: claims of earlier reports, and erasure.

use serde::Serialize;
use sha2::{Digest, Sha256};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Micros, Phone, Role, Term, Username};
use shanzhi_store::{AssignmentRecord, AuditEntry, ClaimHow, ConsentRecord, NewUser, UserKind, UserRecord};

use super::auth::random_token;
use super::{Client, LoginOutcome, Scoped};
use crate::grids::today;
use crate::{App, AppError, AppResult};

/// The version of the privacy notice (/privacy) a consent refers to.
pub const CONSENT_VERSION: &str = "2026-12-01";

/// How codes are sent, how long they live and how often they may be asked for.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// `None`: development, codes go to the server log marked DEV.
    pub gateway: Option<crate::sms::SmsGateway>,
    /// Secret mixed into every code's hash (set it in production, the same on
    /// every server; by default a random one per process).
    pub pepper: String,
    pub code_minutes: i64,
    /// Wrong codes allowed before the code is spent.
    pub max_attempts: i64,
    /// At most one code per phone in this many seconds.
    pub resend_secs: i64,
    /// At most this many codes per phone an hour.
    pub per_phone_hour: i64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            gateway: None,
            pepper: random_token(""),
            code_minutes: 5,
            max_attempts: 5,
            resend_secs: 60,
            per_phone_hour: 5,
        }
    }
}

/// A code was sent.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsCodeSent {
    /// The number it went to, masked (`139****1111`).
    pub phone: String,
    pub expires_in_secs: i64,
    /// When another code may be asked for.
    pub resend_after_secs: i64,
    /// Whether an account with this number exists (false: the sign-in will
    /// create one and needs consent to the privacy notice).
    pub registered: bool,
}

/// A sign-in by code: the session, and whether the account is new.
#[derive(Debug)]
pub struct SmsLoginOutcome {
    pub login: LoginOutcome,
    pub created: bool,
}

/// One of a resident's reports, or one they may claim.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyMatter {
    pub number: String,
    pub description: String,
    pub state: String,
    pub reported_at: String,
}

fn bad(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code, message: Bilingual::new(zh, en) }
}

fn wrong_code(zh: &str, en: &str) -> AppError {
    AppError::Unauthorized(Bilingual::new(zh, en))
}

fn parse_phone(phone: &str) -> AppResult<Phone> {
    if phone.len() > 32 {
        return Err(bad("invalid_phone", "手机号过长", "the phone number is too long"));
    }
    Phone::parse(phone).map_err(|m| AppError::BadRequest { code: "invalid_phone", message: m })
}

/// A six-digit code, uniformly from the operating system's random source.
fn new_code() -> String {
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).expect("the operating system's random source");
        let n = u32::from_le_bytes(b);
        // Reject the top sliver so every code is equally likely.
        if n < u32::MAX - u32::MAX % 1_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

impl App {
    /// The text-message client (development: the log).
    pub fn sms(&self) -> &crate::sms::SmsClient {
        &self.sms
    }

    fn code_hash(&self, phone: &Phone, code: &str) -> String {
        let mut h = Sha256::new();
        for part in [self.auth.sms.pepper.as_str(), phone.reveal(), code] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A throttle key for `phone` that does not hold the number itself.
    fn phone_key(&self, kind: &str, phone: &Phone) -> String {
        format!("{kind}:{}", &self.code_hash(phone, kind)[..32])
    }

    /// Send a sign-in code to `phone` (a new code replaces the previous one).
    pub async fn request_sms_code(&self, phone: &str) -> AppResult<SmsCodeSent> {
        let phone = parse_phone(phone)?;
        let cfg = &self.auth.sms;
        // The application's clock (tests move it to expire codes).
        let now = self.now_micros();
        let minute = self.phone_key("sms-resend", &phone);
        let hour = self.phone_key("sms-hour", &phone);
        let resend = cfg.resend_secs.max(1);
        let m = self.store.throttle_add(&minute, 1, now, now.plus_seconds(-resend)).await?;
        if m.hits > 1 {
            let wait = m.window_start.plus_seconds(resend).seconds_since(now).max(1) as u64;
            return Err(AppError::RateLimited { retry_after_secs: wait });
        }
        let h = self.store.throttle_add(&hour, 1, now, now.plus_seconds(-3_600)).await?;
        if h.hits > cfg.per_phone_hour.max(1) {
            let wait = h.window_start.plus_seconds(3_600).seconds_since(now).max(1) as u64;
            return Err(AppError::RateLimited { retry_after_secs: wait });
        }
        let code = new_code();
        let expires_at = now.plus_seconds(cfg.code_minutes.max(1) * 60);
        self.store.put_sms_code(&phone, &self.code_hash(&phone, &code), now, expires_at).await?;
        let text = format!(
            "【善治】您的登录验证码为 {code}，{} 分钟内有效，请勿告诉他人。Your Shanzhi sign-in code is {code}.",
            cfg.code_minutes.max(1)
        );
        let key = format!("sms-code:{}", uuid::Uuid::now_v7());
        if let Err(e) = self.sms.send(&phone, &text, &key).await {
            tracing::warn!(to = %phone.masked(), error = %e, "sign-in code not sent");
            return Err(AppError::Busy { retry_after_secs: 30 });
        }
        let registered = self.store.resident_by_phone(&phone).await?.is_some();
        Ok(SmsCodeSent {
            phone: phone.masked(),
            expires_in_secs: cfg.code_minutes.max(1) * 60,
            resend_after_secs: resend,
            registered,
        })
    }

    /// Count one attempt on `phone`'s code and check `code` against it: its
    /// hash if right, live and not over its attempts (it is not used yet).
    async fn check_code(&self, phone: &Phone, code: &str, now: Micros) -> AppResult<String> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("invalid_code", "验证码应为 6 位数字", "the code must be 6 digits"));
        }
        let Some(attempt) = self.store.try_sms_code(phone).await? else {
            return Err(bad("code_spent", "验证码已失效，请重新获取", "no live code; ask for a new one"));
        };
        if attempt.attempts > self.auth.sms.max_attempts.max(1) {
            return Err(bad("code_spent", "验证码错误次数过多，请重新获取", "too many wrong codes; ask for a new one"));
        }
        if attempt.expires_at <= now {
            return Err(bad("code_expired", "验证码已过期，请重新获取", "the code has expired; ask for a new one"));
        }
        let hash = self.code_hash(phone, code);
        if !same(&hash, &attempt.code_hash) {
            tracing::warn!(to = %phone.masked(), attempts = attempt.attempts, "wrong sign-in code");
            return Err(wrong_code("验证码错误", "wrong code"));
        }
        Ok(hash)
    }

    /// Use `phone`'s code (checked by [`App::check_code`]) once.
    async fn use_code(&self, phone: &Phone, hash: &str, now: Micros) -> AppResult<()> {
        if !self.store.use_sms_code(phone, hash, now).await? {
            return Err(bad("code_spent", "验证码已失效，请重新获取", "no live code; ask for a new one"));
        }
        Ok(())
    }

    /// Sign in with the code sent to `phone`; a first sign-in creates the
    /// resident's account and needs `consent` to the privacy notice.
    pub async fn sms_login(
        &self,
        phone: &str,
        code: &str,
        consent: bool,
        _client: &Client,
    ) -> AppResult<SmsLoginOutcome> {
        let phone = parse_phone(phone)?;
        let now = self.now_micros();
        let hash = self.check_code(&phone, code, now).await?;
        let existing = self.store.resident_by_phone(&phone).await?;
        if existing.is_none() && !consent {
            // The code stays usable: the resident ticks the box and sends it again.
            return Err(bad(
                "consent_required",
                "首次登录即注册，请先阅读并同意《个人信息保护说明》",
                "signing up needs consent to the privacy notice",
            ));
        }
        self.use_code(&phone, &hash, now).await?;
        let (user, created) = match existing {
            Some(u) => (u, false),
            None => (self.create_resident(&phone, now).await?, true),
        };
        self.store.verify_phone(&user.id, now).await?;
        tracing::info!(user = %user.username, to = %phone.masked(), created, "signed in by code");
        let login = self.open_session(&user.id, user.username.to_string(), Micros::now()).await?;
        Ok(SmsLoginOutcome { login, created })
    }

    async fn create_resident(&self, phone: &Phone, now: Micros) -> AppResult<UserRecord> {
        let id = uuid::Uuid::now_v7().to_string();
        let suffix: String = random_token("").chars().filter(char::is_ascii_alphanumeric).take(12).collect();
        let username = Username::parse(&format!("r-{}", suffix.to_ascii_lowercase()))
            .map_err(|_| AppError::internal("a generated user name did not parse"))?;
        let user = NewUser {
            id: id.clone(),
            username: username.clone(),
            display_name: format!("居民{}", &phone.reveal()[7..]),
            kind: UserKind::Resident,
            phone: Some(phone.clone()),
            password_hash: None,
            created_at: now,
        };
        let entity = format!("user:{username}");
        let audit = |action: &str| AuditEntry::new(username.as_str(), action, &entity);
        let after = serde_json::json!({ "username": username.as_str(), "kind": "resident", "via": "sms" });
        self.store.create_user(&user, &audit("user.signup").after(after.to_string())).await?;
        let term = Term { from: today(), to: None };
        let assignment = AssignmentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: id.clone(),
            role: Role::Resident,
            scope: None,
            term,
        };
        self.store.add_assignment(&assignment, &audit("assignment.add")).await?;
        let consent = ConsentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: id.clone(),
            version: CONSENT_VERSION.to_owned(),
            at: now,
            withdrawn_at: None,
        };
        let after = serde_json::json!({ "version": CONSENT_VERSION });
        self.store.record_consent(&consent, &audit("consent.give").after(after.to_string())).await?;
        self.store.user_by_id(&id).await?.ok_or_else(|| AppError::internal("a new account was not found"))
    }
}

/// The user name an erased account is left with starts with this.
const ERASED_PREFIX: &str = "erased-";

/// Whether the account was erased by its owner (disabled, under a placeholder name).
pub fn is_erased(user: &UserRecord) -> bool {
    user.disabled && user.username.as_str().starts_with(ERASED_PREFIX)
}

/// Equal hex digests, compared in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Scoped<'_> {
    fn resident(&self) -> AppResult<UserRecord> {
        match &self.actor.user {
            Some(u) if u.kind == UserKind::Resident => Ok(u.clone()),
            _ => Err(AppError::Forbidden(Bilingual::new("仅居民账号可用", "for residents' accounts only"))),
        }
    }

    /// Follow an anonymous report with its private link: the caller becomes
    /// its reporter (recorded as a claim).
    pub async fn claim_with_key(&self, number: &str, key: &str) -> AppResult<()> {
        let me = self.resident()?;
        let m = self.matter_with_key(number, key).await?.ok_or_else(|| {
            AppError::not_found(
                "matter_not_found",
                "未找到该事件或链接无效",
                "no such matter, or the link is not valid",
            )
        })?;
        self.claim(&me, m.id.as_str(), ClaimHow::PrivateLink).await
    }

    /// Reports filed without an account under the caller's phone number,
    /// offered only once that number was proved by a code.
    pub async fn claimable_by_phone(&self) -> AppResult<Vec<MyMatter>> {
        let me = self.resident()?;
        let (Some(phone), Some(_)) = (&me.phone, self.app.store.phone_verified_at(&me.id).await?) else {
            return Ok(Vec::new());
        };
        let ids = self.app.store.unclaimed_by_phone(phone, 100).await?;
        let ids: Vec<_> = ids.iter().filter_map(|i| shanzhi_domain::MatterId::parse(i).ok()).collect();
        let rows = self.app.store.matters_by_ids(&ids).await?;
        Ok(rows.iter().map(my_matter).collect())
    }

    /// Claim one report filed under the caller's proved phone number.
    pub async fn claim_by_phone(&self, number: &str) -> AppResult<()> {
        let me = self.resident()?;
        let offered = self.claimable_by_phone().await?;
        if !offered.iter().any(|m| m.number == number.trim()) {
            return Err(AppError::not_found(
                "matter_not_found",
                "没有可认领的该事件（须用验证码登录，且事件登记的是本人手机号）",
                "no such matter to claim (sign in by code; the matter must carry your number)",
            ));
        }
        let m = self
            .app
            .store
            .matter_by_number(number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("matter_not_found", "未找到该事件", "no such matter"))?;
        self.claim(&me, m.id.as_str(), ClaimHow::VerifiedPhone).await
    }

    async fn claim(&self, me: &UserRecord, matter_id: &str, how: ClaimHow) -> AppResult<()> {
        if !self.app.store.claim_matter(matter_id, &me.id, how, Micros::now()).await? {
            return Err(AppError::invalid(
                "already_claimed",
                Bilingual::new("该事件已有登记的反映人，无法认领", "the matter already has a reporter's account"),
            ));
        }
        let after = serde_json::json!({ "matter": matter_id, "how": how.as_str() });
        self.app
            .store
            .append_audit(&self.audit("matter.claim", &format!("user:{}", me.username)).after(after.to_string()))
            .await?;
        Ok(())
    }

    /// A first password for a resident who signed up by phone (then also a
    /// sign-in by user name and password); one who has a password changes it
    /// with the current one instead.
    pub async fn set_first_password(&self, new: &str) -> AppResult<()> {
        let me = self.resident()?;
        let creds = self.app.store.credentials(&me.username).await?;
        if creds.and_then(|c| c.password_hash).is_some() {
            return Err(AppError::invalid(
                "password_exists",
                Bilingual::new("已设置密码，请用当前密码修改", "a password is set; change it with the current one"),
            ));
        }
        shanzhi_domain::people::check_password(new, &me.username)
            .map_err(|m| AppError::BadRequest { code: "weak_password", message: m })?;
        let hash = self.app.hash_password(new).await?;
        let entity = format!("user:{}", me.username);
        self.app.store.set_password(&me.id, &hash, &self.audit("user.password", &entity)).await?;
        Ok(())
    }

    /// Delete one's own resident account, proved by a fresh code sent to its
    /// phone: name, phone and login are erased, sessions end, the matters
    /// stay (the reporter shown as 已注销用户).
    pub async fn delete_my_account(&self, code: &str) -> AppResult<()> {
        let me = self.resident()?;
        let Some(phone) = me.phone.clone() else {
            return Err(bad(
                "no_phone",
                "账号没有手机号，请联系管理员注销",
                "the account has no phone; ask an administrator",
            ));
        };
        let app = self.app;
        let now = app.now_micros();
        let hash = app.check_code(&phone, code, now).await?;
        app.use_code(&phone, &hash, now).await?;
        let placeholder =
            format!("{ERASED_PREFIX}{}", me.id.replace('-', "").chars().rev().take(25).collect::<String>());
        let audit = AuditEntry::new(me.username.as_str(), "user.erase", &format!("user-id:{}", me.id))
            .after(serde_json::json!({ "erased": true }).to_string());
        app.store.erase_user(&me.id, &placeholder, now, &audit).await?;
        tracing::info!(user_id = %me.id, "a resident deleted their account");
        Ok(())
    }
}

fn my_matter(m: &shanzhi_domain::Matter) -> MyMatter {
    MyMatter {
        number: m.number.clone(),
        description: m.description.chars().take(80).collect(),
        state: m.status.state.label_zh().to_owned(),
        reported_at: crate::matters::iso(m.reported_at),
    }
}
