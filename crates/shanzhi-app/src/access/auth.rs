//! Sign-in: argon2id passwords, sessions and API tokens. Tokens are random
//! 256-bit values shown once; only their SHA-256 is stored, so a copy of the
//! database signs no one in. Repeated wrong passwords lock the account for a
//! while (the lock is in the database, so it holds across servers).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use shanzhi_domain::Micros;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Grant, Username};
use shanzhi_store::{SessionRecord, ThrottleCount, UserRecord};

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
    /// Failed sign-ins of one user name from one client address before that
    /// pair is refused until its window ends (`lock_minutes`). Keyed by the
    /// name as typed, so unknown names behave exactly like known ones, and by
    /// the client, so nobody can lock someone else's account.
    pub max_failures: i64,
    /// Failed sign-ins from one client address, whatever the names.
    pub max_failures_per_ip: i64,
    /// How long a throttle window lasts.
    pub lock_minutes: i64,
    /// Password checks at once (each takes the argon2 memory): at most this
    /// many run, and at most `hash_queue` more wait; beyond that the server
    /// answers 503 with `Retry-After` rather than growing.
    pub hash_concurrency: usize,
    pub hash_queue: usize,
    /// Residents' sign-in by text message: the gateway, the codes' life and
    /// their throttles.
    pub sms: super::signup::SmsConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            argon2: argon2::Params::new(19_456, 2, 1, None).expect("valid argon2 parameters"),
            session_hours: 12,
            max_failures: 5,
            max_failures_per_ip: 50,
            lock_minutes: 15,
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_queue: 64,
            sms: super::signup::SmsConfig::default(),
        }
    }
}

/// Where a request comes from: the client address, as the web layer saw it
/// (the proxy's forwarded address only when the proxy is trusted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<std::net::IpAddr>,
}

