//! The webhook part of the storage port, and what both stores share for it: the
//! audit entries and events of webhook changes, and the plan of an enqueue pass.
//!
//! Deliveries are queued from the outbox: each webhook keeps its own position in
//! the tenant's event stream, and one enqueue transaction locks the tenant's
//! webhooks, reads the events after the lowest position, inserts a delivery per
//! (webhook, matching event) and advances the positions — so every event is
//! queued exactly once per webhook however many instances run the worker (a
//! unique key on (webhook, event) backs this up). A claim is a lease: it sets the
//! delivery's `next_attempt_at` to the lease's end and records a lease id that the
//! outcome must present, so each attempt is claimed once across instances and a
//! worker that dies mid-attempt only delays the delivery until its lease lapses.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::StoreError;
use super::records::{ChangeRecord, to_json};
use crate::audit::Actor;
use crate::event::{EventCursor, EventKind};
use crate::ids::{DeliveryId, EventId, TenantId, WebhookId};
use crate::webhook::{
    AttemptReport, ClaimedDelivery, Delivery, DeliveryPage, Enqueued, EventFilters, NewWebhook,
    Webhook,
};

/// Webhooks, their delivery queue and delivery log. Every [`super::Store`] is one.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates a webhook that receives the tenant's events written from now on.
    /// More than [`crate::webhook::MAX_WEBHOOKS_PER_TENANT`] active webhooks are
    /// refused. The audit entry and event never carry the secret.
    async fn create_webhook(
        &self,
        tenant: TenantId,
        new: NewWebhook,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError>;
    /// The tenant's webhooks in creation order; deleted ones only when asked.
    async fn webhooks(
        &self,
        tenant: TenantId,
        include_deleted: bool,
    ) -> Result<Vec<Webhook>, StoreError>;
    /// A webhook of the tenant (deleted ones too).
    async fn webhook(&self, tenant: TenantId, id: WebhookId)
    -> Result<Option<Webhook>, StoreError>;
    /// Deletes a webhook: it receives nothing more, its pending deliveries are
    /// marked failed, its delivery log stays readable. Deleting a deleted webhook
    /// changes nothing.
    async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError>;
    /// A page of a webhook's delivery log, newest first, each delivery with its
    /// attempts. NOT_FOUND when the tenant has no such webhook.
    async fn webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        page: DeliveryPage,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// The tenants that have active webhooks (or had, until their last one was
    /// deleted): the ones a delivery worker visits.
    async fn webhook_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
    /// Seals the signing secrets stored before sealing existed (every tenant's,
    /// deleted webhooks' too), one transaction per tenant; returns how many.
    /// Nothing to do without a secrets key. Run at start.
    async fn seal_webhook_secrets(&self) -> Result<u64, StoreError>;
    /// Queues deliveries for the events after each active webhook's position,
    /// reading at most `limit` events, in one transaction.
    async fn enqueue_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Enqueued, StoreError>;
    /// Claims up to `limit` due deliveries (oldest due first) for one attempt
    /// each, leased for `lease`; marks failed those whose last allowed attempt
    /// was claimed but never reported once its lease lapsed.
    async fn claim_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Records an attempt's outcome. Returns false (and leaves the delivery as
    /// it is) when the claim is no longer held: its lease lapsed and another
    /// worker took the delivery. The attempt itself is logged either way.
    async fn finish_attempt(
        &self,
        tenant: TenantId,
        report: &AttemptReport,
    ) -> Result<bool, StoreError>;
    /// Gives each failed delivery of the webhook whose event is still kept
    /// one more attempt, due at `now` (its attempt log goes on: the next
    /// attempt is numbered after the last), with an audit entry: how many.
    /// NOT_FOUND for a webhook the tenant does not have; CONFLICT for a
    /// deleted one.
    async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Sends one delivered or failed delivery again: one more attempt, due
    /// at `now` (its attempt log goes on), with an audit entry; the delivery
    /// as it stands then. NOT_FOUND for a delivery the tenant does not have;
    /// CONFLICT when it is pending already, its webhook was deleted, or its
    /// event was deleted by event retention.
    async fn resend_webhook_delivery(
        &self,
        tenant: TenantId,
        id: DeliveryId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError>;
    /// Deletes up to `limit` of the tenant's delivered and failed deliveries
    /// last updated before `before`, with their attempts, oldest first, in one
    /// transaction: how many went. Pending deliveries are never touched.
    async fn prune_webhook_deliveries(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}

/// The audit entry and event for a created webhook (the secret is not part of
/// [`Webhook`], so it cannot leak into either).
pub(crate) fn webhook_created(w: &Webhook, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        w.tenant_id,
        actor,
        ("webhook", w.id.as_uuid()),
        "create",
        EventKind::WebhookCreated,
        to_json(w),
        json!({ "after": to_json(w) }),
        w.created_at,
    )
}

/// The audit entry and event for a deleted webhook.
pub(crate) fn webhook_deleted(w: &Webhook, actor: &Actor, failed: u64) -> ChangeRecord {
    ChangeRecord::new(
        w.tenant_id,
        actor,
        ("webhook", w.id.as_uuid()),
        "delete",
        EventKind::WebhookDeleted,
        to_json(w),
        json!({
            "before": { "deleted_at": null },
            "after": { "deleted_at": w.deleted_at },
            "pending_deliveries_failed": failed,
        }),
        w.deleted_at.unwrap_or(w.created_at),
    )
}

/// The refusal for one webhook too many.
pub(crate) fn too_many_webhooks() -> StoreError {
    StoreError::Refused(crate::policy::Violation::new(
        "webhook_limit",
        format!(
            "a tenant may have at most {} webhooks; delete one first",
            crate::webhook::MAX_WEBHOOKS_PER_TENANT
        ),
    ))
}

/// An active webhook as an enqueue pass sees it.
#[derive(Debug)]
pub(crate) struct QueueHead {
    pub id: WebhookId,
    pub events: EventFilters,
    pub cursor: EventCursor,
}

/// An outbox event as an enqueue pass reads it.
#[derive(Debug)]
pub(crate) struct QueuedEvent {
    pub cursor: EventCursor,
    pub id: EventId,
    pub kind: EventKind,
}

/// A delivery an enqueue pass inserts.
#[derive(Debug, PartialEq)]
pub(crate) struct NewDelivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event_id: EventId,
    pub event_kind: EventKind,
    pub cursor: EventCursor,
}

