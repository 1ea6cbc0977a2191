//! Units for both databases, written once. On PostgreSQL a change of
//! inventory to or from 1 also moves the `exclusive` marker of the unit's
//! reservations, which the exclusion constraint reads ([`Dialect::EXCLUSION`]).

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use crate::audit::Actor;
use crate::ids::{TenantId, UnitId};
use crate::store::StoreError;
use crate::store::records::{check_inventory, unit_archived, unit_created, unit_updated};
use crate::store::reservations::loads;
use crate::store::rows::UnitRow;
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore, locking, rows_by_ids};
use crate::store::tenants::tenant_fk;
use crate::store::units::UnitStore;
use crate::time_range::TimeRange;
use crate::unit::{NewUnit, Unit, UnitPatch};
use crate::unit_history::UnitVersion;

/// The unit queries, on the database `DB`.
pub(crate) struct Units<DB>(PhantomData<DB>);

#[each_database]
impl Units<DB> {
    /// A unit of the tenant.
    pub(crate) async fn fetch(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: UnitId,
    ) -> Result<Option<Unit>, StoreError> {
        sqlx::query_as::<DB, UnitRow<Instant<DB>>>(
            "SELECT * FROM units WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(UnitRow::into_domain)
        .transpose()
    }

    /// The unit, as the serialization point of a change to it: PostgreSQL
    /// keeps its row locked `FOR NO KEY UPDATE` until the transaction ends, so
    /// two bookings of one unit run their capacity checks one after the
    /// other; SQLite's writers are serialized already. NOT_FOUND when missing.
    pub(crate) async fn for_change(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: UnitId,
    ) -> Result<Unit, StoreError> {
        sqlx::query_as::<DB, UnitRow<Instant<DB>>>(locking!(
            DB,
            "SELECT * FROM units WHERE tenant_id = $1 AND id = $2",
            " FOR NO KEY UPDATE"
        ))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(UnitRow::into_domain)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("unit", id))
    }

    /// [`Self::for_change`], refused when the unit is archived.
    pub(crate) async fn bookable(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: UnitId,
    ) -> Result<Unit, StoreError> {
        let unit = Self::for_change(conn, tenant, id).await?;
        if unit.archived {
            return Err(unit_archived(id));
        }
        Ok(unit)
    }

    /// Records what a unit offers from `v.from` on; a second change in the
    /// same microsecond replaces the first.
    async fn write_version(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        v: &UnitVersion,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, unit_id, valid_from) \
             DO UPDATE SET inventory = excluded.inventory, archived = excluded.archived",
        )
        .bind(tenant.as_uuid())
        .bind(v.unit_id.as_uuid())
        .bind(DB::stamp(v.from))
        .bind(i64::from(v.inventory))
        .bind(v.archived)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Every active reservation's occupied interval and quantity on a unit.
    async fn active_load(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Vec<(TimeRange, u32)>, StoreError> {
        let rows: Vec<(Instant<DB>, Instant<DB>, i64)> = sqlx::query_as(
            "SELECT occupied_start, occupied_end, quantity FROM reservations \
             WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in')",
        )
        .bind(tenant.as_uuid())
        .bind(unit.as_uuid())
        .fetch_all(&mut *conn)
        .await?;
        loads(rows)
    }
}

#[each_database]
#[async_trait]
impl UnitStore for DbStore {
    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        let unit = Unit {
            id: UnitId::new(),
            tenant_id: tenant,
            name: new.name,
            kind: new.kind,
            inventory: new.inventory,
            max_guests: new.max_guests,
            description: new.description,
            amenities: new.amenities,
            images: new.images,
            attributes: new.attributes,
            archived: false,
            created_at: now,
        };
        let mut tx = self.write(tenant).await?;
        sqlx::query(
            "INSERT INTO units (tenant_id, id, name, kind, inventory, max_guests, description, \
               amenities, attributes, archived, created_at, images) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(tenant.as_uuid())
        .bind(unit.id.as_uuid())
        .bind(&unit.name)
        .bind(&unit.kind)
        .bind(i64::from(unit.inventory))
        .bind(i64::from(unit.max_guests))
        .bind(&unit.description)
        .bind(Json(&unit.amenities))
        .bind(Json(&unit.attributes))
        .bind(unit.archived)
        .bind(DB::stamp(now))
        .bind(Json(&unit.images))
        .execute(&mut *tx)
        .await
        .map_err(|e| tenant_fk(e, tenant))?;
        Units::<DB>::write_version(&mut tx, tenant, &UnitVersion::of(&unit, now)).await?;
        Journal::<DB>::append(&mut tx, &unit_created(&unit, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(unit)
    }

    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Units::<DB>::fetch(&mut conn, tenant, id).await
    }

    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, UnitRow<Instant<DB>>>(
            "SELECT * FROM units WHERE tenant_id = $1 AND (NOT archived OR $2) ORDER BY id",
        )
        .bind(tenant.as_uuid())
        .bind(include_archived)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(UnitRow::into_domain)
        .collect()
    }

    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Units::<DB>::for_change(&mut tx, tenant, id).await?;
        let after = patch.apply(&before);
        if after == before {
            return Ok(before);
        }
        if after.inventory < before.inventory {
            check_inventory(&after, Units::<DB>::active_load(&mut tx, tenant, id).await?)?;
        }
        sqlx::query(
            "UPDATE units SET name = $1, kind = $2, inventory = $3, max_guests = $4, \
               description = $5, amenities = $6, attributes = $7, archived = $8, images = $9 \
             WHERE tenant_id = $10 AND id = $11",
        )
        .bind(&after.name)
        .bind(&after.kind)
        .bind(i64::from(after.inventory))
        .bind(i64::from(after.max_guests))
        .bind(&after.description)
        .bind(Json(&after.amenities))
        .bind(Json(&after.attributes))
        .bind(after.archived)
        .bind(Json(&after.images))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        if DB::EXCLUSION && (after.inventory.get() == 1) != (before.inventory.get() == 1) {
            // Keep the exclusion constraint's marker in step with the inventory:
            // the check above guarantees no active overlap when it becomes 1.
            sqlx::query(
                "UPDATE reservations SET exclusive = $1 WHERE tenant_id = $2 AND unit_id = $3",
            )
            .bind(after.inventory.get() == 1)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        if UnitVersion::changes(&before, &after) {
            Units::<DB>::write_version(&mut tx, tenant, &UnitVersion::of(&after, now)).await?;
        }
        Journal::<DB>::append(&mut tx, &unit_updated(&before, &after, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn units_by_ids(
        &self,
        tenant: TenantId,
        ids: &[UnitId],
    ) -> Result<Vec<Unit>, StoreError> {
        rows_by_ids::<Self, UnitRow<Instant<DB>>>(
            self,
            "SELECT * FROM units WHERE tenant_id = $1 AND id = ANY($2)",
            "SELECT * FROM units WHERE tenant_id = $1 AND id IN (",
            tenant,
            ids.iter().map(|id| id.as_uuid()).collect(),
        )
        .await?
        .into_iter()
        .map(UnitRow::into_domain)
        .collect()
    }
}
