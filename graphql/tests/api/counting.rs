//! A store that counts the calls made through it and passes each on to a real
//! store: how the tests see how many store queries a GraphQL request costs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use berth_core::api_key::{ApiKey, NewApiKey};
use berth_core::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use berth_core::client::{Client, ClientFilter, ClientPatch, NewClient};
use berth_core::event::Event;
use berth_core::ids::{ApiKeyId, ClientId, ReservationId, TenantId, UnitId};
use berth_core::reservation::{IdempotencyKey, Reservation};
use berth_core::store::{
    Inserted, NewEvent, NewReservation, Occupancy, PeriodChange, ReservationFilter, Store,
    StoreError, Transition,
};
use berth_core::tenant::{NewTenant, Tenant, TenantSlug};
use berth_core::time_range::TimeRange;
use berth_core::unit::{NewUnit, Unit, UnitPatch};
use chrono::{DateTime, Utc};

/// Counts calls per store method.
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn Store>,
    calls: Mutex<BTreeMap<&'static str, usize>>,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    fn count(&self, method: &'static str) {
        *self.calls.lock().unwrap().entry(method).or_default() += 1;
    }

    /// The calls so far, by method; resets the count.
    pub fn take(&self) -> BTreeMap<&'static str, usize> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.count("ping");
        self.inner.ping().await
    }

    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        self.count("create_tenant");
        self.inner.create_tenant(new, actor, now).await
    }

    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        self.count("update_tenant");
        self.inner.update_tenant(id, update, actor, now).await
    }

    async fn record_event(
        &self,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.count("record_event");
        self.inner.record_event(tenant, event, actor).await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.count("tenant");
        self.inner.tenant(id).await
    }

    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError> {
        self.count("tenant_and_unit");
        self.inner.tenant_and_unit(tenant, unit).await
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        self.count("tenant_by_slug");
        self.inner.tenant_by_slug(slug).await
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.count("tenants");
        self.inner.tenants().await
    }

    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        self.count("create_unit");
        self.inner.create_unit(tenant, new, actor, now).await
    }

    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError> {
        self.count("unit");
        self.inner.unit(tenant, id).await
    }

    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError> {
        self.count("units");
        self.inner.units(tenant, include_archived).await
    }

    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        self.count("update_unit");
        self.inner.update_unit(tenant, id, patch, actor, now).await
    }

    async fn units_by_ids(
        &self,
        tenant: TenantId,
        ids: &[UnitId],
    ) -> Result<Vec<Unit>, StoreError> {
        self.count("units_by_ids");
        self.inner.units_by_ids(tenant, ids).await
    }

    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        self.count("create_client");
        self.inner.create_client(tenant, new, actor, now).await
    }

    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError> {
        self.count("client");
        self.inner.client(tenant, id).await
    }

    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        self.count("update_client");
        self.inner
            .update_client(tenant, id, patch, actor, now)
            .await
    }

    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError> {
        self.count("clients");
        self.inner.clients(tenant, filter).await
    }

    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError> {
        self.count("clients_by_ids");
        self.inner.clients_by_ids(tenant, ids).await
    }

    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        self.count("create_api_key");
        self.inner.create_api_key(tenant, new, actor, now).await
    }

    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        self.count("api_keys");
        self.inner.api_keys(tenant).await
    }

    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError> {
        self.count("api_key_secret");
        self.inner.api_key_secret(tenant, id).await
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        self.count("revoke_api_key");
        self.inner.revoke_api_key(tenant, id, actor, now).await
    }

    async fn create_user(
        &self,
        tenant: TenantId,
        new: berth_core::user::NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::user::User, StoreError> {
        self.count("create_user");
        self.inner.create_user(tenant, new, actor, now).await
    }

    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &berth_core::user::Email,
    ) -> Result<Option<(berth_core::user::User, String)>, StoreError> {
        self.count("user_credentials");
        self.inner.user_credentials(tenant, email).await
    }

    async fn user(
        &self,
        tenant: TenantId,
        id: berth_core::ids::UserId,
    ) -> Result<Option<berth_core::user::User>, StoreError> {
        self.count("user");
        self.inner.user(tenant, id).await
    }

    async fn users(&self, tenant: TenantId) -> Result<Vec<berth_core::user::User>, StoreError> {
        self.count("users");
        self.inner.users(tenant).await
    }

    async fn update_user(
        &self,
        tenant: TenantId,
        id: berth_core::ids::UserId,
        patch: berth_core::user::UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::user::User, StoreError> {
        self.count("update_user");
        self.inner.update_user(tenant, id, patch, actor, now).await
    }

    async fn insert_reservation(
        &self,
        tenant: TenantId,
        new: NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        self.count("insert_reservation");
        self.inner.insert_reservation(tenant, new, actor).await
    }

    async fn change_reservation(
        &self,
        tenant: TenantId,
        change: PeriodChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        self.count("change_reservation");
        self.inner.change_reservation(tenant, change, actor).await
    }

    async fn transition_reservation(
        &self,
        tenant: TenantId,
        transition: Transition,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        self.count("transition_reservation");
        self.inner
            .transition_reservation(tenant, transition, actor)
            .await
    }

    async fn reservation(
        &self,
        tenant: TenantId,
        id: ReservationId,
    ) -> Result<Option<Reservation>, StoreError> {
        self.count("reservation");
        self.inner.reservation(tenant, id).await
    }

    async fn reservation_by_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError> {
        self.count("reservation_by_idempotency_key");
        self.inner.reservation_by_idempotency_key(tenant, key).await
    }

    async fn reservations(
        &self,
        tenant: TenantId,
        filter: &ReservationFilter,
    ) -> Result<Vec<Reservation>, StoreError> {
        self.count("reservations");
        self.inner.reservations(tenant, filter).await
    }

    async fn occupancy(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        range: &TimeRange,
    ) -> Result<Vec<Occupancy>, StoreError> {
        self.count("occupancy");
        self.inner.occupancy(tenant, units, range).await
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.count("record_audit");
        self.inner.record_audit(entry).await
    }

    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.count("audit_log");
        self.inner.audit_log(tenant, filter, after, limit).await
    }

    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError> {
        self.count("event_count");
        self.inner.event_count(tenant).await
    }

    async fn latest_event_cursor(
        &self,
        tenant: TenantId,
    ) -> Result<berth_core::event::EventCursor, StoreError> {
        self.count("latest_event_cursor");
        self.inner.latest_event_cursor(tenant).await
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.commits()
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        after: berth_core::event::EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.count("events_after");
        self.inner.events_after(tenant, after, limit).await
    }

    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: berth_core::event::EventCursor,
        kinds: &[berth_core::event::EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.count("events_of_kinds_after");
        self.inner
            .events_of_kinds_after(tenant, after, kinds, limit)
            .await
    }

    async fn acquire_lock(
        &self,
        tenant: TenantId,
        new: berth_core::lock::NewLock,
        actor: &Actor,
    ) -> Result<berth_core::lock::Lock, StoreError> {
        self.count("acquire_lock");
        self.inner.acquire_lock(tenant, new, actor).await
    }

    async fn renew_lock(
        &self,
        tenant: TenantId,
        id: berth_core::ids::LockId,
        session: &berth_core::lock::SessionId,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::lock::Lock, StoreError> {
        self.count("renew_lock");
        self.inner
            .renew_lock(tenant, id, session, expires_at, actor, now)
            .await
    }

    async fn release_lock(
        &self,
        tenant: TenantId,
        id: berth_core::ids::LockId,
        session: &berth_core::lock::SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::lock::Lock, StoreError> {
        self.count("release_lock");
        self.inner
            .release_lock(tenant, id, session, actor, now)
            .await
    }

    async fn release_session_locks(
        &self,
        tenant: TenantId,
        session: &berth_core::lock::SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<berth_core::lock::Lock>, StoreError> {
        self.count("release_session_locks");
        self.inner
            .release_session_locks(tenant, session, actor, now)
            .await
    }

    async fn locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<berth_core::lock::Lock>, StoreError> {
        self.count("locks");
        self.inner.locks(tenant, now).await
    }

    async fn expire_locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<berth_core::lock::Lock>, StoreError> {
        self.count("expire_locks");
        self.inner.expire_locks(tenant, now).await
    }
}

#[async_trait]
impl berth_core::store::WebhookStore for CountingStore {
    async fn create_webhook(
        &self,
        tenant: TenantId,
        new: berth_core::webhook::NewWebhook,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::webhook::Webhook, StoreError> {
        self.count("create_webhook");
        self.inner.create_webhook(tenant, new, actor, now).await
    }

    async fn webhooks(
        &self,
        tenant: TenantId,
        include_deleted: bool,
    ) -> Result<Vec<berth_core::webhook::Webhook>, StoreError> {
        self.count("webhooks");
        self.inner.webhooks(tenant, include_deleted).await
    }

    async fn webhook(
        &self,
        tenant: TenantId,
        id: berth_core::ids::WebhookId,
    ) -> Result<Option<berth_core::webhook::Webhook>, StoreError> {
        self.count("webhook");
        self.inner.webhook(tenant, id).await
    }

    async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: berth_core::ids::WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::webhook::Webhook, StoreError> {
        self.count("delete_webhook");
        self.inner.delete_webhook(tenant, id, actor, now).await
    }

    async fn webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: berth_core::ids::WebhookId,
        page: berth_core::webhook::DeliveryPage,
    ) -> Result<Vec<berth_core::webhook::Delivery>, StoreError> {
        self.count("webhook_deliveries");
        self.inner.webhook_deliveries(tenant, webhook, page).await
    }

    async fn webhook_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.count("webhook_tenants");
        self.inner.webhook_tenants().await
    }

    async fn seal_webhook_secrets(&self) -> Result<u64, StoreError> {
        self.count("seal_webhook_secrets");
        self.inner.seal_webhook_secrets().await
    }

    async fn enqueue_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<berth_core::webhook::Enqueued, StoreError> {
        self.count("enqueue_deliveries");
        self.inner.enqueue_deliveries(tenant, now, limit).await
    }

    async fn claim_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<berth_core::webhook::ClaimedDelivery>, StoreError> {
        self.count("claim_deliveries");
        self.inner.claim_deliveries(tenant, now, lease, limit).await
    }

    async fn finish_attempt(
        &self,
        tenant: TenantId,
        report: &berth_core::webhook::AttemptReport,
    ) -> Result<bool, StoreError> {
        self.count("finish_attempt");
        self.inner.finish_attempt(tenant, report).await
    }

    async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: berth_core::ids::WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.count("retry_failed_webhook_deliveries");
        self.inner
            .retry_failed_webhook_deliveries(tenant, webhook, actor, now)
            .await
    }

    async fn resend_webhook_delivery(
        &self,
        tenant: TenantId,
        id: berth_core::ids::DeliveryId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::webhook::Delivery, StoreError> {
        self.count("resend_webhook_delivery");
        self.inner
            .resend_webhook_delivery(tenant, id, actor, now)
            .await
    }

    async fn prune_webhook_deliveries(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.count("prune_webhook_deliveries");
        self.inner
            .prune_webhook_deliveries(tenant, before, limit)
            .await
    }
}

#[async_trait]
impl berth_core::store::PushStore for CountingStore {
    async fn register_push_subscription(
        &self,
        tenant: TenantId,
        user: berth_core::ids::UserId,
        new: berth_core::push::NewPushSubscription,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::push::PushSubscription, StoreError> {
        self.count("register_push_subscription");
        self.inner
            .register_push_subscription(tenant, user, new, actor, now)
            .await
    }

    async fn unregister_push_subscription(
        &self,
        tenant: TenantId,
        user: berth_core::ids::UserId,
        endpoint: &berth_core::push::PushEndpoint,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.count("unregister_push_subscription");
        self.inner
            .unregister_push_subscription(tenant, user, endpoint, actor, now)
            .await
    }

    async fn push_subscriptions(
        &self,
        tenant: TenantId,
        user: berth_core::ids::UserId,
    ) -> Result<Vec<berth_core::push::PushSubscription>, StoreError> {
        self.count("push_subscriptions");
        self.inner.push_subscriptions(tenant, user).await
    }

    async fn notification_settings(
        &self,
        tenant: TenantId,
        user: berth_core::ids::UserId,
    ) -> Result<berth_core::push::NotificationSettings, StoreError> {
        self.count("notification_settings");
        self.inner.notification_settings(tenant, user).await
    }

    async fn update_notification_settings(
        &self,
        tenant: TenantId,
        user: berth_core::ids::UserId,
        patch: berth_core::push::NotificationSettingsPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::push::NotificationSettings, StoreError> {
        self.count("update_notification_settings");
        self.inner
            .update_notification_settings(tenant, user, patch, actor, now)
            .await
    }

    async fn push_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.count("push_tenants");
        self.inner.push_tenants().await
    }

    async fn enqueue_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<berth_core::push::Enqueued, StoreError> {
        self.count("enqueue_pushes");
        self.inner.enqueue_pushes(tenant, now, limit).await
    }

    async fn claim_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<berth_core::push::ClaimedPush>, StoreError> {
        self.count("claim_pushes");
        self.inner.claim_pushes(tenant, now, lease, limit).await
    }

    async fn finish_push(
        &self,
        tenant: TenantId,
        report: &berth_core::push::PushReport,
    ) -> Result<bool, StoreError> {
        self.count("finish_push");
        self.inner.finish_push(tenant, report).await
    }

    async fn push_deliveries(
        &self,
        tenant: TenantId,
        subscription: berth_core::ids::PushSubscriptionId,
    ) -> Result<Vec<berth_core::push::PushDelivery>, StoreError> {
        self.count("push_deliveries");
        self.inner.push_deliveries(tenant, subscription).await
    }
}

#[async_trait]
impl berth_core::store::MailStore for CountingStore {
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.count("mail_tenants");
        self.inner.mail_tenants().await
    }

    async fn enqueue_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        settings: berth_core::mail::MailSettings,
        limit: u32,
    ) -> Result<berth_core::webhook::Enqueued, StoreError> {
        self.count("enqueue_mail");
        self.inner.enqueue_mail(tenant, now, settings, limit).await
    }

    async fn claim_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<berth_core::mail::ClaimedMail>, StoreError> {
        self.count("claim_mail");
        self.inner.claim_mail(tenant, now, lease, limit).await
    }

    async fn finish_mail(
        &self,
        tenant: TenantId,
        report: &berth_core::mail::MailReport,
    ) -> Result<bool, StoreError> {
        self.count("finish_mail");
        self.inner.finish_mail(tenant, report).await
    }

    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: berth_core::mail::MailPage,
    ) -> Result<Vec<berth_core::mail::MailMessage>, StoreError> {
        self.count("mail_messages");
        self.inner.mail_messages(tenant, page).await
    }

    async fn mail_message(
        &self,
        tenant: TenantId,
        id: berth_core::ids::MailId,
    ) -> Result<Option<berth_core::mail::MailMessage>, StoreError> {
        self.count("mail_message");
        self.inner.mail_message(tenant, id).await
    }

    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: berth_core::ids::MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::mail::MailMessage, StoreError> {
        self.count("resend_mail");
        self.inner.resend_mail(tenant, id, actor, now).await
    }

    async fn prune_mail(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.count("prune_mail");
        self.inner.prune_mail(tenant, before, limit).await
    }
}

