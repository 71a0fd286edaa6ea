//! Sealing care reasons and notes at rest: ChaCha20-Poly1305 with a 32-byte
//! key from configuration (base64). A sealed text is `base64(nonce ‖
//! ciphertext)`, stored with the id of the key that sealed it, so that keys
//! can be rotated: a new key seals, older keys still open what they sealed.
//! The associated data binds a text to its care mark (a sealed reason copied
//! onto another mark does not open).
//!
//! A resident's ID number is never stored, only a keyed hash of it for
//! de-duplication (a table of all hashes of plausible numbers cannot be built
//! without the key): HMAC-SHA-256 under its own key (`id_hash_key`), so that
//! the care keys rotate freely. Without one, the first care key salts the
//! hash as before, so that hashes stored earlier still match.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use sha2::{Digest, Sha256};
use shanzhi_domain::mac::hmac_sha256_hex;
use shanzhi_domain::text::Bilingual;

use crate::{AppError, AppResult};

/// One key: its id and 32 bytes.
#[derive(Clone)]
pub struct CareKey {
    pub id: String,
    bytes: [u8; 32],
}

impl std::fmt::Debug for CareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CareKey({})", self.id)
    }
}

impl CareKey {
    /// A key from its id (1–32 letters, digits, `_ -`) and base64 text.
    pub fn parse(id: &str, base64_text: &str) -> Result<CareKey, Bilingual> {
        let id_ok = (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
        if !id_ok {
            return Err(Bilingual::new(
                "密钥编号应为 1–32 位字母、数字、_ 或 -",
                "a key id is 1–32 letters, digits, _ or -",
            ));
        }
        let raw = STANDARD.decode(base64_text.trim()).map_err(|_| {
            Bilingual::new("关爱信息密钥应为 base64 编码的 32 字节", "the care key must be 32 bytes in base64")
        })?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| {
            Bilingual::new("关爱信息密钥应为 base64 编码的 32 字节", "the care key must be 32 bytes in base64")
        })?;
        Ok(CareKey { id: id.to_owned(), bytes })
    }

    /// A fresh random key (demo mode writes one into the data directory).
    pub fn generate(id: &str) -> AppResult<CareKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
        Ok(CareKey { id: id.to_owned(), bytes })
    }

    /// The key as configuration writes it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }
}

/// The key of the ID-number hash: 32 bytes, apart from the care keys.
#[derive(Clone)]
pub struct IdHashKey([u8; 32]);

impl std::fmt::Debug for IdHashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdHashKey(***)")
    }
}

impl IdHashKey {
    /// A key from its base64 text (32 bytes).
    pub fn parse(base64_text: &str) -> Result<IdHashKey, Bilingual> {
        let bad = || {
            Bilingual::new("身份证号哈希密钥应为 base64 编码的 32 字节", "the ID hash key must be 32 bytes in base64")
        };
        let raw = STANDARD.decode(base64_text.trim()).map_err(|_| bad())?;
        Ok(IdHashKey(raw.try_into().map_err(|_| bad())?))
    }

    /// A fresh random key (demo mode writes one into a new data directory).
    pub fn generate() -> AppResult<IdHashKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
        Ok(IdHashKey(bytes))
    }

    /// The key as configuration writes it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

/// The keys a server holds: the first seals, all open; and the ID-number
/// hash's own key, if configured.
#[derive(Debug, Clone, Default)]
pub struct CareKeys {
    keys: Vec<CareKey>,
    id_key: Option<IdHashKey>,
}

const NONCE: usize = 12;

impl CareKeys {
    /// `current` seals; `older` only open.
    pub fn new(current: CareKey, older: Vec<CareKey>) -> CareKeys {
        let mut keys = vec![current];
        keys.extend(older);
        CareKeys { keys, id_key: None }
    }

    /// The same keys, the ID-number hash under `key` from now on.
    pub fn with_id_hash_key(self, key: Option<IdHashKey>) -> CareKeys {
        CareKeys { id_key: key, ..self }
    }

    /// Is the ID-number hash keyed by its own key (not the first care key)?
    pub fn has_id_hash_key(&self) -> bool {
        self.id_key.is_some()
    }

    fn current(&self) -> AppResult<&CareKey> {
        self.keys.first().ok_or_else(|| AppError::Invalid {
            code: "no_care_key",
            message: Bilingual::new(
                "未配置关爱信息密钥（care_key），不能记录关爱对象",
                "no care key is configured (care_key): care marks cannot be recorded",
            ),
        })
    }

