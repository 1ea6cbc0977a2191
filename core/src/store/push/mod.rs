//! The web push part of the storage port, and what both stores share for it:
//! the audit entries and events of registrations and settings, and the plan of
//! an enqueue pass.
//!
//! Notifications are queued from the outbox: the tenant has one position in its
//! event stream (kept in `push_tenants`, the worker's list of tenants with
//! devices), and one enqueue transaction locks that row, reads the events after
//! it, inserts a delivery per (notifiable event, recipient device) and advances
//! it — so every event is queued exactly once per device however many instances
//! run the worker (a unique key on (device, event) backs this up). A device only
//! gets events written after its registration. Recipients are decided when the
//! event is queued: the owners, admins and staff whose settings want its kind.
//! A claim is a lease, as for webhooks: each attempt is claimed once across
//! instances, and a worker that dies mid-attempt only delays it.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::StoreError;
use super::records::ChangeRecord;
use crate::audit::Actor;
use crate::event::{EventCursor, EventKind};
use crate::ids::{EventId, PushDeliveryId, PushSubscriptionId, TenantId, UserId};
use crate::push::{
    ClaimedPush, Enqueued, NewPushSubscription, NotificationKind, NotificationSettings,
    NotificationSettingsPatch, PushDelivery, PushEndpoint, PushNext, PushReport, PushSubscription,
    receives_notifications,
};
use crate::user::Role;

/// Push subscriptions, notification settings and the push queue. Every
/// [`super::Store`] is one.
#[async_trait]
pub trait PushStore: Send + Sync {
    /// Registers `user`'s device, or refreshes it: registering an endpoint the
    /// tenant already has moves it to `user` with the new keys (one browser,
    /// one signed-in user). Registering it again unchanged writes nothing. Past
    /// [`crate::push::MAX_SUBSCRIPTIONS_PER_USER`] devices, the user's device
    /// registered longest ago is replaced. NOT_FOUND for an unknown user. The
    /// audit entry and event never carry the keys, nor more of the endpoint
    /// than its push service's origin.
    async fn register_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        new: NewPushSubscription,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PushSubscription, StoreError>;
    /// Removes `user`'s device with this endpoint, with its queued
    /// notifications. False (and nothing written) when the user has no such
    /// device.
    async fn unregister_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        endpoint: &PushEndpoint,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// `user`'s devices, oldest first.
    async fn push_subscriptions(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<PushSubscription>, StoreError>;
    /// `user`'s notification settings (the defaults until they change them).
    async fn notification_settings(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<NotificationSettings, StoreError>;
    /// Applies `patch` to `user`'s settings and returns them. A patch that
    /// changes nothing writes nothing. NOT_FOUND for an unknown user.
    async fn update_notification_settings(
        &self,
        tenant: TenantId,
        user: UserId,
        patch: NotificationSettingsPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<NotificationSettings, StoreError>;

    /// The tenants with registered devices: the ones a push worker visits.
    async fn push_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
    /// Queues notifications for the events after the tenant's position, reading
    /// at most `limit` events, in one transaction; also prunes deliveries that
    /// ended more than [`crate::push::KEEP_FINISHED`] before `now`.
    async fn enqueue_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Enqueued, StoreError>;
    /// Claims up to `limit` due notifications (oldest due first) for one
    /// attempt each, leased for `lease`; marks failed those whose last allowed
    /// attempt was claimed but never reported once its lease lapsed.
    async fn claim_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedPush>, StoreError>;
    /// Records an attempt's outcome; [`PushNext::Gone`] removes the device (an
    /// unregistration by the system). False (and nothing changed) when the
    /// claim is no longer held.
    async fn finish_push(&self, tenant: TenantId, report: &PushReport) -> Result<bool, StoreError>;
    /// The notifications queued for a device, newest first (at most 200).
    async fn push_deliveries(
        &self,
        tenant: TenantId,
        subscription: PushSubscriptionId,
    ) -> Result<Vec<PushDelivery>, StoreError>;
}

/// The audit entry and event of a registration (`before` is the subscription's
/// owner before, when the endpoint moved from another user or got new keys).
pub(crate) fn registered(
    s: &PushSubscription,
    before: Option<&PushSubscription>,
    actor: &Actor,
) -> ChangeRecord {
    let metadata = match before {
        Some(b) => json!({
            "before": { "user_id": b.user_id, "updated_at": b.updated_at },
            "after": { "user_id": s.user_id, "updated_at": s.updated_at },
        }),
        None => json!({ "after": s.summary() }),
    };
    ChangeRecord::new(
        s.tenant_id,
        actor,
        ("push_subscription", s.id.as_uuid()),
        "register",
        EventKind::PushSubscriptionRegistered,
        s.summary(),
        metadata,
        s.updated_at,
    )
}

/// Why a device was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    /// Its user unregistered it.
    User,
    /// The push service answered 404 or 410 with this status.
    Gone(u16),
    /// A newer device of its user took its place past the limit.
    Replaced,
}

/// The audit entry and event of a removed device.
pub(crate) fn unregistered(
    s: &PushSubscription,
    why: Removal,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let reason = match why {
        Removal::User => json!({ "reason": "unregistered" }),
        Removal::Gone(status) => json!({ "reason": "gone", "response_status": status }),
        Removal::Replaced => json!({ "reason": "replaced" }),
    };
    let mut payload = s.summary();
    payload["reason"] = reason["reason"].clone();
    ChangeRecord::new(
        s.tenant_id,
        actor,
        ("push_subscription", s.id.as_uuid()),
        "unregister",
        EventKind::PushSubscriptionUnregistered,
        payload,
        json!({ "before": s.summary(), "details": reason }),
        at,
    )
}

/// The audit entry and event of changed settings: only the settings that
/// changed (push kinds and e-mail opt-ins alike).
pub(crate) fn settings_updated(
    tenant: TenantId,
    user: UserId,
    before: &NotificationSettings,
    after: &NotificationSettings,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let (b, a) = (json!(before), json!(after));
    let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                old.insert(k.clone(), b.get(k).cloned().unwrap_or_default());
                new.insert(k.clone(), v.clone());
            }
        }
    }
    ChangeRecord::new(
        tenant,
        actor,
        ("notification_settings", user.as_uuid()),
        "update",
        EventKind::NotificationSettingsUpdated,
        json!({ "user_id": user, "settings": after }),
        json!({ "before": old, "after": new }),
        at,
    )
}

