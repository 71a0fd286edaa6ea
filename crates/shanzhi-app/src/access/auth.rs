//! Sign-in: argon2id passwords, sessions and API tokens. Tokens are random
//! 256-bit values shown once; only their SHA-256 is stored, so a copy of the
//! database signs no one in. Repeated wrong passwords lock the account for a
//! while (the lock is in the database, so it holds across servers).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Grant, Username};
use shanzhi_store::{ApiTokenRecord, Micros, SessionRecord, UserRecord};

use super::{Actor, Via};
use crate::grids::today;
use crate::{App, AppError, AppResult};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "shanzhi_session";

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// argon2id memory (KiB), iterations, parallelism. Defaults follow OWASP
    /// (19 MiB, 2, 1); tests lower them.
    pub argon2: argon2::Params,
    pub session_hours: i64,
    /// Consecutive failures that lock an account, and for how long.
    pub max_failures: i64,
    pub lock_minutes: i64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            argon2: argon2::Params::new(19_456, 2, 1, None).expect("valid argon2 parameters"),
            session_hours: 12,
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

/// A successful sign-in: the session token (for the cookie and as a bearer
/// token) and the CSRF token for unsafe cookie requests.
#[derive(Debug)]
pub struct LoginOutcome {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Micros,
    pub username: String,
}

/// A new API token; `token` is shown once and never again.
#[derive(Debug)]
pub struct NewToken {
    pub id: String,
    pub token: String,
}

fn now() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}

fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn unauthorized() -> AppError {
    AppError::Unauthorized(Bilingual::new("用户名或密码错误", "wrong username or password"))
}

fn session_invalid() -> AppError {
    AppError::Unauthorized(Bilingual::new("登录已失效，请重新登录", "the session or token is not valid; sign in again"))
}

