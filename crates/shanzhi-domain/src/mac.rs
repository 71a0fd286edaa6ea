//! HMAC-SHA-256 (RFC 2104), the one helper every signature in Shanzhi uses:
//! the volunteer check-in code, the SMS gateway's `X-Shanzhi-Signature` and
//! the notification webhook's. Over the maintained `hmac` crate.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA-256 under `key` of the concatenation of `parts` (so a caller
/// signing `t + "." + body` needs no copy of the body).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length (a long one is hashed first), so
    // `new_from_slice` cannot fail; `new` over a padded block would hide that.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// [`hmac_sha256`] as lowercase hexadecimal (64 characters).
pub fn hmac_sha256_hex(key: &[u8], parts: &[&[u8]]) -> String {
    hmac_sha256(key, parts).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 §4: the test cases whose output is not truncated.
    #[test]
    fn matches_rfc_4231() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 5] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, want) in cases {
            assert_eq!(hmac_sha256_hex(&key, &[&data]), want);
        }
    }

    #[test]
    fn the_parts_are_signed_as_one_text() {
        let whole = hmac_sha256(b"key", &[b"1.{}"]);
        assert_eq!(whole, hmac_sha256(b"key", &[b"1", b".", b"{}"]));
        assert_ne!(whole, hmac_sha256(b"key", &[b"2.{}"]));
        assert_eq!(hmac_sha256(b"", &[]).len(), 32, "an empty key is a key");
    }
}
