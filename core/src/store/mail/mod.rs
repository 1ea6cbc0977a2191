//! The e-mail part of the storage port (`crate::mail`), and what both stores
//! share for it: the plan of an enqueue pass, the refusals and audit entries
//! (the SQL both databases run is `store/mail/sql.rs`).
//!
//! Messages are queued from the outbox, as push notifications are: the tenant
//! has one position in its event stream (`mail_tenants`, written on the
//! worker's first visit at the end of the stream, so no backlog is mailed),
//! and one enqueue transaction locks that row, reads the events after it,
//! inserts one message per (event, recipient) and advances it — so several
//! instances queue each message once (a unique key on (event, recipient)
//! backs this up). Recipients, addresses and the reminder are decided then,
//! by [`plan_mail`]. A claim is a lease, as for webhooks and push: each
//! attempt is claimed once across instances, and a worker that dies
//! mid-attempt only delays the message until its lease lapses.

pub(crate) mod sql;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::StoreError;
use crate::audit::{Actor, AuditEntry};
use crate::event::EventKind;
use crate::ids::{ClientId, EventId, MailId, ReservationId, TenantId, UserId};
use crate::mail::{
    ClaimedMail, EmailAddress, MailKind, MailMessage, MailNext, MailPage, MailReport, MailSettings,
    MailStatus, ReminderChange, STALE_AFTER, ToldStay, plan_event,
};
use crate::push::NotificationSettings;
use crate::reservation::Reservation;
use crate::user::Role;
use crate::webhook::Enqueued;

/// The e-mail queue and its log. Every [`super::Store`] is one.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// The tenants a mail worker visits: every tenant (a new one is picked up
    /// on the next round; its first visit starts its position).
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
    /// Queues the messages of the events after the tenant's position, reading
    /// at most `limit` events, in one transaction, and advances it. The first
    /// visit of a tenant only sets its position to the end of its stream
    /// (nothing older is mailed). Events older than [`crate::mail::STALE_AFTER`]
    /// at `now` make no message (they still move or skip a pending reminder).
    /// Guest messages go to the reservation's client when it has an address
    /// [`EmailAddress::parse`] accepts and was not erased; staff messages to
    /// every active owner, admin and staff user who opted in to the kind.
    /// `settings` place the reminder.
    async fn enqueue_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        settings: MailSettings,
        limit: u32,
    ) -> Result<Enqueued, StoreError>;
    /// Claims up to `limit` due messages (oldest due first) for one attempt
    /// each, leased for `lease`; marks failed those whose last allowed attempt
    /// was claimed but never reported once its lease lapsed. A message whose
    /// recipient was erased is never claimed.
    async fn claim_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, StoreError>;
    /// Records an attempt's outcome: the attempt is logged either way; the
    /// message moves on as [`MailReport::next`] says only while the claim is
    /// held. False (and the message left as it is) when it is not: its lease
    /// lapsed and another worker took it, or it was skipped meanwhile.
    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError>;
    /// A page of the tenant's messages, newest first, each with its attempts.
    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError>;
    /// One message of the tenant, with its attempts.
    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError>;
    /// Sends a sent or failed message again: one more attempt, due at `now`
    /// (its attempt log goes on), with an audit entry; the message as it
    /// stands then. NOT_FOUND for a message the tenant does not have;
    /// CONFLICT when it is pending or skipped, or its recipient was erased.
    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError>;
    /// Deletes up to `limit` of the tenant's sent, failed and skipped messages
    /// last updated before `before`, with their attempts, oldest first, in one
    /// transaction: how many went. Pending messages are never touched.
    async fn prune_mail(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}

// ---------------------------------------------------------------------------
// The plan of an enqueue pass.

