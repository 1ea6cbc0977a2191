//! [`Store`] for both databases, written once: for every [`SqlStore`], each
//! method is its concern's code, written once too (`tenants/`, `units/`,
//! `clients/`, `accounts/`, `reservations/`, `locks/`, `events/`). The
//! `where` clause lists what that code binds and reads.

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use super::accounts::Accounts;
use super::clients::Clients;
use super::events::Events;
use super::locks::Locks;
use super::reservations::Reservations;
use super::sql::SqlStore;
use super::tenants::Tenants;
use super::units::Units;
use super::{
    Inserted, NewEvent, NewReservation, Occupancy, PeriodChange, ReservationFilter, Store,
    StoreError, Transition,
};
use crate::api_key::{ApiKey, NewApiKey};
use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::client::{Client, ClientFilter, ClientPatch, NewClient};
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{ApiKeyId, ClientId, LockId, ReservationId, TenantId, UnitId, UserId};
use crate::lock::{Lock, NewLock, SessionId};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::tenant::{NewTenant, Tenant, TenantSlug};
use crate::time_range::TimeRange;
use crate::unit::{NewUnit, Unit, UnitPatch};
use crate::user::{Email, NewUser, User, UserPatch};

#[each_database]
#[async_trait]
impl Store for DbStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.sql_pool()).await?;
        Ok(())
    }

    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        Tenants::<DB>::create(self, new, actor, now).await
    }

    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        Tenants::<DB>::update(self, id, update, actor, now).await
    }

    async fn record_event(
        &self,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        Events::<DB>::record(self, tenant, event, actor).await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        Tenants::<DB>::by_id(self, id).await
    }

    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError> {
        Tenants::<DB>::with_unit(self, tenant, unit).await
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        Tenants::<DB>::by_slug(self, slug).await
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        Tenants::<DB>::all(self).await
    }

    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        Units::<DB>::create(self, tenant, new, actor, now).await
    }

    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError> {
        Units::<DB>::by_id(self, tenant, id).await
    }

    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError> {
        Units::<DB>::list(self, tenant, include_archived).await
    }

    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        Units::<DB>::update(self, tenant, id, patch, actor, now).await
    }

    async fn units_by_ids(
        &self,
        tenant: TenantId,
        ids: &[UnitId],
    ) -> Result<Vec<Unit>, StoreError> {
        Units::<DB>::by_ids(self, tenant, ids).await
    }

    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        Clients::<DB>::create(self, tenant, new, actor, now).await
    }

    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError> {
        Clients::<DB>::by_id(self, tenant, id).await
    }

    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        Clients::<DB>::update(self, tenant, id, patch, actor, now).await
    }

    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError> {
        Clients::<DB>::list(self, tenant, filter).await
    }

    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError> {
        Clients::<DB>::by_ids(self, tenant, ids).await
    }

    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        Accounts::<DB>::create_api_key(self, tenant, new, actor, now).await
    }

    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        Accounts::<DB>::api_keys(self, tenant).await
    }

    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError> {
        Accounts::<DB>::api_key_secret(self, tenant, id).await
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        Accounts::<DB>::revoke_api_key(self, tenant, id, actor, now).await
    }

    async fn create_user(
        &self,
        tenant: TenantId,
        new: NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        Accounts::<DB>::create_user(self, tenant, new, actor, now).await
    }

    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<(User, String)>, StoreError> {
        Accounts::<DB>::credentials(self, tenant, email).await
    }

    async fn user(&self, tenant: TenantId, id: UserId) -> Result<Option<User>, StoreError> {
        Accounts::<DB>::user(self, tenant, id).await
    }

    async fn users(&self, tenant: TenantId) -> Result<Vec<User>, StoreError> {
        Accounts::<DB>::users(self, tenant).await
    }

    async fn update_user(
        &self,
        tenant: TenantId,
        id: UserId,
        patch: UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        Accounts::<DB>::update_user(self, tenant, id, patch, actor, now).await
    }

    async fn insert_reservation(
        &self,
        tenant: TenantId,
        new: NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        Reservations::<DB>::insert(self, tenant, new, actor).await
    }

    async fn change_reservation(
        &self,
        tenant: TenantId,
        change: PeriodChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        Reservations::<DB>::change(self, tenant, change, actor).await
    }

    async fn transition_reservation(
        &self,
        tenant: TenantId,
        transition: Transition,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        Reservations::<DB>::transition(self, tenant, transition, actor).await
    }

    async fn reservation(
        &self,
        tenant: TenantId,
        id: ReservationId,
    ) -> Result<Option<Reservation>, StoreError> {
        Reservations::<DB>::by_id(self, tenant, id).await
    }

    async fn reservation_by_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError> {
        Reservations::<DB>::by_idempotency_key(self, tenant, key).await
    }

    async fn reservations(
        &self,
        tenant: TenantId,
        filter: &ReservationFilter,
    ) -> Result<Vec<Reservation>, StoreError> {
        Reservations::<DB>::list(self, tenant, filter).await
    }

    async fn occupancy(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        range: &TimeRange,
    ) -> Result<Vec<Occupancy>, StoreError> {
        Reservations::<DB>::occupancy(self, tenant, units, range).await
    }

    async fn acquire_lock(
        &self,
        tenant: TenantId,
        new: NewLock,
        actor: &Actor,
    ) -> Result<Lock, StoreError> {
        Locks::<DB>::acquire(self, tenant, new, actor).await
    }

    async fn renew_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError> {
        Locks::<DB>::renew(self, tenant, id, session, expires_at, actor, now).await
    }

    async fn release_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError> {
        Locks::<DB>::release(self, tenant, id, session, actor, now).await
    }

    async fn release_session_locks(
        &self,
        tenant: TenantId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        Locks::<DB>::release_session(self, tenant, session, actor, now).await
    }

    async fn locks(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<Vec<Lock>, StoreError> {
        Locks::<DB>::of_tenant(self, tenant, now).await
    }

    async fn expire_locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        Locks::<DB>::expire(self, tenant, now).await
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        Events::<DB>::record_audit(self, entry).await
    }

    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Events::<DB>::audit_log(self, tenant, filter, after, limit).await
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        Events::<DB>::after(self, tenant, after, None, limit).await
    }

    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: &[EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        Events::<DB>::after(self, tenant, after, Some(kinds), limit).await
    }

    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError> {
        Events::<DB>::count(self, tenant).await
    }

    async fn latest_event_cursor(&self, tenant: TenantId) -> Result<EventCursor, StoreError> {
        Events::<DB>::latest(self, tenant).await
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commit_ticks()
    }
}
