//! Authentication: signed, expiring session tokens (HS256 JWTs). Expiry is
//! checked against the engine's injected clock, not the system clock, so tests
//! move time instead of sleeping. Passwords (argon2 hashes, the sign-in check)
//! and the API key format are core's (`berth_core::accounts`,
//! `berth_core::api_key`); API keys (`berth_…`) are checked against the hash
//! kept in the store (`access::authenticate`).

use berth_core::accounts::Caller;
use berth_core::audit::Actor;
use berth_core::ids::{ApiKeyId, TenantId, UserId};
use berth_core::lock::SessionId;
use berth_core::user::{Role, User};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

// The password rule and hashes, and the API key format, are core's (the
// accounts service owns them); re-exported for the transport and the tests.
pub use berth_core::accounts::password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, check_password, hash_password,
};
pub use berth_core::api_key::{
    API_KEY_PREFIX, MintedKey, hash_key, hashes_equal, mint_api_key, parse_api_key,
};

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

    /// This viewer as the caller of an accounts command: their actor, and
    /// their role bounding what they may grant.
    pub fn caller(&self) -> Caller {
        Caller {
            actor: self.actor(),
            role: self.role,
        }
    }
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
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Tokens signed with `secret` (at least 32 bytes), valid for `ttl`. Also
    /// prepares the hash sign-ins of unknown e-mails are verified against
    /// (`berth_core::accounts::password`), so the first one costs no more.
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, AuthError> {
        berth_core::accounts::password::prepare().map_err(|e| AuthError::Hashing(e.0))?;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl,
        })
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
