//! API keys: long-lived credentials for integrators. A key is shown once when it
//! is created; only a hash of its secret is stored. Each key is scoped to a role
//! no higher than its creator's and can be revoked.

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