impl Client {
    fn key(&self) -> String {
        self.ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

/// The bounded pool of password checks: a semaphore and a count of waiters.
#[derive(Debug)]
pub(crate) struct HashPool {
    permits: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
    queue: usize,
    /// A hash with the configured parameters, checked when there is no real
    /// one, so every refusal costs the same work.
    dummy: std::sync::OnceLock<String>,
}

impl HashPool {
    pub(crate) fn new(config: &AuthConfig) -> Self {
        HashPool {
            permits: tokio::sync::Semaphore::new(config.hash_concurrency.max(1)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            queue: config.hash_queue,
            dummy: std::sync::OnceLock::new(),
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
    Micros::now()
}

pub(crate) fn random_token(prefix: &str) -> String {
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

    /// Run `work` (an argon2 hash or check) in the bounded pool, off the
    /// async threads.
    async fn in_hash_pool<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
        use std::sync::atomic::Ordering;
        let pool = &self.hashing;
        if pool.waiting.fetch_add(1, Ordering::SeqCst) >= pool.queue + pool.permits.available_permits() {
            pool.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy { retry_after_secs: 2 });
        }
        let permit = pool.permits.acquire().await;
        pool.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|_| AppError::internal("the password pool is closed"))?;
        // A hash that could not run (its thread could not start or was torn
        // down, as under a hard memory cap) is a refusal to retry, not a 500.
        tokio::task::spawn_blocking(work).await.map_err(|e| {
            tracing::error!(error = %e, "password hashing could not run");
            AppError::Busy { retry_after_secs: 2 }
        })
    }

    /// Hash a password (argon2id, random salt).
    pub(crate) async fn hash_password(&self, password: &str) -> AppResult<String> {
        let hasher = self.argon2();
        let password = password.to_owned();
        self.in_hash_pool(move || hasher.hash_password(password.as_bytes()).map(|h| h.to_string()))
            .await?
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    }

    /// Check a password against `hash`, or against a dummy hash of the same
    /// cost when there is none: the answer takes as long either way.
    pub(crate) async fn verify_password(&self, password: &str, hash: Option<String>) -> AppResult<bool> {
        let hash = match hash {
            Some(h) => h,
            None => self.dummy_hash().await?,
        };
        let hasher = self.argon2();
        let password = password.to_owned();
        self.in_hash_pool(move || hasher.verify_password(password.as_bytes(), hash.as_str()).is_ok()).await
    }

    async fn dummy_hash(&self) -> AppResult<String> {
        if let Some(h) = self.hashing.dummy.get() {
            return Ok(h.clone());
        }
        let h = self.hash_password(&random_token("")).await?;
        Ok(self.hashing.dummy.get_or_init(|| h).clone())
    }

    /// Sign in with a password. Each attempt is counted before the password
    /// is checked, in one atomic statement per throttle, so parallel guesses
    /// cannot slip past the limit; every refusal does the same work.
    pub async fn login(&self, username: &str, password: &str, client: &Client) -> AppResult<LoginOutcome> {
        let now = now();
        let window = self.auth.lock_minutes.max(1) * 60;
        // The name as typed (bounded), so unknown names are throttled alike.
        let typed: String = username.trim().to_lowercase().chars().take(64).collect();
        let pair = format!("login:{}:{typed}", client.key());
        let per_ip = format!("login-ip:{}", client.key());
        let expired = now.plus_seconds(-window);
        let p = self.store.throttle_add(&pair, 1, now, expired).await?;
        let i = self.store.throttle_add(&per_ip, 1, now, expired).await?;
        let retry = |c: ThrottleCount| c.window_start.plus_seconds(window).seconds_since(now).max(1) as u64;
        let name = Username::parse(username).ok();
        let creds = match &name {
            Some(n) => self.store.credentials(n).await?,
            None => None,
        };
        if p.hits > self.auth.max_failures || i.hits > self.auth.max_failures_per_ip {
            self.verify_password(password, None).await?;
            tracing::warn!(user = ?typed, "sign-in refused: too many failures");
            let c = if p.hits > self.auth.max_failures { p } else { i };
            return Err(AppError::TooManyAttempts { retry_after_secs: retry(c) });
        }
        let hash = creds.as_ref().and_then(|c| c.password_hash.clone());
        let ok = self.verify_password(password, hash).await?;
        let creds = match creds {
            Some(c) if ok && !c.disabled => c,
            _ => {
                tracing::warn!(user = ?typed, failures = p.hits, "sign-in failed");
                if p.hits >= self.auth.max_failures {
                    return Err(AppError::TooManyAttempts { retry_after_secs: retry(p) });
                }
                return Err(unauthorized());
            }
        };
        // A success wipes the pair's count and gives back this attempt's hit
        // on the address (an office behind one address signs in all day).
        self.store.throttle_clear(&pair).await?;
        self.store.throttle_add(&per_ip, -1, now, expired).await?;
        let name = name.map(|n| n.to_string()).unwrap_or_default();
        tracing::info!(user = %name, "signed in");
        self.open_session(&creds.user_id, name, now).await
    }

    /// A new session of `user_id` (after a password or a one-time code).
    pub(crate) async fn open_session(&self, user_id: &str, username: String, now: Micros) -> AppResult<LoginOutcome> {
        let token = random_token("szs_");
        let csrf_token = random_token("");
        let expires_at = now.plus_seconds(self.auth.session_hours * 3_600);
        self.store
            .create_session(&SessionRecord {
                token_hash: token_hash(&token),
                user_id: user_id.to_owned(),
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
                revoked_at: None,
            })
            .await?;
        Ok(LoginOutcome { token, csrf_token, expires_at, username })
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
        Ok(Actor::signed_in(user, grants, via))
    }

    /// Sign out: the session used for this request stops working. An API
    /// token is no session: it stays until revoked (`DELETE /me/tokens/{id}`),
    /// so that a client's "log out" cannot end an integration's key.
    pub async fn logout(&self, actor: &Actor) -> AppResult<()> {
        match &actor.via {
            Via::Session { token_hash, .. } => self.store.revoke_session(token_hash, now()).await?,
            Via::Token { .. } | Via::System | Via::Anonymous => {}
        }
        tracing::info!(user = %actor.name, "signed out");
        Ok(())
    }
}

impl super::Operator<'_> {
    /// Create an API token for `username` (command line). The token is in the
    /// answer only.
    pub async fn create_api_token(&self, username: &str, name: &str) -> AppResult<NewToken> {
        Username::parse(username).map_err(|m| AppError::BadRequest { code: "invalid_username", message: m })?;
        self.scoped("system").create_token(Some(username), name).await
    }
}
