//! Integrations: what a tenant connects berth to — webhooks (an endpoint that
//! receives the tenant's events, signed) and web push (a user's devices and
//! which notifications they want). Every write to them goes through
//! [`Integrations`] (reached as [`Engine::integrations`](crate::Engine::integrations)):
//! each is one store transaction with its audit entry (and event), at the
//! engine's clock. The inputs arrive parsed ([`WebhookUrl`], [`EventFilters`],
//! [`PushEndpoint`], …), so what is left is who acts and when. Delivering
//! (queueing, claiming, reporting attempts) is the workers' (`server`), through
//! the store's worker methods.

use std::sync::Arc;

use crate::audit::Actor;
use crate::clock::Clock;
use crate::error::EngineError;
use crate::ids::{DeliveryId, TenantId, UserId, WebhookId};
use crate::push::{
    NewPushSubscription, NotificationSettings, NotificationSettingsPatch, PushEndpoint,
    PushSubscription,
};
use crate::store::Store;
use crate::webhook::{Delivery, EventFilters, NewWebhook, Webhook, WebhookSecret, WebhookUrl};

/// The integrations service: webhooks and push. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Integrations {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

/// A webhook just created and its signing secret (`whsec_…`), shown once.
#[derive(Debug)]
pub struct CreatedWebhook {
    /// The webhook as stored.
    pub webhook: Webhook,
    /// The signing secret, exposed.
    pub secret: String,
}

impl Integrations {
    /// The service over `store`, reading the time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Creates a webhook sending the events `events` names to `url`, with a
    /// fresh signing secret; it receives the events written from now on.
    pub async fn create_webhook(
        &self,
        tenant: TenantId,
        url: WebhookUrl,
        events: EventFilters,
        actor: &Actor,
    ) -> Result<CreatedWebhook, EngineError> {
        let secret = WebhookSecret::generate();
        let exposed = secret.expose();
        let new = NewWebhook {
            url,
            events,
            secret,
        };
        let webhook = self
            .store
            .create_webhook(tenant, new, actor, self.clock.now())
            .await?;
        Ok(CreatedWebhook {
            webhook,
            secret: exposed,
        })
    }

    /// Deletes a webhook: nothing more is sent to it, its pending deliveries
    /// are marked failed, its log stays readable; deleting a deleted one
    /// changes nothing.
    pub async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
        actor: &Actor,
    ) -> Result<Webhook, EngineError> {
        Ok(self
            .store
            .delete_webhook(tenant, id, actor, self.clock.now())
            .await?)
    }

    /// Sends a delivered or failed delivery again, due now (see
    /// [`crate::store::WebhookStore::resend_webhook_delivery`]).
    pub async fn resend_webhook_delivery(
        &self,
        tenant: TenantId,
        id: DeliveryId,
        actor: &Actor,
    ) -> Result<Delivery, EngineError> {
        Ok(self
            .store
            .resend_webhook_delivery(tenant, id, actor, self.clock.now())
            .await?)
    }

    /// Gives every failed delivery of a webhook one more attempt, now; how
    /// many (see [`crate::store::WebhookStore::retry_failed_webhook_deliveries`]).
    pub async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        actor: &Actor,
    ) -> Result<u64, EngineError> {
        Ok(self
            .store
            .retry_failed_webhook_deliveries(tenant, webhook, actor, self.clock.now())
            .await?)
    }

    /// Registers `user`'s device (again, harmlessly; an endpoint of another
    /// user of the tenant moves to this one).
    pub async fn register_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        new: NewPushSubscription,
        actor: &Actor,
    ) -> Result<PushSubscription, EngineError> {
        Ok(self
            .store
            .register_push_subscription(tenant, user, new, actor, self.clock.now())
            .await?)
    }

    /// Removes `user`'s device with this endpoint and its queued
    /// notifications; false when there is none.
    pub async fn unregister_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        endpoint: &PushEndpoint,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        Ok(self
            .store
            .unregister_push_subscription(tenant, user, endpoint, actor, self.clock.now())
            .await?)
    }

    /// Applies `patch` to `user`'s notification settings; the settings after.
    pub async fn update_notification_settings(
        &self,
        tenant: TenantId,
        user: UserId,
        patch: NotificationSettingsPatch,
        actor: &Actor,
    ) -> Result<NotificationSettings, EngineError> {
        Ok(self
            .store
            .update_notification_settings(tenant, user, patch, actor, self.clock.now())
            .await?)
    }
}
