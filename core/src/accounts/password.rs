//! Passwords: the argon2id hashes (PHC strings, random salt, the `argon2`
//! crate's default parameters — the format every stored hash has) and the
//! rule for a new password. Hashing and verifying take tens of milliseconds
//! of CPU; async callers run them on the blocking pool.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most bytes a password may have (Argon2 hashes all of it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashing failed (an internal error).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashingFailed(pub String);

/// Hashes a password (argon2id, random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, HashingFailed> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashingFailed(e.to_string()))
}

/// Whether `password` is acceptable as a new password: at least
/// [`MIN_PASSWORD_CHARS`] characters, at most [`MAX_PASSWORD_BYTES`] bytes.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        ))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(format!("a password has at most {MAX_PASSWORD_BYTES} bytes"))
    } else {
        Ok(())
    }
}

/// A hash to verify against when the e-mail is unknown, so that both failures
/// of a sign-in cost one argon2 verification.
static DUMMY_HASH: LazyLock<Result<String, String>> =
    LazyLock::new(|| hash_password("no user has this password").map_err(|e| e.0));

/// Computes the hash unknown e-mails are verified against (once per process),
/// so that the first sign-in does not pay for it; fails when hashing does.
pub fn prepare() -> Result<(), HashingFailed> {
    DUMMY_HASH
        .as_ref()
        .map(|_| ())
        .map_err(|e| HashingFailed(e.clone()))
}

/// True when `password` matches `hash`; with no hash (unknown user) it does
/// the same work and returns false.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let dummy = DUMMY_HASH.as_deref().unwrap_or("");
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), hash.unwrap_or(dummy))
        .is_ok();
    ok && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_unknown_users_never_do() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("no user has this password", None));
    }

    #[test]
    fn new_passwords_have_ten_characters_to_a_kilobyte() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("éééééééééé").is_ok());
        assert!(check_password(&"a".repeat(1025)).is_err());
    }
}
