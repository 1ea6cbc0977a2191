//! Webhooks (admin): `webhooks`, `webhookDeliveries` (a webhook's delivery log,
//! newest first, each delivery with its attempts), `createWebhook` (its signing
//! secret is shown once), `deleteWebhook`, `retryFailedWebhookDeliveries`
//! (one more attempt for each failed delivery) and `resendWebhookDelivery`. Messages follow the Standard
//! Webhooks specification: headers `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use berth_core::ids::{DeliveryId, WebhookId};
use berth_core::user::Role;
use berth_core::webhook::{
    Delivery as CoreDelivery, DeliveryAttempt as CoreAttempt, DeliveryPage,
    DeliveryStatus as CoreStatus, EventFilters, Webhook as CoreWebhook, WebhookError, WebhookUrl,
};
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::ids::parse;
use crate::page::{Page, page_of, page_size};

/// An integrator's endpoint for the tenant's events.
#[derive(SimpleObject, Debug)]
pub struct Webhook {
    /// Stable id.
    pub id: ID,
    /// Where messages are POSTed.
    pub url: String,
    /// The events it receives: kinds (`reservation.created`), families
    /// (`reservation.*`) or `*`.
    pub events: Vec<String>,
    /// When it was created; it receives the events written after that.
    pub created_at: DateTime<Utc>,
    /// When it was deleted (its delivery log stays readable).
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<CoreWebhook> for Webhook {
    fn from(w: CoreWebhook) -> Self {
        Self {
            id: ID(w.id.to_string()),
            url: w.url.to_string(),
            events: w.events.to_strings(),
            created_at: w.created_at,
            deleted_at: w.deleted_at,
        }
    }
}

/// A new webhook and its signing secret.
#[derive(SimpleObject, Debug)]
pub struct CreatedWebhook {
    /// The signing secret (`whsec_…`), shown this once: verify each message's
    /// `webhook-signature` with it (any Standard Webhooks library does).
    pub secret: String,
    /// The webhook.
    pub webhook: Webhook,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt, or being attempted.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed, or the webhook was deleted first.
    Failed,
}

impl From<CoreStatus> for WebhookDeliveryStatus {
    fn from(s: CoreStatus) -> Self {
        match s {
            CoreStatus::Pending => Self::Pending,
            CoreStatus::Delivered => Self::Delivered,
            CoreStatus::Failed => Self::Failed,
        }
    }
}

/// One attempt to deliver a message.
#[derive(SimpleObject, Debug)]
pub struct WebhookAttempt {
    /// 1 for the first.
    pub number: i32,
    /// When it was sent.
    pub started_at: DateTime<Utc>,
    /// When its outcome was recorded (absent if the sender stopped first).
    pub finished_at: Option<DateTime<Utc>>,
    /// The endpoint's HTTP status, when it answered.
    pub response_status: Option<i32>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<CoreAttempt> for WebhookAttempt {
    fn from(a: CoreAttempt) -> Self {
        Self {
            number: i32::try_from(a.number).unwrap_or(i32::MAX),
            started_at: a.started_at,
            finished_at: a.finished_at,
            response_status: a.response_status.map(i32::from),
            error: a.error,
        }
    }
}

/// One event's delivery to one webhook.
#[derive(SimpleObject, Debug)]
pub struct WebhookDelivery {
    /// The message id: the `webhook-id` header, the same on every attempt.
    pub id: ID,
    /// The event delivered.
    pub event_id: ID,
    /// Its kind (`reservation.created`): the message's `type`.
    pub event_type: String,
    /// Its position in the tenant's event stream.
    pub cursor: String,
    /// Where the delivery stands.
    pub status: WebhookDeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Every attempt, first first.
    pub attempt_log: Vec<WebhookAttempt>,
}

impl From<CoreDelivery> for WebhookDelivery {
    fn from(d: CoreDelivery) -> Self {
        Self {
            id: ID(d.id.to_string()),
            event_id: ID(d.event_id.to_string()),
            event_type: d.event_kind.as_str().to_owned(),
            cursor: d.event_cursor.to_string(),
            status: d.status.into(),
            attempts: i32::try_from(d.attempts).unwrap_or(i32::MAX),
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            attempt_log: d.attempt_log.into_iter().map(Into::into).collect(),
        }
    }
}

fn invalid(e: WebhookError) -> async_graphql::Error {
    coded(ErrorCode::InvalidInput, e.to_string())
}

/// Webhook queries.
#[derive(Default, Debug)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// The tenant's webhooks in creation order; deleted ones on request.
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_deleted: bool,
    ) -> Result<Vec<Webhook>> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let found = engine
            .store()
            .webhooks(viewer.tenant_id, include_deleted)
            .await
            .gql()?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// A webhook's delivery log, newest first; `after` is the last delivery id
    /// of the previous page. NOT_FOUND for a webhook the tenant does not have.
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: ID,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Page<WebhookDelivery>> {
        let viewer = require(ctx, Role::Admin).await?;
        let webhook: WebhookId = parse(&webhook_id, "webhookId")?;
        let limit = page_size(first)?;
        let before = after
            .map(|c| parse::<DeliveryId>(&ID(c), "after"))
            .transpose()?;
        let engine = ctx.data_unchecked::<Engine>();
        let found = engine
            .store()
            .webhook_deliveries(
                viewer.tenant_id,
                webhook,
                DeliveryPage {
                    before,
                    limit: limit + 1,
                },
            )
            .await
            .gql()?;
        Ok(page_of(found, limit, before.is_some(), |d| {
            (d.id.to_string(), WebhookDelivery::from(d))
        }))
    }
}