/// The plan of an enqueue pass over `events` (read after the lowest of the
/// webhooks' positions, in stream order): the deliveries to insert, and each
/// webhook's new position (only those that move).
pub(crate) fn plan_enqueue(
    heads: &[QueueHead],
    events: &[QueuedEvent],
) -> (Vec<NewDelivery>, Vec<(WebhookId, EventCursor)>) {
    let mut deliveries = Vec::new();
    let mut moved = Vec::new();
    let Some(last) = events.last() else {
        return (deliveries, moved);
    };
    for head in heads {
        for event in events {
            if event.cursor > head.cursor && head.events.matches(event.kind) {
                deliveries.push(NewDelivery {
                    id: DeliveryId::new(),
                    webhook_id: head.id,
                    event_id: event.id,
                    event_kind: event.kind,
                    cursor: event.cursor,
                });
            }
        }
        if last.cursor > head.cursor {
            moved.push((head.id, last.cursor));
        }
    }
    (deliveries, moved)
}

/// The lowest position among the webhooks (where an enqueue pass reads from).
pub(crate) fn lowest_cursor(heads: &[QueueHead]) -> Option<EventCursor> {
    heads.iter().map(|h| h.cursor).min()
}

/// The stored status, attempts and next attempt of a delivery after `report`.
pub(crate) fn after_attempt(
    report: &AttemptReport,
) -> (crate::webhook::DeliveryStatus, Option<DateTime<Utc>>) {
    use crate::webhook::{DeliveryStatus, NextStep};
    match report.next {
        NextStep::Delivered => (DeliveryStatus::Delivered, None),
        NextStep::RetryAt(at) => (DeliveryStatus::Pending, Some(at)),
        NextStep::Failed => (DeliveryStatus::Failed, None),
    }
}

/// The refusal to retry deliveries of a deleted webhook.
pub(crate) fn retry_of_deleted(w: &Webhook) -> StoreError {
    StoreError::Conflict(format!(
        "webhook {} was deleted; its deliveries are not retried",
        w.id
    ))
}

/// The audit entry of a retry of a webhook's failed deliveries.
pub(crate) fn retried(
    w: &Webhook,
    deliveries: u64,
    actor: &Actor,
    at: DateTime<Utc>,
) -> crate::audit::AuditEntry {
    crate::audit::AuditEntry::new(
        w.tenant_id,
        actor,
        ("webhook", w.id.as_uuid()),
        "retry_failed_deliveries",
        json!({ "deliveries": deliveries }),
        at,
    )
}

