//! Outbox events: the per-tenant ordered record of what happened, written in the
//! same transaction as the change. Subscriptions, webhooks and push notifications
//! are all fed from this one table.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::ids::{EventId, TenantId};

/// What an event reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    /// A tenant was created.
    TenantCreated,
    /// A tenant's identity (name, timezone, currency, locale) changed.
    TenantUpdated,
    /// A new version of the tenant's policy went live.
    PolicyActivated,
    /// A candidate version of the tenant's policy was refused.
    PolicyRejected,
    /// A version of the tenant's policy was published (or an older one
    /// published again by a rollback): every instance makes it live.
    PolicyPublished,
    /// A unit was created.
    UnitCreated,
    /// A unit's description, capacity or attributes changed.
    UnitUpdated,
    /// A unit was archived: it keeps its history but takes no new bookings.
    UnitArchived,
    /// A client was created.
    ClientCreated,
    /// A client's details changed.
    ClientUpdated,
    /// A client was archived.
    ClientArchived,
    /// A client's personal data was erased (`crate::erasure`): integrators
    /// erase their copies.
    ClientErased,
    /// A lock was taken.
    LockAcquired,
    /// A lock's lease was extended.
    LockRenewed,
    /// A lock was released by its holder (or its session ended).
    LockReleased,
    /// A lock's lease ran out.
    LockExpired,
    /// A write or a lock was refused because another session holds a lock.
    LockConflict,
    /// An API key was created.
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
    /// A webhook was created.
    WebhookCreated,
    /// A webhook was deleted.
    WebhookDeleted,
    /// A user was created.
    UserCreated,
    /// A user's role, password or access changed (disabled, enabled, signed
    /// out everywhere).
    UserUpdated,
    /// A user registered a device for push notifications (or registered it again
    /// with new keys, or for another user).
    PushSubscriptionRegistered,
    /// A device was removed from push notifications: by its user, by the push
    /// service (404/410), or replaced by a newer one past the per-user limit.
    PushSubscriptionUnregistered,
    /// A user changed which notifications they receive.
    NotificationSettingsUpdated,
    /// A reservation was created.
    ReservationCreated,
    /// A reservation's period, unit or price changed.
    ReservationChanged,
    /// A reservation moved to another state (other than canceled).
    ReservationStateChanged,
    /// A reservation was canceled.
    ReservationCanceled,
    /// A unit's iCalendar feed got a new token (or was turned on).
    IcalFeedRotated,
    /// A unit's iCalendar feed was turned off.
    IcalFeedDisabled,
    /// A unit's blocks from one calendar source were replaced by an import.
    CalendarImported,
    /// A calendar sync (a URL fetched on a schedule) was added to a unit.
    CalendarSyncAdded,
    /// A calendar sync was removed.
    CalendarSyncRemoved,
    /// Staff took a unit out of service for a period (a staff block).
    BlockCreated,
    /// A staff block was lifted.
    BlockRemoved,
}

impl EventKind {
    /// Every kind.
    pub const fn all() -> &'static [EventKind] {
        &Self::ALL
    }

    const ALL: [EventKind; 37] = [
        Self::PushSubscriptionRegistered,
        Self::PushSubscriptionUnregistered,
        Self::NotificationSettingsUpdated,
        Self::LockConflict,
        Self::WebhookCreated,
        Self::WebhookDeleted,
        Self::LockAcquired,
        Self::LockRenewed,
        Self::LockReleased,
        Self::LockExpired,
        Self::ClientArchived,
        Self::ClientErased,
        Self::UnitUpdated,
        Self::UnitArchived,
        Self::ClientUpdated,
        Self::ApiKeyCreated,
        Self::ApiKeyRevoked,
        Self::UserCreated,
        Self::UserUpdated,
        Self::TenantCreated,
        Self::TenantUpdated,
        Self::PolicyActivated,
        Self::PolicyRejected,
        Self::PolicyPublished,
        Self::UnitCreated,
        Self::ClientCreated,
        Self::ReservationCreated,
        Self::ReservationChanged,
        Self::ReservationStateChanged,
        Self::ReservationCanceled,
        Self::IcalFeedRotated,
        Self::IcalFeedDisabled,
        Self::CalendarImported,
        Self::CalendarSyncAdded,
        Self::CalendarSyncRemoved,
        Self::BlockCreated,
        Self::BlockRemoved,
    ];

    /// The stored, dotted name (`reservation.created`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::TenantCreated => "tenant.created",
            Self::TenantUpdated => "tenant.updated",
            Self::PolicyActivated => "policy.activated",
            Self::PolicyRejected => "policy.rejected",
            Self::PolicyPublished => "policy.published",
            Self::UnitCreated => "unit.created",
            Self::UnitUpdated => "unit.updated",
            Self::UnitArchived => "unit.archived",
            Self::ClientCreated => "client.created",
            Self::ClientUpdated => "client.updated",
            Self::ClientArchived => "client.archived",
            Self::ClientErased => "client.erased",
            Self::LockAcquired => "lock.acquired",
            Self::LockRenewed => "lock.renewed",
            Self::LockReleased => "lock.released",
            Self::LockExpired => "lock.expired",
            Self::LockConflict => "lock.conflict",
            Self::ApiKeyCreated => "api_key.created",
            Self::ApiKeyRevoked => "api_key.revoked",
            Self::WebhookCreated => "webhook.created",
            Self::WebhookDeleted => "webhook.deleted",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::PushSubscriptionRegistered => "push_subscription.registered",
            Self::PushSubscriptionUnregistered => "push_subscription.unregistered",
            Self::NotificationSettingsUpdated => "notification_settings.updated",
            Self::ReservationCreated => "reservation.created",
            Self::ReservationChanged => "reservation.changed",
            Self::ReservationStateChanged => "reservation.state_changed",
            Self::ReservationCanceled => "reservation.canceled",
            Self::IcalFeedRotated => "ical_feed.rotated",
            Self::IcalFeedDisabled => "ical_feed.disabled",
            Self::CalendarImported => "calendar.imported",
            Self::CalendarSyncAdded => "calendar_sync.added",
            Self::CalendarSyncRemoved => "calendar_sync.removed",
            Self::BlockCreated => "block.created",
            Self::BlockRemoved => "block.removed",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored event kind that is not known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown event kind `{0}`")]