/// Webhook mutations.
#[derive(Default, Debug)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// Creates a webhook: `url` (absolute http or https) receives the events
    /// named in `events` (kinds like `reservation.created`, families like
    /// `reservation.*`, or `*`) written from now on. The answer holds the signing
    /// secret, which is not shown again.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        url: String,
        events: Vec<String>,
    ) -> Result<CreatedWebhook> {
        let viewer = require(ctx, Role::Admin).await?;
        let url: WebhookUrl = url.parse().map_err(invalid)?;
        let events = EventFilters::parse(&events).map_err(invalid)?;
        let engine = ctx.data_unchecked::<Engine>();
        let created = engine
            .integrations()
            .create_webhook(viewer.tenant_id, url, events, &viewer.actor())
            .await
            .gql()?;
        Ok(CreatedWebhook {
            secret: created.secret,
            webhook: created.webhook.into(),
        })
    }

    /// Deletes a webhook: nothing more is sent to it and its pending deliveries
    /// are marked failed; its delivery log stays readable. Deleting a deleted
    /// webhook changes nothing.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let webhook = engine
            .integrations()
            .delete_webhook(viewer.tenant_id, parse(&id, "id")?, &viewer.actor())
            .await
            .gql()?;
        Ok(webhook.into())
    }

    /// Sends one delivered or failed delivery again (a receiver that lost
    /// what it got): one more attempt, due now, with the same `webhook-id`,
    /// so a receiver that deduplicates sees it as the message it had. Its
    /// attempt log goes on. NOT_FOUND for a delivery the tenant does not
    /// have; CONFLICT when it is pending already, its webhook was deleted, or
    /// its event was deleted by event retention.
    async fn resend_webhook_delivery(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookDelivery> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let delivery = engine
            .integrations()
            .resend_webhook_delivery(
                viewer.tenant_id,
                parse::<DeliveryId>(&id, "id")?,
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(delivery.into())
    }

    /// Gives every failed delivery of a webhook one more attempt, now — after
    /// the receiving endpoint was down long enough for its deliveries to use
    /// up their attempts. Each keeps its attempt log (the new attempt is
    /// numbered after the last); one whose event was deleted by event
    /// retention cannot be sent again and is left as it is. Answers how many
    /// were queued. NOT_FOUND for a webhook the tenant does not have;
    /// CONFLICT for a deleted one.
    async fn retry_failed_webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: ID,
    ) -> Result<u64> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        engine
            .integrations()
            .retry_failed_webhook_deliveries(
                viewer.tenant_id,
                parse(&webhook_id, "webhookId")?,
                &viewer.actor(),
            )
            .await
            .gql()
    }
}