#[async_trait]
impl berth_core::store::CalendarStore for CountingStore {
    async fn set_ical_token(
        &self,
        tenant: TenantId,
        unit: UnitId,
        token: berth_core::ical::token::FeedToken,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::ical::block::IcalFeed, StoreError> {
        self.count("set_ical_token");
        self.inner
            .set_ical_token(tenant, unit, token, actor, now)
            .await
    }

    async fn disable_ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.count("disable_ical_feed");
        self.inner.disable_ical_feed(tenant, unit, actor, now).await
    }

    async fn ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<berth_core::ical::block::IcalFeed>, StoreError> {
        self.count("ical_feed");
        self.inner.ical_feed(tenant, unit).await
    }

    async fn busy_reservations(
        &self,
        tenant: TenantId,
        unit: UnitId,
        window: &TimeRange,
    ) -> Result<Vec<berth_core::ical::block::BusyReservation>, StoreError> {
        self.count("busy_reservations");
        self.inner.busy_reservations(tenant, unit, window).await
    }

    async fn replace_calendar_blocks(
        &self,
        tenant: TenantId,
        replacement: berth_core::ical::block::BlockReplacement,
        actor: &Actor,
    ) -> Result<berth_core::ical::block::CalendarImport, StoreError> {
        self.count("replace_calendar_blocks");
        self.inner
            .replace_calendar_blocks(tenant, replacement, actor)
            .await
    }

