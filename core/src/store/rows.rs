//! The rows both stores read, written once: the same columns on SQLite and
//! PostgreSQL, generic over how an instant is kept (`T`: SQLite microseconds,
//! PostgreSQL `timestamptz`; see [`StoredInstant`]). Each store names them
//! with its instant (`type ReservationRow = rows::ReservationRow<i64>;`).

use chrono::NaiveDate;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::sql::StoredInstant;
use crate::api_key::ApiKey;
use crate::audit::AuditEntry;
use crate::client::Client;
use crate::ids::{ApiKeyId, AuditId, ClientId, ReservationId, TenantId, UnitId};
use crate::lock::Lock;
use crate::money::{Currency, Price};
use crate::quantity::{Guests, Inventory, Quantity};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::Unit;

/// The columns of a [`ReservationRow`], as a literal for `concat!`.
macro_rules! reservation_columns {
    () => {
        "tenant_id, id, unit_id, client_id, state, start_at, end_at, \
         occupied_start, occupied_end, check_in, check_out, quantity, guests, price, channel, \
         idempotency_key, notes, hold_expires_at, refund, policy_override, version, created_at, \
         updated_at"
    };
}
pub(super) use reservation_columns;

pub(super) const RESERVATION_COLUMNS: &str = reservation_columns!();

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow<T> {
    pub(super) id: Uuid,
    pub(super) actor: String,
    pub(super) entity_type: String,
    pub(super) entity_id: Uuid,
    pub(super) action: String,
    pub(super) at: T,
    pub(super) request_id: Option<String>,
    pub(super) metadata: Json<serde_json::Value>,
}

impl<T: StoredInstant> AuditRow<T> {
    pub(super) fn into_domain(self, tenant: TenantId) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            id: AuditId::from_uuid(self.id),
            tenant_id: tenant,
            actor: self.actor.parse().map_err(StoreError::corrupt)?,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            action: self.action,
            at: self.at.instant()?,
            request_id: self.request_id,
            metadata: self.metadata.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ReservationRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) unit_id: Uuid,
    pub(super) client_id: Option<Uuid>,
    pub(super) state: String,
    pub(super) start_at: T,
    pub(super) end_at: T,
    pub(super) occupied_start: T,
    pub(super) occupied_end: T,
    pub(super) check_in: Option<NaiveDate>,
    pub(super) check_out: Option<NaiveDate>,
    pub(super) quantity: i64,
    pub(super) guests: i64,
    pub(super) price: Option<Json<serde_json::Value>>,
    pub(super) channel: String,
    pub(super) idempotency_key: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) hold_expires_at: Option<T>,
    pub(super) refund: Option<Json<serde_json::Value>>,
    pub(super) policy_override: Option<Json<serde_json::Value>>,
    pub(super) version: i64,
    pub(super) created_at: T,
    pub(super) updated_at: T,
}

