//! Clients: the guests or customers a tenant books for. A blocked client cannot
//! receive new reservations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, TenantId};

/// A client as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Client {
    /// Stable id.
    pub id: ClientId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Full name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone number.
    pub phone: Option<String>,
    /// Internal notes, never shown to the client.
    pub notes: Option<String>,
    /// A blocked client cannot be booked for.
    pub blocked: bool,
    /// When the client was created.
    pub created_at: DateTime<Utc>,
}

/// What is needed to create a client.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NewClient {
    /// Full name; must not be blank.
    pub name: String,
    /// Contact e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Contact phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Internal notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Whether the client starts blocked.
    #[serde(default)]
    pub blocked: bool,
}
