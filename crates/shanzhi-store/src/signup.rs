use async_trait::async_trait;
use shanzhi_domain::{Micros, Phone};

use crate::{AuditEntry, StoreResult, UserRecord};

/// A one-time code after one more attempt was counted on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsCodeTry {
    pub code_hash: String,
    pub expires_at: Micros,
    /// Attempts made on this code, the one just counted included.
    pub attempts: i64,
}

/// Consent to a version of the privacy notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: String,
    pub user_id: String,
    pub version: String,
    pub at: Micros,
    pub withdrawn_at: Option<Micros>,
}

/// How a resident came to follow a matter they did not file signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimHow {
    /// With the private tracking link of an anonymous report.
    PrivateLink,
    /// Filed earlier with the phone number the resident proved by a code.
    VerifiedPhone,
}

impl ClaimHow {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimHow::PrivateLink => "private_link",
            ClaimHow::VerifiedPhone => "verified_phone",
        }
    }
}

/// Residents' own accounts: one-time codes (hashes only), consent, claims and
/// erasure.
#[async_trait]
pub trait SignupStore {
    /// Keep `code_hash` as the one live code of `phone`, replacing any earlier
    /// code (used or not) with no attempts made.
    async fn put_sms_code(&self, phone: &Phone, code_hash: &str, at: Micros, expires_at: Micros) -> StoreResult<()>;
    /// Count one attempt on `phone`'s unused code in one atomic statement and
    /// return it; `None` if there is no unused code.
    async fn try_sms_code(&self, phone: &Phone) -> StoreResult<Option<SmsCodeTry>>;
    /// Mark `phone`'s code used if it is still unused and is `code_hash`:
    /// true for the one call that did.
    async fn use_sms_code(&self, phone: &Phone, code_hash: &str, at: Micros) -> StoreResult<bool>;

    /// Note that `user_id` proved its phone number by a code at `at`.
    async fn verify_phone(&self, user_id: &str, at: Micros) -> StoreResult<()>;
    /// When `user_id` last proved its phone number, if ever.
    async fn phone_verified_at(&self, user_id: &str) -> StoreResult<Option<Micros>>;

    /// The oldest live resident account with this phone number.
    async fn resident_by_phone(&self, phone: &Phone) -> StoreResult<Option<UserRecord>>;

    async fn record_consent(&self, consent: &ConsentRecord, audit: &AuditEntry) -> StoreResult<()>;
    /// A person's consents, oldest first.
    async fn consents_of(&self, user_id: &str) -> StoreResult<Vec<ConsentRecord>>;
    /// Withdraw every live consent of a person.
    async fn withdraw_consents(&self, user_id: &str, at: Micros) -> StoreResult<()>;

    /// Make `user_id` the reporter of a matter that has none (an anonymous
    /// report) and record how; false if the matter has a reporter already
    /// (the claim is then not recorded).
    async fn claim_matter(&self, matter_id: &str, user_id: &str, how: ClaimHow, at: Micros) -> StoreResult<bool>;
    /// Ids of matters with no reporter account that were filed with `phone`,
    /// newest first, at most `limit`.
    async fn unclaimed_by_phone(&self, phone: &Phone, limit: i64) -> StoreResult<Vec<String>>;

    /// Erase a person irreversibly: the account keeps its id (matters and
    /// timelines point at it) under `placeholder_username`, without name,
    /// phone, password or consent; its sessions and tokens end; matters it
    /// reported lose the reporter's name and phone. Hashed timeline events
    /// are not touched. With its audit entry, in one transaction.
    async fn erase_user(
        &self,
        user_id: &str,
        placeholder_username: &str,
        at: Micros,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}