/// An outbox event as an enqueue pass reads it.
#[derive(Debug)]
pub(crate) struct MailEvent {
    /// Its id.
    pub id: EventId,
    /// Its kind.
    pub kind: EventKind,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The reservation after it (reservation events whose payload reads as
    /// one), with the payload itself (the messages' snapshot).
    pub reservation: Option<(Reservation, Value)>,
}

impl MailEvent {
    /// The event, read from its kind and payload (`None` for the kinds that
    /// never make mail, whose payload need not be read).
    pub(crate) fn new(
        id: EventId,
        kind: EventKind,
        at: DateTime<Utc>,
        payload: Option<Value>,
    ) -> Self {
        let reservation = payload
            .filter(|_| MAIL_EVENT_KINDS.contains(&kind))
            .and_then(|p| {
                serde_json::from_value::<Reservation>(p.clone())
                    .ok()
                    .map(|r| (r, p))
            });
        Self {
            id,
            kind,
            at,
            reservation,
        }
    }
}

/// The event kinds that can make mail (the payload an enqueue pass reads).
pub(crate) const MAIL_EVENT_KINDS: [EventKind; 4] = [
    EventKind::ReservationCreated,
    EventKind::ReservationChanged,
    EventKind::ReservationStateChanged,
    EventKind::ReservationCanceled,
];

/// A client as a recipient.
#[derive(Clone, Debug)]
pub(crate) struct Guest {
    /// Its name.
    pub name: String,
    /// Where to write, if anywhere.
    pub address: Option<EmailAddress>,
}

/// A user as a recipient.
#[derive(Clone, Debug)]
pub(crate) struct StaffMember {
    /// The user.
    pub user_id: UserId,
    /// Their sign-in address, if it is one berth can send to.
    pub address: Option<EmailAddress>,
    /// Their role.
    pub role: Role,
    /// Not disabled.
    pub active: bool,
    /// Their opt-ins.
    pub settings: NotificationSettings,
}

impl StaffMember {
    fn wants(&self, kind: MailKind) -> bool {
        self.active && self.role.includes(Role::Staff) && self.settings.wants_email(kind)
    }
}

/// A message an enqueue pass queues.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NewMail {
    pub id: MailId,
    pub kind: MailKind,
    pub recipient: EmailAddress,
    pub recipient_name: Option<String>,
    pub client_id: Option<ClientId>,
    pub user_id: Option<UserId>,
    pub reservation_id: ReservationId,
    pub event_id: Option<EventId>,
    pub reservation: Value,
    pub due: DateTime<Utc>,
}

/// What an enqueue pass writes, in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MailAction {
    /// Queue a message.
    Queue(NewMail),
    /// Move the reservation's pending reminder to `reminder` (its due time,
    /// snapshot and address); when there is none, queue `reminder` if
    /// `insert`.
    Remind { reminder: NewMail, insert: bool },
    /// Skip the reservation's pending reminder.
    SkipReminder {
        reservation_id: ReservationId,
        why: &'static str,
    },
}

/// The stay a stored snapshot tells of.
pub(crate) fn told_of(snapshot: Value) -> Option<ToldStay> {
    serde_json::from_value::<Reservation>(snapshot)
        .ok()
        .map(|r| ToldStay::of(&r))
}

/// What the events need looked up: their reservations and clients, each once.
pub(crate) fn to_look_up(events: &[MailEvent]) -> (Vec<ReservationId>, Vec<ClientId>) {
    let (mut reservations, mut clients) = (Vec::new(), Vec::new());
    for (r, _) in events.iter().filter_map(|e| e.reservation.as_ref()) {
        if !reservations.contains(&r.id) {
            reservations.push(r.id);
        }
        if let Some(c) = r.client_id
            && !clients.contains(&c)
        {
            clients.push(c);
        }
    }
    (reservations, clients)
}