    pub fn is_configured(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Seal `text` for the mark `mark_id`: (key id, sealed text).
    pub fn seal(&self, mark_id: &str, text: &str) -> AppResult<(String, String)> {
        let key = self.current()?;
        let cipher = ChaCha20Poly1305::new_from_slice(&key.bytes).map_err(|e| AppError::internal(e.to_string()))?;
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
        let sealed = cipher
            .encrypt(&nonce.into(), Payload { msg: text.as_bytes(), aad: mark_id.as_bytes() })
            .map_err(|_| AppError::internal("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok((key.id.clone(), STANDARD.encode(out)))
    }

    /// Open what [`CareKeys::seal`] sealed for `mark_id` with key `key_id`.
    pub fn open(&self, mark_id: &str, key_id: &str, sealed: &str) -> AppResult<String> {
        let key = self.keys.iter().find(|k| k.id == key_id).ok_or_else(|| {
            AppError::internal(format!("care mark {mark_id} is sealed with key {key_id}, which is not configured"))
        })?;
        let raw =
            STANDARD.decode(sealed).map_err(|_| AppError::internal(format!("care mark {mark_id}: bad sealed text")))?;
        if raw.len() < NONCE {
            return Err(AppError::internal(format!("care mark {mark_id}: sealed text too short")));
        }
        let (nonce, body) = raw.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| AppError::internal("nonce"))?;
        let cipher = ChaCha20Poly1305::new_from_slice(&key.bytes).map_err(|e| AppError::internal(e.to_string()))?;
        let plain = cipher
            .decrypt(&nonce.into(), Payload { msg: body, aad: mark_id.as_bytes() })
            .map_err(|_| AppError::internal(format!("care mark {mark_id} does not open with key {key_id}")))?;
        String::from_utf8(plain).map_err(|_| AppError::internal(format!("care mark {mark_id}: not UTF-8")))
    }

    /// The keyed hash of an ID number (hex), for de-duplication: HMAC-SHA-256
    /// under the `id_hash_key`; without one, as before it existed, SHA-256
    /// salted with the current care key (or, with no key at all, by nothing:
    /// the hash is then only as strong as the number is unguessable).
    pub fn id_hash(&self, id_number: &str) -> String {
        if let Some(IdHashKey(key)) = &self.id_key {
            return hmac_sha256_hex(key, &[ID_HASH_CONTEXT, id_number.as_bytes()]);
        }
        let mut h = Sha256::new();
        h.update(ID_HASH_CONTEXT);
        if let Some(k) = self.keys.first() {
            h.update(k.bytes);
        }
        h.update(id_number.as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What an ID-number hash is of (its domain, apart from any other hash).
const ID_HASH_CONTEXT: &[u8] = b"shanzhi-register-id\0";

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CareKeys {
        CareKeys::new(CareKey::generate("k2").expect("key"), vec![CareKey::generate("k1").expect("key")])
    }

    #[test]
    fn a_sealed_text_opens_only_for_its_mark_and_hides_the_text() {
        let k = keys();
        let (id, sealed) = k.seal("m1", "独居老人").expect("seal");
        assert_eq!(id, "k2");
        assert!(!sealed.contains("独居"));
        assert_eq!(k.open("m1", &id, &sealed).expect("open"), "独居老人");
        assert!(k.open("m2", &id, &sealed).is_err(), "bound to its mark");
        assert!(k.open("m1", "k1", &sealed).is_err(), "another key does not open it");
        let (_, again) = k.seal("m1", "独居老人").expect("seal");
        assert_ne!(again, sealed, "a fresh nonce each time");
    }

    #[test]
    fn an_older_key_still_opens_what_it_sealed() {
        let old = CareKey::generate("k1").expect("key");
        let (id, sealed) = CareKeys::new(old.clone(), vec![]).seal("m1", "残疾人").expect("seal");
        let rotated = CareKeys::new(CareKey::generate("k2").expect("key"), vec![old]);
        assert_eq!(rotated.open("m1", &id, &sealed).expect("open"), "残疾人");
    }

    #[test]
    fn keys_are_parsed_strictly() {
        let k = CareKey::generate("k1").expect("key");
        assert!(CareKey::parse("k1", &k.to_base64()).is_ok());
        assert!(CareKey::parse("k1", "c2hvcnQ=").is_err(), "too short");
        assert!(CareKey::parse("k 1", &k.to_base64()).is_err(), "a bad id");
        assert!(!CareKeys::default().is_configured());
        assert!(CareKeys::default().seal("m", "x").is_err());
    }

    #[test]
    fn without_its_own_key_the_id_hash_is_derived_as_before() {
        let care = CareKey::parse("k1", &STANDARD.encode([7u8; 32])).expect("key");
        let keys = CareKeys::new(care, vec![]);
        // The derivation hashes were stored with before `id_hash_key` existed:
        // SHA-256 of the prefix, the first care key and the number (computed
        // apart, with Python's hashlib).
        assert_eq!(
            keys.id_hash("510104195001011232"),
            "a47baf56d8bdfb88ad52846bc769e7e0e5dd67fe29f6e50ccd9635b07e34a459"
        );
        assert!(!keys.has_id_hash_key());
    }

    #[test]
    fn its_own_key_makes_the_id_hash_independent_of_the_care_keys() {
        let id_key = IdHashKey::parse(&STANDARD.encode([9u8; 32])).expect("id key");
        let a = keys().with_id_hash_key(Some(id_key.clone()));
        let rotated = CareKeys::new(CareKey::generate("k3").expect("key"), vec![]).with_id_hash_key(Some(id_key));
        let n = "510104195001011232";
        assert_eq!(a.id_hash(n), rotated.id_hash(n), "care keys rotate; the hash stays");
        assert_ne!(a.id_hash(n), keys().id_hash(n));
        assert_ne!(a.id_hash(n), a.id_hash("510104195001011240"));
        assert_eq!(a.id_hash(n).len(), 64);
        assert!(IdHashKey::parse("c2hvcnQ=").is_err(), "too short");
        assert!(!format!("{a:?}").contains("9, 9"), "the key is never shown");
    }
}