/// The settings columns both stores read, in [`settings_from`]'s order.
pub(crate) const SETTINGS_COLUMNS: &str = "reservation_created, reservation_changed, \
    reservation_canceled, no_show, lock_conflict, email_new_request, email_canceled, \
    email_no_show";

/// A stored settings row's columns, in [`SETTINGS_COLUMNS`]' order (absent
/// row or NULLs: the defaults, push on and e-mail off).
pub(crate) fn settings_from(cols: [Option<bool>; 8]) -> NotificationSettings {
    let [
        created,
        changed,
        canceled,
        no_show,
        lock,
        new_request,
        email_canceled,
        email_no_show,
    ] = cols;
    let d = NotificationSettings::default();
    NotificationSettings {
        reservation_created: created.unwrap_or(d.reservation_created),
        reservation_changed: changed.unwrap_or(d.reservation_changed),
        reservation_canceled: canceled.unwrap_or(d.reservation_canceled),
        no_show: no_show.unwrap_or(d.no_show),
        lock_conflict: lock.unwrap_or(d.lock_conflict),
        email_new_request: new_request.unwrap_or(d.email_new_request),
        email_canceled: email_canceled.unwrap_or(d.email_canceled),
        email_no_show: email_no_show.unwrap_or(d.email_no_show),
    }
}

/// A stored settings row ([`SETTINGS_COLUMNS`]).
#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    reservation_created: bool,
    reservation_changed: bool,
    reservation_canceled: bool,
    no_show: bool,
    lock_conflict: bool,
    email_new_request: bool,
    email_canceled: bool,
    email_no_show: bool,
}

impl SettingsRow {
    /// The settings.
    pub(crate) fn into_settings(self) -> NotificationSettings {
        NotificationSettings {
            reservation_created: self.reservation_created,
            reservation_changed: self.reservation_changed,
            reservation_canceled: self.reservation_canceled,
            no_show: self.no_show,
            lock_conflict: self.lock_conflict,
            email_new_request: self.email_new_request,
            email_canceled: self.email_canceled,
            email_no_show: self.email_no_show,
        }
    }
}

/// Stores a user's settings, both databases: $1 tenant, $2 user, $3–$10 the
/// settings in [`SETTINGS_COLUMNS`]' order, $11 now.
pub(crate) const UPSERT_SETTINGS_SQL: &str = "INSERT INTO notification_settings (tenant_id, \
      user_id, reservation_created, reservation_changed, reservation_canceled, no_show, \
      lock_conflict, email_new_request, email_canceled, email_no_show, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
    ON CONFLICT (tenant_id, user_id) DO UPDATE SET \
      reservation_created = excluded.reservation_created, \
      reservation_changed = excluded.reservation_changed, \
      reservation_canceled = excluded.reservation_canceled, \
      no_show = excluded.no_show, lock_conflict = excluded.lock_conflict, \
      email_new_request = excluded.email_new_request, \
      email_canceled = excluded.email_canceled, email_no_show = excluded.email_no_show, \
      updated_at = excluded.updated_at";

