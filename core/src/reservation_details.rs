//! Changing a reservation's details — its notes and which client it is for —
//! without touching its period, party or price (a period change does those,
//! through the policy). Like every reservation write it is versioned, refused
//! while another session holds a lock on the reservation or its unit's
//! period, audited (`update`, with the changed fields) and announced as
//! `reservation.changed`; a final reservation (finished, canceled, absent)
//! never changes. A client assigned must be the tenant's and bookable (not
//! blocked, not archived or erased), as for a new booking.

use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{ClientId, ReservationId, TenantId};
use crate::lock::SessionId;
use crate::reservation::Reservation;

/// The longest notes a reservation keeps, in characters.
pub const MAX_NOTES: usize = 4_000;

/// What to change: `None` keeps a field; `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetailsPatch {
    /// New notes.
    pub notes: Option<Option<String>>,
    /// Another client, or none.
    pub client_id: Option<Option<ClientId>>,
}

impl DetailsPatch {
    /// The reservation with the patch applied (version and time untouched).
    pub fn apply(&self, r: &Reservation) -> Reservation {
        let mut after = r.clone();
        if let Some(notes) = &self.notes {
            after.notes.clone_from(notes);
        }
        if let Some(client) = self.client_id {
            after.client_id = client;
        }
        after
    }
}

/// A details change as the store writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailsChange {
    /// The reservation.
    pub id: ReservationId,
    /// What changes.
    pub patch: DetailsPatch,
    /// When given, the stored version must equal it (optimistic concurrency).
    pub expected_version: Option<i64>,
    /// The writing session: locks it holds do not block it.
    pub session: Option<SessionId>,
    /// The instant of the write.
    pub now: DateTime<Utc>,
}

/// Refuses notes longer than [`MAX_NOTES`] (INVALID_INPUT on `notes`).
pub fn check_notes(notes: Option<&str>) -> Result<(), EngineError> {
    match notes {
        Some(n) if n.chars().count() > MAX_NOTES => Err(EngineError::InvalidInput {
            field: "notes",
            message: format!("notes are at most {MAX_NOTES} characters"),
        }),
        _ => Ok(()),
    }
}

impl Engine {
    /// Changes a reservation's notes or client (see the module's
    /// documentation); a refusal by a lock is recorded as a `lock.conflict`
    /// event. A patch that changes nothing writes nothing.
    pub async fn update_reservation_details(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        patch: DetailsPatch,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        check_notes(patch.notes.as_ref().and_then(Option::as_deref))?;
        let change = DetailsChange {
            id,
            patch,
            expected_version,
            session: self.session.clone(),
            now: self.clock.now(),
        };
        let result = self
            .store
            .update_reservation_details(tenant_id, change, actor)
            .await
            .map_err(EngineError::from);
        self.noting_conflict(tenant_id, actor, result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_have_a_limit_in_characters_not_bytes() {
        assert!(check_notes(None).is_ok());
        assert!(check_notes(Some(&"ä".repeat(MAX_NOTES))).is_ok());
        let err = check_notes(Some(&"x".repeat(MAX_NOTES + 1))).unwrap_err();
        assert!(matches!(
            err,
            EngineError::InvalidInput { field: "notes", .. }
        ));
    }
}
