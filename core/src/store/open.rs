//! Opening a store from a database URL: `sqlite:…` selects SQLite, `postgres://…`
//! or `postgresql://…` selects PostgreSQL.

use std::sync::Arc;

use super::{PostgresStore, SqliteStore, Store, StoreError};

/// Opens the store the URL names, without migrating it.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

/// Opens the store the URL names and applies its pending migrations.
pub async fn open_and_migrate(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    open_and_migrate_sealed(url, None).await
}

/// [`open_and_migrate`], sealing webhook signing secrets at rest with
/// `secrets` (see `secret_box`) when given.
pub async fn open_and_migrate_sealed(
    url: &str,
    secrets: Option<crate::secret_box::SecretBox>,
) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        let mut store = SqliteStore::connect(url).await?;
        store.migrate().await?;
        if let Some(secrets) = secrets {
            store = store.with_secrets(secrets);
        }
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut store = PostgresStore::connect(url).await?;
        store.migrate().await?;
        if let Some(secrets) = secrets {
            store = store.with_secrets(secrets);
        }
        Ok(Arc::new(store))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