/// A device as an enqueue pass sees it.
#[derive(Debug)]
pub(crate) struct Recipient {
    pub subscription: PushSubscriptionId,
    /// The position of its registration: it gets only later events.
    pub since: EventCursor,
    pub role: Role,
    pub settings: NotificationSettings,
}

/// An outbox event as an enqueue pass reads it.
#[derive(Debug)]
pub(crate) struct CandidateEvent {
    pub cursor: EventCursor,
    pub id: EventId,
    pub kind: EventKind,
    /// The reservation's state, for `reservation.state_changed`.
    pub state: Option<String>,
}

/// A notification an enqueue pass inserts.
#[derive(Debug, PartialEq)]
pub(crate) struct NewPush {
    pub id: PushDeliveryId,
    pub subscription_id: PushSubscriptionId,
    pub event_id: EventId,
    pub kind: NotificationKind,
}

/// The notifications for `events` (in stream order): each notifiable event to
/// each device registered before it whose user is notified and wants its kind.
pub(crate) fn plan_pushes(recipients: &[Recipient], events: &[CandidateEvent]) -> Vec<NewPush> {
    let mut out = Vec::new();
    for event in events {
        let Some(kind) = NotificationKind::of(event.kind, event.state.as_deref()) else {
            continue;
        };
        for r in recipients {
            if event.cursor > r.since && receives_notifications(r.role) && r.settings.wants(kind) {
                out.push(NewPush {
                    id: PushDeliveryId::new(),
                    subscription_id: r.subscription,
                    event_id: event.id,
                    kind,
                });
            }
        }
    }
    out
}

/// The stored status and next attempt of a delivery after `report` (not for
/// [`PushNext::Gone`], which removes it).
pub(crate) fn after_attempt(
    report: &PushReport,
) -> (crate::push::DeliveryStatus, Option<DateTime<Utc>>) {
    use crate::push::DeliveryStatus;
    match report.next {
        PushNext::Delivered => (DeliveryStatus::Delivered, None),
        PushNext::RetryAt(at) => (DeliveryStatus::Pending, Some(at)),
        PushNext::Failed | PushNext::Gone => (DeliveryStatus::Failed, None),
    }
}

pub(crate) mod sql;

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient(role: Role, since: i64, settings: NotificationSettings) -> Recipient {
        Recipient {
            subscription: PushSubscriptionId::new(),
            since: EventCursor {
                txid: 0,
                seq: since,
            },
            role,
            settings,
        }
    }

    fn event(seq: i64, kind: EventKind, state: Option<&str>) -> CandidateEvent {
        CandidateEvent {
            cursor: EventCursor { txid: 0, seq },
            id: EventId::new(),
            kind,
            state: state.map(str::to_owned),
        }
    }

    #[test]
    fn each_device_gets_the_wanted_notifications_after_its_registration() {
        let all = NotificationSettings::default();
        let no_locks = NotificationSettings {
            lock_conflict: false,
            ..all
        };
        let staff = recipient(Role::Staff, 1, all);
        let quiet_admin = recipient(Role::Admin, 1, no_locks);
        let late_owner = recipient(Role::Owner, 4, all);
        let viewer = recipient(Role::Viewer, 0, all);
        let events = [
            event(2, EventKind::UnitCreated, None),
            event(3, EventKind::ReservationCreated, None),
            event(4, EventKind::LockConflict, None),
            event(5, EventKind::ReservationStateChanged, Some("checked_in")),
            event(6, EventKind::ReservationStateChanged, Some("absent")),
        ];
        let recipients = [staff, quiet_admin, late_owner, viewer];
        let plan = plan_pushes(&recipients, &events);
        let to = |r: &Recipient| -> Vec<NotificationKind> {
            plan.iter()
                .filter(|p| p.subscription_id == r.subscription)
                .map(|p| p.kind)
                .collect()
        };
        use NotificationKind as N;
        assert_eq!(
            to(&recipients[0]),
            vec![N::ReservationCreated, N::LockConflict, N::NoShow]
        );
        assert_eq!(to(&recipients[1]), vec![N::ReservationCreated, N::NoShow]);
        assert_eq!(to(&recipients[2]), vec![N::NoShow]);
        assert_eq!(to(&recipients[3]), vec![]);
    }
}