/// Why a delivery cannot be sent again, if it cannot: pending already, its
/// webhook deleted, or its event gone.
pub(crate) fn resend_refusal(
    d: &Delivery,
    webhook_deleted: bool,
    event_kept: bool,
) -> Option<StoreError> {
    let why = if d.status == crate::webhook::DeliveryStatus::Pending {
        "is pending already"
    } else if webhook_deleted {
        "belongs to a deleted webhook"
    } else if !event_kept {
        "has no event any more (deleted by event retention)"
    } else {
        return None;
    };
    Some(StoreError::Conflict(format!(
        "delivery {} {why}; it is not sent again",
        d.id
    )))
}

/// The audit entry of a delivery sent again.
pub(crate) fn resent(d: &Delivery, actor: &Actor, at: DateTime<Utc>) -> crate::audit::AuditEntry {
    crate::audit::AuditEntry::new(
        d.tenant_id,
        actor,
        ("webhook", d.webhook_id.as_uuid()),
        "resend_delivery",
        json!({ "delivery": d.id, "event": d.event_id, "attempts": d.attempts }),
        at,
    )
}

/// What a webhook's sealed signing secret is bound to: its tenant and id (a
/// sealed secret copied into another row does not open).
fn secret_row(tenant: TenantId, webhook: WebhookId) -> String {
    format!("webhook-secret:{tenant}:{webhook}")
}

/// A webhook's signing secret as its row stores it: sealed when the store has
/// a secrets key.
pub(crate) fn stored_secret(
    secrets: Option<&crate::secret_box::SecretBox>,
    secret: &crate::webhook::WebhookSecret,
    tenant: TenantId,
    webhook: WebhookId,
) -> String {
    crate::secret_box::SecretBox::store(secrets, &secret.expose(), &secret_row(tenant, webhook))
}

/// A webhook's signing secret read back from its row.
pub(crate) fn read_secret(
    secrets: Option<&crate::secret_box::SecretBox>,
    stored: &str,
    tenant: TenantId,
    webhook: WebhookId,
) -> Result<crate::webhook::WebhookSecret, StoreError> {
    crate::secret_box::SecretBox::open(secrets, stored, &secret_row(tenant, webhook))
        .map_err(StoreError::corrupt)?
        .parse()
        .map_err(StoreError::corrupt)
}

pub(crate) mod sql;

#[cfg(test)]
mod tests {
    use super::*;

    fn head(filters: &[&str], seq: i64) -> QueueHead {
        QueueHead {
            id: WebhookId::new(),
            events: EventFilters::parse(filters).unwrap(),
            cursor: EventCursor { txid: 0, seq },
        }
    }

    fn event(seq: i64, kind: EventKind) -> QueuedEvent {
        QueuedEvent {
            cursor: EventCursor { txid: 0, seq },
            id: EventId::new(),
            kind,
        }
    }

    #[test]
    fn each_webhook_gets_its_matching_events_after_its_own_position() {
        let all = head(&["*"], 1);
        let reservations = head(&["reservation.*"], 3);
        let ahead = head(&["*"], 9);
        let events = [
            event(2, EventKind::UnitCreated),
            event(3, EventKind::ReservationCreated),
            event(4, EventKind::ReservationCanceled),
        ];
        let heads = [all, reservations, ahead];
        assert_eq!(lowest_cursor(&heads), Some(EventCursor { txid: 0, seq: 1 }));
        let (deliveries, moved) = plan_enqueue(&heads, &events);
        let to = |w: &QueueHead| -> Vec<i64> {
            deliveries
                .iter()
                .filter(|d| d.webhook_id == w.id)
                .map(|d| d.cursor.seq)
                .collect()
        };
        assert_eq!(to(&heads[0]), vec![2, 3, 4]);
        assert_eq!(to(&heads[1]), vec![4]);
        assert_eq!(to(&heads[2]), Vec::<i64>::new());
        let last = EventCursor { txid: 0, seq: 4 };
        assert_eq!(moved, vec![(heads[0].id, last), (heads[1].id, last)]);
        assert_eq!(plan_enqueue(&heads, &[]), (vec![], vec![]));
    }
}
