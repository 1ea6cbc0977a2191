//! Users and API keys for both databases, written once.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use crate::api_key::{ApiKey, NewApiKey};
use crate::audit::Actor;
use crate::ids::{ApiKeyId, TenantId, UserId};
use crate::store::StoreError;
use crate::store::accounts::AccountStore;
use crate::store::locks::Locks;
use crate::store::records::{
    api_key_created, api_key_revoked, keeps_an_owner, removes_an_owner, user_change, user_created,
    user_updated,
};
use crate::store::rows::{ApiKeyRow, UserRow};
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore, locking};
use crate::store::tenants::tenant_fk;
use crate::user::{Email, NewUser, User, UserPatch};

/// The account queries, on the database `DB`.
pub(crate) struct Accounts<DB>(PhantomData<DB>);

#[each_database]
impl Accounts<DB> {
    async fn fetch_api_key(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError> {
        sqlx::query_as::<DB, ApiKeyRow<Instant<DB>>>(
            "SELECT * FROM api_keys WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(ApiKeyRow::into_domain)
        .transpose()
    }
}

#[each_database]
#[async_trait]
impl AccountStore for DbStore {
    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        let key = ApiKey {
            id: new.id,
            tenant_id: tenant,
            name: new.name,
            role: new.role,
            created_at: now,
            revoked_at: None,
        };
        let mut tx = self.write(tenant).await?;
        sqlx::query(
            "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.as_uuid())
        .bind(key.id.as_uuid())
        .bind(&key.name)
        .bind(key.role.as_str())
        .bind(&new.secret_hash)
        .bind(DB::stamp(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| tenant_fk(e, tenant))?;
        Journal::<DB>::append(&mut tx, &api_key_created(&key, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(key)
    }

    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, ApiKeyRow<Instant<DB>>>(
            "SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| row.into_domain().map(|(key, _)| key))
        .collect()
    }

    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Accounts::<DB>::fetch_api_key(&mut conn, tenant, id).await
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        let mut tx = self.write(tenant).await?;
        let (mut key, _) = Accounts::<DB>::fetch_api_key(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("api key", id))?;
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        key.revoked_at = Some(now);
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(DB::stamp(now))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        Journal::<DB>::append(&mut tx, &api_key_revoked(&key, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(key)
    }

    async fn create_user(
        &self,
        tenant: TenantId,
        new: NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let user = User {
            id: UserId::new(),
            tenant_id: tenant,
            email: new.email,
            role: new.role,
            created_at: now,
            disabled_at: None,
            session_epoch: 0,
        };
        let mut tx = self.write(tenant).await?;
        sqlx::query(
            "INSERT INTO users (tenant_id, id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.as_uuid())
        .bind(user.id.as_uuid())
        .bind(user.email.as_str())
        .bind(&new.password_hash)
        .bind(user.role.as_str())
        .bind(DB::stamp(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
                "a user with e-mail {} already exists",
                user.email.as_str()
            )),
            _ => tenant_fk(e, tenant),
        })?;
        Journal::<DB>::append(&mut tx, &user_created(&user, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(user)
    }

    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<(User, String)>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, UserRow<Instant<DB>>>(
            "SELECT * FROM users WHERE tenant_id = $1 AND email = $2",
        )
        .bind(tenant.as_uuid())
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(UserRow::into_domain)
        .transpose()
    }

    async fn user(&self, tenant: TenantId, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let found = sqlx::query_as::<DB, UserRow<Instant<DB>>>(
            "SELECT * FROM users WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(UserRow::into_domain)
        .transpose()?;
        Ok(found.map(|(user, _)| user))
    }

    async fn users(&self, tenant: TenantId) -> Result<Vec<User>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, UserRow<Instant<DB>>>(
            "SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| row.into_domain().map(|(user, _)| user))
        .collect()
    }

    async fn update_user(
        &self,
        tenant: TenantId,
        id: UserId,
        patch: UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let mut tx = self.write(tenant).await?;
        if DB::ROW_LOCKS {
            // The tenant's active owners are locked first (in id order, so two
            // changes cannot deadlock), then the user: two concurrent changes
            // cannot each count the other as the owner that remains. (SQLite's
            // writers are serialized, so the count below cannot change before
            // this commits.)
            sqlx::query(
                "SELECT id FROM users WHERE tenant_id = $1 AND role = 'owner' \
                 AND disabled_at IS NULL ORDER BY id FOR UPDATE",
            )
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        let (before, _) = sqlx::query_as::<DB, UserRow<Instant<DB>>>(locking!(
            DB,
            "SELECT * FROM users WHERE tenant_id = $1 AND id = $2",
            " FOR UPDATE"
        ))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await?
        .map(UserRow::into_domain)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("user", id))?;
        let Some(after) = user_change(&before, &patch, now) else {
            return Ok(before);
        };
        if removes_an_owner(&before, &after) {
            let (others,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM users WHERE tenant_id = $1 AND id <> $2 \
                 AND role = 'owner' AND disabled_at IS NULL",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
            keeps_an_owner(others)?;
        }
        sqlx::query(
            "UPDATE users SET role = $1, disabled_at = $2, session_epoch = $3, \
             password_hash = coalesce($4, password_hash) WHERE tenant_id = $5 AND id = $6",
        )
        .bind(after.role.as_str())
        .bind(after.disabled_at.map(DB::stamp))
        .bind(after.session_epoch)
        .bind(patch.password_hash.as_deref())
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        Journal::<DB>::append(&mut tx, &user_updated(&before, &after, &patch, actor, now)).await?;
        // Ended sessions hold no locks: each is released in the same transaction.
        if after.session_epoch != before.session_epoch {
            Locks::<DB>::release_user(&mut tx, tenant, id, actor, now).await?;
        }
        tx.commit().await?;
        self.announce();
        Ok(after)
    }
}
