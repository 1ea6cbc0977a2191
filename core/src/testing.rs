//! Test databases for berth's test suites and benchmarks (the `testing` feature):
//! a fresh SQLite file, or a fresh PostgreSQL database on the throwaway server that
//! `scripts/test` starts, connected the way production must connect — as a role
//! that row-level security applies to.
//!
//! `BERTH_TEST_POSTGRES_URL` is the admin (superuser) URL of that server; without
//! it PostgreSQL tests are skipped loudly, and with `BERTH_REQUIRE_POSTGRES=1` its
//! absence fails them instead.
//!
//! Superusers bypass row-level security, so the admin URL is used only to create
//! the login role [`APP_ROLE`] (NOSUPERUSER, NOBYPASSRLS) and each test's database,
//! owned by that role. The store then connects as [`APP_ROLE`] and migrates, so it
//! owns the tables exactly as an application that runs its own migrations does;
//! the migrations FORCE row-level security, so the policies hold for the owner.

use std::path::Path;

use sqlx::Connection;

use crate::store::{PostgresStore, SqliteStore};

/// The role PostgreSQL test databases are owned by and connected as.
pub const APP_ROLE: &str = "berth_app";
/// [`APP_ROLE`]'s password (the throwaway server trusts local connections anyway).
const APP_PASSWORD: &str = "berth_app";

/// The database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The admin URL of the throwaway PostgreSQL server started by scripts/test, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("BERTH_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// True when PostgreSQL tests must run (scripts/test sets it after starting the
/// server); without it, a missing server skips them with a loud message.
fn postgres_required() -> bool {
    std::env::var("BERTH_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// Whether a test on `backend` can run here. Prints why when it cannot.
pub fn available(backend: Backend, test: &str) -> bool {
    if backend == Backend::Sqlite || postgres_admin_url().is_some() {
        return true;
    }
    assert!(
        !postgres_required(),
        "BERTH_REQUIRE_POSTGRES=1 but BERTH_TEST_POSTGRES_URL is not set"
    );
    eprintln!("SKIPPED {test} on PostgreSQL: BERTH_TEST_POSTGRES_URL is not set");
    false
}

/// Declares `$name` as a module with one test per backend, each calling
/// `$name(backend)` (the PostgreSQL one only where [`available`]); the caller
/// needs tokio's test macro.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use $crate::testing::{available, Backend};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if available(Backend::Postgres, stringify!($name)) {
                        super::$name(Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

/// A fresh, migrated SQLite database file in `dir` (tests pass
/// `env!("CARGO_TARGET_TMPDIR")`).
pub async fn fresh_sqlite(dir: &Path) -> SqliteStore {
    let path = dir.join(format!("berth-test-{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    store
}

/// A fresh, migrated PostgreSQL database on the throwaway server, owned by
/// [`APP_ROLE`]; returns a URL that connects as [`APP_ROLE`], under row-level
/// security.
pub async fn fresh_postgres_url() -> String {
    let url = empty_postgres_url().await;
    let store = PostgresStore::connect(&url)
        .await
        .expect("connect as the application role");
    store.migrate().await.expect("migrate postgres");
    store.pool().close().await;
    url
}

/// A fresh, empty (unmigrated) PostgreSQL database on the throwaway server,
/// owned by [`APP_ROLE`]: for upgrade tests, which migrate part of the way,
/// write rows as they were, then migrate the rest.
pub async fn empty_postgres_url() -> String {
    let admin = postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let name = format!("berth_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect as the admin");
    // Test processes run concurrently: the advisory lock makes them create the
    // role one after the other, so the later ones find it and leave it alone.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DO $$ BEGIN \
           PERFORM pg_advisory_xact_lock(hashtext('berth test role')); \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN \
             CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE \
               PASSWORD '{APP_PASSWORD}'; \
           END IF; \
         END $$"
    )))
    .execute(&mut conn)
    .await
    .expect("create the application role");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER {APP_ROLE}"
    )))
    .execute(&mut conn)
    .await
    .expect("create database");
    let _ = conn.close().await;
    with_login(&admin, APP_ROLE, APP_PASSWORD, &name)
}

/// The admin URL for the database `url` names: for tests that must look past
/// row-level security (a superuser bypasses it).
pub fn admin_url_of(url: &str) -> String {
    let admin = postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let (path, _) = split_query(url);
    let (_, database) = path.rsplit_once('/').expect("a URL with a database");
    with_database(&admin, database)
}

/// `url` (`postgres://[user[:password]@]host[:port]/database[?query]`) with
/// another login and database.
fn with_login(url: &str, user: &str, password: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (authority, _) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (_, query) = split_query(rest);
    format!("{scheme}://{user}:{password}@{host}/{database}{query}")
}

/// `url` with another database, same login.
fn with_database(url: &str, database: &str) -> String {
    let (path, query) = split_query(url);
    let (base, _) = path.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{database}{query}")
}

/// A URL's part before `?`, and its query string with the `?` (or "").
fn split_query(url: &str) -> (&str, &str) {
    url.find('?').map_or((url, ""), |at| url.split_at(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_and_database_are_replaced() {
        assert_eq!(
            with_login(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "app",
                "pw",
                "db1"
            ),
            "postgres://app:pw@127.0.0.1:5432/db1"
        );
        assert_eq!(
            with_login(
                "postgresql://admin:s3cret@db.example:6543/postgres?sslmode=disable",
                "app",
                "pw",
                "db1"
            ),
            "postgresql://app:pw@db.example:6543/db1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres?x=1", "db2"),
            "postgres://postgres@127.0.0.1:5432/db2?x=1"
        );
    }
}
