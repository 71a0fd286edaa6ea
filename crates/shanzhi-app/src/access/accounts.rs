//! Accounts after they exist: one's own password, an administrator's reset,
//! disabling and enabling, API tokens (list, create, revoke) and signing out
//! everywhere. Every change is in the audit log; no password or token is.

use serde::Serialize;
use shanzhi_domain::people::check_password;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, Micros};
use shanzhi_store::{ApiTokenRecord, UserRecord};

use super::auth::{random_token, token_hash};
use super::people::user_not_found;
use super::{AdminDesk, NewToken, Scoped, Via};
use crate::{AppError, AppResult};

/// An API token as lists show it (never the token itself).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<&ApiTokenRecord> for TokenView {
    fn from(t: &ApiTokenRecord) -> Self {
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: crate::matters::iso(t.created_at),
            revoked_at: t.revoked_at.map(crate::matters::iso),
        }
    }
}

fn bad(code: &'static str, message: Bilingual) -> AppError {
    AppError::BadRequest { code, message }
}

fn now() -> Micros {
    Micros::now()
}

fn token_not_found(id: &str) -> AppError {
    AppError::not_found("token_not_found", format!("令牌 {id} 不存在或已撤销"), format!("no live token {id}"))
}

impl Scoped<'_> {
    fn me_record(&self) -> AppResult<&UserRecord> {
        self.actor.user.as_ref().ok_or_else(|| AppError::Unauthorized(Bilingual::new("请先登录", "sign in first")))
    }

    /// The account `username` names if the caller manages people where it
    /// works (the command line manages everyone).
    async fn managed(&self, username: &str) -> AppResult<UserRecord> {
        self.visible_user(username, Action::ManagePeople).await
    }

    /// Change one's own password, proving the current one; every other
    /// session of the account ends.
    pub async fn change_password(&self, current: &str, new: &str) -> AppResult<()> {
        let me = self.me_record()?.clone();
        let creds =
            self.app.store.credentials(&me.username).await?.ok_or_else(|| user_not_found(me.username.as_str()))?;
        if !self.app.verify_password(current, creds.password_hash).await? {
            return Err(AppError::Forbidden(Bilingual::new("当前密码不正确", "the current password is wrong")));
        }
        check_password(new, &me.username).map_err(|m| bad("weak_password", m))?;
        let hash = self.app.hash_password(new).await?;
        let entity = format!("user:{}", me.username);
        self.app.store.set_password(&me.id, &hash, &self.audit("user.password", &entity)).await?;
        let keep = match &self.actor.via {
            Via::Session { token_hash, .. } => Some(token_hash.as_str()),
            _ => None,
        };
        self.app.store.revoke_sessions_of(&me.id, keep, now()).await?;
        Ok(())
    }

    /// End every session of one's own account, this one included.
    pub async fn sign_out_everywhere(&self) -> AppResult<u64> {
        let me = self.me_record()?.clone();
        let n = self.app.store.revoke_sessions_of(&me.id, None, now()).await?;
        let entity = format!("user:{}", me.username);
        self.app
            .store
            .append_audit(
                &self.audit("user.sign_out_all", &entity).after(serde_json::json!({"sessions": n}).to_string()),
            )
            .await?;
        Ok(n)
    }

    /// Whose tokens: one's own (`None`), or a managed account's.
    async fn token_owner(&self, username: Option<&str>) -> AppResult<UserRecord> {
        match username {
            None => self.me_record().cloned(),
            Some(u) => {
                let own = self.actor.user.as_ref().is_some_and(|me| me.username.as_str() == u);
                if own { self.me_record().cloned() } else { self.managed(u).await }
            }
        }
    }

    /// API tokens of an account (revoked ones too), never the tokens themselves.
    pub async fn tokens(&self, username: Option<&str>) -> AppResult<Vec<TokenView>> {
        let owner = self.token_owner(username).await?;
        Ok(self.app.store.api_tokens_of(&owner.id).await?.iter().map(TokenView::from).collect())
    }

    /// A new API token for an account (the token is in the answer only).
    pub async fn create_token(&self, username: Option<&str>, name: &str) -> AppResult<NewToken> {
        let owner = self.token_owner(username).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(
                "invalid_token_name",
                Bilingual::new("令牌名称应为 1–100 个字符", "a token name needs 1–100 characters"),
            ));
        }
        if self.app.store.api_tokens_of(&owner.id).await?.iter().filter(|t| t.revoked_at.is_none()).count() >= 50 {
            return Err(AppError::invalid(
                "too_many_tokens",
                Bilingual::new(
                    "有效令牌最多 50 个，请先撤销不用的",
                    "at most 50 live tokens; revoke unused ones first",
                ),
            ));
        }
        let token = random_token("szt_");
        let id = uuid::Uuid::now_v7().to_string();
        self.app
            .store
            .create_api_token(&ApiTokenRecord {
                token_hash: token_hash(&token),
                id: id.clone(),
                user_id: owner.id.clone(),
                name: name.to_owned(),
                created_at: now(),
                revoked_at: None,
            })
            .await?;
        let after = serde_json::json!({ "token_id": id, "name": name }).to_string();
        self.app
            .store
            .append_audit(&self.audit("token.create", &format!("user:{}", owner.username)).after(after))
            .await?;
        Ok(NewToken { id, token })
    }

    /// Revoke a token by its id: it stops working at once.
    pub async fn revoke_token(&self, username: Option<&str>, id: &str) -> AppResult<()> {
        let owner = self.token_owner(username).await?;
        if !self.app.store.revoke_api_token_by_id(&owner.id, id, now()).await? {
            return Err(token_not_found(id));
        }
        let after = serde_json::json!({ "token_id": id }).to_string();
        self.app
            .store
            .append_audit(&self.audit("token.revoke", &format!("user:{}", owner.username)).after(after))
            .await?;
        Ok(())
    }
}

