//! Erasing a client (a guest's right to erasure): the client's personal data —
//! name, e-mail, phone, notes — and the free text of its reservations (their
//! notes, cancellation reasons) are removed everywhere berth keeps them, in one
//! transaction, while the facts a business must keep stay: the reservations
//! themselves (dates, unit, price, state), the audit log's who-did-what-when
//! and the event stream's order.
//!
//! - Rows: the client keeps its id, now named [`ERASED`], without contact
//!   details or notes, archived (never bookable again) and marked erased; its
//!   reservations' notes are cleared, and the reason of a booking made over
//!   the policy (`policy_override`) becomes [`ERASED`].
//! - History: in the client's and its reservations' events (what webhooks
//!   deliver and subscriptions replay) and audit entries, every personal value
//!   that was set becomes [`ERASED`], so the history still shows that a value
//!   was there and when it changed, not what it was.
//! - E-mail (`crate::mail`): the client's messages lose their address and
//!   name, its pending ones are skipped, and the reservation snapshots of every
//!   message about its stays are redacted like the events.
//! - A `client.erased` event tells integrators to erase their copies.
//!
//! An operator may also have clients erased on their own once inactive for a
//! period (`berth serve --client-retention-days`, [`Engine::erase_inactive_clients`]).
//!
//! A client with an active reservation (held, confirmed, checked in) is not
//! erased (CONFLICT): its stay is still being served. Neither is a client that
//! already was. What berth cannot reach is said in docs/data-rights.md: backups until
//! they age out, log files, and what webhooks delivered before.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::client::{Client, ClientPatch};
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{ClientId, TenantId};

/// What an erased personal value reads as, in rows and in history.
pub const ERASED: &str = "(erased)";

/// A client's personal fields.
const CLIENT_FIELDS: &[&str] = &["name", "email", "phone", "notes"];
/// A reservation's free-text fields (its notes; a cancellation's reason, in
/// the audit entry's details; an override's reason, in its `policy_override`).
const RESERVATION_FIELDS: &[&str] = &["notes", "reason"];

/// What an erasure changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    /// The client's reservations (kept, their notes cleared).
    pub reservations: u64,
    /// Audit entries whose metadata had personal values.
    pub audit_entries: u64,
    /// Events whose payload had personal values.
    pub events: u64,
}

/// Whose history a stored event or audit entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasedEntity {
    /// The client itself.
    Client,
    /// One of its reservations.
    Reservation,
}

impl ErasedEntity {
    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Client => CLIENT_FIELDS,
            Self::Reservation => RESERVATION_FIELDS,
        }
    }
}

/// Replaces, at any depth of `value`, every set value of the entity's personal
/// fields with [`ERASED`]; whether anything changed.
pub fn redact(entity: ErasedEntity, value: &mut Value) -> bool {
    redact_fields(entity.fields(), value)
}

fn redact_fields(fields: &[&str], value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if fields.contains(&key.as_str()) && !v.is_null() && !v.is_object() {
                    if *v != ERASED {
                        *v = Value::from(ERASED);
                        changed = true;
                    }
                } else {
                    changed |= redact_fields(fields, v);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                changed |= redact_fields(fields, v);
            }
        }
        _ => {}
    }
    changed
}

/// The stored rows (an id and a JSON value: event payloads, audit metadata) of
/// `entity` that redaction changes, redacted.
pub fn redacted<I>(entity: ErasedEntity, rows: Vec<(I, Value)>) -> Vec<(I, Value)> {
    rows.into_iter()
        .filter_map(|(id, mut value)| redact(entity, &mut value).then_some((id, value)))
        .collect()
}

/// The client as it stays after erasure.
pub fn erased(client: &Client, at: DateTime<Utc>) -> Client {
    let patch = ClientPatch {
        name: Some(ERASED.to_owned()),
        email: Some(None),
        phone: Some(None),
        notes: Some(None),
        blocked: None,
        archived: Some(true),
    };
    Client {
        erased_at: Some(at),
        ..patch.apply(client)
    }
}

/// The refusal to change a client that was erased.
pub fn already_erased(client: &Client) -> String {
    match client.erased_at {
        Some(at) => format!(
            "client {} was erased on {}; its data cannot be changed",
            client.id,
            at.format("%Y-%m-%d")
        ),
        None => format!("client {} was erased", client.id),
    }
}

