//! Authentication: argon2 password hashes and signed, expiring session tokens
//! (HS256 JWTs). Expiry is checked against the engine's injected clock, not the
//! system clock, so tests move time instead of sleeping. A failed sign-in gives the
//! same answer and does the same work whether the e-mail is unknown or the password
//! is wrong. API keys (`berth_…`) are checked against the hash kept in the store.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use berth_core::audit::Actor;
use berth_core::ids::{ApiKeyId, TenantId, UserId};
use berth_core::lock::SessionId;
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

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most bytes a password may have (Argon2 hashes all of it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

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

/// Who is calling: a signed-in user or an integrator's API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A user with a session token.
    User(UserId),
    /// An API key.
    ApiKey(ApiKeyId),
}

/// Who a valid token or key says the caller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// The user or key.
    pub principal: Principal,
    /// The tenant: the only tenant admin operations ever touch.
    pub tenant_id: TenantId,
    /// The role: a user's current one (read with the user on every request), a
    /// key's scope.
    pub role: Role,
    /// The session that holds this caller's locks: the sign-in (one per
    /// `login`), or the API key. A WebSocket connection is a session of its own
    /// (see [`ConnectionSession`]).
    pub session: SessionId,
    /// When a session token stops being valid (`None` for an API key, valid
    /// until revoked): a subscription ends then.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The session of one WebSocket connection, set by the transport: locks taken
/// over the connection are its own and end when it closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSession(pub SessionId);

impl Viewer {
    /// The actor recorded in the audit log for this viewer's writes.
    pub fn actor(&self) -> Actor {
        match self.principal {
            Principal::User(id) => Actor::User(id),
            Principal::ApiKey(id) => Actor::ApiKey(id.to_string()),
        }
    }
}

/// The prefix that tells API keys from session tokens.
pub const API_KEY_PREFIX: &str = "berth_";

/// A freshly minted API key: the string shown once, and what is stored.
#[derive(Debug)]
pub struct MintedKey {
    /// The whole key, `berth_<tenant>_<id>_<secret>`: shown once, never stored.
    pub key: String,
    /// The key's public id.
    pub id: ApiKeyId,
    /// SHA-256 of the key, hex: the only form kept.
    pub secret_hash: String,
}

/// Mints a key for `tenant`. The secret is 244 bits from the operating system's
/// random source (two v4 UUIDs); keys are high-entropy, so a plain SHA-256 is the
/// right hash (a slow password hash would only slow every request down).
pub fn mint_api_key(tenant: TenantId) -> MintedKey {
    let id = ApiKeyId::new();
    let key = format!(
        "{API_KEY_PREFIX}{}_{}_{}{}",
        tenant.as_uuid().simple(),
        id.as_uuid().simple(),
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let secret_hash = hash_key(&key);
    MintedKey {
        key,
        id,
        secret_hash,
    }
}

/// SHA-256 of a key, hex.
pub fn hash_key(key: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tenant and key id an API key string names, if it has the key's shape.
pub fn parse_api_key(key: &str) -> Option<(TenantId, ApiKeyId)> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let mut parts = rest.split('_');
    let tenant = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    let secret = parts.next()?;
    (secret.len() == 64 && parts.next().is_none()).then_some((tenant, id))
}

/// Compares two hashes in time independent of where they differ.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The sign-in session (a fresh id per login).
    #[serde(default)]
    sid: String,
    sub: String,
    tid: String,
    role: String,
    iat: i64,
    exp: i64,
    /// The user's session epoch at sign-in; older epochs are refused (tokens
    /// from before this claim existed are epoch 0).
    #[serde(default)]
    ep: i64,
}

/// The bearer token of a request, as the transport found it: the
/// `Authorization: Bearer` header, the browser's session cookie, or a WebSocket's
/// `connection_init` payload.
#[derive(Clone, Debug)]
pub struct BearerToken(pub String);

/// What the HTTP transport is to do with the browser's session cookie once a
/// request is answered: asked for by `signIn` and `signOut`. The transport
/// alone writes the cookie (its name and attributes, and whether the request
/// came over HTTPS), so the token never appears in a response body.
#[derive(Clone, PartialEq, Eq)]
pub enum CookieChange {
    /// Keep this session token until it expires.
    Set {
        /// The session token.
        token: String,
        /// When it expires (the cookie's lifetime).
        expires_at: DateTime<Utc>,
    },
    /// Remove the cookie.
    Clear,
}

impl std::fmt::Debug for CookieChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Set { expires_at, .. } => f
                .debug_struct("Set")
                .field("expires_at", expires_at)
                .finish_non_exhaustive(),
            Self::Clear => f.write_str("Clear"),
        }
    }
}

/// Where `signIn` and `signOut` leave their [`CookieChange`] for one HTTP
/// request. The HTTP transport puts one in every request it executes and reads
/// it afterwards; a request without one (over the WebSocket, which cannot set
/// cookies) is refused by both mutations.
#[derive(Clone, Debug, Default)]
pub struct SessionCookie(std::sync::Arc<std::sync::Mutex<Option<CookieChange>>>);

impl SessionCookie {
    /// Records `change`, replacing an earlier one of the same request.
    pub fn set(&self, change: CookieChange) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(change);
    }

    /// The change recorded, if any (taking it out).
    pub fn take(&self) -> Option<CookieChange> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

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
        self.issue_until(user, now).map(|(token, _)| token)
    }

    /// A token for `user`, issued at `now`, and the instant it expires (its
    /// `exp` claim: whole seconds).
    pub fn issue_until(
        &self,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), AuthError> {
        let exp = (now + self.ttl).timestamp();
        let expires_at = DateTime::from_timestamp(exp, 0).ok_or(AuthError::BadToken)?;
        let claims = Claims {
            sid: uuid::Uuid::new_v4().simple().to_string(),
            sub: user.id.to_string(),
            tid: user.tenant_id.to_string(),
            role: user.role.as_str().to_owned(),
            iat: now.timestamp(),
            exp,
            ep: user.session_epoch,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::BadToken)?;
        Ok((token, expires_at))
    }

    /// The viewer a token names and the session epoch it was issued in, if it is
    /// genuine and not expired at `now`. Whether the user still exists, is
    /// active and is still in that epoch is the caller's check
    /// (`access::authenticate`).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<(Viewer, i64), AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the injected clock.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AuthError::BadToken)?;
        let c = data.claims;
        if c.exp <= now.timestamp() {
            return Err(AuthError::BadToken);
        }
        let session = format!("login:{}", c.sid)
            .parse()
            .map_err(|_| AuthError::BadToken)?;
        let viewer = Viewer {
            session,
            principal: Principal::User(c.sub.parse().map_err(|_| AuthError::BadToken)?),
            tenant_id: c.tid.parse().map_err(|_| AuthError::BadToken)?,
            role: c.role.parse().map_err(|_| AuthError::BadToken)?,
            expires_at: DateTime::from_timestamp(c.exp, 0),
        };
        Ok((viewer, c.ep))
    }
}
