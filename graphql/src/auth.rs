//! Authentication: argon2 password hashes and signed, expiring session tokens
//! (HS256 JWTs). Expiry is checked against the engine's injected clock, not the
//! system clock, so tests move time instead of sleeping. A failed sign-in gives the
//! same answer and does the same work whether the e-mail is unknown or the password
//! is wrong.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use berth_core::ids::{TenantId, UserId};
use berth_core::user::{Role, User};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Hashes a password (argon2id, random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

/// Why authentication failed. Clients only ever see UNAUTHENTICATED.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Hashing failed (an internal error).
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// The token is malformed, forged or expired.
    #[error("invalid or expired token")]
    BadToken,
}

/// Who a valid token says the caller is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// The user.
    pub user_id: UserId,
    /// The user's tenant: the only tenant admin operations ever touch.
    pub tenant_id: TenantId,
    /// The user's role when the token was issued.
    pub role: Role,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    tid: String,
    role: String,
    iat: i64,
    exp: i64,
}

/// The bearer token of a request, as the transport found it.
#[derive(Clone, Debug)]
pub struct BearerToken(pub String);

/// Issues and checks session tokens.
#[derive(Clone)]
pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
    /// A hash to verify against when the e-mail is unknown, so that both failures
    /// cost one argon2 verification.
    dummy_hash: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Tokens signed with `secret` (at least 32 bytes), valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, AuthError> {
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl,
            dummy_hash: hash_password("no user has this password")?,
        })
    }

    /// True when `password` matches `hash`; with no hash (unknown user) it does
    /// the same work and returns false.
    pub fn verify_password(&self, password: &str, hash: Option<&str>) -> bool {
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), hash.unwrap_or(&self.dummy_hash))
            .is_ok();
        ok && hash.is_some()
    }

    /// A token for `user`, issued at `now`.
    pub fn issue(&self, user: &User, now: DateTime<Utc>) -> Result<String, AuthError> {
        let claims = Claims {
            sub: user.id.to_string(),
            tid: user.tenant_id.to_string(),
            role: user.role.as_str().to_owned(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::BadToken)
    }

    /// The viewer a token names, if it is genuine and not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Viewer, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the injected clock.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AuthError::BadToken)?;
        let c = data.claims;
        if c.exp <= now.timestamp() {
            return Err(AuthError::BadToken);
        }
        Ok(Viewer {
            user_id: c.sub.parse().map_err(|_| AuthError::BadToken)?,
            tenant_id: c.tid.parse().map_err(|_| AuthError::BadToken)?,
            role: c.role.parse().map_err(|_| AuthError::BadToken)?,
        })
    }
}