/// The refusal to erase a client whose stays are still being served.
pub fn still_active(id: ClientId, active: u64) -> String {
    format!(
        "client {id} has {active} active reservation(s) (held, confirmed or checked in): \
         cancel them or let them finish before erasing the client"
    )
}

impl Engine {
    /// Erases a client's personal data (see the module's documentation): the
    /// client as it stays, and what was changed.
    pub async fn erase_client(
        &self,
        tenant_id: TenantId,
        id: ClientId,
        actor: &crate::audit::Actor,
    ) -> Result<(Client, ErasureReport), EngineError> {
        Ok(self
            .store
            .erase_client(tenant_id, id, actor, self.clock.now())
            .await?)
    }
}

/// Clients erased per batch by [`Engine::erase_inactive_clients`].
pub const RETENTION_BATCH: u32 = 100;
/// Batches per tenant per call (the next call goes on).
pub const RETENTION_BATCHES: u32 = 10;

impl Engine {
    /// Erases, as the system, the tenant's clients with no activity for
    /// `keep` (no change to them, no stay of theirs ending or still active in
    /// that time; see [`crate::store::ErasureStore::inactive_clients`]): how
    /// many. A client that became active meanwhile is skipped.
    pub async fn erase_inactive_clients(
        &self,
        tenant_id: TenantId,
        keep: chrono::Duration,
    ) -> Result<u64, EngineError> {
        let before = self.clock.now() - keep;
        let mut erased = 0;
        for _ in 0..RETENTION_BATCHES {
            let due = self
                .store
                .inactive_clients(tenant_id, before, RETENTION_BATCH)
                .await?;
            let full = due.len() >= RETENTION_BATCH as usize;
            for id in due {
                match self
                    .erase_client(tenant_id, id, &crate::audit::Actor::System)
                    .await
                {
                    Ok(_) => erased += 1,
                    // Booked or erased by someone else since it was read.
                    Err(e) if e.code() == crate::error::ErrorCode::Conflict => {}
                    Err(e) => return Err(e),
                }
            }
            if !full {
                break;
            }
        }
        Ok(erased)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_values_are_replaced_at_any_depth_and_nulls_stay() {
        let mut audit = json!({
            "before": { "name": "Ada", "email": null, "blocked": false },
            "after": { "name": "Ada L.", "email": "ada@example.org", "blocked": true },
        });
        assert!(redact(ErasedEntity::Client, &mut audit));
        assert_eq!(
            audit,
            json!({
                "before": { "name": ERASED, "email": null, "blocked": false },
                "after": { "name": ERASED, "email": ERASED, "blocked": true },
            })
        );
        assert!(
            !redact(ErasedEntity::Client, &mut audit),
            "redacting twice changes nothing"
        );
    }

    #[test]
    fn reservations_lose_their_notes_and_reasons_not_their_facts() {
        let mut event = json!({
            "id": "r1", "notes": "allergic to nuts", "guests": 2,
            "price": { "lines": [{ "kind": "nights", "label": "2 night(s)" }] },
        });
        assert!(redact(ErasedEntity::Reservation, &mut event));
        assert_eq!(event["notes"], ERASED);
        assert_eq!(event["price"]["lines"][0]["label"], "2 night(s)");
        let mut cancel = json!({ "from": "confirmed", "to": "canceled",
                                 "details": { "reason": "the guest's father died" } });
        assert!(redact(ErasedEntity::Reservation, &mut cancel));
        assert_eq!(cancel["details"]["reason"], ERASED);
        let mut none = json!({ "from": "held", "to": "confirmed", "details": null });
        assert!(!redact(ErasedEntity::Reservation, &mut none));
    }

    #[test]
    fn an_erased_client_keeps_its_id_and_flags_only() {
        let at: DateTime<Utc> = "2026-11-26T10:00:00Z".parse().unwrap();
        let client = Client {
            id: ClientId::new(),
            tenant_id: TenantId::new(),
            name: "Ada Lovelace".into(),
            email: Some("ada@example.org".into()),
            phone: Some("+41 79 000 00 00".into()),
            notes: Some("VIP".into()),
            blocked: true,
            archived: false,
            created_at: at,
            erased_at: None,
        };
        let after = erased(&client, at);
        assert_eq!(after.id, client.id);
        assert_eq!(after.name, ERASED);
        assert_eq!((after.email, after.phone, after.notes), (None, None, None));
        assert!(after.archived && after.blocked);
        assert_eq!(after.erased_at, Some(at));
    }
}
