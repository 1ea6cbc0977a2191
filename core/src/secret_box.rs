//! Sealing the secrets the platform must read back — webhook signing secrets,
//! which sign every message — so that a copy of the database (a backup, a
//! dump) does not hold them in clear. AES-256-GCM with a 32-byte key that the
//! operator keeps apart from the database (every instance sharing a database
//! shares it), a fresh 96-bit nonce per value, and the owning row's identity as
//! associated data, so a sealed value copied into another row does not open.
//!
//! A sealed value is `v1:` + base64 (no padding) of nonce and ciphertext. A
//! value without the prefix is one stored before sealing existed and is read
//! as it is.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// The prefix of a sealed value.
const SEALED: &str = "v1:";

/// Why a stored value could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The value is sealed but no key is configured.
    #[error("the value is sealed and no secrets key is configured")]
    NoKey,
    /// Not base64, too short, or the key or the row is not the one it was sealed with.
    #[error("the sealed value does not open with this key (another key, or another row's value)")]
    Unreadable,
}

/// A key that seals and opens values.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

impl SecretBox {
    /// A fresh 256-bit key from the operating system's random source.
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0_u8; 32];
        getrandom::fill(&mut key).unwrap_or_else(|e| panic!("no random source: {e}"));
        key
    }

    /// A box with this 256-bit key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// `plaintext` sealed for the row named by `row`.
    pub fn seal(&self, plaintext: &str, row: &str) -> String {
        let mut nonce = [0_u8; 12];
        // The operating system's CSPRNG; failing it is not something to go on after.
        getrandom::fill(&mut nonce).unwrap_or_else(|e| panic!("no random source: {e}"));
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: row.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("AES-GCM seals any input of this size"));
        let mut out = Vec::with_capacity(nonce.len() + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{SEALED}{}", STANDARD_NO_PAD.encode(out))
    }

    /// The value `stored` for the row named by `row`, opened (`None` for a box
    /// when no key is configured).
    pub fn open(this: Option<&Self>, stored: &str, row: &str) -> Result<String, OpenError> {
        let Some(encoded) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_owned());
        };
        let this = this.ok_or(OpenError::NoKey)?;
        let bytes = STANDARD_NO_PAD
            .decode(encoded)
            .map_err(|_| OpenError::Unreadable)?;
        if bytes.len() < 12 {
            return Err(OpenError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| OpenError::Unreadable)?;
        let plain = this
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| OpenError::Unreadable)
    }

    /// `plaintext` as it is stored: sealed when a box is configured.
    pub fn store(this: Option<&Self>, plaintext: &str, row: &str) -> String {
        match this {
            Some(b) => b.seal(plaintext, row),
            None => plaintext.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_seal_and_open_only_with_their_key_and_row() {
        let key = SecretBox::new(&[7; 32]);
        let sealed = key.seal("whsec_abc", "webhook:t:1");
        assert!(
            sealed.starts_with("v1:") && !sealed.contains("whsec_abc"),
            "{sealed}"
        );
        assert_ne!(
            sealed,
            key.seal("whsec_abc", "webhook:t:1"),
            "a fresh nonce each time"
        );
        assert_eq!(
            SecretBox::open(Some(&key), &sealed, "webhook:t:1").as_deref(),
            Ok("whsec_abc")
        );
        // Another row, another key, a changed byte, no key: refused.
        assert_eq!(
            SecretBox::open(Some(&key), &sealed, "webhook:t:2"),
            Err(OpenError::Unreadable)
        );
        let other = SecretBox::new(&[8; 32]);
        assert_eq!(
            SecretBox::open(Some(&other), &sealed, "webhook:t:1"),
            Err(OpenError::Unreadable)
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            SecretBox::open(Some(&key), &tampered, "webhook:t:1"),
            Err(OpenError::Unreadable)
        );
        assert_eq!(
            SecretBox::open(None, &sealed, "webhook:t:1"),
            Err(OpenError::NoKey)
        );
        // A value stored before sealing is read as it is.
        assert_eq!(
            SecretBox::open(Some(&key), "whsec_old", "webhook:t:1").as_deref(),
            Ok("whsec_old")
        );
        assert_eq!(SecretBox::store(None, "whsec_x", "r"), "whsec_x");
    }
}