impl App {
    pub(crate) fn argon2(&self) -> Argon2<'static> {
        Argon2::from(self.auth.argon2.clone())
    }

    /// Hash a password (argon2id, random salt) off the async threads.
    pub(crate) async fn hash_password(&self, password: &str) -> AppResult<String> {
        let hasher = self.argon2();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hasher.hash_password(password.as_bytes()).map(|h| h.to_string()))
            .await
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))?
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    }

    async fn verify_password(&self, password: &str, hash: Option<String>) -> bool {
        let hasher = self.argon2();
        let password = password.to_owned();
        // Without a stored hash, verify against a dummy one anyway: the answer
        // takes as long whether or not the user exists.
        let hash = hash.unwrap_or_else(|| {
            "$argon2id$v=19$m=19456,t=2,p=1$c2hhbnpoaWR1bW15c2FsdA$C9R1t9qHbv6gkbdsQ0rGyj3SNb2e0Z0eE6K6iUvSzTk"
                .to_owned()
        });
        tokio::task::spawn_blocking(move || hasher.verify_password(password.as_bytes(), hash.as_str()).is_ok())
            .await
            .unwrap_or(false)
    }

    /// Sign in with a password. Wrong passwords count; after
    /// `max_failures` in a row the account is locked for `lock_minutes`.
    pub async fn login(&self, username: &str, password: &str) -> AppResult<LoginOutcome> {
        let Ok(name) = Username::parse(username) else {
            self.verify_password(password, None).await;
            return Err(unauthorized());
        };
        let Some(creds) = self.store.credentials(&name).await? else {
            self.verify_password(password, None).await;
            return Err(unauthorized());
        };
        let now = now();
        if let Some(until) = creds.locked_until.filter(|u| *u > now) {
            let seconds = (until - now) / 1_000_000 + 1;
            tracing::warn!(user = %name, "sign-in refused: account locked");
            return Err(AppError::TooManyAttempts { retry_after_secs: seconds as u64 });
        }
        if creds.disabled || !self.verify_password(password, creds.password_hash).await {
            let failures = creds.failed_logins + 1;
            let lock = (failures >= self.auth.max_failures).then(|| now + self.auth.lock_minutes * 60_000_000);
            self.store.record_login_failure(&creds.user_id, lock).await?;
            tracing::warn!(user = %name, failures, locked = lock.is_some(), "sign-in failed");
            if let Some(until) = lock {
                return Err(AppError::TooManyAttempts { retry_after_secs: ((until - now) / 1_000_000) as u64 });
            }
            return Err(unauthorized());
        }
        self.store.record_login_success(&creds.user_id).await?;
        let token = random_token("szs_");
        let csrf_token = random_token("");
        let expires_at = now + self.auth.session_hours * 3_600_000_000;
        self.store
            .create_session(&SessionRecord {
                token_hash: token_hash(&token),
                user_id: creds.user_id.clone(),
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
                revoked_at: None,
            })
            .await?;
        tracing::info!(user = %name, "signed in");
        Ok(LoginOutcome { token, csrf_token, expires_at, username: name.to_string() })
    }

    /// The caller behind a session token or an API token (both are bearer
    /// tokens; the prefix tells them apart).
    pub async fn authenticate(&self, token: &str) -> AppResult<Actor> {
        let hash = token_hash(token);
        let now = now();
        let (user_id, via) = if token.starts_with("szs_") {
            let session = self.store.session(&hash).await?.ok_or_else(session_invalid)?;
            if session.revoked_at.is_some() || session.expires_at <= now {
                return Err(session_invalid());
            }
            (session.user_id, Via::Session { token_hash: hash, csrf_token: session.csrf_token })
        } else if token.starts_with("szt_") {
            let t = self.store.api_token(&hash).await?.ok_or_else(session_invalid)?;
            if t.revoked_at.is_some() {
                return Err(session_invalid());
            }
            (t.user_id, Via::Token { id: t.id })
        } else {
            return Err(session_invalid());
        };
        let user = self.store.user_by_id(&user_id).await?.ok_or_else(session_invalid)?;
        if user.disabled {
            return Err(session_invalid());
        }
        self.actor_for(user, via).await
    }

    pub(crate) async fn actor_for(&self, user: UserRecord, via: Via) -> AppResult<Actor> {
        let day = today();
        let grants: Vec<Grant> = self
            .store
            .assignments_of(&user.id)
            .await?
            .into_iter()
            .filter(|a| a.term.contains(day))
            .map(|a| Grant { role: a.role, scope: a.scope, term: a.term })
            .collect();
        Ok(Actor { name: user.username.to_string(), user: Some(user), grants, via })
    }

    /// Sign out: the session (or API token) used for this request stops working.
    pub async fn logout(&self, actor: &Actor) -> AppResult<()> {
        match &actor.via {
            Via::Session { token_hash, .. } => self.store.revoke_session(token_hash, now()).await?,
            Via::Token { .. } | Via::System | Via::Anonymous => {}
        }
        tracing::info!(user = %actor.name, "signed out");
        Ok(())
    }

    /// Create an API token for `username` (command line). The token is in the
    /// answer only.
    pub async fn create_api_token(&self, username: &str, name: &str) -> AppResult<NewToken> {
        let username =
            Username::parse(username).map_err(|m| AppError::BadRequest { code: "invalid_username", message: m })?;
        let user = self.store.user_by_name(&username).await?.ok_or_else(|| {
            AppError::not_found("user_not_found", format!("用户 {username} 不存在"), format!("no user {username}"))
        })?;
        let token = random_token("szt_");
        let id = uuid::Uuid::now_v7().to_string();
        self.store
            .create_api_token(&ApiTokenRecord {
                token_hash: token_hash(&token),
                id: id.clone(),
                user_id: user.id.clone(),
                name: name.to_owned(),
                created_at: now(),
                revoked_at: None,
            })
            .await?;
        self.store
            .append_audit(
                &shanzhi_store::AuditEntry::new("system", "token.create", &format!("user:{username}"))
                    .after(serde_json::json!({ "token_id": id, "name": name }).to_string()),
            )
            .await?;
        Ok(NewToken { id, token })
    }
}
