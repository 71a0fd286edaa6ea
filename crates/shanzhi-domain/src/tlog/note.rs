//! C2SP signed notes (`c2sp.org/signed-note`) with Ed25519: key files in
//! the format Go's `golang.org/x/mod/sumdb/note` reads and writes, signature
//! lines `— <name> base64(key id ‖ signature)`, and witness cosignatures
//! (`c2sp.org/tlog-cosignature`, `cosignature/v1`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::TlogError;

/// The signature type of a plain Ed25519 note signature.
pub const ALG_ED25519: u8 = 0x01;
/// The signature type of an Ed25519 `cosignature/v1`.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;
/// The longest note this reads (a checkpoint is a few hundred bytes).
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// The most signature lines a note may carry.
pub const MAX_SIGNATURES: usize = 64;

/// `SHA-256(name ‖ "\n" ‖ alg ‖ public key)[:4]`.
pub fn key_id(name: &str, alg: u8, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 256 && !name.chars().any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// Whatever signs notes for the log: the key file now; an HSM or a KMS
/// could implement it (the key never leaves it).
pub trait Signer: std::fmt::Debug + Send + Sync {
    /// The key's name (the log's origin).
    fn name(&self) -> &str;
    /// The public half, as verifiers know it.
    fn verifier(&self) -> VerifierKey;
    /// An Ed25519 signature of `message`.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], TlogError>;
}

/// An Ed25519 private key with its name, as a key file holds it:
/// `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ seed)>`.
#[derive(Clone)]
pub struct SecretKey {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SecretKey {
    /// A key from 32 random bytes (the caller draws them).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, TlogError> {
        if !valid_name(name) {
            return Err(TlogError::Malformed(format!("a key name has no spaces or '+': {name:?}")));
        }
        Ok(SecretKey { name: name.to_owned(), key: SigningKey::from_bytes(&seed) })
    }

    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let bad = || TlogError::Malformed("not a private key (PRIVATE+KEY+name+id+key)".to_owned());
        let text = text.trim();
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or_else(bad)?;
        // The name and the id hold no '+'; base64 may.
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        let raw = STANDARD.decode(b64).map_err(|_| bad())?;
        let [alg, seed @ ..] = raw.as_slice() else { return Err(bad()) };
        let seed: [u8; 32] = seed.try_into().map_err(|_| bad())?;
        if *alg != ALG_ED25519 {
            return Err(bad());
        }
        let key = SecretKey::from_seed(name, seed)?;
        if id != hex4(&key.verifier().id) {
            return Err(TlogError::Malformed("the private key's id does not match the key".to_owned()));
        }
        Ok(key)
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!("PRIVATE+KEY+{}+{}+{}", self.name, hex4(&self.verifier().id), STANDARD.encode(raw))
    }

    /// The same key signing witness cosignatures (`cosignature/v1`).
    pub fn cosign(&self, timestamp: u64, body: &str) -> NoteSignature {
        cosign(self, timestamp, body).expect("an in-memory key signs")
    }
}

/// A witness's cosignature (`cosignature/v1`) of a checkpoint `body` at
/// `timestamp` (seconds), by any signer.
pub fn cosign(signer: &dyn Signer, timestamp: u64, body: &str) -> Result<NoteSignature, TlogError> {
    let verifier = signer.verifier();
    let sig = signer.sign(&cosigned_message(timestamp, body))?;
    let mut bytes = timestamp.to_be_bytes().to_vec();
    bytes.extend_from_slice(&sig);
    Ok(NoteSignature { name: verifier.name.clone(), id: verifier.cosignature_id(), bytes })
}

impl Signer for SecretKey {
    fn name(&self) -> &str {
        &self.name
    }

    fn verifier(&self) -> VerifierKey {
        let public = self.key.verifying_key();
        VerifierKey { name: self.name.clone(), id: key_id(&self.name, ALG_ED25519, &public.to_bytes()), key: public }
    }

    fn sign(&self, message: &[u8]) -> Result<[u8; 64], TlogError> {
        Ok(self.key.sign(message).to_bytes())
    }
}

