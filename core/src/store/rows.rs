//! The rows both stores read, written once: the same columns on SQLite and
//! PostgreSQL, generic over how an instant is kept (`T`: SQLite microseconds,
//! PostgreSQL `timestamptz`; see [`StoredInstant`]). Each store names them
//! with its instant (`type ReservationRow = rows::ReservationRow<i64>;`).

use chrono::NaiveDate;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::records::{self, ReservationRecord, TenantRecord, UnitRecord};
use super::sql::StoredInstant;
use crate::api_key::ApiKey;
use crate::audit::AuditEntry;
use crate::client::Client;
use crate::ids::{AuditId, ClientId, TenantId};
use crate::lock::Lock;
use crate::reservation::Reservation;
use crate::tenant::Tenant;
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

/// Selects a unit and its tenant (see `UnitTenantRow`).
pub(super) const UNIT_WITH_TENANT: &str = "SELECT u.*, t.slug AS t_slug, t.name AS t_name, \
     t.timezone AS t_timezone, t.currency AS t_currency, t.locale AS t_locale, \
     t.created_at AS t_created_at FROM units u JOIN tenants t ON t.id = u.tenant_id \
     WHERE u.tenant_id = $1 AND u.id = $2";

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
        ReservationRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            unit_id: self.unit_id,
            client_id: self.client_id,
            state: self.state,
            start_at: self.start_at.instant()?,
            end_at: self.end_at.instant()?,
            occupied_start: self.occupied_start.instant()?,
            occupied_end: self.occupied_end.instant()?,
            check_in: self.check_in,
            check_out: self.check_out,
            quantity: self.quantity,
            guests: self.guests,
            price: self.price.map(|j| j.0),
            channel: self.channel,
            idempotency_key: self.idempotency_key,
            notes: self.notes,
            hold_expires_at: self
                .hold_expires_at
                .map(StoredInstant::instant)
                .transpose()?,
            refund: self.refund.map(|j| j.0),
            policy_override: self.policy_override.map(|j| j.0),
            version: self.version,
            created_at: self.created_at.instant()?,
            updated_at: self.updated_at.instant()?,
        }
        .into_domain()
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
        UnitRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            name: self.name,
            kind: self.kind,
            inventory: self.inventory,
            max_guests: self.max_guests,
            description: self.description,
            amenities: self.amenities.0,
            images: self.images.0,
            attributes: self.attributes.0,
            archived: self.archived,
            created_at: self.created_at.instant()?,
        }
        .into_domain()
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
        TenantRecord {
            id: self.id,
            slug: self.slug,
            name: self.name,
            timezone: self.timezone,
            currency: self.currency,
            locale: self.locale,
            created_at: self.created_at.instant()?,
        }
        .into_domain()
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
        records::UserRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
            role: self.role,
            created_at: self.created_at.instant()?,
            disabled_at: self.disabled_at.map(StoredInstant::instant).transpose()?,
            session_epoch: self.session_epoch,
        }
        .into_domain()
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
        records::ApiKeyRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            name: self.name,
            role: self.role,
            secret_hash: self.secret_hash,
            created_at: self.created_at.instant()?,
            revoked_at: self.revoked_at.map(StoredInstant::instant).transpose()?,
        }
        .into_domain()
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
        records::LockRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            unit_id: self.unit_id,
            range_start: self.range_start.map(StoredInstant::instant).transpose()?,
            range_end: self.range_end.map(StoredInstant::instant).transpose()?,
            reservation_id: self.reservation_id,
            holder_actor: self.holder_actor,
            holder_name: self.holder_name,
            session_id: self.session_id,
            acquired_at: self.acquired_at.instant()?,
            expires_at: self.expires_at.instant()?,
        }
        .into_domain()
    }
}