pub struct UnknownEventKind(pub String);

impl FromStr for EventKind {
    type Err = UnknownEventKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownEventKind(s.to_owned()))
    }
}

/// A position in a tenant's event stream: a subscriber that resumes after a
/// cursor gets every later event exactly once, in order.
///
/// On PostgreSQL, sequence numbers are handed out before commit, so they can
/// commit out of order; the position is therefore (writing transaction id,
/// sequence number), and readers only take events of transactions older than
/// every transaction still running (the snapshot's xmin). Such a transaction can
/// never again produce an event below a position already read, so no cursor skips
/// an event. On SQLite writers are serialized, the transaction part is 0 and the
/// sequence number alone orders events in commit order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventCursor {
    /// The writing transaction (PostgreSQL `xid8`; 0 on SQLite).
    pub txid: i64,
    /// The sequence number within the store.
    pub seq: i64,
}

impl EventCursor {
    /// Before every event.
    pub const START: EventCursor = EventCursor { txid: 0, seq: 0 };
}

impl fmt::Display for EventCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.txid, self.seq)
    }
}

/// A cursor string that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an event cursor")]
pub struct BadCursor(pub String);

impl FromStr for EventCursor {
    type Err = BadCursor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCursor(s.to_owned());
        let (txid, seq) = s.split_once('-').ok_or_else(bad)?;
        let cursor = EventCursor {
            txid: txid.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        };
        if cursor.txid < 0 || cursor.seq < 0 {
            return Err(bad());
        }
        Ok(cursor)
    }
}

/// One outbox row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Its position in the tenant's stream.
    pub cursor: EventCursor,
    /// Stable id (for deduplication by consumers).
    pub id: EventId,
    /// The tenant the event belongs to.
    pub tenant_id: TenantId,
    /// What happened.
    pub kind: EventKind,
    /// The entity it happened to.
    pub entity_id: Uuid,
    /// The entity after the change, as JSON.
    pub payload: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/events.md lists every kind integrators can filter on (as
    /// `entity.action|action`): a new kind fails here until it is documented.
    #[test]
    fn the_readme_lists_every_kind() {
        let readme = include_str!("../../docs/events.md").replace(['\n', ' '], "");
        for kind in EventKind::all() {
            let (entity, action) = kind.as_str().split_once('.').unwrap();
            let listed = readme.match_indices(&format!("`{entity}.")).any(|(at, _)| {
                let rest = &readme[at + entity.len() + 2..];
                let list = &rest[..rest.find('`').unwrap_or(0)];
                list.split('|').any(|a| a == action)
            });
            assert!(
                listed,
                "docs/events.md does not list `{kind}` among the event kinds"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_order() {
        let a: EventCursor = "12-7".parse().unwrap();
        assert_eq!(a, EventCursor { txid: 12, seq: 7 });
        assert_eq!(a.to_string(), "12-7");
        assert!(EventCursor { txid: 12, seq: 9 } > a);
        assert!(EventCursor { txid: 13, seq: 1 } > a);
        for bad in ["", "7", "a-1", "1-", "-1-2", "1-2-3"] {
            assert!(bad.parse::<EventCursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>().unwrap(), kind);
        }
    }
}
