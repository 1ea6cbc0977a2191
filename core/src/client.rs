//! Clients: the guests or customers a tenant books for. A blocked client cannot
//! receive new reservations; an erased one (`crate::erasure`) keeps only its id.

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
    /// An archived client is hidden from lists and cannot be booked for; its
    /// reservations and history stay.
    pub archived: bool,
    /// When the client was created.
    pub created_at: DateTime<Utc>,
    /// When the client's personal data was erased (`crate::erasure`); an
    /// erased client cannot be changed.
    pub erased_at: Option<DateTime<Utc>>,
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

/// A change to a client: `None` leaves a field as it is; for optional fields
/// `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientPatch {
    /// New name; must not be blank.
    pub name: Option<String>,
    /// New e-mail.
    pub email: Option<Option<String>>,
    /// New phone number.
    pub phone: Option<Option<String>>,
    /// New notes.
    pub notes: Option<Option<String>>,
    /// Block or unblock.
    pub blocked: Option<bool>,
    /// Archive (`true`) or bring back (`false`).
    pub archived: Option<bool>,
}

impl ClientPatch {
    /// The client with the patch applied.
    pub fn apply(&self, client: &Client) -> Client {
        let mut c = client.clone();
        if let Some(v) = &self.name {
            c.name.clone_from(v);
        }
        if let Some(v) = &self.email {
            c.email.clone_from(v);
        }
        if let Some(v) = &self.phone {
            c.phone.clone_from(v);
        }
        if let Some(v) = &self.notes {
            c.notes.clone_from(v);
        }
        if let Some(v) = self.blocked {
            c.blocked = v;
        }
        if let Some(v) = self.archived {
            c.archived = v;
        }
        c
    }
}

/// Which clients to list: keyset pages in creation order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientFilter {
    /// Only clients whose name or e-mail contains this (case-insensitive).
    pub search: Option<String>,
    /// Archived clients too.
    pub include_archived: bool,
    /// Only clients created after this one (the page cursor).
    pub after: Option<ClientId>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
}
