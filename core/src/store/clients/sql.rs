//! Clients for both databases, written once.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::ClientLock;
use crate::audit::Actor;
use crate::client::{Client, ClientFilter, ClientPatch, NewClient};
use crate::ids::{ClientId, TenantId};
use crate::store::StoreError;
use crate::store::clients::ClientStore;
use crate::store::records::{
    client_created, client_erased_refusal, client_updated, contains_pattern,
};
use crate::store::rows::ClientRow;
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore, locking, rows_by_ids};
use crate::store::tenants::unknown_tenant;

/// The client queries, on the database `DB`.
pub(crate) struct Clients<DB>(PhantomData<DB>);

#[each_database]
impl Clients<DB> {
    /// A client of the tenant, its row locked as `lock` says.
    pub(crate) async fn fetch(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: ClientId,
        lock: ClientLock,
    ) -> Result<Option<Client>, StoreError> {
        let sql = match lock {
            ClientLock::Read => "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2",
            ClientLock::Share => locking!(
                DB,
                "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2",
                " FOR SHARE"
            ),
            ClientLock::Update => locking!(
                DB,
                "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2",
                " FOR UPDATE"
            ),
        };
        sqlx::query_as::<DB, ClientRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
            .map(ClientRow::into_domain)
            .transpose()
    }

    /// Writes every changeable column of a stored client (a change, an erasure).
    pub(crate) async fn write(conn: &mut Conn<DB>, c: &Client) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE clients SET name = $1, email = $2, phone = $3, notes = $4, blocked = $5, \
             archived = $6, erased_at = $7 WHERE tenant_id = $8 AND id = $9",
        )
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(&c.notes)
        .bind(c.blocked)
        .bind(c.archived)
        .bind(c.erased_at.map(DB::stamp))
        .bind(c.tenant_id.as_uuid())
        .bind(c.id.as_uuid())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Inserts a new client with its audit entry and event.
    pub(crate) async fn insert(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        let client = Client {
            id: ClientId::new(),
            tenant_id: tenant,
            name: new.name,
            email: new.email,
            phone: new.phone,
            notes: new.notes,
            blocked: new.blocked,
            archived: false,
            created_at: now,
            erased_at: None,
        };
        sqlx::query(
            "INSERT INTO clients (tenant_id, id, name, email, phone, notes, blocked, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant.as_uuid())
        .bind(client.id.as_uuid())
        .bind(&client.name)
        .bind(&client.email)
        .bind(&client.phone)
        .bind(&client.notes)
        .bind(client.blocked)
        .bind(DB::stamp(now))
        .execute(&mut *conn)
        .await?;
        Journal::<DB>::append(conn, &client_created(&client, actor)).await?;
        Ok(client)
    }
}

#[each_database]
#[async_trait]
impl ClientStore for DbStore {
    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        let mut tx = self.write(tenant).await?;
        let client = Clients::<DB>::insert(&mut tx, tenant, new, actor, now)
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        tx.commit().await?;
        self.announce();
        Ok(client)
    }

    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Clients::<DB>::fetch(&mut conn, tenant, id, ClientLock::Read).await
    }

    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Clients::<DB>::fetch(&mut tx, tenant, id, ClientLock::Update)
            .await?
            .ok_or_else(|| StoreError::not_found("client", id))?;
        let after = patch.apply(&before);
        if after == before {
            return Ok(before);
        }
        if before.erased_at.is_some() {
            return Err(client_erased_refusal(&before));
        }
        Clients::<DB>::write(&mut tx, &after).await?;
        Journal::<DB>::append(&mut tx, &client_updated(&before, &after, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError> {
        let mut qb = QueryBuilder::<DB>::new("SELECT * FROM clients WHERE tenant_id = ");
        qb.push_bind(tenant.as_uuid());
        if let Some(after) = filter.after {
            qb.push(" AND id > ").push_bind(after.as_uuid());
        }
        if !filter.include_archived {
            qb.push(" AND NOT archived");
        }
        if let Some(pattern) = contains_pattern(filter.search.as_deref()) {
            qb.push(" AND (lower(name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        qb.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).min(1000)));
        let mut conn = self.read(tenant).await?;
        qb.build_query_as::<ClientRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(ClientRow::into_domain)
            .collect()
    }

    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError> {
        rows_by_ids::<Self, ClientRow<Instant<DB>>>(
            self,
            "SELECT * FROM clients WHERE tenant_id = $1 AND id = ANY($2)",
            "SELECT * FROM clients WHERE tenant_id = $1 AND id IN (",
            tenant,
            ids.iter().map(|id| id.as_uuid()).collect(),
        )
        .await?
        .into_iter()
        .map(ClientRow::into_domain)
        .collect()
    }
}