fn hex4(id: &[u8; 4]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// The message a witness signs: `cosignature/v1\ntime <t>\n` and the body.
fn cosigned_message(timestamp: u64, body: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{body}").into_bytes()
}

/// A public key with its name: `<name>+<key id hex>+<base64(0x01 ‖ key)>`
/// (a C2SP "vkey").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    pub name: String,
    pub id: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let bad = || TlogError::Malformed("not a verifier key (name+id+key)".to_owned());
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        if !valid_name(name) {
            return Err(bad());
        }
        let raw = STANDARD.decode(b64).map_err(|_| bad())?;
        let [alg, public @ ..] = raw.as_slice() else { return Err(bad()) };
        let public: [u8; 32] = public.try_into().map_err(|_| bad())?;
        if *alg != ALG_ED25519 {
            return Err(bad());
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| bad())?;
        let expected = key_id(name, ALG_ED25519, &public);
        if id != hex4(&expected) {
            return Err(TlogError::Malformed("the verifier key's id does not match the key".to_owned()));
        }
        Ok(VerifierKey { name: name.to_owned(), id: expected, key })
    }

    pub fn to_text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!("{}+{}+{}", self.name, hex4(&self.id), STANDARD.encode(raw))
    }

    /// The raw 32-byte public key.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The id this key's cosignatures carry.
    pub fn cosignature_id(&self) -> [u8; 4] {
        key_id(&self.name, ALG_COSIGNATURE_V1, &self.key.to_bytes())
    }

    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else { return false };
        self.key.verify_strict(message, &sig).is_ok()
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub id: [u8; 4],
    /// The signature (a cosignature: its 8-byte timestamp, then the signature).
    pub bytes: Vec<u8>,
}

impl NoteSignature {
    /// `— <name> base64(id ‖ signature)` and a newline.
    pub fn to_line(&self) -> String {
        let mut raw = self.id.to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("— {} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// A signed note: text (newline-terminated lines), a blank line, signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// Sign `text` (which must end with a newline) with `signer`.
    pub fn sign(text: &str, signer: &dyn Signer) -> Result<Note, TlogError> {
        if !text.ends_with('\n') || text.contains("\n\n") || text.len() > MAX_NOTE_BYTES {
            return Err(TlogError::Malformed("a note's text is non-empty lines, each ending in a newline".to_owned()));
        }
        let verifier = signer.verifier();
        let sig = signer.sign(text.as_bytes())?;
        Ok(Note {
            text: text.to_owned(),
            signatures: vec![NoteSignature { name: verifier.name, id: verifier.id, bytes: sig.to_vec() }],
        })
    }

    /// Read a note; its signatures are not checked here.
    pub fn parse(raw: &str) -> Result<Note, TlogError> {
        let bad = |what: &str| TlogError::Malformed(format!("signed note: {what}"));
        if raw.len() > MAX_NOTE_BYTES {
            return Err(bad("too long"));
        }
        let Some(split) = raw.rfind("\n\n") else { return Err(bad("no blank line before the signatures")) };
        let (text, sigs) = (&raw[..=split], &raw[split + 2..]);
        if text.contains("\n\n") || text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad("malformed text"));
        }
        if !sigs.ends_with('\n') {
            return Err(bad("the last signature line must end with a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(bad("too many signatures"));
            }
            let rest = line.strip_prefix("— ").ok_or_else(|| bad("a signature line starts with “— ”"))?;
            let (name, b64) = rest.split_once(' ').ok_or_else(|| bad("a signature line is “— name signature”"))?;
            let raw = STANDARD.decode(b64).map_err(|_| bad("a signature is not base64"))?;
            if raw.len() < 5 || !valid_name(name) {
                return Err(bad("a signature is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                id: [raw[0], raw[1], raw[2], raw[3]],
                bytes: raw[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(bad("no signature"));
        }
        Ok(Note { text: text.to_owned(), signatures })
    }

    /// The note as text: the text, a blank line, every signature line.
    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.to_line());
        }
        out
    }

    /// Is it signed by `key`? (Signatures by other keys are ignored.)
    pub fn verify(&self, key: &VerifierKey) -> Result<(), TlogError> {
        let sig = self
            .signatures
            .iter()
            .find(|s| s.name == key.name && s.id == key.id)
            .ok_or_else(|| TlogError::Signature(format!("no signature by {}", key.name)))?;
        if key.verify(self.text.as_bytes(), &sig.bytes) {
            Ok(())
        } else {
            Err(TlogError::Signature(format!("the signature by {} does not verify", key.name)))
        }
    }

    /// The time of `witness`'s valid cosignature, if it has one.
    pub fn cosigned_by(&self, witness: &VerifierKey) -> Result<u64, TlogError> {
        let id = witness.cosignature_id();
        let sig = self
            .signatures
            .iter()
            .find(|s| s.name == witness.name && s.id == id)
            .ok_or_else(|| TlogError::Signature(format!("no cosignature by {}", witness.name)))?;
        if sig.bytes.len() != 72 {
            return Err(TlogError::Signature("a cosignature is a timestamp and a signature".to_owned()));
        }
        let timestamp = u64::from_be_bytes(sig.bytes[..8].try_into().map_err(|_| TlogError::Signature("ts".into()))?);
        if witness.verify(&cosigned_message(timestamp, &self.text), &sig.bytes[8..]) {
            Ok(timestamp)
        } else {
            Err(TlogError::Signature(format!("the cosignature by {} does not verify", witness.name)))
        }
    }

    /// Add a signature line (a witness's cosignature), replacing one by the same key.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        self.signatures.retain(|s| !(s.name == sig.name && s.id == sig.id));
        self.signatures.push(sig);
    }
}
