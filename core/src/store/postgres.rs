//! The PostgreSQL store: the production database, and what several berth
//! instances share. The booking transaction serializes per unit by locking the
//! unit's row (`SELECT … FOR NO KEY UPDATE`), so bookings of different units proceed
//! in parallel while two bookings of one unit queue. Units of inventory 1 get a
//! second, independent wall: an exclusion constraint (btree_gist) that refuses
//! overlapping active reservations whatever the application does; its violation is
//! reported as UNAVAILABLE.
//!
//! Tenancy has a second wall too: row-level security on every tenant-owned table
//! (migration 0005) lets a transaction see and write only the rows of the tenant
//! its first statement names. Every method that touches tenant-owned rows, reads
//! included, runs in such a transaction (`begin_tenant`); only the
//! `tenants` directory is read without one.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use super::StoreError;
use crate::ids::TenantId;

/// How long a request waits for a pooled connection — one free, or a new one
/// while the server cannot be reached — before it fails (INTERNAL). Short:
/// with the database away every request waits this long, and a client is
/// better told at once than after its own timeout; long enough to ride out a
/// restart of PostgreSQL, and a burst that keeps every connection busy
/// (docs/decisions/0173).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The PostgreSQL implementation of [`super::Store`].
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    commits: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Seals webhook signing secrets at rest (`None`: stored as they are).
    secrets: Option<std::sync::Arc<crate::secret_box::SecretBox>>,
}

impl PostgresStore {
    /// Announces a commit to [`super::Store::commits`] readers.
    fn committed(&self) {
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Connects to the database at `url` with the default pool size (16).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_pool_size(url, 16).await
    }

    /// Connects with at most `max_connections` pooled connections.
    pub async fn connect_with_pool_size(
        url: &str,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("berth");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Some(Duration::from_secs(600)))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            commits: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
            secrets: None,
        })
    }

    /// This store, sealing the webhook signing secrets it writes with
    /// `secrets` (and opening those it reads).
    #[must_use]
    pub fn with_secrets(mut self, secrets: crate::secret_box::SecretBox) -> Self {
        self.secrets = Some(std::sync::Arc::new(secrets));
        self
    }

    /// Applies the migrations in `migrations/postgres`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// The underlying pool, for benchmarks and maintenance tools.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction scoped to `tenant` by row-level security. Its first statement
    /// is `SELECT set_config('berth.tenant_id', …, true)`: transaction-local, so the
    /// setting ends with the transaction and a pooled connection never carries a
    /// tenant into its next use. It is sent with the BEGIN as one simple-query
    /// message, so naming the tenant costs no round trip of its own (the id is a
    /// UUID, which is why formatting it into the SQL is safe).
    ///
    /// Writes commit the transaction; reads just drop it, which rolls it back:
    /// sqlx sends the ROLLBACK with the check it makes before the connection
    /// rejoins the pool, so the caller does not wait for it either.
    async fn begin_tenant(
        &self,
        tenant: TenantId,
    ) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let begin = format!("BEGIN; SELECT set_config('berth.tenant_id', '{tenant}', true)");
        Ok(self.pool.begin_with(sqlx::AssertSqlSafe(begin)).await?)
    }
}

impl super::sql::SqlStore for PostgresStore {
    type Db = Postgres;
    type Reader = sqlx::Transaction<'static, Postgres>;

    fn sql_pool(&self) -> &PgPool {
        &self.pool
    }

    fn secrets(&self) -> Option<&crate::secret_box::SecretBox> {
        self.secrets.as_deref()
    }

    fn write(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Postgres>, StoreError>> + Send {
        self.begin_tenant(tenant)
    }

    async fn write_global(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    fn read(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Self::Reader, StoreError>> + Send {
        self.begin_tenant(tenant)
    }

    fn announce(&self) {
        self.committed();
    }

    fn commit_ticks(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }
}