impl<T: StoredInstant> ReservationRow<T> {
    pub(super) fn into_domain(self) -> Result<Reservation, StoreError> {
        let range = |a, b| TimeRange::new(a, b).map_err(StoreError::corrupt);
        Ok(Reservation {
            id: ReservationId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            unit_id: UnitId::from_uuid(self.unit_id),
            client_id: self.client_id.map(ClientId::from_uuid),
            state: self.state.parse().map_err(StoreError::corrupt)?,
            period: range(self.start_at.instant()?, self.end_at.instant()?)?,
            occupied: range(self.occupied_start.instant()?, self.occupied_end.instant()?)?,
            check_in: self.check_in,
            check_out: self.check_out,
            quantity: Quantity::new(self.quantity).map_err(StoreError::corrupt)?,
            guests: Guests::new(self.guests).map_err(StoreError::corrupt)?,
            price: self
                .price
                .map(|j| serde_json::from_value::<Price>(j.0))
                .transpose()
                .map_err(StoreError::corrupt)?,
            channel: self.channel.parse().map_err(StoreError::corrupt)?,
            idempotency_key: self
                .idempotency_key
                .map(|k| k.parse::<IdempotencyKey>())
                .transpose()
                .map_err(StoreError::corrupt)?,
            notes: self.notes,
            hold_expires_at: self
                .hold_expires_at
                .map(StoredInstant::instant)
                .transpose()?,
            refund: self
                .refund
                .map(|j| serde_json::from_value(j.0))
                .transpose()
                .map_err(StoreError::corrupt)?,
            policy_override: self
                .policy_override
                .map(|j| serde_json::from_value(j.0))
                .transpose()
                .map_err(StoreError::corrupt)?,
            version: self.version,
            created_at: self.created_at.instant()?,
            updated_at: self.updated_at.instant()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UnitRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) kind: Option<String>,
    pub(super) inventory: i64,
    pub(super) max_guests: i64,
    pub(super) description: Option<String>,
    pub(super) amenities: Json<serde_json::Value>,
    pub(super) images: Json<serde_json::Value>,
    pub(super) attributes: Json<serde_json::Value>,
    pub(super) archived: bool,
    pub(super) created_at: T,
}

impl<T: StoredInstant> UnitRow<T> {
    pub(super) fn into_domain(self) -> Result<Unit, StoreError> {
        Ok(Unit {
            id: UnitId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            name: self.name,
            kind: self.kind,
            inventory: Inventory::new(self.inventory).map_err(StoreError::corrupt)?,
            max_guests: Guests::new(self.max_guests).map_err(StoreError::corrupt)?,
            description: self.description,
            amenities: serde_json::from_value(self.amenities.0).map_err(StoreError::corrupt)?,
            images: serde_json::from_value(self.images.0).map_err(StoreError::corrupt)?,
            attributes: self.attributes.0,
            archived: self.archived,
            created_at: self.created_at.instant()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TenantRow<T> {
    pub(super) id: Uuid,
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) timezone: String,
    pub(super) currency: String,
    pub(super) locale: String,
    pub(super) created_at: T,
}

impl<T: StoredInstant> TenantRow<T> {
    pub(super) fn into_domain(self) -> Result<Tenant, StoreError> {
        Ok(Tenant {
            id: TenantId::from_uuid(self.id),
            slug: self.slug.parse().map_err(StoreError::corrupt)?,
            name: self.name,
            timezone: self.timezone.parse().map_err(StoreError::corrupt)?,
            currency: self
                .currency
                .parse::<Currency>()
                .map_err(StoreError::corrupt)?,
            locale: self.locale,
            created_at: self.created_at.instant()?,
        })
    }
}

/// A unit row with its tenant's columns (prefixed `t_`), from one join.
#[derive(sqlx::FromRow)]
pub(super) struct UnitTenantRow<T> {
    #[sqlx(flatten)]
    pub(super) unit: UnitRow<T>,
    pub(super) t_slug: String,
    pub(super) t_name: String,
    pub(super) t_timezone: String,
    pub(super) t_currency: String,
    pub(super) t_locale: String,
    pub(super) t_created_at: T,
}

impl<T: StoredInstant> UnitTenantRow<T> {
    pub(super) fn into_domain(self) -> Result<(Tenant, Unit), StoreError> {
        let tenant = TenantRow {
            id: self.unit.tenant_id,
            slug: self.t_slug,
            name: self.t_name,
            timezone: self.t_timezone,
            currency: self.t_currency,
            locale: self.t_locale,
            created_at: self.t_created_at,
        }
        .into_domain()?;
        Ok((tenant, self.unit.into_domain()?))
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) email: String,
    pub(super) password_hash: String,
    pub(super) role: String,
    pub(super) created_at: T,
    pub(super) disabled_at: Option<T>,
    pub(super) session_epoch: i64,
}

impl<T: StoredInstant> UserRow<T> {
    pub(super) fn into_domain(self) -> Result<(crate::user::User, String), StoreError> {
        let user = crate::user::User {
            id: crate::ids::UserId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            email: self.email.parse().map_err(StoreError::corrupt)?,
            role: self.role.parse().map_err(StoreError::corrupt)?,
            created_at: self.created_at.instant()?,
            disabled_at: self.disabled_at.map(StoredInstant::instant).transpose()?,
            session_epoch: self.session_epoch,
        };
        Ok((user, self.password_hash))
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) blocked: bool,
    pub(super) archived: bool,
    pub(super) created_at: T,
    pub(super) erased_at: Option<T>,
}

impl<T: StoredInstant> ClientRow<T> {
    pub(super) fn into_domain(self) -> Result<Client, StoreError> {
        Ok(Client {
            id: ClientId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            name: self.name,
            email: self.email,
            phone: self.phone,
            notes: self.notes,
            blocked: self.blocked,
            archived: self.archived,
            created_at: self.created_at.instant()?,
            erased_at: self.erased_at.map(StoredInstant::instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ApiKeyRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) role: String,
    pub(super) secret_hash: String,
    pub(super) created_at: T,
    pub(super) revoked_at: Option<T>,
}

impl<T: StoredInstant> ApiKeyRow<T> {
    pub(super) fn into_domain(self) -> Result<(ApiKey, String), StoreError> {
        let key = ApiKey {
            id: ApiKeyId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            name: self.name,
            role: self.role.parse().map_err(StoreError::corrupt)?,
            created_at: self.created_at.instant()?,
            revoked_at: self.revoked_at.map(StoredInstant::instant).transpose()?,
        };
        Ok((key, self.secret_hash))
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct LockRow<T> {
    pub(super) tenant_id: Uuid,
    pub(super) id: Uuid,
    pub(super) unit_id: Uuid,
    pub(super) range_start: Option<T>,
    pub(super) range_end: Option<T>,
    pub(super) reservation_id: Option<Uuid>,
    pub(super) holder_actor: String,
    pub(super) holder_name: String,
    pub(super) session_id: String,
    pub(super) acquired_at: T,
    pub(super) expires_at: T,
}

impl<T: StoredInstant> LockRow<T> {
    pub(super) fn into_domain(self) -> Result<Lock, StoreError> {
        let range = match (
            self.range_start.map(StoredInstant::instant).transpose()?,
            self.range_end.map(StoredInstant::instant).transpose()?,
        ) {
            (Some(a), Some(b)) => Some(TimeRange::new(a, b).map_err(StoreError::corrupt)?),
            _ => None,
        };
        Ok(crate::lock::Lock {
            id: crate::ids::LockId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            unit_id: UnitId::from_uuid(self.unit_id),
            range,
            reservation_id: self.reservation_id.map(ReservationId::from_uuid),
            holder: crate::lock::LockHolder {
                actor: self.holder_actor.parse().map_err(StoreError::corrupt)?,
                display_name: self.holder_name,
                session: self.session_id.parse().map_err(StoreError::corrupt)?,
            },
            acquired_at: self.acquired_at.instant()?,
            expires_at: self.expires_at.instant()?,
        })
    }
}
