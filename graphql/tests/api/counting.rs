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
    AccountStore, ClientStore, EventStore, Inserted, LockStore, NewEvent, NewReservation,
    Occupancy, PeriodChange, ReservationFilter, ReservationStore, Store, StoreError, TenantStore,
    Transition, UnitStore,
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

/// Implements a store trait for [`CountingStore`] from its methods' signatures:
/// each method counts the call by its name and passes it on to the inner store.
/// Items after the list are copied in as they are.
macro_rules! counted {
    ($trait:path {
        $(async fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;)*
    } $($extra:tt)*) => {
        #[async_trait]
        impl $trait for CountingStore {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    self.count(stringify!($name));
                    self.inner.$name($($arg),*).await
                }
            )*
            $($extra)*
        }
    };
}

counted! {
    Store {
        async fn ping(&self) -> Result<(), StoreError>;
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.commits()
    }
}

counted! {
    TenantStore {
        async fn create_tenant(
            &self, new: NewTenant, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<Tenant, StoreError>;
        async fn update_tenant(
            &self, id: TenantId, update: NewTenant, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<Tenant, StoreError>;
        async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
        async fn tenant_and_unit(
            &self, tenant: TenantId, unit: UnitId,
        ) -> Result<Option<(Tenant, Unit)>, StoreError>;
        async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
        async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    }
}

counted! {
    EventStore {
        async fn record_event(
            &self, tenant: TenantId, event: NewEvent, actor: &Actor,
        ) -> Result<(), StoreError>;
        async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError>;
        async fn audit_log(
            &self, tenant: TenantId, filter: &AuditFilter, after: Option<AuditCursor>, limit: u32,
        ) -> Result<Vec<AuditEntry>, StoreError>;
        async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError>;
        async fn latest_event_cursor(
            &self, tenant: TenantId,
        ) -> Result<berth_core::event::EventCursor, StoreError>;
        async fn events_after(
            &self, tenant: TenantId, after: berth_core::event::EventCursor, limit: u32,
        ) -> Result<Vec<Event>, StoreError>;
        async fn events_of_kinds_after(
            &self,
            tenant: TenantId,
            after: berth_core::event::EventCursor,
            kinds: &[berth_core::event::EventKind],
            limit: u32,
        ) -> Result<Vec<Event>, StoreError>;
    }
}

counted! {
    UnitStore {
        async fn create_unit(
            &self, tenant: TenantId, new: NewUnit, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<Unit, StoreError>;
        async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError>;
        async fn units(
            &self, tenant: TenantId, include_archived: bool,
        ) -> Result<Vec<Unit>, StoreError>;
        async fn update_unit(
            &self,
            tenant: TenantId,
            id: UnitId,
            patch: UnitPatch,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Unit, StoreError>;
        async fn units_by_ids(
            &self, tenant: TenantId, ids: &[UnitId],
        ) -> Result<Vec<Unit>, StoreError>;
    }
}

counted! {
    ClientStore {
        async fn create_client(
            &self, tenant: TenantId, new: NewClient, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<Client, StoreError>;
        async fn client(
            &self, tenant: TenantId, id: ClientId,
        ) -> Result<Option<Client>, StoreError>;
        async fn update_client(
            &self,
            tenant: TenantId,
            id: ClientId,
            patch: ClientPatch,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Client, StoreError>;
        async fn clients(
            &self, tenant: TenantId, filter: &ClientFilter,
        ) -> Result<Vec<Client>, StoreError>;
        async fn clients_by_ids(
            &self, tenant: TenantId, ids: &[ClientId],
        ) -> Result<Vec<Client>, StoreError>;
    }
}

counted! {
    AccountStore {
        async fn create_api_key(
            &self, tenant: TenantId, new: NewApiKey, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<ApiKey, StoreError>;
        async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError>;
        async fn api_key_secret(
            &self, tenant: TenantId, id: ApiKeyId,
        ) -> Result<Option<(ApiKey, String)>, StoreError>;
        async fn revoke_api_key(
            &self, tenant: TenantId, id: ApiKeyId, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<ApiKey, StoreError>;
        async fn create_user(
            &self,
            tenant: TenantId,
            new: berth_core::user::NewUser,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::user::User, StoreError>;
        async fn user_credentials(
            &self, tenant: TenantId, email: &berth_core::user::Email,
        ) -> Result<Option<(berth_core::user::User, String)>, StoreError>;
        async fn user(
            &self, tenant: TenantId, id: berth_core::ids::UserId,
        ) -> Result<Option<berth_core::user::User>, StoreError>;
        async fn users(&self, tenant: TenantId) -> Result<Vec<berth_core::user::User>, StoreError>;
        async fn update_user(
            &self,
            tenant: TenantId,
            id: berth_core::ids::UserId,
            patch: berth_core::user::UserPatch,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::user::User, StoreError>;
    }
}

counted! {
    ReservationStore {
        async fn insert_reservation(
            &self, tenant: TenantId, new: NewReservation, actor: &Actor,
        ) -> Result<Inserted, StoreError>;
        async fn change_reservation(
            &self, tenant: TenantId, change: PeriodChange, actor: &Actor,
        ) -> Result<Reservation, StoreError>;
        async fn transition_reservation(
            &self, tenant: TenantId, transition: Transition, actor: &Actor,
        ) -> Result<Reservation, StoreError>;
        async fn reservation(
            &self, tenant: TenantId, id: ReservationId,
        ) -> Result<Option<Reservation>, StoreError>;
        async fn reservation_by_idempotency_key(
            &self, tenant: TenantId, key: &IdempotencyKey,
        ) -> Result<Option<Reservation>, StoreError>;
        async fn reservations(
            &self, tenant: TenantId, filter: &ReservationFilter,
        ) -> Result<Vec<Reservation>, StoreError>;
        async fn occupancy(
            &self, tenant: TenantId, units: &[UnitId], range: &TimeRange,
        ) -> Result<Vec<Occupancy>, StoreError>;
    }
}

counted! {
    LockStore {
        async fn acquire_lock(
            &self, tenant: TenantId, new: berth_core::lock::NewLock, actor: &Actor,
        ) -> Result<berth_core::lock::Lock, StoreError>;
        async fn renew_lock(
            &self,
            tenant: TenantId,
            id: berth_core::ids::LockId,
            session: &berth_core::lock::SessionId,
            expires_at: DateTime<Utc>,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::lock::Lock, StoreError>;
        async fn release_lock(
            &self,
            tenant: TenantId,
            id: berth_core::ids::LockId,
            session: &berth_core::lock::SessionId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::lock::Lock, StoreError>;
        async fn release_session_locks(
            &self,
            tenant: TenantId,
            session: &berth_core::lock::SessionId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Vec<berth_core::lock::Lock>, StoreError>;
        async fn locks(
            &self, tenant: TenantId, now: DateTime<Utc>,
        ) -> Result<Vec<berth_core::lock::Lock>, StoreError>;
        async fn expire_locks(
            &self, tenant: TenantId, now: DateTime<Utc>,
        ) -> Result<Vec<berth_core::lock::Lock>, StoreError>;
    }
}

counted! {
    berth_core::store::WebhookStore {
        async fn create_webhook(
            &self,
            tenant: TenantId,
            new: berth_core::webhook::NewWebhook,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::webhook::Webhook, StoreError>;
        async fn webhooks(
            &self, tenant: TenantId, include_deleted: bool,
        ) -> Result<Vec<berth_core::webhook::Webhook>, StoreError>;
        async fn webhook(
            &self, tenant: TenantId, id: berth_core::ids::WebhookId,
        ) -> Result<Option<berth_core::webhook::Webhook>, StoreError>;
        async fn delete_webhook(
            &self,
            tenant: TenantId,
            id: berth_core::ids::WebhookId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::webhook::Webhook, StoreError>;
        async fn webhook_deliveries(
            &self,
            tenant: TenantId,
            webhook: berth_core::ids::WebhookId,
            page: berth_core::webhook::DeliveryPage,
        ) -> Result<Vec<berth_core::webhook::Delivery>, StoreError>;
        async fn webhook_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
        async fn seal_webhook_secrets(&self) -> Result<u64, StoreError>;
        async fn enqueue_deliveries(
            &self, tenant: TenantId, now: DateTime<Utc>, limit: u32,
        ) -> Result<berth_core::webhook::Enqueued, StoreError>;
        async fn claim_deliveries(
            &self, tenant: TenantId, now: DateTime<Utc>, lease: chrono::Duration, limit: u32,
        ) -> Result<Vec<berth_core::webhook::ClaimedDelivery>, StoreError>;
        async fn finish_attempt(
            &self, tenant: TenantId, report: &berth_core::webhook::AttemptReport,
        ) -> Result<bool, StoreError>;
        async fn retry_failed_webhook_deliveries(
            &self,
            tenant: TenantId,
            webhook: berth_core::ids::WebhookId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError>;
        async fn resend_webhook_delivery(
            &self,
            tenant: TenantId,
            id: berth_core::ids::DeliveryId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::webhook::Delivery, StoreError>;
        async fn prune_webhook_deliveries(
            &self, tenant: TenantId, before: DateTime<Utc>, limit: u32,
        ) -> Result<u64, StoreError>;
    }
}

counted! {
    berth_core::store::PushStore {
        async fn register_push_subscription(
            &self,
            tenant: TenantId,
            user: berth_core::ids::UserId,
            new: berth_core::push::NewPushSubscription,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::push::PushSubscription, StoreError>;
        async fn unregister_push_subscription(
            &self,
            tenant: TenantId,
            user: berth_core::ids::UserId,
            endpoint: &berth_core::push::PushEndpoint,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError>;
        async fn push_subscriptions(
            &self, tenant: TenantId, user: berth_core::ids::UserId,
        ) -> Result<Vec<berth_core::push::PushSubscription>, StoreError>;
        async fn notification_settings(
            &self, tenant: TenantId, user: berth_core::ids::UserId,
        ) -> Result<berth_core::push::NotificationSettings, StoreError>;
        async fn update_notification_settings(
            &self,
            tenant: TenantId,
            user: berth_core::ids::UserId,
            patch: berth_core::push::NotificationSettingsPatch,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::push::NotificationSettings, StoreError>;
        async fn push_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
        async fn enqueue_pushes(
            &self, tenant: TenantId, now: DateTime<Utc>, limit: u32,
        ) -> Result<berth_core::push::Enqueued, StoreError>;
        async fn claim_pushes(
            &self, tenant: TenantId, now: DateTime<Utc>, lease: chrono::Duration, limit: u32,
        ) -> Result<Vec<berth_core::push::ClaimedPush>, StoreError>;
        async fn finish_push(
            &self, tenant: TenantId, report: &berth_core::push::PushReport,
        ) -> Result<bool, StoreError>;
        async fn push_deliveries(
            &self, tenant: TenantId, subscription: berth_core::ids::PushSubscriptionId,
        ) -> Result<Vec<berth_core::push::PushDelivery>, StoreError>;
    }
}

counted! {
    berth_core::store::MailStore {
        async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
        async fn enqueue_mail(
            &self,
            tenant: TenantId,
            now: DateTime<Utc>,
            settings: berth_core::mail::MailSettings,
            limit: u32,
        ) -> Result<berth_core::webhook::Enqueued, StoreError>;
        async fn claim_mail(
            &self, tenant: TenantId, now: DateTime<Utc>, lease: chrono::Duration, limit: u32,
        ) -> Result<Vec<berth_core::mail::ClaimedMail>, StoreError>;
        async fn finish_mail(
            &self, tenant: TenantId, report: &berth_core::mail::MailReport,
        ) -> Result<bool, StoreError>;
        async fn mail_messages(
            &self, tenant: TenantId, page: berth_core::mail::MailPage,
        ) -> Result<Vec<berth_core::mail::MailMessage>, StoreError>;
        async fn mail_message(
            &self, tenant: TenantId, id: berth_core::ids::MailId,
        ) -> Result<Option<berth_core::mail::MailMessage>, StoreError>;
        async fn resend_mail(
            &self, tenant: TenantId, id: berth_core::ids::MailId, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<berth_core::mail::MailMessage, StoreError>;
        async fn prune_mail(
            &self, tenant: TenantId, before: DateTime<Utc>, limit: u32,
        ) -> Result<u64, StoreError>;
    }
}

counted! {
    berth_core::store::CalendarStore {
        async fn set_ical_token(
            &self,
            tenant: TenantId,
            unit: UnitId,
            token: berth_core::ical::token::FeedToken,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::ical::block::IcalFeed, StoreError>;
        async fn disable_ical_feed(
            &self, tenant: TenantId, unit: UnitId, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<bool, StoreError>;
        async fn ical_feed(
            &self, tenant: TenantId, unit: UnitId,
        ) -> Result<Option<berth_core::ical::block::IcalFeed>, StoreError>;
        async fn busy_reservations(
            &self, tenant: TenantId, unit: UnitId, window: &TimeRange,
        ) -> Result<Vec<berth_core::ical::block::BusyReservation>, StoreError>;
        async fn replace_calendar_blocks(
            &self,
            tenant: TenantId,
            replacement: berth_core::ical::block::BlockReplacement,
            actor: &Actor,
        ) -> Result<berth_core::ical::block::CalendarImport, StoreError>;
        async fn calendar_blocks(
            &self, tenant: TenantId, unit: UnitId,
        ) -> Result<Vec<berth_core::ical::block::CalendarBlock>, StoreError>;
        async fn add_staff_block(
            &self, tenant: TenantId, new: berth_core::ical::staff::NewStaffBlock, actor: &Actor,
        ) -> Result<berth_core::ical::block::CalendarBlock, StoreError>;
        async fn calendar_block(
            &self, tenant: TenantId, id: berth_core::ids::CalendarBlockId,
        ) -> Result<Option<berth_core::ical::block::CalendarBlock>, StoreError>;
        async fn remove_staff_block(
            &self,
            tenant: TenantId,
            id: berth_core::ids::CalendarBlockId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::ical::block::CalendarBlock, StoreError>;
        async fn blocks_overlapping(
            &self, tenant: TenantId, range: &TimeRange,
        ) -> Result<Vec<berth_core::ical::block::CalendarBlock>, StoreError>;
    }
}

counted! {
    berth_core::store::CalendarSyncStore {
        async fn add_calendar_sync(
            &self,
            tenant: TenantId,
            new: berth_core::ical::sync::NewCalendarSync,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::ical::sync::CalendarSync, StoreError>;
        async fn calendar_syncs(
            &self, tenant: TenantId, unit: Option<UnitId>,
        ) -> Result<Vec<berth_core::ical::sync::CalendarSync>, StoreError>;
        async fn calendar_sync(
            &self, tenant: TenantId, id: berth_core::ids::CalendarSyncId,
        ) -> Result<Option<berth_core::ical::sync::CalendarSync>, StoreError>;
        async fn remove_calendar_sync(
            &self,
            tenant: TenantId,
            id: berth_core::ids::CalendarSyncId,
            clear_blocks: bool,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::ical::sync::CalendarSync, StoreError>;
        async fn request_calendar_sync(
            &self,
            tenant: TenantId,
            id: berth_core::ids::CalendarSyncId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::ical::sync::CalendarSync, StoreError>;
        async fn claim_calendar_syncs(
            &self, tenant: TenantId, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32,
        ) -> Result<Vec<berth_core::ical::sync::CalendarSync>, StoreError>;
        async fn finish_calendar_sync(
            &self, tenant: TenantId, report: &berth_core::ical::sync::SyncReport,
        ) -> Result<bool, StoreError>;
        async fn calendar_sync_tenants_due(
            &self, now: DateTime<Utc>, limit: u32,
        ) -> Result<Vec<TenantId>, StoreError>;
    }
}

counted! {
    berth_core::store::LoginThrottleStore {
        async fn recent_login_failures(
            &self,
            account: &berth_core::login_throttle::LoginAccount,
            since: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<DateTime<Utc>>, StoreError>;
        async fn record_login_failure(
            &self,
            account: &berth_core::login_throttle::LoginAccount,
            at: DateTime<Utc>,
            forget_before: DateTime<Utc>,
        ) -> Result<(), StoreError>;
        async fn clear_login_failures(
            &self, account: &berth_core::login_throttle::LoginAccount,
        ) -> Result<(), StoreError>;
    }
}

counted! {
    berth_core::store::EventRetentionStore {
        async fn prune_events(
            &self, tenant: TenantId, before: DateTime<Utc>, limit: u32,
        ) -> Result<u64, StoreError>;
        async fn events_pruned_through(
            &self, tenant: TenantId,
        ) -> Result<Option<berth_core::event::EventCursor>, StoreError>;
    }
}

counted! {
    berth_core::store::ReservationDetailsStore {
        async fn update_reservation_details(
            &self,
            tenant: TenantId,
            change: berth_core::reservation_details::DetailsChange,
            actor: &Actor,
        ) -> Result<Reservation, StoreError>;
    }
}

counted! {
    berth_core::store::ErasureStore {
        async fn erase_client(
            &self, tenant: TenantId, id: ClientId, actor: &Actor, now: DateTime<Utc>,
        ) -> Result<(Client, berth_core::erasure::ErasureReport), StoreError>;
        async fn inactive_clients(
            &self, tenant: TenantId, before: DateTime<Utc>, limit: u32,
        ) -> Result<Vec<ClientId>, StoreError>;
    }
}

counted! {
    berth_core::store::AnalyticsStore {
        async fn bookings_overlapping(
            &self, tenant: TenantId, range: &TimeRange,
        ) -> Result<Vec<berth_core::analytics::Booking>, StoreError>;
        async fn unit_versions(
            &self, tenant: TenantId,
        ) -> Result<Vec<berth_core::unit_history::UnitVersion>, StoreError>;
    }
}

counted! {
    berth_core::store::BoardStore {
        async fn reservations_touching(
            &self, tenant: TenantId, range: &TimeRange, limit: u32,
        ) -> Result<Vec<Reservation>, StoreError>;
    }
}

counted! {
    berth_core::store::MediaStore {
        async fn add_unit_image(
            &self, tenant: TenantId, new: berth_core::media::NewUnitImage, actor: &Actor,
        ) -> Result<berth_core::media::Uploaded, StoreError>;
        async fn update_unit_image(
            &self,
            tenant: TenantId,
            id: berth_core::ids::ImageId,
            alt: Option<String>,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::media::UnitImage, StoreError>;
        async fn reorder_unit_images(
            &self,
            tenant: TenantId,
            unit: UnitId,
            order: &[berth_core::ids::ImageId],
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Vec<berth_core::media::UnitImage>, StoreError>;
        async fn remove_unit_image(
            &self,
            tenant: TenantId,
            id: berth_core::ids::ImageId,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::media::UnitImage, StoreError>;
        async fn unit_image(
            &self, tenant: TenantId, id: berth_core::ids::ImageId,
        ) -> Result<Option<berth_core::media::UnitImage>, StoreError>;
        async fn unit_images(
            &self, tenant: TenantId, units: &[UnitId],
        ) -> Result<Vec<berth_core::media::UnitImage>, StoreError>;
        async fn media_blob(
            &self, hash: &berth_core::media::MediaHash,
        ) -> Result<Option<berth_core::media::MediaBlob>, StoreError>;
        async fn media_blob_count(&self) -> Result<u64, StoreError>;
    }
}

counted! {
    berth_core::store::ProfileStore {
        async fn save_tenant_profile(
            &self,
            tenant: TenantId,
            profile: &berth_core::profile::TenantProfile,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError>;
        async fn put_tenant(
            &self,
            identity: NewTenant,
            profile: &berth_core::profile::TenantProfile,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::store::PutTenant, StoreError>;
        async fn tenant_profile(
            &self, tenant: TenantId,
        ) -> Result<Option<berth_core::profile::TenantProfile>, StoreError>;
    }
}

counted! {
    berth_core::store::PictureStore {
        async fn replace_tenant_pictures(
            &self,
            tenant: TenantId,
            pictures: &[berth_core::media::NewTenantPicture],
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError>;
        async fn tenant_pictures(
            &self, tenant: TenantId,
        ) -> Result<berth_core::media::TenantPictures, StoreError>;
    }
}

counted! {
    berth_core::store::PolicyVersionStore {
        async fn publish_policy_version(
            &self,
            tenant: TenantId,
            new: &berth_core::policy_versions::NewPolicyVersion,
            actor: &Actor,
            now: DateTime<Utc>,
        ) -> Result<berth_core::policy_versions::Published, StoreError>;
        async fn policy_versions(
            &self, tenant: TenantId, limit: u32,
        ) -> Result<Vec<berth_core::policy_versions::PolicyVersionSummary>, StoreError>;
        async fn policy_version(
            &self, tenant: TenantId, number: u64,
        ) -> Result<Option<berth_core::policy_versions::PolicyVersion>, StoreError>;
        async fn live_policy_version(
            &self, tenant: TenantId,
        ) -> Result<Option<berth_core::policy_versions::PolicyVersion>, StoreError>;
    }
}