    async fn calendar_blocks(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Vec<berth_core::ical::block::CalendarBlock>, StoreError> {
        self.count("calendar_blocks");
        self.inner.calendar_blocks(tenant, unit).await
    }

    async fn add_staff_block(
        &self,
        tenant: TenantId,
        new: berth_core::ical::staff::NewStaffBlock,
        actor: &Actor,
    ) -> Result<berth_core::ical::block::CalendarBlock, StoreError> {
        self.count("add_staff_block");
        self.inner.add_staff_block(tenant, new, actor).await
    }

    async fn calendar_block(
        &self,
        tenant: TenantId,
        id: berth_core::ids::CalendarBlockId,
    ) -> Result<Option<berth_core::ical::block::CalendarBlock>, StoreError> {
        self.count("calendar_block");
        self.inner.calendar_block(tenant, id).await
    }

    async fn remove_staff_block(
        &self,
        tenant: TenantId,
        id: berth_core::ids::CalendarBlockId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::ical::block::CalendarBlock, StoreError> {
        self.count("remove_staff_block");
        self.inner.remove_staff_block(tenant, id, actor, now).await
    }

    async fn blocks_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<berth_core::ical::block::CalendarBlock>, StoreError> {
        self.count("blocks_overlapping");
        self.inner.blocks_overlapping(tenant, range).await
    }
}

#[async_trait]
impl berth_core::store::CalendarSyncStore for CountingStore {
    async fn add_calendar_sync(
        &self,
        tenant: TenantId,
        new: berth_core::ical::sync::NewCalendarSync,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::ical::sync::CalendarSync, StoreError> {
        self.count("add_calendar_sync");
        self.inner.add_calendar_sync(tenant, new, actor, now).await
    }

    async fn calendar_syncs(
        &self,
        tenant: TenantId,
        unit: Option<UnitId>,
    ) -> Result<Vec<berth_core::ical::sync::CalendarSync>, StoreError> {
        self.count("calendar_syncs");
        self.inner.calendar_syncs(tenant, unit).await
    }

    async fn calendar_sync(
        &self,
        tenant: TenantId,
        id: berth_core::ids::CalendarSyncId,
    ) -> Result<Option<berth_core::ical::sync::CalendarSync>, StoreError> {
        self.count("calendar_sync");
        self.inner.calendar_sync(tenant, id).await
    }

    async fn remove_calendar_sync(
        &self,
        tenant: TenantId,
        id: berth_core::ids::CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::ical::sync::CalendarSync, StoreError> {
        self.count("remove_calendar_sync");
        self.inner
            .remove_calendar_sync(tenant, id, clear_blocks, actor, now)
            .await
    }

    async fn request_calendar_sync(
        &self,
        tenant: TenantId,
        id: berth_core::ids::CalendarSyncId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::ical::sync::CalendarSync, StoreError> {
        self.count("request_calendar_sync");
        self.inner
            .request_calendar_sync(tenant, id, actor, now)
            .await
    }

    async fn claim_calendar_syncs(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<berth_core::ical::sync::CalendarSync>, StoreError> {
        self.count("claim_calendar_syncs");
        self.inner
            .claim_calendar_syncs(tenant, now, lease_until, limit)
            .await
    }

    async fn finish_calendar_sync(
        &self,
        tenant: TenantId,
        report: &berth_core::ical::sync::SyncReport,
    ) -> Result<bool, StoreError> {
        self.count("finish_calendar_sync");
        self.inner.finish_calendar_sync(tenant, report).await
    }

    async fn calendar_sync_tenants_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<TenantId>, StoreError> {
        self.count("calendar_sync_tenants_due");
        self.inner.calendar_sync_tenants_due(now, limit).await
    }
}

#[async_trait]
impl berth_core::store::LoginThrottleStore for CountingStore {
    async fn recent_login_failures(
        &self,
        account: &berth_core::login_throttle::LoginAccount,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        self.count("recent_login_failures");
        self.inner
            .recent_login_failures(account, since, limit)
            .await
    }

    async fn record_login_failure(
        &self,
        account: &berth_core::login_throttle::LoginAccount,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.count("record_login_failure");
        self.inner
            .record_login_failure(account, at, forget_before)
            .await
    }

    async fn clear_login_failures(
        &self,
        account: &berth_core::login_throttle::LoginAccount,
    ) -> Result<(), StoreError> {
        self.count("clear_login_failures");
        self.inner.clear_login_failures(account).await
    }
}

#[async_trait]
impl berth_core::store::EventRetentionStore for CountingStore {
    async fn prune_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.count("prune_events");
        self.inner.prune_events(tenant, before, limit).await
    }

    async fn events_pruned_through(
        &self,
        tenant: TenantId,
    ) -> Result<Option<berth_core::event::EventCursor>, StoreError> {
        self.count("events_pruned_through");
        self.inner.events_pruned_through(tenant).await
    }
}

#[async_trait]
impl berth_core::store::ReservationDetailsStore for CountingStore {
    async fn update_reservation_details(
        &self,
        tenant: TenantId,
        change: berth_core::reservation_details::DetailsChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        self.count("update_reservation_details");
        self.inner
            .update_reservation_details(tenant, change, actor)
            .await
    }
}

#[async_trait]
impl berth_core::store::ErasureStore for CountingStore {
    async fn erase_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Client, berth_core::erasure::ErasureReport), StoreError> {
        self.count("erase_client");
        self.inner.erase_client(tenant, id, actor, now).await
    }

    async fn inactive_clients(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClientId>, StoreError> {
        self.count("inactive_clients");
        self.inner.inactive_clients(tenant, before, limit).await
    }
}

#[async_trait]
impl berth_core::store::AnalyticsStore for CountingStore {
    async fn bookings_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<berth_core::analytics::Booking>, StoreError> {
        self.count("bookings_overlapping");
        self.inner.bookings_overlapping(tenant, range).await
    }

    async fn unit_versions(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<berth_core::unit_history::UnitVersion>, StoreError> {
        self.count("unit_versions");
        self.inner.unit_versions(tenant).await
    }
}

#[async_trait]
impl berth_core::store::BoardStore for CountingStore {
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError> {
        self.count("reservations_touching");
        self.inner.reservations_touching(tenant, range, limit).await
    }
}

#[async_trait]
impl berth_core::store::MediaStore for CountingStore {
    async fn add_unit_image(
        &self,
        tenant: TenantId,
        new: berth_core::media::NewUnitImage,
        actor: &Actor,
    ) -> Result<berth_core::media::Uploaded, StoreError> {
        self.count("add_unit_image");
        self.inner.add_unit_image(tenant, new, actor).await
    }

    async fn update_unit_image(
        &self,
        tenant: TenantId,
        id: berth_core::ids::ImageId,
        alt: Option<String>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::media::UnitImage, StoreError> {
        self.count("update_unit_image");
        self.inner
            .update_unit_image(tenant, id, alt, actor, now)
            .await
    }

    async fn reorder_unit_images(
        &self,
        tenant: TenantId,
        unit: UnitId,
        order: &[berth_core::ids::ImageId],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<berth_core::media::UnitImage>, StoreError> {
        self.count("reorder_unit_images");
        self.inner
            .reorder_unit_images(tenant, unit, order, actor, now)
            .await
    }

    async fn remove_unit_image(
        &self,
        tenant: TenantId,
        id: berth_core::ids::ImageId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::media::UnitImage, StoreError> {
        self.count("remove_unit_image");
        self.inner.remove_unit_image(tenant, id, actor, now).await
    }

    async fn unit_image(
        &self,
        tenant: TenantId,
        id: berth_core::ids::ImageId,
    ) -> Result<Option<berth_core::media::UnitImage>, StoreError> {
        self.count("unit_image");
        self.inner.unit_image(tenant, id).await
    }

    async fn unit_images(
        &self,
        tenant: TenantId,
        units: &[UnitId],
    ) -> Result<Vec<berth_core::media::UnitImage>, StoreError> {
        self.count("unit_images");
        self.inner.unit_images(tenant, units).await
    }

    async fn media_blob(
        &self,
        hash: &berth_core::media::MediaHash,
    ) -> Result<Option<berth_core::media::MediaBlob>, StoreError> {
        self.count("media_blob");
        self.inner.media_blob(hash).await
    }

    async fn media_blob_count(&self) -> Result<u64, StoreError> {
        self.count("media_blob_count");
        self.inner.media_blob_count().await
    }
}

#[async_trait]
impl berth_core::store::ProfileStore for CountingStore {
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &berth_core::profile::TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.count("save_tenant_profile");
        self.inner
            .save_tenant_profile(tenant, profile, actor, now)
            .await
    }

    async fn put_tenant(
        &self,
        identity: NewTenant,
        profile: &berth_core::profile::TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<berth_core::store::PutTenant, StoreError> {
        self.count("put_tenant");
        self.inner.put_tenant(identity, profile, actor, now).await
    }

    async fn tenant_profile(
        &self,
        tenant: TenantId,
    ) -> Result<Option<berth_core::profile::TenantProfile>, StoreError> {
        self.count("tenant_profile");
        self.inner.tenant_profile(tenant).await
    }
}

#[async_trait]
impl berth_core::store::PictureStore for CountingStore {
    async fn replace_tenant_pictures(
        &self,
        tenant: TenantId,
        pictures: &[berth_core::media::NewTenantPicture],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.count("replace_tenant_pictures");
        self.inner
            .replace_tenant_pictures(tenant, pictures, actor, now)
            .await
    }

    async fn tenant_pictures(
        &self,
        tenant: TenantId,
    ) -> Result<berth_core::media::TenantPictures, StoreError> {
        self.count("tenant_pictures");
        self.inner.tenant_pictures(tenant).await
    }
}