/// The writes of an enqueue pass over `events` (in stream order) at `now`:
/// `told` is what each guest was last told of each reservation before them
/// (updated as messages that tell are queued), `guests` the clients, `staff`
/// the users.
pub(crate) fn plan_mail(
    events: &[MailEvent],
    mut told: HashMap<ReservationId, ToldStay>,
    guests: &HashMap<ClientId, Guest>,
    staff: &[StaffMember],
    settings: MailSettings,
    now: DateTime<Utc>,
) -> Vec<MailAction> {
    let mut out = Vec::new();
    for event in events {
        let Some((r, snapshot)) = &event.reservation else {
            continue;
        };
        let fresh = event.at >= now - STALE_AFTER;
        let plan = plan_event(event.kind, r, told.get(&r.id).copied());
        let guest = r
            .client_id
            .and_then(|c| guests.get(&c).map(|g| (c, g)))
            .and_then(|(c, g)| g.address.clone().map(|a| (c, g, a)));
        let message = |kind, recipient, name, client_id, user_id, event_id, due| NewMail {
            id: MailId::new(),
            kind,
            recipient,
            recipient_name: name,
            client_id,
            user_id,
            reservation_id: r.id,
            event_id,
            reservation: snapshot.clone(),
            due,
        };
        if fresh
            && let Some(kind) = plan.guest
            && let Some((client, g, address)) = &guest
        {
            out.push(MailAction::Queue(message(
                kind,
                address.clone(),
                Some(g.name.clone()),
                Some(*client),
                None,
                Some(event.id),
                now,
            )));
            if kind.tells_of_stay() {
                told.insert(r.id, ToldStay::of(r));
            }
        }
        if fresh && let Some(kind) = plan.staff {
            for s in staff.iter().filter(|s| s.wants(kind)) {
                if let Some(address) = &s.address {
                    out.push(MailAction::Queue(message(
                        kind,
                        address.clone(),
                        None,
                        None,
                        Some(s.user_id),
                        Some(event.id),
                        now,
                    )));
                }
            }
        }
        match plan.reminder {
            ReminderChange::Keep => {}
            ReminderChange::Skip => out.push(MailAction::SkipReminder {
                reservation_id: r.id,
                why: if event.kind == EventKind::ReservationCanceled {
                    "the stay was canceled"
                } else {
                    "the stay is no longer confirmed"
                },
            }),
            ReminderChange::Schedule => {
                let due = settings.reminder_due(r.period.start(), now);
                match (due, &guest) {
                    (Some(due), Some((client, g, address))) => out.push(MailAction::Remind {
                        reminder: message(
                            MailKind::Reminder,
                            address.clone(),
                            Some(g.name.clone()),
                            Some(*client),
                            None,
                            None,
                            due,
                        ),
                        insert: fresh,
                    }),
                    (None, _) => out.push(MailAction::SkipReminder {
                        reservation_id: r.id,
                        why: if settings.reminder_days == 0 {
                            "reminders are off"
                        } else {
                            "the stay starts too soon for a reminder"
                        },
                    }),
                    (Some(_), None) => out.push(MailAction::SkipReminder {
                        reservation_id: r.id,
                        why: "the guest has no e-mail address",
                    }),
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Outcomes, resends.

/// The stored status and next attempt of a message after `report`.
pub(crate) fn after_attempt(report: &MailReport) -> (MailStatus, Option<DateTime<Utc>>) {
    match report.next {
        MailNext::Sent => (MailStatus::Sent, None),
        MailNext::RetryAt(at) => (MailStatus::Pending, Some(at)),
        MailNext::Failed => (MailStatus::Failed, None),
        MailNext::Skipped => (MailStatus::Skipped, None),
    }
}

/// Why a message cannot be sent again, if it cannot.
pub(crate) fn resend_refusal(m: &MailMessage) -> Option<StoreError> {
    let why = match m.status {
        MailStatus::Pending => "is pending already",
        MailStatus::Skipped => "was skipped",
        _ if m.recipient.is_none() => "has no recipient any more (erased)",
        _ => return None,
    };
    Some(StoreError::Conflict(format!(
        "e-mail {} {why}; it is not sent again",
        m.id
    )))
}

/// The audit entry of a message sent again (no event: integrators are not
/// told of e-mail, as they are not of webhook resends).
pub(crate) fn resent(m: &MailMessage, actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry::new(
        m.tenant_id,
        actor,
        ("email", m.id.as_uuid()),
        "resend",
        json!({
            "kind": m.kind,
            "status": m.status,
            "reservation_id": m.reservation_id,
            "attempts": m.attempts,
        }),
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailKind as K;
    use crate::reservation::Channel;
    use crate::state::ReservationState as S;
    use crate::time_range::TimeRange;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn reservation(
        state: S,
        channel: Channel,
        client: Option<ClientId>,
        from: &str,
    ) -> Reservation {
        let start = at(from);
        let period = TimeRange::new(start, start + Duration::days(2))
            .unwrap_or_else(|_| unreachable!("two days are a period"));
        Reservation {
            id: ReservationId::new(),
            tenant_id: TenantId::new(),
            unit_id: crate::ids::UnitId::new(),
            client_id: client,
            state,
            period,
            occupied: period,
            check_in: None,
            check_out: None,
            quantity: crate::quantity::Quantity::ONE,
            guests: crate::quantity::Guests::new(2).unwrap_or_else(|_| unreachable!()),
            price: None,
            channel,
            idempotency_key: None,
            notes: None,
            hold_expires_at: None,
            refund: None,
            policy_override: None,
            version: 1,
            created_at: at(from),
            updated_at: at(from),
        }
    }

    fn event(kind: EventKind, r: &Reservation, when: DateTime<Utc>) -> MailEvent {
        MailEvent::new(EventId::new(), kind, when, serde_json::to_value(r).ok())
    }

    fn staff(role: Role, active: bool, new_request: bool) -> StaffMember {
        StaffMember {
            user_id: UserId::new(),
            address: EmailAddress::parse("staff@example.org").ok(),
            role,
            active,
            settings: NotificationSettings {
                email_new_request: new_request,
                email_canceled: true,
                ..NotificationSettings::default()
            },
        }
    }

    fn kinds(actions: &[MailAction]) -> Vec<(MailKind, Option<UserId>)> {
        actions
            .iter()
            .filter_map(|a| match a {
                MailAction::Queue(m) => Some((m.kind, m.user_id)),
                MailAction::Remind { reminder, .. } => Some((reminder.kind, None)),
                MailAction::SkipReminder { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_request_tells_the_guest_and_opted_in_staff_then_a_change_follows_it() {
        let now = at("2026-12-01T10:00:00Z");
        let client = ClientId::new();
        let guests = HashMap::from([(
            client,
            Guest {
                name: "Ana".into(),
                address: EmailAddress::parse("ana@example.org").ok(),
            },
        )]);
        let wanted = staff(Role::Staff, true, true);
        let members = [
            wanted.clone(),
            staff(Role::Admin, true, false),
            staff(Role::Viewer, true, true),
            staff(Role::Owner, false, true),
        ];
        let held = reservation(
            S::Held,
            Channel::Public,
            Some(client),
            "2026-12-20T15:00:00Z",
        );
        let moved = Reservation {
            period: TimeRange::new(at("2026-12-22T15:00:00Z"), at("2026-12-24T10:00:00Z"))
                .unwrap_or(held.period),
            ..held.clone()
        };
        let confirmed = Reservation {
            state: S::Confirmed,
            ..moved.clone()
        };
        let events = [
            event(EventKind::ReservationCreated, &held, now),
            event(EventKind::ReservationChanged, &moved, now),
            event(EventKind::ReservationStateChanged, &confirmed, now),
        ];
        let settings = MailSettings { reminder_days: 2 };
        let plan = plan_mail(&events, HashMap::new(), &guests, &members, settings, now);
        assert_eq!(
            kinds(&plan),
            vec![
                (K::RequestReceived, None),
                (K::StaffNewRequest, Some(wanted.user_id)),
                (K::PeriodChanged, None),
                (K::Confirmed, None),
                (K::Reminder, None),
            ]
        );
        let Some(MailAction::Remind { reminder, insert }) = plan.last() else {
            panic!("a reminder is planned");
        };
        assert!(insert);
        assert_eq!(reminder.due, at("2026-12-20T15:00:00Z"));
        assert_eq!(reminder.event_id, None);
    }

    #[test]
    fn no_reminder_when_off_too_soon_or_unaddressed() {
        let now = at("2026-12-01T10:00:00Z");
        let client = ClientId::new();
        let guests = HashMap::from([(
            client,
            Guest {
                name: "Ana".into(),
                address: EmailAddress::parse("ana@example.org").ok(),
            },
        )]);
        let far = reservation(
            S::Confirmed,
            Channel::Admin,
            Some(client),
            "2026-12-20T15:00:00Z",
        );
        let near = reservation(
            S::Confirmed,
            Channel::Admin,
            Some(client),
            "2026-12-02T15:00:00Z",
        );
        let unaddressed = reservation(S::Confirmed, Channel::Admin, None, "2026-12-20T15:00:00Z");
        let why = |r: &Reservation, days| {
            plan_mail(
                &[event(EventKind::ReservationCreated, r, now)],
                HashMap::new(),
                &guests,
                &[],
                MailSettings {
                    reminder_days: days,
                },
                now,
            )
            .into_iter()
            .find_map(|a| match a {
                MailAction::SkipReminder { why, .. } => Some(why),
                _ => None,
            })
        };
        assert_eq!(why(&far, 2), None);
        assert_eq!(why(&far, 0), Some("reminders are off"));
        assert_eq!(
            why(&near, 2),
            Some("the stay starts too soon for a reminder")
        );
        assert_eq!(
            why(&unaddressed, 2),
            Some("the guest has no e-mail address")
        );
    }

    #[test]
    fn untold_guests_and_stale_events_get_nothing() {
        let now = at("2026-12-01T10:00:00Z");
        let client = ClientId::new();
        let no_address = HashMap::from([(
            client,
            Guest {
                name: "Ana".into(),
                address: None,
            },
        )]);
        let hold = reservation(
            S::Held,
            Channel::Admin,
            Some(client),
            "2026-12-20T15:00:00Z",
        );
        let canceled = Reservation {
            state: S::Canceled,
            ..hold.clone()
        };
        let members = [staff(Role::Staff, true, true)];
        let settings = MailSettings::default();
        // A staff hold canceled: staff hear of it, the guest was never told.
        let plan = plan_mail(
            &[event(EventKind::ReservationCanceled, &canceled, now)],
            HashMap::new(),
            &no_address,
            &members,
            settings,
            now,
        );
        assert_eq!(
            kinds(&plan),
            vec![(K::StaffCanceled, Some(members[0].user_id))]
        );
        assert!(matches!(
            plan.last(),
            Some(MailAction::SkipReminder {
                why: "the stay was canceled",
                ..
            })
        ));
        // A day and more old: nothing queued, the reminder still skipped.
        let old = now - STALE_AFTER - Duration::minutes(1);
        let plan = plan_mail(
            &[event(EventKind::ReservationCanceled, &canceled, old)],
            HashMap::from([(hold.id, ToldStay::of(&hold))]),
            &no_address,
            &members,
            settings,
            now,
        );
        assert_eq!(kinds(&plan), vec![]);
        assert_eq!(plan.len(), 1);
    }
}
