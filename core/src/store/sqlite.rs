//! The SQLite store: berth's zero-setup default. One database file in WAL mode;
//! instants are stored as integer microseconds since the Unix epoch so that range
//! comparisons are plain integer comparisons. Writers are serialized by SQLite
//! itself: every write transaction starts with `BEGIN IMMEDIATE`, which takes the
//! database write lock up front, so the capacity check and the insert can never
//! interleave with another writer's.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqlitePool};

use super::StoreError;
use crate::ids::TenantId;

/// How long a writer waits for SQLite's write lock before giving up. Generous,
/// because under load writers queue for the lock by design.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The SQLite implementation of [`super::Store`].
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    commits: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Seals webhook signing secrets at rest (`None`: stored as they are).
    secrets: Option<std::sync::Arc<crate::secret_box::SecretBox>>,
}

impl SqliteStore {
    /// Announces a commit to [`super::Store::commits`] readers.
    fn committed(&self) {
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Opens (creating if missing) the database at `url` (`sqlite:data/berth.db`,
    /// `sqlite::memory:`) in WAL mode with foreign keys enforced.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(if in_memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        if let Some(dir) = options.get_filename().parent()
            && !in_memory
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        // Each in-memory connection is its own database, so keep exactly one.
        let max_connections = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .after_release(|conn, _| {
                Box::pin(async move {
                    // A COMMIT that fails with SQLITE_FULL or an I/O error can
                    // roll the transaction back inside SQLite; sqlx still counts
                    // it open, its ROLLBACK then fails ("no transaction is
                    // active"), and every later BEGIN on the connection would be
                    // refused. The ping lets the queued rollback run first; a
                    // connection still counted in a transaction is closed
                    // instead of pooled.
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            })
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

    /// Applies the migrations in `migrations/sqlite`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// The underlying pool, for benchmarks and maintenance tools.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl super::sql::SqlStore for SqliteStore {
    type Db = Sqlite;
    type Reader = sqlx::pool::PoolConnection<Sqlite>;

    fn sql_pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn secrets(&self) -> Option<&crate::secret_box::SecretBox> {
        self.secrets.as_deref()
    }

    fn write(
        &self,
        _tenant: TenantId,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Sqlite>, StoreError>> + Send {
        self.begin_write()
    }

    fn write_global(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Sqlite>, StoreError>> + Send {
        self.begin_write()
    }

    async fn read(&self, _tenant: TenantId) -> Result<Self::Reader, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    fn announce(&self) {
        self.committed();
    }

    fn commit_ticks(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;

    /// A transaction SQLite ended on its own (as after a COMMIT that failed
    /// with SQLITE_FULL) leaves no broken connection in the pool: the next
    /// write transactions begin.
    #[tokio::test]
    async fn a_transaction_sqlite_ended_itself_does_not_break_the_pool() {
        let dir = std::env::temp_dir().join(format!("berth-sqlite-{}", uuid::Uuid::new_v4()));
        let store = SqliteStore::connect(&format!("sqlite:{}/berth.db", dir.display()))
            .await
            .expect("open");
        let mut tx = store.begin_write().await.expect("begin");
        // SQLite leaves the transaction; sqlx still counts it open, and the
        // rollback it sends when the transaction is dropped fails.
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut *tx)
            .await
            .expect("rollback inside");
        drop(tx);
        for _ in 0..3 {
            let tx = store.begin_write().await.expect("a later write begins");
            tx.commit().await.expect("commit");
        }
        store.pool().close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