impl AdminDesk<'_> {
    /// Set someone's password (an administrator over their scope, or the
    /// operator). Without `password` a strong one is generated and returned,
    /// once. Their sessions end.
    pub async fn reset_password(&self, username: &str, password: Option<&str>) -> AppResult<Option<String>> {
        let user = self.managed(username).await?;
        let generated = password.is_none().then(generate_password);
        let password = password.or(generated.as_deref()).unwrap_or_default();
        check_password(password, &user.username).map_err(|m| bad("weak_password", m))?;
        let hash = self.app.hash_password(password).await?;
        let entity = format!("user:{}", user.username);
        self.app.store.set_password(&user.id, &hash, &self.audit("user.password_reset", &entity)).await?;
        self.app.store.revoke_sessions_of(&user.id, None, now()).await?;
        Ok(generated)
    }

    /// Disable or enable an account. A disabled account signs nobody in: its
    /// sessions and tokens stop at once (they are checked on every request).
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> AppResult<()> {
        let user = self.managed(username).await?;
        if self.actor.user_id() == Some(user.id.as_str()) {
            return Err(AppError::Forbidden(Bilingual::new(
                "不能停用自己的账号，请由其他管理员办理",
                "you cannot disable your own account; ask another administrator",
            )));
        }
        let (action, at) = if disabled { ("user.disable", Some(now())) } else { ("user.enable", None) };
        let entity = format!("user:{}", user.username);
        self.app.store.set_disabled(&user.id, at, &self.audit(action, &entity)).await?;
        if disabled {
            self.app.store.revoke_sessions_of(&user.id, None, now()).await?;
        }
        Ok(())
    }
}

/// A password that passes the rules: 20 random characters from an alphabet
/// without look-alikes, with each class present.
pub fn generate_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let all: Vec<u8> = [LOWER, UPPER, DIGIT].concat();
    let mut out: String = bytes.iter().map(|b| all[*b as usize % all.len()] as char).collect();
    out.replace_range(
        0..3,
        &format!(
            "{}{}{}",
            LOWER[bytes[0] as usize % LOWER.len()] as char,
            UPPER[bytes[1] as usize % UPPER.len()] as char,
            DIGIT[bytes[2] as usize % DIGIT.len()] as char
        ),
    );
    out
}
