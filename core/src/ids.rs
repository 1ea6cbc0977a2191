//! Typed identifiers. Every entity id is a UUID v7 (time-ordered, so ids sort by
//! creation and make stable list cursors), wrapped in its own type so a `UnitId`
//! can never be passed where a `ReservationId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (from the database or a parsed request).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

entity_id!(
    /// Identifies a tenant (one business). Every row in every table carries one.
    TenantId
);
entity_id!(
    /// Identifies a bookable unit of a tenant.
    UnitId
);
entity_id!(
    /// Identifies a client (guest or customer) of a tenant.
    ClientId
);
entity_id!(
    /// Identifies a reservation.
    ReservationId
);
entity_id!(
    /// Identifies a user (an administrator or staff member) of a tenant.
    UserId
);
entity_id!(
    /// Identifies an integrator's API key (its public part).
    ApiKeyId
);
entity_id!(
    /// Identifies a lock (a lease on a unit's period or a reservation).
    LockId
);
entity_id!(
    /// Identifies a webhook (an integrator's endpoint for the tenant's events).
    WebhookId
);
entity_id!(
    /// Identifies one event's delivery to one webhook (its `webhook-id` header).
    DeliveryId
);
entity_id!(
    /// Identifies a user's registered device for web push notifications.
    PushSubscriptionId
);
entity_id!(
    /// Identifies one notification queued for one device.
    PushDeliveryId
);
entity_id!(
    /// Identifies a calendar block (a busy period imported from a `.ics` feed).
    CalendarBlockId
);
entity_id!(
    /// Identifies a calendar sync (another calendar's URL fetched on a schedule).
    CalendarSyncId
);
entity_id!(
    /// Identifies an uploaded image of a unit (`crate::media`).
    ImageId
);
entity_id!(
    /// Identifies an audit log entry.
    AuditId
);
entity_id!(
    /// Identifies an outbox event (the cursor is its per-tenant sequence number).
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings() {
        let id = UnitId::new();
        let parsed: UnitId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = ReservationId::new();
        let b = ReservationId::new();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!("not-a-uuid".parse::<ClientId>().is_err());
    }
}
entity_id!(
    /// Identifies one e-mail message to one recipient (`crate::mail`); its
    /// `Message-ID` is derived from it, the same on every attempt.
    MailId
);
