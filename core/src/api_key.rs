//! API keys: long-lived credentials for integrators. A key is shown once when it
//! is created; only a hash of its secret is stored. Each key is scoped to a role
//! no higher than its creator's and can be revoked (through
//! [`crate::accounts::Accounts`]). This file is the key's format: how one is
//! minted, hashed and recognised.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::{ApiKeyId, TenantId};
use crate::user::Role;

/// An API key as stored (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Public id (part of the key string).
    pub id: ApiKeyId,
    /// The tenant the key acts for.
    pub tenant_id: TenantId,
    /// What the key is for (`channel manager`).
    pub name: String,
    /// Its scope: what the key may do, as a role.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked key authenticates nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What is needed to store a new key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey {
    /// The id, chosen by the caller because it is part of the key string.
    pub id: ApiKeyId,
    /// What the key is for; must not be blank.
    pub name: String,
    /// Its scope.
    pub role: Role,
    /// The hash of the key's secret (the only form in which it is kept).
    pub secret_hash: String,
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
